/*
 * One SMTP STARTTLS connection and TLS handshake (raw sockets + OpenSSL), and the enumeration
 * of what an address accepts (versions, suites per version, groups, key-exchange signature
 * hash, renegotiation, EMS, certificate chain) built from such handshakes. Also offline helpers
 * over a probe result: certificate name match and DANE (RFC 7672) matching of the recorded
 * chain.
 *
 * The caller (scanner/smtp.c) caches results per address and spaces connections through the
 * before_connect hook; it also decodes each result's chain once (tls_chain_decode()) and hands
 * the decoded chain to the checks, which match it per domain with tls_chain_matches_host() and
 * tls_chain_dane_match() (decoding X.509 is the expensive part: OpenSSL 3 builds a key decoder
 * for every certificate).
 *
 * Thread safety: every function may be called from any thread (the SSL_CTX is shared).
 * A decoded tls_chain is immutable and may be read by several threads at once: the matchers
 * only read its certificates (X509_check_host(), i2d_X509() and i2d_X509_PUBKEY() into their
 * own buffers, digests) or take references to them (X509_STORE_add_cert(), the
 * verification in tls_chain_dane_match() builds its own store, context and untrusted stack);
 * OpenSSL's lazily cached extension flags are filled under the certificate's own lock
 * (openssl-threads(7): objects are thread-safe as long as the APIs invoked do not modify them,
 * and cached internal state is updated under locks). Nothing here modifies a certificate.
 * Ownership: tls_probe_run() returns a new JSON reference; tls_chain_decode() returns a chain
 * the caller frees with tls_chain_free(); the others borrow their arguments.
 */
#pragma once

#include "scanner/tls_class.h"
#include <jansson.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tls_probe_env {
	SSL_CTX *ctx; /* shared client context with the CA store loaded */
	const struct tls_tables *tables;
	const char *ehlo;         /* EHLO name */
	double timeout;           /* seconds per step (connect, each reply, handshake) */
	double conn_deadline;     /* seconds for one whole connection */
	double total_deadline;    /* seconds for the whole enumeration of one address */
	unsigned max_connections; /* enumeration budget per address */
	/* Called before every TCP connect (counting, spacing); -1 = stop, no budget left. */
	int (*before_connect)(void *arg);
	void *arg;
};

/** Probe one address; returns the result object documented in docs/starttls.md. */
json_t *tls_probe_run(const struct tls_probe_env *env, const char *ip, const char *sni);

/** The certificates of result["cert"]["chain"], decoded from their base64 DER. */
struct tls_chain {
	size_t n;         /* entries of the recorded chain (>= 1) */
	X509 **x;         /* x[i] decoded, NULL where the "der" was missing or not a certificate */
	size_t der_bytes; /* DER size of the decoded certificates */
};

/** Decode the chain of a probe result; NULL when the result holds no chain. */
struct tls_chain *tls_chain_decode(const json_t *result);
void tls_chain_free(struct tls_chain *c);

/** 1 when the leaf of result["cert"]["chain"] matches `host` (RFC 6125), 0 if not, -1 if no chain.
 */
int tls_cert_matches_host(const json_t *result, const char *host);
/** The same over a decoded chain (`c` may be NULL: -1). */
int tls_chain_matches_host(const struct tls_chain *c, const char *host);

struct tlsa_rec {
	uint8_t usage, selector, mtype;
	const uint8_t *data;
	size_t len;
};

/**
 * Match the chain recorded in a probe result against TLSA records (RFC 7672: usages 2 and 3
 * only; 0 and 1 are ignored). DANE-EE (3) matches the leaf, names and dates ignored; DANE-TA
 * (2) matches a certificate of the presented chain above the leaf, from which the leaf must
 * verify and match `host`. Returns 1 on a match (with *how set to a static description),
 * 0 on none, -1 when the result holds no chain.
 */
int tls_dane_match(const json_t *result, const char *host, const struct tlsa_rec *recs, size_t n,
		   const char **how);
/** The same over a decoded chain (`c` may be NULL: -1). */
int tls_chain_dane_match(const struct tls_chain *c, const char *host, const struct tlsa_rec *recs,
			 size_t n, const char **how);
