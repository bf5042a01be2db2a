/*
 * Reading domscan's own CSV and JSON Lines reports back, for `domscan merge` and `--resume`
 * (docs/sharding.md): complete lines (a torn last line is left out), CSV field splitting, and
 * rebuilding a row and its result from a JSON Lines object so that the ordinary reporters can
 * write them again (the JSON Lines report holds every check's full detail).
 *
 * Every report row is one physical line: cells and JSON strings never hold a raw line break
 * (control characters are written as \xNN, JSON escapes the rest).
 *
 * Ownership: struct reread owns its stream and line buffer (reread_close()); csv_split()
 * returns malloc'd fields (csv_fields_free()); report_rebuild() fills a row the caller clears
 * with input_row_clear() and a result the caller releases with domain_result_unref().
 */
#pragma once

#include "reports/layout.h"
#include "scanner/report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct reread {
	FILE *fp;
	char *line;   /* the current line without its LF, NUL-terminated */
	size_t len;   /* its length */
	size_t cap;   /* getline's buffer size */
	off_t offset; /* file offset just after the current line's LF */
	bool torn;    /* at the end: the file ended in a line without LF (left out) */
};

/** Open `path` for reading: 1 opened, 0 it does not exist, -1 with *err (malloc'd). */
int reread_open(struct reread *r, const char *path, char **err);
/** The next complete line: 1 (r->line, r->len), 0 at the end (r->torn tells), -1 read error. */
int reread_line(struct reread *r);
void reread_close(struct reread *r);

/**
 * Split one CSV record (RFC 4180 quoting, no line end) into fields. 0 with *fields (malloc'd
 * array of malloc'd strings) and *n set; -1 when the quoting is malformed.
 */
int csv_split(const char *line, size_t len, char ***fields, size_t *n);
void csv_fields_free(char **fields, size_t n);

/** The index of the column named `name` in a header, or -1. */
long csv_field_index(char *const *fields, size_t n, const char *name);

/**
 * Parse a positive decimal row number (the input_row cell): 0 with *out set, -1 when it is not
 * one.
 */
int parse_row_number(const char *s, size_t *out);

/** 64-bit FNV-1a of a string, used to remember rows' identities compactly. */
uint64_t reread_hash(const char *s);

/** A kept row of a resumed report: enough to tell that it is the same input row. */
struct reread_kept {
	size_t input_row;
	uint64_t domain_hash;
};

/**
 * --resume: is row n of the kept rows (n_kept of them) the input row `row`, by its input_row
 * number and the hash of its domain cell under layout `l` (`defuse`: with the CSV formula
 * guard)? 0, or -1 with *err (malloc'd) naming the `report` ("CSV", "JSON").
 */
int reread_kept_check(const struct reread_kept *kept, size_t n_kept, size_t n,
		      const struct input_row *row, const struct layout *l, bool defuse,
		      const char *report, char **err);

/**
 * Rebuild the input row and the result behind one JSON Lines object of the report with layout
 * `l` (same build and input columns). *res is NULL for an invalid entry. 0 on success, -1 with
 * *err (malloc'd) when the object is not such a row.
 */
int report_rebuild(const json_t *o, const struct layout *l, struct input_row *row,
		   struct domain_result **res, char **err);

/**
 * The carried input column names of a JSON Lines row object (its "input_columns" keys, in
 * order): a malloc'd NULL-terminated array of malloc'd strings (free with
 * report_names_free()).
 */
char **report_carry_names(const json_t *o);
void report_names_free(char **names);
