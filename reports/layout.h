/*
 * The report's columns, shared by the CSV, JSON Lines and HTML reporters, in the stable order
 * documented in docs/columns.md:
 *   domain, score, the verdict columns (the contract's ten first, then any other check's),
 *   dnssec_status spf_lookups dmarc_policy dkim_selectors mx, every other column a check
 *   declares, score_ipv6 score_dnssec score_auth score_starttls, error, then the carried input
 *   columns (renamed input_<name> where they collide with ours), input_row, then with
 *   --baseline the change columns baseline_status baseline_score score_change changes
 *   regression.
 *
 * Ownership: a layout owns its column names and keys; it borrows the check table (static).
 * layout_cell() returns a new reference.
 */
#pragma once

#include "reports/score.h"
#include "scanner/report.h"

enum column_kind {
	COLUMN_DOMAIN,
	COLUMN_SCORE,    /* overall score */
	COLUMN_VERDICT,  /* a check's verdict word */
	COLUMN_VALUE,    /* a value a check set with scan_set_column() */
	COLUMN_CATEGORY, /* a category score */
	COLUMN_ERROR,
	COLUMN_CARRY,     /* an input column carried through */
	COLUMN_INPUT_ROW, /* the row's 1-based position in the input (merge and resume key) */
	COLUMN_CHANGE,    /* with --baseline: a change column (reports/baseline.h), filled by the
			   * reporter; layout_cell() gives null */
};

struct column {
	char *name; /* header, owned */
	enum column_kind kind;
	long check;   /* COLUMN_VERDICT: index in the check table, -1 when the check is absent */
	int category; /* COLUMN_CATEGORY: enum score_category */
	char *key;    /* COLUMN_VALUE: key in res->columns; COLUMN_CARRY: input column name */
	bool defuse;  /* string values get the spreadsheet formula guard in CSV */
};

struct layout {
	struct column *cols;
	size_t n;
	const struct check_table *checks;
};

/** The contract's verdict columns, in their stable order (NULL-terminated). */
extern const char *const layout_contract_verdicts[];

struct layout *layout_new(const struct report_meta *meta);
void layout_free(struct layout *l);

/**
 * The value of one cell: a json string, integer or null (empty). `res` is NULL for an invalid
 * entry; `sc` is the row's score (score_compute). New reference, never NULL.
 */
json_t *layout_cell(const struct layout *l, const struct column *c, const struct input_row *row,
		    const struct domain_result *res, const struct score *sc);

/**
 * The row's `error` text: the row's own error, then "check: reason" for every check that
 * could not be completed, joined with "; ". Malloc'd, or NULL when there is none.
 */
char *layout_row_error(const struct layout *l, const struct input_row *row,
		       const struct domain_result *res);

/**
 * The text of a CSV cell: integers in decimal, strings as they are (with `defuse`, a leading
 * `'` before a spreadsheet formula start), anything else empty. Malloc'd.
 */
char *layout_csv_text(const json_t *v, bool defuse);

/**
 * The `domain` cell a row gets (known before its result: the normalised domain, or the entry as
 * read for an invalid one), as the CSV report writes it (`csv`) or as the JSON Lines report
 * does. Malloc'd. Used to tell that a report's row is the report of an input row.
 */
char *layout_domain_cell(const struct layout *l, const struct input_row *row, bool csv);

/** Whether the row is an invalid or unscanned entry (every verdict is `error`). */
bool layout_row_failed(const struct input_row *row, const struct domain_result *res);
