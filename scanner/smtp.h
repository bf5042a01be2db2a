/*
 * The STARTTLS prober (verdicts.md "starttls"): per MX address, SMTP banner, EHLO, STARTTLS,
 * then TLS enumeration with OpenSSL (versions, suites, groups, certificate chain), classified by
 * the NCSC tables in data/. Each address is probed once per run, however many domains share it,
 * as long as the result cache's bound is not exceeded; concurrent requests for the same address
 * wait for the one probe in flight. At most one connection to an address is open at a time,
 * connections to one address are spaced and counted against its budget for the whole run
 * (--smtp-interval, --smtp-connections), re-probes included.
 * The result's keys are described in docs/starttls.md.
 *
 * Result cache: the finished results of the SMTP_CACHE_MAX_DEFAULT most recently used addresses
 * (environment DOMSCAN_SMTP_CACHE=N overrides); a request for an evicted address probes it again
 * (counted as a re-probe in smtp_prober_stats()). Each result carries its certificate chain
 * decoded once (tls_probe.h), so the checks do not decode it per domain.
 *
 * Bounds: every SMTP reply must arrive within the timeout and SMTP_REPLY_MAX_BYTES/LINES, a
 * connection lasts at most 4 x timeout, the probe of one address at most 60 x timeout and
 * never longer than --domain-timeout. A caller waiting for another domain's probe of the same
 * address stops waiting at its thread_deadline() (util.h) and gets a result with status
 * "smtp_error" and the reason "deadline exceeded ...".
 *
 * Thread safety: smtp_* functions may be called from any thread; a result is immutable and may
 * be read by several threads at once (its JSON and its decoded chain, see tls_probe.h).
 * Ownership: smtp_probe() returns a new reference to a reference-counted result; the caller
 * releases it with smtp_result_release() (an evicted result lives until its last reference is
 * released). smtp_result_json() and smtp_result_chain() lend parts of it for as long as the
 * reference is held. smtp_reply_parse() fills an owned reply that smtp_reply_clear() releases.
 */
#pragma once

#include "scanner/config.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Results kept by default: a few KiB of JSON and 1-3 decoded certificates each (docs/scale.md). */
#define SMTP_CACHE_MAX_DEFAULT 1024

struct smtp_prober;
struct smtp_result;
struct tls_chain;
struct tls_tables;

/** Create the prober (loads data/tls-*.tsv, the CA store). NULL with *err (malloc'd). */
struct smtp_prober *smtp_prober_new(const struct config *cfg, char **err);
void smtp_prober_free(struct smtp_prober *p);

/**
 * Probe `ip` (textual v4 or v6) on port 25 presenting SNI `mx_name`; returns the result for
 * that address (a new reference, never NULL): the cached one, or the one probed now. The
 * request that starts a probe decides the SNI name used.
 */
struct smtp_result *smtp_probe(struct smtp_prober *p, const char *mx_name, const char *ip);
/** The result as a JSON object (docs/starttls.md), lent while the reference is held. */
const json_t *smtp_result_json(const struct smtp_result *r);
/** Its certificate chain, decoded once; NULL when it holds none. Lent like the JSON. */
const struct tls_chain *smtp_result_chain(const struct smtp_result *r);
/** Drop a reference from smtp_probe() (NULL is ignored). */
void smtp_result_release(struct smtp_result *r);
/** Number of TCP connections opened to `ip` so far (for politeness tests and bench). */
unsigned smtp_connections(struct smtp_prober *p, const char *ip);

struct smtp_stats {
	unsigned addresses;        /* distinct MX addresses asked for */
	unsigned long connections; /* TCP connections opened, in total */
	unsigned max_per_address;  /* the most to one address */
	unsigned long probes;      /* probes completed */
	unsigned long reprobes;    /* of those, of an address whose result had been evicted */
	unsigned long evictions;   /* results dropped from the cache */
	unsigned long gave_up;     /* waits for a probe in flight ended by the caller's deadline */
	size_t cached, cache_max;  /* results held at the end, the bound */
	size_t cached_bytes_peak;  /* the most the held results took (JSON text + DER estimate) */
};
/** Run totals. */
void smtp_prober_stats(struct smtp_prober *p, struct smtp_stats *st);
/** The totals as one "domscan: smtp ..." line (printed by the engine under DOMSCAN_STATS). */
void smtp_prober_print_stats(struct smtp_prober *p, FILE *f);
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
