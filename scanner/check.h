/*
 * The check interface and the per-domain scan context handed to each check.
 *
 * The engine knows no single check: main.c hands it the table from checks/registry.c. For
 * every domain the checks run in table order on one worker thread, so a check may read the
 * results of the checks before it (scan_result_of). Checks keep no static mutable state:
 * anything shared between domains lives in the run-wide services reached through the scan
 * (DNS cache, DNSSEC validator, SMTP prober, HTTPS fetcher, memo cache).
 *
 * Ownership: everything returned by scan_* accessors is borrowed for the duration of run().
 */
#pragma once

#include "scanner/config.h"
#include "scanner/dns.h"
#include "scanner/mx.h"
#include "scanner/result.h"

struct scan;

struct check {
	/** Short name; also the CSV verdict column unless no_verdict_column. */
	const char *name;
	/** A title for people ("DNSSEC", "SPF"...). */
	const char *title;
	/** Extra CSV columns this check fills with scan_set_column(), NULL-terminated or NULL. */
	const char *const *columns;
	/** True for helpers that fill columns only (e.g. the MX listing). */
	bool no_verdict_column;
	/** Keys of the --profile file this check reads (scanner/profile.h), NULL-terminated or
	 * NULL. The engine refuses a profile with a key that no check declares. */
	const char *const *profile_keys;
	/** Run the check for scan_domain(s) and fill `out` (detail is a fresh empty object). */
	void (*run)(struct scan *s, struct check_result *out);
};

/** A query the engine issues for every domain before the checks run, all at once, so that the
 * checks find them in the cache: (prefix + domain, type). */
struct prefetch {
	const char *prefix; /* "" for the domain itself, "_dmarc." ... */
	uint16_t type;      /* LDNS_RR_TYPE_* */
};

struct check_table {
	const struct check *const *checks;
	size_t n;
	const struct prefetch *prefetch;
	size_t n_prefetch;
};

/** The domain being scanned (normalised A-label). */
const char *scan_domain(const struct scan *s);
const struct config *scan_config(const struct scan *s);
struct dns_client *scan_dns(struct scan *s);
/** Shared run-wide services (never NULL; created by the engine). */
struct validator *scan_validator(struct scan *s);
struct smtp_prober *scan_smtp(struct scan *s);
struct https_fetcher *scan_https(struct scan *s);
struct memo *scan_memo(struct scan *s);
/** The run's Public Suffix List (scanner/psl.h), or NULL when it could not be loaded. */
const struct psl_db *scan_psl(struct scan *s);
/** The parsed --profile (scanner/profile.h: key -> array of strings), NULL without one. */
const json_t *scan_profile(const struct scan *s);
/** The domain's MX set, looked up once per domain (MX hosts' addresses included). */
const struct mx_set *scan_mx(struct scan *s);
/** Extra DKIM selectors for this input row (CSV column dkim_selectors); may be 0. */
size_t scan_row_selectors(const struct scan *s, const char *const **out);
/** The result of an earlier check in the table by name; NULL if none or not run yet. */
const struct check_result *scan_result_of(const struct scan *s, const char *check_name);
/** Set a CSV column (takes the reference to `value`: json string, integer or null). */
void scan_set_column(struct scan *s, const char *column, json_t *value);
/** Read a column set earlier (borrowed; NULL when unset). */
const json_t *scan_get_column(const struct scan *s, const char *column);
