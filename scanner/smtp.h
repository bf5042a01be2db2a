/*
 * The STARTTLS prober (verdicts.md "starttls"): per MX address, SMTP banner, EHLO, STARTTLS,
 * then TLS enumeration with OpenSSL (versions, suites, groups, certificate chain), classified by
 * the NCSC tables in data/. Each address is probed once per run, however many domains share it;
 * concurrent requests for the same address wait for the one probe in flight. At most one
 * connection to an address is open at a time, and connections to one address are spaced.
 * The result's keys are described in docs/starttls.md.
 *
 * Bounds: every SMTP reply must arrive within the timeout and SMTP_REPLY_MAX_BYTES/LINES, a
 * connection lasts at most 4 x timeout, the probe of one address at most 60 x timeout and
 * never longer than --domain-timeout. A caller waiting for another domain's probe of the same
 * address stops waiting at its thread_deadline() (util.h) and gets a result with status
 * "smtp_error" and the reason "deadline exceeded ...".
 *
 * Thread safety: smtp_* functions may be called from any thread.
 * Ownership: probe results are owned by the prober's cache (immutable once done) and live
 * until smtp_prober_free(); callers borrow them. smtp_reply_parse() fills an owned reply that
 * smtp_reply_clear() releases.
 */
#pragma once

#include "scanner/config.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct smtp_prober;
struct tls_tables;

/** Create the prober (loads data/tls-*.tsv, the CA store). NULL with *err (malloc'd). */
struct smtp_prober *smtp_prober_new(const struct config *cfg, char **err);
void smtp_prober_free(struct smtp_prober *p);

/**
 * Probe `ip` (textual v4 or v6) on port 25 presenting SNI `mx_name`; returns the cached
 * result for that address as a JSON object (borrowed; never NULL). The first request for an
 * address decides the SNI name used.
 */
const json_t *smtp_probe(struct smtp_prober *p, const char *mx_name, const char *ip);
/** Number of TCP connections opened to `ip` so far (for politeness tests and bench). */
unsigned smtp_connections(struct smtp_prober *p, const char *ip);
/** Run totals: MX addresses probed, connections opened, the most to one address. */
void smtp_prober_stats(struct smtp_prober *p, unsigned *addresses, unsigned long *connections,
		       unsigned *max_per_address);
/** The classification tables the prober loaded (borrowed). */
const struct tls_tables *smtp_tls_tables(struct smtp_prober *p);

/* ---- SMTP reply parsing (pure) ---- */

#define SMTP_REPLY_MAX_BYTES 65536
#define SMTP_REPLY_MAX_LINES 512

enum smtp_reply_status {
	SMTP_REPLY_OK,         /* a complete reply is at the start of the buffer */
	SMTP_REPLY_INCOMPLETE, /* need more bytes */
	SMTP_REPLY_MALFORMED,  /* not an RFC 5321 reply (bad code, mixed codes, bad separator) */
	SMTP_REPLY_TOO_LONG,   /* over SMTP_REPLY_MAX_BYTES or SMTP_REPLY_MAX_LINES */
};

struct smtp_reply {
	int code;     /* 3-digit reply code */
	char **lines; /* text after "DDD-"/"DDD " per line, sanitised, owned */
	size_t n_lines;
	size_t consumed; /* bytes of the buffer the reply used (including the last line end) */
};

/**
 * Parse the first reply in buf[0..len): lines "DDD-text" then "DDD text" (or "DDD" alone),
 * ending in CRLF (a bare LF is accepted). Only on SMTP_REPLY_OK is *out filled.
 */
enum smtp_reply_status smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *out);
void smtp_reply_clear(struct smtp_reply *r);
/** True when an EHLO reply advertises `keyword` (first word of a line after the first). */
bool smtp_reply_has_ext(const struct smtp_reply *r, const char *keyword);
