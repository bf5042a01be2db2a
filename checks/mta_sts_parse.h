/*
 * MTA-STS (RFC 8461) record and policy parsing: pure functions, no I/O.
 *
 * - mta_sts_txt_*: the `_mta-sts.<domain>` TXT record (§3.1).
 * - mta_sts_policy_*: the policy file served at
 *   https://mta-sts.<domain>/.well-known/mta-sts.txt (§3.2).
 * - mta_sts_mx_match(): does a policy `mx` pattern cover an MX host name (§4.1).
 *
 * Ownership: the parsers fill caller-provided structs whose strings are malloc'd and owned by
 * the struct; release them with mta_sts_policy_clear() (struct mta_sts_txt owns nothing). Inputs
 * are borrowed and may contain any bytes (NULs included): lengths are explicit.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds from RFC 8461. */
#define MTA_STS_ID_MAX      32
#define MTA_STS_MAX_AGE_MAX 31557600L
#define MTA_STS_POLICY_MAX  65536 /* bytes: §3.3 "SHOULD" limit senders enforce */
#define MTA_STS_MX_MAX      64    /* mx patterns kept per policy (more is malformed) */

/** Does this TXT record claim to be an MTA-STS record (starts "v=STSv1", any case, then end,
 *  ';' or whitespace)? Records that do not are ignored per §3.1. */
bool mta_sts_txt_is_candidate(const char *s, size_t len);

struct mta_sts_txt {
	char id[MTA_STS_ID_MAX + 1]; /* the id= value (1-32 ALPHA/DIGIT) */
	size_t n_extensions;         /* extension fields seen */
};

/**
 * Parse one TXT record (strings already concatenated) strictly per the §3.1 ABNF:
 * "v=STSv1" first, fields separated by `*WSP ";" *WSP`, exactly one `id=` of 1-32 ALPHA/DIGIT,
 * extension fields `name=value`. Trailing whitespace is tolerated.
 * Returns 0 on success; -1 with *err (malloc'd, person-readable) when malformed.
 */
int mta_sts_txt_parse(const char *s, size_t len, struct mta_sts_txt *out, char **err);

enum mta_sts_mode {
	MTA_STS_MODE_UNSET = 0,
	MTA_STS_MODE_ENFORCE,
	MTA_STS_MODE_TESTING,
	MTA_STS_MODE_NONE,
};
/** "enforce", "testing", "none" or "unset". Static string. */
const char *mta_sts_mode_name(enum mta_sts_mode m);

struct mta_sts_policy {
	enum mta_sts_mode mode;
	long max_age; /* seconds, 0..MTA_STS_MAX_AGE_MAX */
	char **mx;    /* owned patterns, lower case, no trailing dot ("*.example.com" kept) */
	size_t n_mx;
	size_t n_unknown; /* unknown (extension) fields ignored */
};

/**
 * Parse a policy body per §3.2: lines "key: value" ended by LF or CRLF; `version: STSv1`
 * required (and first occurrence used for every key but `mx`), `mode` one of
 * enforce/testing/none, `max_age` 1-10 digits not above 31557600, `mx` at least once unless
 * mode is none, each `["*."] Domain`. Unknown keys are ignored; blank lines are tolerated.
 * Returns 0 on success; -1 with *err (malloc'd) otherwise. On failure `out` is cleared.
 */
int mta_sts_policy_parse(const char *body, size_t len, struct mta_sts_policy *out, char **err);
void mta_sts_policy_clear(struct mta_sts_policy *p);

/**
 * §4.1: does `pattern` (as stored by the parser) match MX host `host` (any case, trailing dot
 * optional)? "*.example.com" matches exactly one extra left-most label.
 */
bool mta_sts_mx_match(const char *pattern, const char *host);
