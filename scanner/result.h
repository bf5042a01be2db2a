/*
 * The result model shared by the engine, the checks and the reporters.
 *
 * A scan of one domain produces one struct domain_result: one struct check_result per entry of
 * the check table (same index), plus the named CSV columns the checks fill in.
 *
 * Ownership: a domain_result owns everything it points to (strings, JSON values). It is
 * reference counted because duplicate input lines share one result; the engine holds the
 * references, reporters only borrow it for the duration of a row() call.
 *
 * Verdict words and their order are fixed by ../shared/spec/verdicts.md.
 */
#pragma once

#include "scanner/msg.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum verdict {
	VERDICT_NOT_TESTED = 0,
	VERDICT_PASS,
	VERDICT_INFO,
	VERDICT_WARNING,
	VERDICT_ERROR,
	VERDICT_FAIL,
};

/** The contract's word for a verdict ("pass", "not_tested", ...). Static string. */
const char *verdict_name(enum verdict v);
/** Parse a verdict word; returns -1 when it is not one. */
int verdict_parse(const char *word);
/**
 * The worse of two verdicts in the order fail > error > warning > info > pass; not_tested
 * parts are ignored (the result is not_tested only when both are).
 */
enum verdict verdict_worst(enum verdict a, enum verdict b);

struct check_result {
	enum verdict verdict;
	/**
	 * Owned JSON object with the check's full detail. Keys every check may use:
	 *   "subtests": [ { "name": str, "status": verdict word, "reason": str,
	 *                   optional "server": str, optional "points": int } ... ]
	 *   "records": [...], anything else check-specific.
	 * Created empty by the engine before run(); never NULL once the check ran.
	 */
	json_t *detail;
	/** Owned, NULL or why the check (or a part of it) could not be completed. */
	char *error;
	/**
	 * Owned, NULL or the message form of `error` for the reports' catalogues:
	 * {"msg": id, "args": {...}} (see scanner/msg.h). Set by result_set_error_msg().
	 */
	json_t *error_msg;
};

struct domain_result {
	/** Owned normalised domain (lower-case A-label, no trailing dot). */
	char *domain;
	size_t n_checks;
	/** Owned array of n_checks results, indexed like the check table. */
	struct check_result *checks;
	/**
	 * Owned JSON object: CSV column name -> value (string, integer or null). Filled by checks
	 * through scan_set_column(); reporters read it.
	 */
	json_t *columns;
	/** Row-level error (e.g. an invalid name); owned, NULL when the domain was scanned. */
	char *error;
	/**
	 * Owned, NULL unless the result is frozen (domain_result_freeze()): then `columns` and
	 * every check's `detail` and `error_msg` are NULL and their JSON is here, compact.
	 */
	char *frozen;
	int refs; /* engine-internal */
};

/** Append a subtest to a check's detail. `reason` may be NULL. */
void result_subtest(struct check_result *r, const char *name, enum verdict status,
		    const char *reason_fmt, ...) __attribute__((format(printf, 4, 5)));
/** Like result_subtest() but returns the new subtest object (borrowed) to add more keys. */
json_t *result_subtest_obj(struct check_result *r, const char *name, enum verdict status,
			   const char *reason_fmt, ...) __attribute__((format(printf, 4, 5)));
/**
 * Append a subtest that carries a message for people: "msg" (an identifier of the catalogues
 * in data/messages/, see scanner/msg.h) and "args" (its parameters), plus the English
 * "reason" for machines, which is `reason_tmpl` (an English template with the same {name}
 * placeholders) expanded with `args`. `args` is stolen (NULL = no parameters). Returns the
 * subtest object (borrowed) to add more keys.
 */
json_t *result_subtest_msg(struct check_result *r, const char *name, enum verdict status,
			   const char *msg, const char *reason_tmpl, json_t *args);
/**
 * Set (replace) the result's error: the English text is `tmpl` expanded with `args`, and
 * error_msg keeps the message for the reports. `args` is stolen (NULL = none).
 */
void result_set_error_msg(struct check_result *r, const char *msg, const char *tmpl, json_t *args);
/** Set (replace) the result's error text; printf-style. Clears error_msg. */
void result_set_error(struct check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Fold `v` into r->verdict with verdict_worst(). */
void result_merge(struct check_result *r, enum verdict v);

/**
 * Make untrusted network text safe to keep: at most `max` bytes, invalid UTF-8 and control
 * characters (other than none) replaced by \xNN escapes. Returns a new malloc'd string.
 */
char *text_sanitize(const char *s, size_t len, size_t max);
/** json_string() of text_sanitize(s, len, max): never NULL (aborts on OOM). */
json_t *json_text(const char *s, size_t len, size_t max);
/** json_text(s, strlen(s), 4096); NULL s gives json null. */
json_t *json_str(const char *s);

struct domain_result *domain_result_new(const char *domain, size_t n_checks);
void domain_result_ref(struct domain_result *r);
void domain_result_unref(struct domain_result *r);
/**
 * Freeze a finished result that no other thread reads: its JSON trees (columns, details, error
 * messages) become one compact JSON text and are freed. A finished row waits in the engine's
 * window until every row before it is written; as trees, a few hundred such rows behind one
 * slow domain held tens of MiB (about a third of that as text). Verdicts and error texts stay.
 */
void domain_result_freeze(struct domain_result *r);
/**
 * The result as reporters read it: `r` itself with one more reference when it is not frozen,
 * otherwise a new result with the trees parsed back (equal to the originals, members in the
 * same order). Thread-safe for a frozen `r` (it is only read). Release with
 * domain_result_unref().
 */
struct domain_result *domain_result_thaw(struct domain_result *r);
