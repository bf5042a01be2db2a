/*
 * The baseline: an earlier CSV report of domscan (--baseline FILE), and what changed per domain
 * since then (docs/columns.md "Changes since a baseline", docs/nightly.md).
 *
 * Parsing is a pure function over bytes (baseline_parse()); baseline_load() reads a file with
 * the same parser, line by line, so memory grows with the number of domains, not the file size.
 * The CSV may come from anywhere: every size is bounded (BASELINE_MAX_*), a malformed record is
 * skipped and counted (never fatal), control characters are sanitised, and the spreadsheet
 * formula guard of the CSV report (a leading `'` before `= + - @`, tab or CR) is removed again.
 * A baseline is unusable (NULL with an error) only when it has no header with a `domain`
 * column.
 *
 * "Got worse" (a regression): a verdict moved to a worse one in the order
 * fail > error > warning > info > pass (a change to or from not_tested is reported but is
 * neither worse nor better), or the score dropped (including a score that became empty).
 * Changes of dnssec_status, spf_lookups, dmarc_policy, dkim_selectors and mx are reported but
 * are not regressions by themselves (their effect shows in the verdicts and the score).
 * A domain that is not in the baseline is `new`; a baseline domain missing from this run is
 * listed (baseline_missing); neither is a regression.
 *
 * Ownership: a struct baseline owns its entries and names; baseline_find() returns a borrowed
 * entry. A struct baseline_diff owns its changes (free with baseline_diff_clear()); the change
 * names are borrowed from the baseline (check names) or static. Returned strings and JSON values
 * are new (malloc'd / new reference).
 */
#pragma once

#include "reports/layout.h"
#include "scanner/result.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Bounds on what a baseline file may make us hold. */
#define BASELINE_MAX_LINE    (1024 * 1024)     /* longer physical lines: the record is skipped */
#define BASELINE_MAX_FIELD   (128 * 1024)      /* longer fields: the record is skipped */
#define BASELINE_MAX_COLUMNS 512               /* more columns: the record is skipped */
#define BASELINE_MAX_RECORD  (2 * 1024 * 1024) /* one record spanning lines: skipped beyond */
#define BASELINE_MAX_ENTRIES 5000000           /* domains kept; further rows are ignored */
#define BASELINE_MAX_CHECKS  64                /* verdict columns compared */
#define BASELINE_VALUE_MAX   4096              /* bytes kept of a compared value column */

/* The value columns compared besides the verdicts and the score. */
enum baseline_value {
	BV_DNSSEC_STATUS,
	BV_SPF_LOOKUPS,
	BV_DMARC_POLICY,
	BV_DKIM_SELECTORS,
	BV_MX,
	BV_N,
};
extern const char *const baseline_value_names[BV_N];

struct baseline_entry {
	char *domain; /* normalised (lower-case A-label), owned */
	int score;    /* 0-100, -1 when empty or absent */
	/* per verdict column of the baseline's check list: enum verdict, -1 unknown or absent */
	signed char verdict[BASELINE_MAX_CHECKS];
	char *value[BV_N]; /* sanitised text ("" = empty cell), NULL when the column is absent */
	bool seen;         /* a row of this run had this domain (baseline_compare_row) */
};

struct baseline {
	char *checks[BASELINE_MAX_CHECKS]; /* the verdict column names compared, owned */
	size_t n_checks;
	struct baseline_entry *entries; /* in file order, first row of each domain */
	size_t n;
	size_t *slots; /* open addressing hash of entry index + 1 (0 = free) */
	size_t n_slots;
	/* what the file held */
	size_t rows;       /* data records read */
	size_t bad;        /* malformed records skipped (syntax, too long, too many columns) */
	size_t invalid;    /* rows whose domain is not a valid name (invalid entries back then) */
	size_t duplicates; /* rows of a domain seen before (the first is kept) */
	size_t ignored;    /* rows beyond BASELINE_MAX_ENTRIES */
	bool has_score;    /* the header had a `score` column */
};

/**
 * Parse a baseline CSV held in memory. `checks` names the verdict columns to compare
 * (NULL-terminated, at most BASELINE_MAX_CHECKS are used). NULL with *err (malloc'd) when the
 * data has no header row with a `domain` column.
 */
struct baseline *baseline_parse(const char *data, size_t len, const char *const *checks,
				char **err);
/** The same from a file; NULL with *err when it cannot be read or has no usable header. */
struct baseline *baseline_load(const char *path, const char *const *checks, char **err);
void baseline_free(struct baseline *b);

/** The entry of a normalised domain, or NULL. */
struct baseline_entry *baseline_find(const struct baseline *b, const char *domain);

/** How a row of this run compares with the baseline. */
enum baseline_status {
	BASELINE_NOT_COMPARED, /* this row is an invalid entry: nothing to compare */
	BASELINE_NEW,          /* the domain is not in the baseline */
	BASELINE_UNCHANGED,
	BASELINE_CHANGED,
};
const char *baseline_status_name(enum baseline_status s);

struct baseline_change {
	const char *name; /* check name, "score" or a value column name; borrowed */
	bool verdict;     /* a verdict column (else the score or a value column) */
	char *from, *to;  /* old and new text, "" for empty; owned */
	int worse;        /* 1 worse, -1 better, 0 neither (value columns, not_tested) */
};

struct baseline_diff {
	enum baseline_status status;
	int old_score, new_score; /* -1 = empty */
	bool regression;          /* something got worse */
	bool improved;            /* something got better */
	struct baseline_change *changes;
	size_t n;
};

/**
 * Compare two entries with the baseline's check list (pure): `old` NULL gives BASELINE_NEW.
 * Fills *out (clear it with baseline_diff_clear()).
 */
void baseline_diff(const struct baseline *b, const struct baseline_entry *old,
		   const struct baseline_entry *now, struct baseline_diff *out);
void baseline_diff_clear(struct baseline_diff *d);

/**
 * The compact text of the changes, items separated by spaces, in check order then score then
 * value columns: `dkim:pass>fail score:92>84 dmarc_policy:none>reject
 * mx:+mx2.example.net,-mx1.example.net`; an empty old or new value is written `(none)`. At most 4
 * KiB (then `...`). Malloc'd.
 */
char *baseline_changes_text(const struct baseline_diff *d);
/** The JSON `changes` object of a row (docs/columns.md). New reference. */
json_t *baseline_changes_json(const struct baseline_diff *d);

/**
 * The value of change column `column` (one of baseline_columns) for a row: a JSON string,
 * integer or null, as docs/columns.md describes. New reference.
 */
json_t *baseline_cell(const struct baseline_diff *d, const char *column);

/** Whether `name` is one of the change columns (reserved when a baseline is used). */
bool baseline_column_name(const char *name);
/** The change columns, in their order (NULL-terminated). */
extern const char *const baseline_columns[];

/** The verdict column names of a layout (NULL-terminated, names borrowed). Malloc'd array. */
const char **baseline_layout_checks(const struct layout *l);

/**
 * Compare one row of this run (as the layout renders it) with the baseline: marks the
 * baseline entry seen and fills *out.
 */
void baseline_compare_row(struct baseline *b, const struct layout *l, const struct input_row *row,
			  const struct domain_result *res, const struct score *sc,
			  struct baseline_diff *out);

/**
 * The baseline of this run (`--baseline`), loaded once and shared by the reporters: the first
 * call loads it (NULL with *err when unusable; a warning about skipped rows goes to stderr),
 * later calls return the same one. Call only from the thread that opens and closes the
 * reporters; every successful baseline_acquire() is paired with a baseline_release().
 */
struct baseline *baseline_acquire(const char *path, const struct layout *l, char **err);
void baseline_release(struct baseline *b);
