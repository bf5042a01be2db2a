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

enum dnssec_status {
	DNSSEC_SECURE,
	DNSSEC_INSECURE,
	DNSSEC_BOGUS,
	DNSSEC_ERROR,
};

struct dnssec_result {
	enum dnssec_status status;
	char *reason;	       /* person-readable why (always set for bogus/insecure/error) */
	bool deprecated_alg;   /* a secure chain uses an RFC 8624 deprecated algorithm */
	int nsec3_iterations;  /* highest NSEC3 iteration count seen in the proof, -1 if none */
	json_t *detail;	       /* chain: zones, DS/DNSKEY tags, algorithms, signers */
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
