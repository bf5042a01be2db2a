/*
 * The reporters by format name ("csv", "json", "html"), and the output-file helpers they share.
 * Ownership: reporter_find() returns a static reporter; report_fopen() returns a stream the
 * caller closes with report_fclose().
 */
#pragma once

#include "scanner/report.h"
#include <stdio.h>

extern const struct reporter reporter_csv;
extern const struct reporter reporter_json;
extern const struct reporter reporter_html;

/** The reporter for `format`, or NULL when there is none. */
const struct reporter *reporter_find(const char *format);

/** Open `path` for writing ("-" = standard output); NULL with *err set (malloc'd). */
FILE *report_fopen(const char *path, char **err);
/** Flush and close (standard output is only flushed); 0 on success, -1 on a write error. */
int report_fclose(FILE *fp);
