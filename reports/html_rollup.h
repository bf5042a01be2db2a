/*
 * The HTML report's shared-infrastructure roll-up (reports/html_rollup.c): per MX host and per
 * name server, how many of the scanned domains depend on it and its own findings (STARTTLS,
 * accepted TLS versions, certificate expiry, DANE, DNSSEC of the host name, IPv6), collected
 * while the rows stream. Memory grows with the number of distinct hosts, not with the rows.
 *
 * Ownership: html_rollup_new() returns an object the caller frees with html_rollup_free();
 * results and check tables are borrowed for the duration of each call (the table also for the
 * object's lifetime); nothing of a result is kept except copies of host names.
 */
#pragma once

#include "scanner/check.h"
#include "scanner/result.h"

#include <stddef.h>
#include <stdio.h>

/** Hosts listed per table; the rest are counted in one line below it. */
#define HTML_ROLLUP_TOP 100
/** Hosts described in the findings list above the tables... */
#define HTML_ROLLUP_FINDINGS 20
/** ...when at least this many domains use them (problems of one domain's own host are in its
 * detail section). */
#define HTML_ROLLUP_SHARED_MIN 2
/** A certificate that expires within this many days is a finding. */
#define HTML_ROLLUP_CERT_WARN_DAYS 30

struct html_rollup;

/** A roll-up over results whose checks are indexed like `checks` (borrowed for its lifetime). */
struct html_rollup *html_rollup_new(const struct check_table *checks);

/** Count one scanned domain (call once per distinct domain; NULL is ignored). */
void html_rollup_add(struct html_rollup *r, const struct domain_result *res);

struct catalog;

/**
 * Write the section (heading, findings, MX and name-server tables) as HTML to `fp`, every text
 * from the message catalogue `c` (borrowed; reports/i18n.h, ids "rollup.*").
 */
void html_rollup_write_lang(const struct html_rollup *r, const struct catalog *c, FILE *fp);
/** html_rollup_write_lang() with the English catalogue of the default data directory. */
void html_rollup_write(const struct html_rollup *r, FILE *fp);

/** Number of distinct MX hosts / name servers seen (for tests). */
size_t html_rollup_mx_count(const struct html_rollup *r);
size_t html_rollup_ns_count(const struct html_rollup *r);

void html_rollup_free(struct html_rollup *r);
