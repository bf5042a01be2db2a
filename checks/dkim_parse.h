/*
 * DKIM key records (RFC 6376 §3.6.1, tag-list syntax §3.2) and the strength of their keys
 * (RFC 8301 for RSA, RFC 8463 for Ed25519). Pure functions: no I/O, no global state.
 *
 * Ownership: dkim_key_parse() fills a caller-provided struct whose `p` string it owns;
 * release it with dkim_key_record_fini(). dkim_key_measure() and dkim_key_judge() fill
 * caller-provided structs that own nothing.
 */
#pragma once

#include "scanner/result.h"

#include <stdbool.h>
#include <stddef.h>

/** Longest key record accepted (bytes); longer ones are refused as malformed. */
#define DKIM_RECORD_MAX 8192

enum dkim_key_type {
	DKIM_KEY_RSA = 0, /* k=rsa or no k= */
	DKIM_KEY_ED25519, /* k=ed25519 (RFC 8463) */
	DKIM_KEY_UNKNOWN, /* any other k= value */
};

struct dkim_key_record {
	bool ok;         /* parsed as a DKIM key record */
	char error[160]; /* why not, when !ok */
	bool has_v;      /* v=DKIM1 present (first) */
	enum dkim_key_type type;
	char k[24];     /* the k= value as published (sanitised, truncated), "" when absent */
	bool h_present; /* an h= tag was given */
	bool h_sha1, h_sha256, h_other; /* hash algorithms listed in h= */
	bool testing;                   /* t= has y */
	bool strict;                    /* t= has s */
	bool s_email;                   /* s= absent, or lists * or email */
	char *p;                        /* owned: p= value without whitespace; "" when revoked */
	size_t p_len;
	bool revoked; /* p= present and empty */
};

/**
 * Parse one key record (the TXT strings concatenated). Never fails on memory; on a syntax
 * error rec->ok is false and rec->error says why. Unknown tags are ignored (§3.6.1).
 */
void dkim_key_parse(const char *txt, size_t len, struct dkim_key_record *rec);
void dkim_key_record_fini(struct dkim_key_record *rec);

enum dkim_key_status {
	DKIM_KEY_OK = 0,
	DKIM_KEY_BAD_BASE64,   /* p= is not valid base64 */
	DKIM_KEY_UNDECODABLE,  /* base64 fine, but not a public key of the declared type */
	DKIM_KEY_TYPE_UNKNOWN, /* k= names a type we (and RFC 6376 verifiers) do not know */
};

struct dkim_key_info {
	enum dkim_key_status status;
	const char *type_name; /* static: "rsa", "ed25519", or "unknown" */
	int bits;              /* RSA modulus bits; 256 for Ed25519; 0 when unknown */
	char error[128];       /* why, when status != OK */
};

/** Decode p= (whitespace already removed) for the declared type and measure the key. */
void dkim_key_measure(const char *p, size_t len, enum dkim_key_type type,
		      struct dkim_key_info *out);

/** Strict base64 (RFC 4648 §4, padding required): returns decoded length or -1. */
long dkim_base64_decode(const char *in, size_t len, unsigned char *out, size_t out_max);

#define DKIM_MAX_FLAGS 6

struct dkim_judgement {
	enum verdict verdict; /* pass / warning / fail for a found key */
	/* Static short flag words: "rsa-below-1024", "rsa-below-2048", "testing", "sha1-only",
	 * "not-for-email", "no-known-hash", "bad-base64", "undecodable-key", "unknown-key-type". */
	const char *flags[DKIM_MAX_FLAGS];
	size_t n_flags;
};

/**
 * The verdict of one found key (a parsed record with non-empty p=) per verdicts.md "dkim":
 * RSA < 1024 fail, 1024-2047 warning, Ed25519 and RSA >= 2048 pass; t=y warning; h=sha1 only
 * warning; a key that does not decode or has an unknown type fail.
 */
void dkim_key_judge(const struct dkim_key_record *rec, const struct dkim_key_info *key,
		    struct dkim_judgement *out);

/** True when `sel` is a syntactically valid selector (RFC 6376 §3.1: dot-separated labels). */
bool dkim_selector_valid(const char *sel);
