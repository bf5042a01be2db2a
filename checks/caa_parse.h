/*
 * CAA resource records (RFC 8659 §4): one property (flags, tag, value) at a time, and the
 * verdict of a whole RRset per ../shared/spec/verdicts.md "caa". Pure functions: no I/O, no
 * global state.
 *
 * Ownership: caa_parse_property() fills a caller-provided struct that owns nothing (fixed
 * buffers); caa_judge_set() only reads the records it is given.
 */
#pragma once

#include "scanner/result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum caa_tag {
	CAA_TAG_ISSUE = 0,
	CAA_TAG_ISSUEWILD,
	CAA_TAG_IODEF,
	CAA_TAG_CONTACTEMAIL,
	CAA_TAG_CONTACTPHONE,
	CAA_TAG_ISSUEMAIL, /* RFC 9495 */
	CAA_TAG_ISSUEVMC,  /* BIMI VMC issuance */
	CAA_TAG_OTHER,     /* any other (syntactically valid) tag */
	CAA_TAG_INVALID,   /* not 1-15 ASCII letters and digits */
};

#define CAA_ISSUER_MAX 256

struct caa_property {
	enum caa_tag tag;
	bool critical; /* the issuer-critical flag (128) */
	/* verdict of this record alone: pass, warning (bad iodef scheme), fail (unparseable or
	 * critical unknown tag) */
	enum verdict verdict;
	char finding[160]; /* why, when verdict is not pass */
	/* issue / issuewild / issuemail / issuevmc */
	char issuer[CAA_ISSUER_MAX]; /* issuer-domain-name, "" when none (";" = deny) */
	size_t n_params;             /* parameters after the issuer */
};

/**
 * Judge one CAA record. `tag` and `value` are the raw wire bytes (not NUL-terminated,
 * untrusted). Flags other than 0 and 128 make the record unparseable (fail).
 */
void caa_parse_property(uint8_t flags, const char *tag, size_t tag_len, const char *value,
			size_t value_len, struct caa_property *out);

/** The canonical lower-case name of a known tag, or NULL for other/invalid. Static. */
const char *caa_tag_name(enum caa_tag tag);

/**
 * The verdict of a found (non-empty) RRset: the worst record, and `warning` when no record is
 * an `issue` one. *reason (static string) says why when not pass; may be NULL.
 */
enum verdict caa_judge_set(const struct caa_property *props, size_t n, const char **reason);

/** RFC 8659 §4.2 issue-value syntax; fills issuer (may be NULL) and *n_params. */
bool caa_issue_value_valid(const char *v, size_t n, char *issuer, size_t issuer_max,
			   size_t *n_params, char *why, size_t why_max);
