/*
 * Scoring: the worked examples of ../shared/reference/internetnl-mail-test.md §3.5, built from
 * hand-made domain results, plus the edge cases of docs/scoring.md.
 */
#include "reports/score.h"
#include "reports_fixture.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* The twelve counted STARTTLS subtests of one good MX (TLS 1.2 + 1.3, RSA-2048 warning). */
static void good_starttls(struct domain_result *r, const char *mx)
{
	static const char *const names[] = {
		"starttls_exists",      "fs_params",
		"tls_ciphers",          "tls_cipher_order",
		"tls_version",          "tls_compression",
		"renegotiation_secure", "cert_pubkey",
		"cert_signature",       "zero_rtt",
		"kex_hash_func",        "extended_master_secret",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fx_sub(r, FX_STARTTLS, names[i],
		       strcmp(names[i], "cert_pubkey") == 0 ? VERDICT_WARNING : VERDICT_PASS, 10,
		       10, mx);
	/* Not counted: no "max". */
	fx_sub(r, FX_STARTTLS, "cert_trust", VERDICT_INFO, 0, -1, mx);
	fx_sub(r, FX_STARTTLS, "renegotiation_client", VERDICT_PASS, 0, -1, mx);
}

static struct domain_result *fresh(void)
{
	return fx_result("example.nl");
}

static struct score scored(struct domain_result *r)
{
	struct score s;
	score_compute(r, &fx_table, &s);
	return s;
}

static void test_starttls_without_tlsa(void **state)
{
	struct domain_result *r = fresh();
	good_starttls(r, "mx.example.nl");
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_FAIL, 0, 10, "mx.example.nl");
	fx_sub(r, FX_DANE, "dane_rollover", VERDICT_INFO, 0, -1, "mx.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_STARTTLS].points, 120);
	assert_int_equal(s.cat[SCORE_STARTTLS].max, 130);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 92);
	assert_int_equal(s.overall, 92);
	domain_result_unref(r);
}

static void test_starttls_with_dane(void **state)
{
	struct domain_result *r = fresh();
	good_starttls(r, "mx.example.nl");
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_PASS, 10, 10, "mx.example.nl");
	fx_sub(r, FX_DANE, "dane_valid", VERDICT_PASS, 10, 10, "mx.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_STARTTLS].max, 140);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 100);
	domain_result_unref(r);
}

static void test_starttls_tlsa_failing(void **state)
{
	struct domain_result *r = fresh();
	good_starttls(r, "mx.example.nl");
	/* dane_exists and dane_valid share Internet.nl's dane_score: 0 for both. */
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_PASS, 0, 10, "mx.example.nl");
	fx_sub(r, FX_DANE, "dane_valid", VERDICT_FAIL, 0, 10, "mx.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_STARTTLS].points, 120);
	assert_int_equal(s.cat[SCORE_STARTTLS].max, 140);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 85);
	domain_result_unref(r);
}

static void test_two_mx_one_unreachable(void **state)
{
	struct domain_result *r = fresh();
	good_starttls(r, "mx1.example.nl");
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_PASS, 10, 10, "mx1.example.nl");
	fx_sub(r, FX_DANE, "dane_valid", VERDICT_PASS, 10, 10, "mx1.example.nl");
	fx_sub(r, FX_STARTTLS, "starttls_exists", VERDICT_ERROR, 0, 10, "mx2.example.nl");
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_FAIL, 0, 10, "mx2.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_STARTTLS].points, 0);
	assert_int_equal(s.cat[SCORE_STARTTLS].max, 140);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 0);
	domain_result_unref(r);
}

/*
 * The test network's twomx.test (tests/integration/test_scores.sh): the worst server is not
 * the one with the largest maximum. mx1: good, key-exchange hash 0, no TLSA = 110/130; mx2:
 * TLS 1.0/1.1 only (versions, suites and groups 0; no EMS without TLS 1.2) = 80/120. Total
 * min(110, 80) = 80 of max(130, 120) = 130 -> 61.5 -> 61.
 */
static void test_worst_server_with_smaller_max(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int mx1, mx2; /* points of 10; -1 = not counted (no "max") */
	} subs[] = {
		{ "starttls_exists", 10, 10 },      { "fs_params", 10, 0 },
		{ "tls_ciphers", 10, 0 },           { "tls_cipher_order", 10, 10 },
		{ "tls_version", 10, 0 },           { "tls_compression", 10, 10 },
		{ "renegotiation_secure", 10, 10 }, { "cert_pubkey", 10, 10 },
		{ "cert_signature", 10, 10 },       { "zero_rtt", 10, 10 },
		{ "kex_hash_func", 0, 10 },         { "extended_master_secret", 10, -1 },
	};
	struct domain_result *r = fresh();
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		fx_sub(r, FX_STARTTLS, subs[i].name, subs[i].mx1 ? VERDICT_PASS : VERDICT_FAIL,
		       subs[i].mx1, 10, "mx1.example.nl");
		fx_sub(r, FX_STARTTLS, subs[i].name,
		       subs[i].mx2 < 0   ? VERDICT_NOT_TESTED
		       : subs[i].mx2 > 0 ? VERDICT_PASS
					 : VERDICT_FAIL,
		       subs[i].mx2 < 0 ? 0 : subs[i].mx2, subs[i].mx2 < 0 ? -1 : 10,
		       "mx2.example.nl");
	}
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_FAIL, 0, 10, "mx1.example.nl");
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_FAIL, 0, 10, "mx2.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_STARTTLS].points, 80);
	assert_int_equal(s.cat[SCORE_STARTTLS].max, 130);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 61);
	domain_result_unref(r);
}

static void test_auth_policy_none(void **state)
{
	struct domain_result *r = fresh();
	fx_sub(r, FX_DMARC, "dmarc", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DMARC, "dmarc_policy", VERDICT_FAIL, 2, 10, NULL);
	fx_sub(r, FX_DKIM, "dkim", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_SPF, "spf", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_SPF, "spf_policy", VERDICT_PASS, 10, 10, NULL);
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_AUTH].points, 42);
	assert_int_equal(s.cat[SCORE_AUTH].max, 50);
	assert_int_equal(s.cat[SCORE_AUTH].pct, 84);
	domain_result_unref(r);
}

static void test_auth_non_sending_dkim_exempt(void **state)
{
	struct domain_result *r = fresh();
	fx_sub(r, FX_DMARC, "dmarc", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DMARC, "dmarc_policy", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DKIM, "dkim", VERDICT_NOT_TESTED, 10, -1, NULL); /* no "max" */
	fx_sub(r, FX_SPF, "spf", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_SPF, "spf_policy", VERDICT_PASS, 10, 10, NULL);
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_AUTH].max, 40);
	assert_int_equal(s.cat[SCORE_AUTH].pct, 100);
	domain_result_unref(r);
}

static void test_dnssec_insecure_mx(void **state)
{
	struct domain_result *r = fresh();
	fx_sub(r, FX_DNSSEC, "dnssec_exists", VERDICT_PASS, 0, -1, NULL);
	fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DNSSEC, "dnssec_mx_exists", VERDICT_FAIL, 0, -1, "mx.example.nl");
	fx_sub(r, FX_DNSSEC, "dnssec_mx_valid", VERDICT_NOT_TESTED, 2, 10, "mx.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_DNSSEC].points, 2);
	assert_int_equal(s.cat[SCORE_DNSSEC].max, 10);
	assert_int_equal(s.cat[SCORE_DNSSEC].pct, 20);
	domain_result_unref(r);
}

static void test_overall_mean(void **state)
{
	/* The reference's five categories (with RPKI): int(476 / 5) = 95. */
	const int five[] = { 100, 100, 84, 92, 100 };
	assert_int_equal(score_mean(five, 5), 95);
	const int some[] = { -1, 84, -1, 91 };
	assert_int_equal(score_mean(some, 4), 87);
	const int none[] = { -1, -1 };
	assert_int_equal(score_mean(none, 2), -1);

	/* The same through score_compute: 100 (IPv6), 100 (DNSSEC), 84 (auth), 92 (STARTTLS). */
	struct domain_result *r = fresh();
	fx_sub(r, FX_IPV6, "ns_aaaa", VERDICT_PASS, 0, -1, NULL);
	fx_sub(r, FX_IPV6, "ns_reach", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_IPV6, "mx_reach", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DMARC, "dmarc", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_DMARC, "dmarc_policy", VERDICT_FAIL, 2, 10, NULL);
	fx_sub(r, FX_DKIM, "dkim", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_SPF, "spf", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_SPF, "spf_policy", VERDICT_PASS, 10, 10, NULL);
	good_starttls(r, "mx.example.nl");
	fx_sub(r, FX_DANE, "dane_exists", VERDICT_FAIL, 0, 10, "mx.example.nl");
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_IPV6].pct, 100);
	assert_int_equal(s.cat[SCORE_DNSSEC].pct, 100);
	assert_int_equal(s.cat[SCORE_AUTH].pct, 84);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 92);
	assert_int_equal(s.overall, 94); /* int(376 / 4) */
	domain_result_unref(r);
}

static void test_truncation_like_python(void **state)
{
	/* (int)(100.0 / 97 * 97) is 99 in double arithmetic, as in Internet.nl. */
	struct domain_result *r = fresh();
	fx_sub(r, FX_IPV6, "odd", VERDICT_PASS, 97, 97, NULL);
	assert_int_equal(scored(r).cat[SCORE_IPV6].pct, 99);
	domain_result_unref(r);
}

static void test_excluded_and_error_categories(void **state)
{
	/* No counted subtest anywhere: nothing scored, empty score. */
	struct domain_result *r = fresh();
	fx_sub(r, FX_STARTTLS, "starttls_exists", VERDICT_NOT_TESTED, 0, -1, NULL);
	struct score s = scored(r);
	for (int c = 0; c < SCORE_N_CATEGORIES; c++)
		assert_int_equal(s.cat[c].pct, -1);
	assert_int_equal(s.overall, -1);
	domain_result_unref(r);

	/* A category whose check ended in error without counted subtests counts, with 0. */
	r = fresh();
	r->checks[FX_STARTTLS].verdict = VERDICT_ERROR;
	fx_sub(r, FX_STARTTLS, "mx_lookup", VERDICT_ERROR, 0, -1, NULL);
	fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	s = scored(r);
	assert_int_equal(s.cat[SCORE_STARTTLS].pct, 0);
	assert_int_equal(s.cat[SCORE_DNSSEC].pct, 100);
	assert_int_equal(s.overall, 50);
	domain_result_unref(r);

	/* Invalid entries and unscanned rows have no score. */
	score_compute(NULL, &fx_table, &s);
	assert_int_equal(s.overall, -1);
	r = fresh();
	fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	r->error = xstrdup("not scanned");
	assert_int_equal(scored(r).overall, -1);
	domain_result_unref(r);
}

static void test_hostile_points(void **state)
{
	/* Points above max, negative points and huge maxima cannot break the arithmetic. */
	struct domain_result *r = fresh();
	fx_sub(r, FX_IPV6, "a", VERDICT_PASS, 50, 10, NULL);
	fx_sub(r, FX_IPV6, "b", VERDICT_PASS, -5, 10, NULL);
	struct score s = scored(r);
	assert_int_equal(s.cat[SCORE_IPV6].points, 10);
	assert_int_equal(s.cat[SCORE_IPV6].pct, 50);
	domain_result_unref(r);
	r = fresh();
	json_t *o = result_subtest_obj(&r->checks[FX_IPV6], "c", VERDICT_PASS, NULL);
	json_object_set_new(o, "max", json_integer(LLONG_MAX));
	json_object_set_new(o, "points", json_string("10"));
	assert_int_equal(scored(r).cat[SCORE_IPV6].pct, 0);
	domain_result_unref(r);
}

static void test_category_names(void **state)
{
	assert_string_equal(score_category_name(SCORE_IPV6), "ipv6");
	assert_string_equal(score_category_name(SCORE_STARTTLS), "starttls");
	assert_int_equal(score_category_of("dane"), SCORE_STARTTLS);
	assert_int_equal(score_category_of("spf"), SCORE_AUTH);
	assert_int_equal(score_category_of("caa"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttls_without_tlsa),
		cmocka_unit_test(test_starttls_with_dane),
		cmocka_unit_test(test_starttls_tlsa_failing),
		cmocka_unit_test(test_two_mx_one_unreachable),
		cmocka_unit_test(test_worst_server_with_smaller_max),
		cmocka_unit_test(test_auth_policy_none),
		cmocka_unit_test(test_auth_non_sending_dkim_exempt),
		cmocka_unit_test(test_dnssec_insecure_mx),
		cmocka_unit_test(test_overall_mean),
		cmocka_unit_test(test_truncation_like_python),
		cmocka_unit_test(test_excluded_and_error_categories),
		cmocka_unit_test(test_hostile_points),
		cmocka_unit_test(test_category_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
