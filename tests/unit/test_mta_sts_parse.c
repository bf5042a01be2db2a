/* Table-driven tests of the MTA-STS record and policy parsers (checks/mta_sts_parse.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks/mta_sts_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct txt_case {
	const char *in;
	bool candidate;
	int rc;
	const char *id;
};

static const struct txt_case txt_cases[] = {
	{ "v=STSv1; id=20160831085700Z;", true, 0, "20160831085700Z" },
	{ "v=STSv1; id=20160831085700Z", true, 0, "20160831085700Z" },
	{ "v=STSv1;id=abc", true, 0, "abc" },
	{ "v=STSv1 ; id=abc ; ", true, 0, "abc" },
	{ "v=STSv1; id=abc; ext=1", true, 0, "abc" },
	{ "v=STSv1; ext.x-y_z=val; id=A1", true, 0, "A1" },
	{ "v=STSv1;\tid=abc\t", true, 0, "abc" },
	{ "v=STSv1; id=12345678901234567890123456789012", true, 0,
	  "12345678901234567890123456789012" },
	/* malformed */
	{ "v=STSv1", true, -1, NULL },
	{ "v=STSv1;", true, -1, NULL },
	{ "v=STSv1; id=", true, -1, NULL },
	{ "v=STSv1; id=123456789012345678901234567890123", true, -1, NULL },
	{ "v=STSv1; id=2016-08-31", true, -1, NULL },
	{ "v=STSv1; id=abc; id=def", true, -1, NULL },
	{ "v=STSv1 id=abc", true, -1, NULL },
	{ "v=STSv1; id=abc; foo", true, -1, NULL },
	{ "v=STSv1; id=abc; _x=1", true, -1, NULL },
	{ "v=STSv1; id=abc; x=", true, -1, NULL },
	{ "V=STSV1; id=abc", true, -1, NULL },
	{ "v=stsv1; id=abc", true, -1, NULL },
	{ "v=STSv1;; id=abc", true, -1, NULL },
	/* not candidates (ignored records) */
	{ "v=spf1 -all", false, -1, NULL },
	{ "v=STSv2; id=abc", false, -1, NULL },
	{ "v=STSv10; id=abc", false, -1, NULL },
	{ " v=STSv1; id=abc", false, -1, NULL },
	{ "", false, -1, NULL },
};

static void test_txt(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(txt_cases) / sizeof(txt_cases[0]); i++) {
		const struct txt_case *c = &txt_cases[i];
		struct mta_sts_txt t;
		char *err = NULL;
		size_t n = strlen(c->in);
		bool cand = mta_sts_txt_is_candidate(c->in, n);
		if (cand != c->candidate)
			fail_msg("candidate(\"%s\") = %d", c->in, cand);
		if (!cand)
			continue;
		int rc = mta_sts_txt_parse(c->in, n, &t, &err);
		if (rc != c->rc)
			fail_msg("parse(\"%s\") = %d (%s)", c->in, rc, err ? err : "");
		if (rc == 0) {
			assert_null(err);
			assert_string_equal(t.id, c->id);
		} else {
			assert_non_null(err);
		}
		free(err);
	}
}

static void test_txt_nul(void **state)
{
	(void)state;
	static const char rec[] = "v=STSv1; id=a\0b";
	struct mta_sts_txt t;
	char *err = NULL;
	assert_int_equal(mta_sts_txt_parse(rec, sizeof(rec) - 1, &t, &err), -1);
	free(err);
}

struct pol_case {
	const char *in;
	int rc;
	enum mta_sts_mode mode;
	long max_age;
	size_t n_mx;
	const char *mx0, *mx1;
};

static const struct pol_case pol_cases[] = {
	{ "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
	  "max_age: 604800\r\n",
	  0, MTA_STS_MODE_ENFORCE, 604800, 2, "mail.example.com", "*.example.net" },
	{ "version: STSv1\nmode: testing\nmx: MX.Example.COM.\nmax_age: 86400", 0,
	  MTA_STS_MODE_TESTING, 86400, 1, "mx.example.com", NULL },
	{ "version: STSv1\nmode: none\nmax_age: 0\n", 0, MTA_STS_MODE_NONE, 0, 0, NULL, NULL },
	{ "version:STSv1\nmode:enforce\nmx:a.example\nmax_age:31557600\n\n\n", 0,
	  MTA_STS_MODE_ENFORCE, 31557600, 1, "a.example", NULL },
	{ "version: STSv1  \nmode: enforce\t\nmx: a.example \nmax_age: 5\nfoo: bar baz\n", 0,
	  MTA_STS_MODE_ENFORCE, 5, 1, "a.example", NULL },
	/* first occurrence wins for non-mx keys */
	{ "version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 5\n"
	  "max_age: 900000\n",
	  0, MTA_STS_MODE_TESTING, 5, 1, "a.example", NULL },
	/* failures */
	{ "", -1, 0, 0, 0, NULL, NULL },
	{ "mode: enforce\nmx: a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: stsv1\nmode: enforce\nmx: a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmx: a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", -1, 0, 0, 0, NULL,
	  NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", -1, 0, 0, 0, NULL,
	  NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age:\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: *example.com\nmax_age: 5\n", -1, 0, 0, 0, NULL,
	  NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 5\ngarbage line\n", -1, 0, 0, 0,
	  NULL, NULL },
	{ "version: STSv1\nmode : enforce\nmx: a.example\nmax_age: 5\n", -1, 0, 0, 0, NULL, NULL },
	{ "<html><body>Not found</body></html>", -1, 0, 0, 0, NULL, NULL },
};

static void test_policy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pol_cases) / sizeof(pol_cases[0]); i++) {
		const struct pol_case *c = &pol_cases[i];
		struct mta_sts_policy p;
		char *err = NULL;
		int rc = mta_sts_policy_parse(c->in, strlen(c->in), &p, &err);
		if (rc != c->rc)
			fail_msg("case %zu: parse = %d (%s)", i, rc, err ? err : "");
		if (rc == 0) {
			assert_null(err);
			assert_int_equal(p.mode, c->mode);
			assert_int_equal(p.max_age, c->max_age);
			assert_int_equal(p.n_mx, c->n_mx);
			if (c->mx0)
				assert_string_equal(p.mx[0], c->mx0);
			if (c->mx1)
				assert_string_equal(p.mx[1], c->mx1);
		} else {
			assert_non_null(err);
			assert_int_equal(p.n_mx, 0);
			assert_null(p.mx);
		}
		mta_sts_policy_clear(&p);
		free(err);
	}
}

static void test_policy_nul_and_size(void **state)
{
	(void)state;
	static const char body[] = "version: STSv1\nmode: enforce\nmx: a.exa\0mple\nmax_age: 5\n";
	struct mta_sts_policy p;
	char *err = NULL;
	assert_int_equal(mta_sts_policy_parse(body, sizeof(body) - 1, &p, &err), -1);
	free(err);
	err = NULL;
	char *big = malloc(MTA_STS_POLICY_MAX + 2);
	memset(big, '\n', MTA_STS_POLICY_MAX + 1);
	assert_int_equal(mta_sts_policy_parse(big, MTA_STS_POLICY_MAX + 1, &p, &err), -1);
	free(err);
	free(big);
}

struct match_case {
	const char *pattern, *host;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "mail.example.com", "mail.example.com", true },
	{ "mail.example.com", "MAIL.Example.com.", true },
	{ "mail.example.com", "mail2.example.com", false },
	{ "*.example.com", "mx1.example.com", true },
	{ "*.example.com", "MX1.EXAMPLE.COM.", true },
	{ "*.example.com", "example.com", false },
	{ "*.example.com", "a.b.example.com", false },
	{ "*.example.com", ".example.com", false },
	{ "*.example.com", "mx1.example.net", false },
	{ "example.com", "mx.example.com", false },
	{ "", "", false },
};

static void test_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		if (mta_sts_mx_match(c->pattern, c->host) != c->match)
			fail_msg("match(%s, %s) != %d", c->pattern, c->host, c->match);
	}
	assert_false(mta_sts_mx_match(NULL, "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt),    cmocka_unit_test(test_txt_nul),
		cmocka_unit_test(test_policy), cmocka_unit_test(test_policy_nul_and_size),
		cmocka_unit_test(test_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
