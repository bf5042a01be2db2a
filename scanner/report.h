/*
 * The reporter interface: the engine calls row() once per input row, in input order.
 * Reporters live in reports/; main.c picks them by format name and hands them to the engine.
 * Ownership: rows and results are borrowed for the duration of the call.
 */
#pragma once

#include "scanner/check.h"
#include "scanner/config.h"
#include <jansson.h>
#include <stdio.h>

/** One output row = one input line. */
struct input_row {
	size_t line;      /* 1-based input line number */
	size_t index;     /* 0-based row index in input order */
	char *input;      /* the entry as read (sanitised), owned */
	char *domain;     /* normalised name, or NULL when invalid; owned */
	char *error;      /* why the entry is invalid, or NULL; owned */
	json_t *carry;    /* other input CSV columns (object), or NULL; owned ref */
	char **selectors; /* dkim_selectors column, owned */
	size_t n_selectors;
};

struct report_meta {
	const struct check_table *checks;
	const struct config *cfg;
	/** Names of carried-through input columns, in input order (NULL-terminated or NULL). */
	const char *const *carry_columns;
};

struct reporter {
	const char *format; /* "csv", "json", "html" */
	/** Open the output; return a handle or NULL with *err set (malloc'd). */
	void *(*open)(const char *path, const struct report_meta *meta, char **err);
	/** Write one row; res is NULL for an invalid entry. 0 on success. */
	int (*row)(void *h, const struct input_row *row, const struct domain_result *res);
	/** Finish and close; 0 on success. */
	int (*close)(void *h);

	/* --resume (docs/sharding.md). All optional: NULL = this format cannot be continued. */
	/**
	 * Count the complete rows that an earlier run left in the report at `path` for the same
	 * layout (a torn last line does not count). 0 when the file is missing or empty; -1 with
	 * *err (malloc'd) when it is not such a report.
	 */
	long (*resume_count)(const char *path, const struct report_meta *meta, char **err);
	/**
	 * Open the report at `path` to append after its first `keep` rows (anything after them is
	 * cut off). The handle is then used like open()'s.
	 */
	void *(*resume_open)(const char *path, const struct report_meta *meta, size_t keep,
			     char **err);
	/** Whether kept row `n` (0-based) is the report of `row`: 0 yes, -1 with *err (malloc'd).
	 */
	int (*resume_check)(void *h, size_t n, const struct input_row *row, char **err);
	/**
	 * Rebuild the first `keep` rows of the report at `path` with their full results and hand
	 * each to sink() (borrowed for the call), in order. Only a format that holds the full
	 * detail has it (JSON Lines); it lets --resume rebuild an HTML report. 0 on success, -1
	 * with *err (malloc'd).
	 */
	int (*replay)(const char *path, const struct report_meta *meta, size_t keep,
		      int (*sink)(void *arg, const struct input_row *row,
				  const struct domain_result *res),
		      void *arg, char **err);
};
