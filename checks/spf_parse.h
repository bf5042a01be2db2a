/*
 * RFC 7208 SPF record parser: a pure function from record text to a list of terms.
 *
 * The parser checks the whole ABNF of RFC 7208 §12 (mechanisms, modifiers, qualifiers, CIDR
 * lengths, macro-strings with all letters and transformers, domain-end rules), so that "any
 * syntax error anywhere in the record" (§4.6) is found before evaluation. Macros are kept
 * unexpanded; spf_eval.c expands them.
 *
 * Ownership: spf_parse() fills a caller-provided struct spf_record whose strings and arrays
 * it owns; release with spf_record_free(). No global state; thread-safe.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spf_mech {
	SPF_ALL,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
};

enum spf_mod {
	SPF_MOD_REDIRECT,
	SPF_MOD_EXP,
	SPF_MOD_UNKNOWN,
};

struct spf_term {
	bool is_mod;
	/* mechanisms */
	enum spf_mech mech;
	char qual;        /* '+', '-', '~', '?' (implicit '+' when absent) */
	char *domain;     /* domain-spec (macro-string, unexpanded) or NULL when absent */
	int cidr4;        /* -1 when absent; for a, mx, ip4 */
	int cidr6;        /* -1 when absent; for a, mx, ip6 */
	uint8_t addr[16]; /* ip4: first 4 bytes; ip6: 16 bytes */
	/* modifiers */
	enum spf_mod mod;
	char *name;  /* modifier name as written */
	char *value; /* modifier value (macro-string, unexpanded) */
};

struct spf_record {
	struct spf_term *terms;
	size_t n_terms;
	int redirect;  /* index of the redirect= term or -1 */
	int exp;       /* index of the exp= term or -1 */
	int first_all; /* index of the first all mechanism or -1 */
};

/** Longest record text accepted (longer is a syntax error). */
#define SPF_MAX_RECORD 8192

/**
 * True when the TXT string is an SPF version 1 record: "v=spf1" (any case) followed by a
 * space or the end (RFC 7208 §4.5).
 */
bool spf_is_record(const char *txt, size_t len);

/**
 * Parse an SPF record (the whole text, starting with "v=spf1"). Returns 0 and fills *out on
 * success; on a syntax error returns -1, leaves *out empty and, when err is not NULL, stores a
 * malloc'd reason (printable ASCII) in *err.
 */
int spf_parse(const char *txt, size_t len, struct spf_record *out, char **err);
void spf_record_free(struct spf_record *r);

/** Name of a mechanism ("all", "include", ...). Static string. */
const char *spf_mech_name(enum spf_mech m);
/** True for the terms that count toward the 10-lookup limit (RFC 7208 §4.6.4). */
bool spf_term_queries_dns(const struct spf_term *t);

/**
 * Check a macro-string (RFC 7208 §7.1). exp_text allows the c, r, t letters (explanation
 * text). Returns true when valid.
 */
bool spf_macro_string_valid(const char *s, size_t len, bool exp_text);
/** Check a domain-spec: a valid macro-string ending in a macro-expand or "." toplabel ["."]. */
bool spf_domain_spec_valid(const char *s, size_t len);
/** True when the string contains a macro-expand other than %%, %_ and %-. */
bool spf_has_macro(const char *s);
