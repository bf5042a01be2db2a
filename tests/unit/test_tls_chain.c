/*
 * The offline certificate helpers of scanner/tls_probe.h over a chain recorded in a probe
 * result: decoded once (tls_chain_decode()) and matched per domain, which must give the same
 * answers as the helpers that decode the JSON each time. The certificates are made here (a CA
 * and a leaf for mx.example.test), so no file or network is involved.
 */
#include "scanner/tls_probe.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <pthread.h>

struct fixture {
	X509 *ca, *leaf;
	json_t *result; /* {"cert": {"chain": [leaf, ca]}} */
	struct tls_chain *chain;
};

static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer, const char *cn,
		       const char *san, bool ca, long serial)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, key);
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
						  ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (san) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	return x;
}

static json_t *der_json(X509 *x)
{
	unsigned char *der = NULL;
	int dl = i2d_X509(x, &der);
	assert_true(dl > 0);
	char *b64 = malloc((size_t)dl * 4 / 3 + 8);
	EVP_EncodeBlock((unsigned char *)b64, der, dl);
	json_t *o = json_pack("{s:s}", "der", b64);
	free(b64);
	OPENSSL_free(der);
	return o;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	EVP_PKEY *cak = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	assert_non_null(cak);
	assert_non_null(lk);
	f->ca = make_cert(cak, cak, NULL, "Test CA", NULL, true, 1);
	f->leaf = make_cert(lk, cak, f->ca, "mx.example.test", "DNS:mx.example.test", false, 2);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(lk);
	f->result = json_pack("{s:{s:[o,o]}}", "cert", "chain", der_json(f->leaf), der_json(f->ca));
	f->chain = tls_chain_decode(f->result);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tls_chain_free(f->chain);
	json_decref(f->result);
	X509_free(f->ca);
	X509_free(f->leaf);
	free(f);
	return 0;
}

static void test_decode(void **state)
{
	struct fixture *f = *state;
	assert_non_null(f->chain);
	assert_int_equal(f->chain->n, 2);
	assert_int_equal(X509_cmp(f->chain->x[0], f->leaf), 0);
	assert_int_equal(X509_cmp(f->chain->x[1], f->ca), 0);
	assert_int_equal(f->chain->der_bytes,
			 (size_t)(i2d_X509(f->leaf, NULL) + i2d_X509(f->ca, NULL)));

	/* no chain: NULL; an undecodable entry: kept as NULL in its place */
	json_t *none = json_pack("{s:{s:[]}}", "cert", "chain");
	assert_null(tls_chain_decode(none));
	json_t *empty = json_object();
	assert_null(tls_chain_decode(empty));
	json_decref(empty);
	json_decref(none);
	json_t *bad = json_pack("{s:{s:[{s:s},{}]}}", "cert", "chain", "der", "!!!notbase64");
	struct tls_chain *c = tls_chain_decode(bad);
	assert_non_null(c);
	assert_int_equal(c->n, 2);
	assert_null(c->x[0]);
	assert_null(c->x[1]);
	assert_int_equal(c->der_bytes, 0);
	assert_int_equal(tls_chain_matches_host(c, "mx.example.test"), -1);
	assert_int_equal(tls_cert_matches_host(bad, "mx.example.test"), -1);
	tls_chain_free(c);
	json_decref(bad);
	tls_chain_free(NULL);
}

static void test_hostmatch(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *host;
		int want;
	} cases[] = {
		{ "mx.example.test", 1 }, { "MX.Example.Test", 1 }, { "other.example.test", 0 },
		{ "example.test", 0 },    { "Test CA", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int a = tls_chain_matches_host(f->chain, cases[i].host);
		int b = tls_cert_matches_host(f->result, cases[i].host);
		if (a != cases[i].want || b != cases[i].want)
			fail_msg("%s: chain %d, json %d, want %d", cases[i].host, a, b,
				 cases[i].want);
	}
	assert_int_equal(tls_chain_matches_host(NULL, "mx.example.test"), -1);
}

/* SHA-256 of the certificate (selector 0) or its SubjectPublicKeyInfo (selector 1). */
static void digest(X509 *x, int selector, unsigned char out[32])
{
	unsigned char *der = NULL;
	int dl = selector ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : i2d_X509(x, &der);
	unsigned int ml = 0;
	assert_true(EVP_Digest(der, (size_t)dl, out, &ml, EVP_sha256(), NULL));
	OPENSSL_free(der);
}

struct dane_case {
	const char *what;
	uint8_t usage, selector;
	int cert; /* 0 leaf, 1 CA, -1 wrong data */
	const char *host;
	int want;
	const char *how;
};

static const struct dane_case dane_cases[] = {
	{ "EE spki", 3, 1, 0, "mx.example.test", 1, "DANE-EE matches the server certificate" },
	{ "EE cert, name ignored", 3, 0, 0, "elsewhere.test", 1,
	  "DANE-EE matches the server certificate" },
	{ "EE of the CA", 3, 1, 1, "mx.example.test", 0,
	  "no TLSA record matches the presented chain" },
	{ "TA cert", 2, 0, 1, "mx.example.test", 1, "DANE-TA matches a CA of the presented chain" },
	{ "TA spki", 2, 1, 1, "mx.example.test", 1, "DANE-TA matches a CA of the presented chain" },
	{ "TA, wrong name", 2, 0, 1, "elsewhere.test", 0,
	  "DANE-TA matches, but the chain or name does not verify from it" },
	{ "TA of the leaf", 2, 1, 0, "mx.example.test", 0,
	  "no TLSA record matches the presented chain" },
	{ "wrong data", 3, 1, -1, "mx.example.test", 0,
	  "no TLSA record matches the presented chain" },
};

static int dane_one(const struct fixture *f, const struct dane_case *dc, bool from_json,
		    const char **how)
{
	unsigned char d[32];
	if (dc->cert < 0)
		memset(d, 0x5a, sizeof(d));
	else
		digest(dc->cert ? f->ca : f->leaf, dc->selector, d);
	struct tlsa_rec r = { dc->usage, dc->selector, 1, d, sizeof(d) };
	return from_json ? tls_dane_match(f->result, dc->host, &r, 1, how)
			 : tls_chain_dane_match(f->chain, dc->host, &r, 1, how);
}

static void test_dane(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(dane_cases) / sizeof(dane_cases[0]); i++) {
		const struct dane_case *dc = &dane_cases[i];
		for (int j = 0; j < 2; j++) {
			const char *how = NULL;
			int m = dane_one(f, dc, j == 1, &how);
			if (m != dc->want || !how || strcmp(how, dc->how) != 0)
				fail_msg("%s (%s): %d \"%s\", want %d \"%s\"", dc->what,
					 j ? "json" : "chain", m, how ? how : "", dc->want,
					 dc->how);
		}
	}
	const char *how = "unchanged";
	struct tlsa_rec r = { 3, 1, 1, (const uint8_t *)"x", 1 };
	assert_int_equal(tls_chain_dane_match(NULL, "mx.example.test", &r, 1, &how), -1);
	json_t *none = json_object();
	assert_int_equal(tls_dane_match(none, "mx.example.test", &r, 1, &how), -1);
	json_decref(none);
}

/* One decoded chain read by several threads at once (the prober shares it between domains):
 * every thread gets the answers of the single-threaded run. */
static void *reader(void *arg)
{
	const struct fixture *f = arg;
	for (int round = 0; round < 50; round++) {
		if (tls_chain_matches_host(f->chain, "mx.example.test") != 1 ||
		    tls_chain_matches_host(f->chain, "other.example.test") != 0)
			return (void *)"hostmatch";
		for (size_t i = 0; i < sizeof(dane_cases) / sizeof(dane_cases[0]); i++) {
			const char *how = NULL;
			if (dane_one(f, &dane_cases[i], false, &how) != dane_cases[i].want ||
			    strcmp(how, dane_cases[i].how) != 0)
				return (void *)dane_cases[i].what;
		}
	}
	return NULL;
}

static void test_shared_between_threads(void **state)
{
	struct fixture *f = *state;
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, f), 0);
	for (int i = 0; i < 4; i++) {
		void *r = NULL;
		pthread_join(t[i], &r);
		if (r)
			fail_msg("thread %d: %s differs", i, (const char *)r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_hostmatch),
		cmocka_unit_test(test_dane),
		cmocka_unit_test(test_shared_between_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
