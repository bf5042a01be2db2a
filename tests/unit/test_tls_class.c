/* NCSC TLS classification: table parser (pure) and the shipped data/tls-*.tsv tables. */
#include "scanner/tls_class.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int ncols;
		int ok;
		size_t rows;
	} cases[] = {
		{ "a\tgood\nb\tphase_out\n", 2, 1, 2 },
		{ "# comment\n\n  \na  good\r\n", 2, 1, 1 },
		{ "a\tgood\tx\n", 2, 0, 0 },
		{ "a\n", 2, 0, 0 },
		{ "a\tbest\n", 2, 0, 0 },
		{ "rsa\t-\t2048\tphase_out\n", 4, 1, 1 },
		{ "", 2, 1, 0 },
		{ "a\tgood", 2, 1, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tls_table t;
		char *err = NULL;
		int r = tls_table_parse(cases[i].text, strlen(cases[i].text), cases[i].ncols, &t,
					&err);
		if ((r == 0) != cases[i].ok)
			fail_msg("case %zu: rc %d", i, r);
		if (r == 0) {
			assert_int_equal(t.n, cases[i].rows);
			tls_table_clear(&t);
		} else {
			assert_non_null(err);
			free(err);
		}
	}
}

static void test_classes(void **state)
{
	(void)state;
	const char *dir = getenv("DOMSCAN_DATADIR");
	char *err = NULL;
	struct tls_tables *t = tls_tables_load(dir ? dir : "data", &err);
	if (!t)
		fail_msg("load: %s", err);
	static const struct {
		const char *kind, *name;
		enum tls_class want;
	} cases[] = {
		{ "version", "TLSv1.3", TLS_CLASS_GOOD },
		{ "version", "TLSv1.2", TLS_CLASS_SUFFICIENT },
		{ "version", "TLSv1.1", TLS_CLASS_INSUFFICIENT },
		{ "version", "TLSv1", TLS_CLASS_INSUFFICIENT },
		{ "version", "SSLv3", TLS_CLASS_INSUFFICIENT },
		{ "cipher", "TLS_AES_256_GCM_SHA384", TLS_CLASS_GOOD },
		{ "cipher", "TLS_AES_128_GCM_SHA256", TLS_CLASS_SUFFICIENT },
		{ "cipher", "TLS_AES_128_CCM_8_SHA256", TLS_CLASS_INSUFFICIENT },
		{ "cipher", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS_CLASS_SUFFICIENT },
		{ "cipher", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", TLS_CLASS_PHASE_OUT },
		{ "cipher", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", TLS_CLASS_PHASE_OUT },
		{ "cipher", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", TLS_CLASS_INSUFFICIENT },
		{ "cipher", "TLS_RSA_WITH_AES_128_GCM_SHA256", TLS_CLASS_INSUFFICIENT },
		{ "cipher", "TLS_DH_anon_WITH_AES_256_GCM_SHA384", TLS_CLASS_INSUFFICIENT },
		{ "cipher", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", TLS_CLASS_INSUFFICIENT },
		{ "group", "x25519", TLS_CLASS_SUFFICIENT },
		{ "group", "secp384r1", TLS_CLASS_SUFFICIENT },
		{ "group", "secp224r1", TLS_CLASS_PHASE_OUT },
		{ "group", "ffdhe3072", TLS_CLASS_PHASE_OUT },
		{ "group", "ffdhe2048", TLS_CLASS_INSUFFICIENT },
		{ "group", "secp192r1", TLS_CLASS_INSUFFICIENT },
		{ "hash", "sha256", TLS_CLASS_GOOD },
		{ "hash", "sha224", TLS_CLASS_PHASE_OUT },
		{ "hash", "sha1", TLS_CLASS_INSUFFICIENT },
		{ "hash", "md5-sha1", TLS_CLASS_INSUFFICIENT },
		{ "alg", "ecdsa", TLS_CLASS_SUFFICIENT },
		{ "alg", "dsa", TLS_CLASS_INSUFFICIENT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum tls_class got;
		const char *k = cases[i].kind;
		if (strcmp(k, "version") == 0)
			got = tls_class_version(t, cases[i].name);
		else if (strcmp(k, "cipher") == 0)
			got = tls_class_cipher(t, cases[i].name);
		else if (strcmp(k, "group") == 0)
			got = tls_class_group(t, cases[i].name);
		else if (strcmp(k, "hash") == 0)
			got = tls_class_hash(t, cases[i].name);
		else
			got = tls_class_sigalg(t, cases[i].name);
		if (got != cases[i].want)
			fail_msg("%s %s: %s, want %s", k, cases[i].name, tls_class_name(got),
				 tls_class_name(cases[i].want));
	}
	/* DH: only the exact RFC 7919 groups count, by name; custom primes are insufficient. */
	assert_int_equal(tls_class_dh(t, NULL, 4096), TLS_CLASS_INSUFFICIENT);
	assert_int_equal(tls_class_dh(t, "ffdhe4096", 4096), TLS_CLASS_PHASE_OUT);
	assert_int_equal(tls_class_dh(t, "ffdhe2048", 2048), TLS_CLASS_INSUFFICIENT);
	assert_int_equal(tls_class_dh(t, "x25519", 253), TLS_CLASS_INSUFFICIENT);
	/* Certificate keys. */
	assert_int_equal(tls_class_certkey(t, "rsa", NULL, 4096), TLS_CLASS_SUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "rsa", NULL, 3072), TLS_CLASS_SUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "rsa", NULL, 2048), TLS_CLASS_PHASE_OUT);
	assert_int_equal(tls_class_certkey(t, "rsa", NULL, 1024), TLS_CLASS_INSUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "ec", "secp256r1", 256), TLS_CLASS_SUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "ec", "secp224r1", 224), TLS_CLASS_PHASE_OUT);
	assert_int_equal(tls_class_certkey(t, "ec", "secp192r1", 192), TLS_CLASS_INSUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "ec", NULL, 256), TLS_CLASS_INSUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "ed25519", NULL, 253), TLS_CLASS_SUFFICIENT);
	assert_int_equal(tls_class_certkey(t, "dsa", NULL, 3072), TLS_CLASS_INSUFFICIENT);
	assert_int_equal(tls_class_certkey(t, NULL, NULL, 0), TLS_CLASS_INSUFFICIENT);
	/* Helpers. */
	assert_int_equal(tls_class_worst(TLS_CLASS_GOOD, TLS_CLASS_PHASE_OUT), TLS_CLASS_PHASE_OUT);
	assert_string_equal(tls_class_name(TLS_CLASS_PHASE_OUT), "phase_out");
	assert_int_equal(tls_class_parse("nope"), -1);
	tls_tables_free(t);
}

static void test_missing_dir(void **state)
{
	(void)state;
	char *err = NULL;
	assert_null(tls_tables_load("/nonexistent-dir", &err));
	assert_non_null(err);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_missing_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
