/*
 * Streaming reader of domain lists: plain text (one domain per line, blank lines and '#'
 * comments skipped) or CSV (detected by a header row with a column named "domain", any case;
 * other columns carried through). UTF-8 BOM and CRLF accepted; lines are bounded
 * (INPUT_MAX_LINE bytes: longer ones become an error row). Memory does not grow with the input.
 *
 * Ownership: input_next() fills a struct input_row whose members the caller owns afterwards
 * (free with input_row_clear()).
 */
#pragma once

#include "scanner/report.h"
#include <stdio.h>

#define INPUT_MAX_LINE 4096

struct input;

/** Open `path` ("-" = stdin). NULL with *err (malloc'd) when it cannot be read. */
struct input *input_open(const char *path, char **err);
/** Read from an already open stream (not closed by input_close). */
struct input *input_from_stream(FILE *f, const char *name);
/**
 * Next row: 1 and *row filled (row->domain or row->error set), 0 at the end, -1 on a read
 * error (*err malloc'd).
 */
int input_next(struct input *in, struct input_row *row, char **err);
/** The carried-through column names (CSV mode, after the header was read), NULL-terminated. */
const char *const *input_carry_columns(struct input *in);
void input_close(struct input *in);
void input_row_clear(struct input_row *row);
