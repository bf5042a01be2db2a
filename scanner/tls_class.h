/*
 * NCSC TLS guideline classification (Good / Sufficient / Phase out / Insufficient) as
 * Internet.nl encodes it (../shared/reference/internetnl-mail-test.md §2.7 and §4). The tables
 * live in data/tls-*.tsv and are loaded once at start; nothing here is hard-coded.
 *
 * Table format: one row per line, columns separated by tabs (runs of blanks also accepted),
 * '#' starts a comment line, blank lines are skipped. The last column is the class word
 * (good, sufficient, phase_out, insufficient). Anything not listed is insufficient.
 *
 * Ownership: tls_tables_load() returns an owned object freed with tls_tables_free(); lookups
 * borrow it. Thread safety: immutable after loading, shared by every thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum tls_class {
	TLS_CLASS_GOOD = 0,
	TLS_CLASS_SUFFICIENT,
	TLS_CLASS_PHASE_OUT,
	TLS_CLASS_INSUFFICIENT,
};

/** "good", "sufficient", "phase_out", "insufficient" (static). */
const char *tls_class_name(enum tls_class c);
/** Parse a class word; -1 when it is not one. */
int tls_class_parse(const char *word);
/** The worse of two classes. */
enum tls_class tls_class_worst(enum tls_class a, enum tls_class b);

struct tls_table_row {
	char *col[4];
	int ncols;
};
struct tls_table {
	struct tls_table_row *rows;
	size_t n;
};

/**
 * Parse one table (pure): every data row must have exactly `ncols` columns and end in a class
 * word. Returns 0, or -1 with *err (malloc'd, names the line) on a malformed table.
 */
int tls_table_parse(const char *text, size_t len, int ncols, struct tls_table *out, char **err);
void tls_table_clear(struct tls_table *t);

struct tls_tables {
	struct tls_table versions; /* name class */
	struct tls_table ciphers;  /* iana-name class */
	struct tls_table groups;   /* name class */
	struct tls_table certkeys; /* type curve min-bits class */
	struct tls_table sigalgs;  /* kind name class */
};

/** Load data/tls-{versions,ciphers,groups,certkeys,sigalgs}.tsv from `dir`; NULL with *err. */
struct tls_tables *tls_tables_load(const char *dir, char **err);
void tls_tables_free(struct tls_tables *t);

/** "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3". */
enum tls_class tls_class_version(const struct tls_tables *t, const char *name);
/** By IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"). */
enum tls_class tls_class_cipher(const struct tls_tables *t, const char *iana);
/** Named group ("x25519", "secp384r1", "ffdhe3072"). */
enum tls_class tls_class_group(const struct tls_tables *t, const char *name);
/**
 * A finite-field DH key exchange: `rfc7919_name` is the RFC 7919 group the prime equals
 * ("ffdhe3072") or NULL for any other prime (then insufficient, whatever its size).
 */
enum tls_class tls_class_dh(const struct tls_tables *t, const char *rfc7919_name, int bits);
/** A certificate key: type "rsa", "rsa-pss", "ec", "ed25519", "ed448", "dsa"; curve or NULL. */
enum tls_class tls_class_certkey(const struct tls_tables *t, const char *type, const char *curve,
				 int bits);
/** A signature algorithm ("rsa", "ecdsa", "ed25519"...). */
enum tls_class tls_class_sigalg(const struct tls_tables *t, const char *alg);
/** A hash ("sha256", "sha1", "intrinsic" for EdDSA). */
enum tls_class tls_class_hash(const struct tls_tables *t, const char *hash);
