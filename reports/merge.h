/*
 * `domscan merge`: join the CSV and/or JSON Lines reports of the shards of one scan
 * (`domscan scan --shard I/N`) into one report in input order (docs/sharding.md).
 *
 * Parts are recognised by their content (a JSON Lines part starts with '{' or is empty; a CSV
 * part starts with its header row). Rows are ordered by their input_row key with a streaming
 * k-way merge, so memory does not grow with the number of rows. The CSV output is the CSV
 * parts' rows as written (or, without CSV parts, rebuilt from the JSON parts); the JSON Lines
 * output is the JSON parts' lines as written; the HTML output is rebuilt from the JSON parts
 * (which hold every check's full detail) through the ordinary HTML reporter.
 *
 * Parts that do not fit together are refused with a message naming them: different columns,
 * a row in two parts (overlap), rows in no part (a missing or unfinished part), a torn last
 * line, rows out of order. Outputs are written to a temporary file beside the target and
 * renamed only when the merge succeeded.
 */
#pragma once

#include "scanner/check.h"
#include "scanner/config.h"

/**
 * Merge the parts cfg->inputs into the outputs cfg->outputs ("csv", "json", "html").
 * Returns the exit status: 0 success, 1 error (message on stderr).
 */
int merge_run(const struct config *cfg, const struct check_table *checks);
