/*
 * domscan's own DNSSEC validator (verdicts.md "dnssec"): from the configured trust anchor down,
 * DS -> DNSKEY -> RRSIG at every zone cut, NSEC/NSEC3 denial proofs verified with their
 * signatures. All data comes through the shared DNS client (CD=1), so any recursive resolver
 * will do. Validated zone keys are cached for the whole run (a TLD is validated once).
 *
 * The cache holds one entry per name walked (a zone cut with its validated DNSKEY RRset, or
 * "not a cut" / "insecure" / "bogus" / "error" with the reason). It is bounded: at most
 * DNSSEC_CACHE_MAX_DEFAULT entries (override: environment DOMSCAN_DNSSEC_CACHE=N, or
 * validator_set_cache_max()), plus the entries being computed at that moment (at most one per
 * thread inside validator_check()). The least recently used finished entry below the TLDs is
 * dropped first; the root and TLD entries (few, used by every walk) only when nothing else can
 * go. Entries are reference counted, so
 * one dropped while a walk still uses it lives until that walk ends; a dropped name is simply
 * validated again when next needed.
 *
 * Thread safety: validator_* functions may be called from any thread (validator_set_time()
 * and validator_set_cache_max() before the validator is shared).
 * Ownership: a dnssec_result owns its strings and JSON; release with dnssec_result_clear().
 */
#pragma once

#include "scanner/dns.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Default bound of the validator's cache (finished entries, see above) */
#define DNSSEC_CACHE_MAX_DEFAULT 50000

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

/** Set the cache bound (entries, at least 1), dropping what exceeds it now. */
void validator_set_cache_max(struct validator *v, size_t max_entries);

/* Counters of one validator (a run). Depth index: 0 root, 1 TLD, 2 second level, 3 deeper. */
struct validator_stats {
	uint64_t checks;                   /* validator_check() calls */
	uint64_t cpu_ns;                   /* thread CPU time spent inside validator_check() */
	uint64_t sig_verifications;        /* RRSIG verifications (crypto) */
	uint64_t dnskey_verifications[4];  /* of DNSKEY RRsets against a DS/anchor key, by depth */
	uint64_t zones_established[4];     /* zones whose keys were validated, by depth */
	uint64_t sig_by_depth[4];          /* RRSIG verifications with the keys of zones at depth */
	uint64_t keys_parsed, keys_shared; /* DNSKEYs parsed / found in the key ring */
	size_t cache_entries, cache_peak, cache_max;
	uint64_t cache_hits, cache_misses, cache_evictions;
};
void validator_get_stats(struct validator *v, struct validator_stats *out);

/** The counters as "domscan: dnssec ..." lines (printed by the engine under DOMSCAN_STATS). */
void validator_print_stats(struct validator *v, FILE *f);

/* ---- Pure pieces, exported for unit tests and fuzzing ------------------------------------- */

/**
 * True when an RR has the shape the validator relies on before any ldns helper touches it:
 * DS (4 rdfs, digest present), DNSKEY (4 rdfs, protocol 3), RRSIG (9 rdfs, signer a name,
 * labels <= 127), NSEC (owner/next names, a well-formed type bitmap), NSEC3 (hash algorithm
 * 1, 20-byte next hash, owner label base32hex of 20 bytes, well-formed bitmap), NSEC3PARAM.
 * Other types are always accepted. Never aborts on any input ldns_wire2pkt accepted.
 */
bool dnssec_rr_shape_ok(const ldns_rr *rr);

/* Fixed-size rdata fields (field i, big-endian) of a record that passed dnssec_rr_shape_ok(),
 * which guarantees their sizes; shared by the validator and its signature code. */
static inline uint8_t rd_u8(const ldns_rr *rr, size_t i)
{
	return ldns_rdf_data(ldns_rr_rdf(rr, i))[0];
}

static inline uint16_t rd_u16(const ldns_rr *rr, size_t i)
{
	const uint8_t *p = ldns_rdf_data(ldns_rr_rdf(rr, i));
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd_u32(const ldns_rr *rr, size_t i)
{
	const uint8_t *p = ldns_rdf_data(ldns_rr_rdf(rr, i));
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- Signature crypto (scanner/dnssec_sig.c) ---------------------------------------------
 * Own code over OpenSSL EVP for RSA/SHA-1, RSA/SHA-256, RSA/SHA-512, ECDSA P-256/P-384,
 * Ed25519 and Ed448 (the DNSKEY is converted to an EVP_PKEY once, in dnssec_key_new()); other
 * algorithms (RSA/MD5, DSA) are verified through ldns_verify_rrsig_time() as before. */

/**
 * RFC 4034 Appendix B key tag of a DNSKEY (0 when it fails dnssec_rr_shape_ok()). Pure, no
 * allocation.
 */
uint16_t dnssec_keytag(const ldns_rr *dnskey);

/**
 * Does DS `ds` point at DNSKEY `dnskey` (key tag, algorithm and digest, SHA-1/256/384)? Both
 * must pass dnssec_rr_shape_ok(); false otherwise. Pure.
 */
bool dnssec_ds_matches(const ldns_rr *ds, const ldns_rr *dnskey);

/** A DNSKEY parsed once for many signature checks. Opaque. */
struct dnssec_key;

/**
 * Parse `dnskey` (NULL when it fails dnssec_rr_shape_ok() or is not a DNSKEY). The key borrows
 * the record: `dnskey` must outlive it. Key material that does not parse gives a key that
 * verifies nothing. Release with dnssec_key_free(). Safe to share between threads read-only.
 */
struct dnssec_key *dnssec_key_new(const ldns_rr *dnskey);
/**
 * The key's identity only (tag, algorithm, flags, the record), its material not parsed: what a
 * zone keeps for the whole run. dnssec_verify_sig_key() with it verifies only algorithms done
 * through ldns; take the material for a verification with dnssec_key_new_shared(). Same
 * ownership as dnssec_key_new().
 */
struct dnssec_key *dnssec_key_head_new(const ldns_rr *dnskey);
void dnssec_key_free(struct dnssec_key *k);
uint16_t dnssec_key_tag(const struct dnssec_key *k);
uint8_t dnssec_key_alg(const struct dnssec_key *k);
uint16_t dnssec_key_flags(const struct dnssec_key *k);
const ldns_rr *dnssec_key_rr(const struct dnssec_key *k);

/**
 * A bounded table of parsed public keys, shared between zones that publish the same key
 * (hosting platforms and some DNS operators sign many zones with one key pair). Direct-mapped
 * by a hash of (algorithm, key): `slots` keys at most, a colliding key replaces the older. The
 * ring holds its own reference to each EVP_PKEY, so a dnssec_key made from it stays valid after
 * the key left the ring or the ring was freed. Thread-safe.
 */
struct dnssec_keyring;
struct dnssec_keyring *dnssec_keyring_new(size_t slots);
void dnssec_keyring_free(struct dnssec_keyring *r);
/** Keys found in the ring, keys parsed (since dnssec_keyring_new) */
void dnssec_keyring_stats(const struct dnssec_keyring *r, unsigned long *hits,
			  unsigned long *parsed);

/**
 * dnssec_key_new(), the key material taken from the ring when the same (algorithm, key) was
 * parsed before (and put there otherwise). `r` NULL: dnssec_key_new().
 */
struct dnssec_key *dnssec_key_new_shared(const ldns_rr *dnskey, struct dnssec_keyring *r);

/**
 * Does `rrsig` verify `rrset` (one owner, class and type, the type the RRSIG covers) with key
 * `k` at time `now` (the RRSIG's validity period, RFC 4034 §3.1.5 serial arithmetic)? The
 * algorithm and key tag of the RRSIG must be the key's. Every record must pass
 * dnssec_rr_shape_ok() (false otherwise). A wildcard expansion (RRSIG labels below the owner's)
 * is verified over the wildcard name (RFC 4035 §5.3.2). Pure; the inputs are not modified.
 * Signer, label and validity checks with reasons are the caller's (verify_rrset).
 */
bool dnssec_verify_sig_key(const ldns_rr_list *rrset, const ldns_rr *rrsig,
			   const struct dnssec_key *k, time_t now);

/** dnssec_verify_sig_key() with a key parsed for this one call. Pure. */
bool dnssec_verify_sig(const ldns_rr_list *rrset, const ldns_rr *rrsig, const ldns_rr *dnskey,
		       time_t now);

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

/**
 * RFC 6672 §2.2 substitution: `qname` (strictly below the DNAME owner `owner`) with the owner
 * suffix replaced by `target`, lower case. NULL when qname is not below owner or the result
 * exceeds 255 octets (YXDOMAIN). Pure; the caller frees the result (ldns_rdf_deep_free).
 */
ldns_rdf *dnssec_dname_substitute(const ldns_rdf *qname, const ldns_rdf *owner,
				  const ldns_rdf *target);

/** RFC 5155 hash of `name` (raw 20 bytes into out). Returns false when not computable. */
bool dnssec_nsec3_hash(const ldns_rdf *name, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t out[20]);
