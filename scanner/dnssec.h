/*
 * domscan's own DNSSEC validator (verdicts.md "dnssec"): from the configured trust anchor down,
 * DS -> DNSKEY -> RRSIG at every zone cut, NSEC/NSEC3 denial proofs verified with their
 * signatures. All data comes through the shared DNS client (CD=1), so any recursive resolver
 * will do. Validated zone keys are cached for the whole run (a TLD is validated once).
 *
 * Thread safety: validator_* functions may be called from any thread.
 * Ownership: a dnssec_result owns its strings and JSON; release with dnssec_result_clear().
 */
#pragma once

#include "scanner/dns.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum dnssec_status {
	DNSSEC_SECURE,
	DNSSEC_INSECURE,
	DNSSEC_BOGUS,
	DNSSEC_ERROR,
};

struct dnssec_result {
	enum dnssec_status status;
	char *reason;         /* person-readable why (always set for bogus/insecure/error) */
	bool deprecated_alg;  /* a secure chain uses an RFC 8624 deprecated algorithm */
	int nsec3_iterations; /* highest NSEC3 iteration count seen in the proof, -1 if none */
	json_t *detail;       /* chain: zones, DS/DNSKEY tags, algorithms, signers */
};

struct validator;

/** Load anchors (DS and/or DNSKEY in zone-file format). NULL with *err on failure. */
struct validator *validator_new(struct dns_client *dns, const char *anchor_file, char **err);
void validator_free(struct validator *v);

/**
 * Validate the answer for (name, type): a positive answer, a NODATA or an NXDOMAIN, following
 * CNAMEs. Returns the status of the name's data.
 */
void validator_check(struct validator *v, const char *name, ldns_rr_type type,
		     struct dnssec_result *out);
void dnssec_result_clear(struct dnssec_result *r);
const char *dnssec_status_name(enum dnssec_status s);

/**
 * Validate as if the clock read `when` (seconds since the epoch); 0 restores the wall clock.
 * For tests with recorded data. Call before the validator is shared between threads.
 */
void validator_set_time(struct validator *v, time_t when);

/* ---- Pure pieces, exported for unit tests and fuzzing ------------------------------------- */

/**
 * True when an RR has the shape the validator relies on before any ldns helper touches it:
 * DS (4 rdfs, digest present), DNSKEY (4 rdfs, protocol 3), RRSIG (9 rdfs, signer a name,
 * labels <= 127), NSEC (owner/next names, a well-formed type bitmap), NSEC3 (hash algorithm
 * 1, 20-byte next hash, owner label base32hex of 20 bytes, well-formed bitmap), NSEC3PARAM.
 * Other types are always accepted. Never aborts on any input ldns_wire2pkt accepted.
 */
bool dnssec_rr_shape_ok(const ldns_rr *rr);

/** Does a well-formed type bitmap rdf (NSEC/NSEC3 last field) list `type`? */
bool dnssec_bitmap_has(const ldns_rdf *bitmap, uint16_t type);

enum denial_kind {
	DENIAL_NONE,     /* nothing proven (why_not says why) */
	DENIAL_NXDOMAIN, /* the name does not exist (and no wildcard could have matched) */
	DENIAL_NODATA,   /* the name exists without the type (or a matching wildcard) */
	DENIAL_OPTOUT,   /* NSEC3 opt-out span covers the name: an unsigned delegation may exist */
};

struct denial {
	enum denial_kind kind;
	/* for NODATA proven by a record matching the name itself: its bitmap */
	bool matched;
	bool has_ns, has_soa, has_ds, has_cname;
	bool nsec3;               /* the proof used NSEC3 */
	int nsec3_iterations;     /* -1 without NSEC3 */
	bool too_many_iterations; /* NSEC3 iterations above DNSSEC_NSEC3_MAX_ITER: ignored */
	char why_not[160];
};

/** NSEC3 chains with more iterations are not evaluated (RFC 9276 §3.2: treat as insecure). */
#define DNSSEC_NSEC3_MAX_ITER 150

/**
 * The denial-of-existence logic of RFC 4035 §5.4 and RFC 5155 §8 for (name, type) in `zone`,
 * over NSEC/NSEC3 records the caller has already verified (their signatures are NOT checked
 * here; records that fail dnssec_rr_shape_ok() or lie outside `zone` are skipped).
 * Pure: no I/O, no allocation kept. Names are compared canonically.
 */
void dnssec_denial(const ldns_rdf *zone, const ldns_rdf *name, ldns_rr_type type,
		   const ldns_rr_list *records, struct denial *out);

/** RFC 5155 hash of `name` (raw 20 bytes into out). Returns false when not computable. */
bool dnssec_nsec3_hash(const ldns_rdf *name, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t out[20]);
