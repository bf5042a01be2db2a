/*
 * DMARC record parser (RFC 7489 §6.3/§6.4, with the DMARCbis tags np, psd and t accepted).
 *
 * Pure functions: no I/O, no global state. The grammar follows ../shared/spec/verdicts.md
 * ("dmarc") and Internet.nl's parser: `v=DMARC1` first (case-sensitive value), then `;`
 * separated tags, each at most once, from the known set only (an unknown tag is a syntax
 * error); `p`, `sp`, `np` in none/quarantine/reject; `pct` 0-100; `adkim`/`aspf` r or s;
 * `ri` 1-32 digits; `fo` a `:` list of 0, 1, d, s; `rf` a `:` list of keywords; `psd` y, n
 * or u; `t` y or n; `rua`/`ruf` comma-separated URIs each with a scheme and an optional
 * `!size[kmgt]` suffix. Spaces are allowed around `=`, `;` and `,`; an empty segment (`;;`,
 * a trailing `;`) is ignored. `p=` need not come directly after `v=` (DMARCbis drops that
 * rule); when it does not, `p_not_second` is set so the detail can say so.
 *
 * Ownership: dmarc_parse() fills a caller-provided struct whose strings and arrays it owns;
 * release them with dmarc_record_free(). *err is malloc'd (caller frees) and may quote
 * record text: treat it as untrusted (store it with json_str()).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Bounds against hostile records. */
#define DMARC_MAX_URIS 32 /* per rua/ruf tag; more is a syntax error */

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

struct dmarc_uri {
	char *uri;         /* the URI without the !size suffix */
	char *scheme;      /* lower case, without ':' */
	char *mailto_host; /* for mailto: the domain after the last '@', lower case, no trailing
			      dot; NULL for other schemes or when there is no '@' */
	char *size;        /* the !size suffix without '!' ("10m"), NULL when absent */
};

struct dmarc_record {
	enum dmarc_policy p, sp, np;
	bool has_pct;
	int pct;
	char adkim, aspf; /* 'r', 's', or 0 when absent */
	char *ri;         /* digits, NULL when absent */
	char *fo;         /* as written, NULL when absent */
	char *rf;         /* as written, NULL when absent */
	char psd;         /* 'y', 'n', 'u', or 0 when absent */
	char t;           /* 'y', 'n', or 0 when absent */
	bool has_rua, has_ruf;
	struct dmarc_uri *rua, *ruf;
	size_t n_rua, n_ruf;
	bool p_not_second; /* p= present but not the tag right after v= */
};

/**
 * True when the TXT text starts, case-insensitively, with "v=DMARC1": such records are kept
 * as DMARC records (and then parsed; "v=dmarc1" is kept but is a syntax error).
 */
bool dmarc_is_candidate(const char *text, size_t len);

/**
 * Parse a DMARC record of `len` bytes (need not be NUL-terminated; a NUL inside is an
 * error). Returns 0 and fills *out on success; -1 with *err set on a syntax error (*out is
 * then zeroed and needs no free). `err` may be NULL.
 */
int dmarc_parse(const char *text, size_t len, struct dmarc_record *out, char **err);

void dmarc_record_free(struct dmarc_record *r);

/** "none", "quarantine", "reject"; NULL for DMARC_POLICY_UNSET. Static strings. */
const char *dmarc_policy_name(enum dmarc_policy p);

/**
 * The tags of a parsed record as a new JSON object ({"p": "reject", "pct": 100, "rua":
 * [{"uri":..., "scheme":..., "host":..., "size":...}], ...}); absent tags are left out.
 */
json_t *dmarc_record_json(const struct dmarc_record *r);
