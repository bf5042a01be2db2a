/* Table-driven tests of checks/caa_parse.c (RFC 8659 properties and set verdicts). */
#include "checks/caa_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct prop_case {
	uint8_t flags;
	const char *tag;
	const char *value;
	enum caa_tag kind;
	enum verdict verdict;
	const char *issuer; /* expected issuer for issue-like tags, or NULL */
	size_t n_params;
};

static const struct prop_case prop_cases[] = {
	{ 0, "issue", "letsencrypt.org", CAA_TAG_ISSUE, VERDICT_PASS, "letsencrypt.org", 0 },
	{ 0, "ISSUE", "LetsEncrypt.org", CAA_TAG_ISSUE, VERDICT_PASS, "letsencrypt.org", 0 },
	{ 128, "issue", "letsencrypt.org", CAA_TAG_ISSUE, VERDICT_PASS, "letsencrypt.org", 0 },
	{ 0, "issue", ";", CAA_TAG_ISSUE, VERDICT_PASS, "", 0 },
	{ 0, "issue", "", CAA_TAG_ISSUE, VERDICT_PASS, "", 0 },
	{ 0, "issue", "  ca.example  ", CAA_TAG_ISSUE, VERDICT_PASS, "ca.example", 0 },
	{ 0, "issue", "ca.example; account=230123", CAA_TAG_ISSUE, VERDICT_PASS, "ca.example", 1 },
	{ 0, "issue",
	  "letsencrypt.org; validationmethods=dns-01,http-01; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1",
	  CAA_TAG_ISSUE, VERDICT_PASS, "letsencrypt.org", 2 },
	{ 0, "issue", "ca.example;policy=ev", CAA_TAG_ISSUE, VERDICT_PASS, "ca.example", 1 },
	{ 0, "issue", "ca.example; a=", CAA_TAG_ISSUE, VERDICT_PASS, "ca.example", 1 },
	{ 0, "issue", "; a = b", CAA_TAG_ISSUE, VERDICT_PASS, "", 1 },
	{ 0, "issue", "x-y--z.example", CAA_TAG_ISSUE, VERDICT_PASS, "x-y--z.example", 0 },
	{ 0, "issuewild", ";", CAA_TAG_ISSUEWILD, VERDICT_PASS, "", 0 },
	{ 0, "issuemail", "ca.example", CAA_TAG_ISSUEMAIL, VERDICT_PASS, "ca.example", 0 },
	{ 0, "issuevmc", "digicert.com", CAA_TAG_ISSUEVMC, VERDICT_PASS, "digicert.com", 0 },
	/* issue values that do not parse */
	{ 0, "issue", "ca.example.", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "-ca.example", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca-.example", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca..example", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca.example; account=1 policy=ev", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca.example; account", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca.example; a=b;", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca.example a", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issue", "ca.example; validationmethods=dns-01,,x", CAA_TAG_ISSUE, VERDICT_FAIL, NULL,
	  0 },
	{ 0, "issue", "caf\xc3\xa9.example", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "issuewild", "ca_x.example", CAA_TAG_ISSUEWILD, VERDICT_FAIL, NULL, 0 },
	/* iodef */
	{ 0, "iodef", "mailto:security@example.com", CAA_TAG_IODEF, VERDICT_PASS, NULL, 0 },
	{ 0, "iodef", "https://iodef.example.com/", CAA_TAG_IODEF, VERDICT_PASS, NULL, 0 },
	{ 0, "iodef", "HTTPS://iodef.example.com", CAA_TAG_IODEF, VERDICT_PASS, NULL, 0 },
	{ 0, "iodef", "http://iodef.example.com/", CAA_TAG_IODEF, VERDICT_WARNING, NULL, 0 },
	{ 0, "iodef", "security@example.com", CAA_TAG_IODEF, VERDICT_WARNING, NULL, 0 },
	{ 0, "iodef", "mailto:", CAA_TAG_IODEF, VERDICT_WARNING, NULL, 0 },
	{ 0, "iodef", "https://", CAA_TAG_IODEF, VERDICT_WARNING, NULL, 0 },
	{ 0, "iodef", "", CAA_TAG_IODEF, VERDICT_WARNING, NULL, 0 },
	/* contacts */
	{ 0, "contactemail", "domains@example.com", CAA_TAG_CONTACTEMAIL, VERDICT_PASS, NULL, 0 },
	{ 0, "contactemail", "not an address", CAA_TAG_CONTACTEMAIL, VERDICT_FAIL, NULL, 0 },
	{ 0, "contactphone", "+31-20-123.4567", CAA_TAG_CONTACTPHONE, VERDICT_PASS, NULL, 0 },
	{ 0, "contactphone", "020 1234567", CAA_TAG_CONTACTPHONE, VERDICT_FAIL, NULL, 0 },
	/* other tags and flags */
	{ 0, "tbs", "whatever", CAA_TAG_OTHER, VERDICT_PASS, NULL, 0 },
	{ 0, "policy", "x", CAA_TAG_OTHER, VERDICT_PASS, NULL, 0 },
	{ 128, "tbs", "whatever", CAA_TAG_OTHER, VERDICT_FAIL, NULL, 0 },
	{ 1, "issue", "ca.example", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 129, "issue", "ca.example", CAA_TAG_ISSUE, VERDICT_FAIL, NULL, 0 },
	{ 0, "", "ca.example", CAA_TAG_INVALID, VERDICT_FAIL, NULL, 0 },
	{ 0, "is-sue", "ca.example", CAA_TAG_INVALID, VERDICT_FAIL, NULL, 0 },
	{ 0, "abcdefghijklmnop", "x", CAA_TAG_INVALID, VERDICT_FAIL, NULL, 0 },
};

static void test_properties(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prop_cases) / sizeof(prop_cases[0]); i++) {
		const struct prop_case *c = &prop_cases[i];
		struct caa_property p;
		caa_parse_property(c->flags, c->tag, strlen(c->tag), c->value, strlen(c->value),
				   &p);
		if (p.tag != c->kind || p.verdict != c->verdict)
			fail_msg("case %zu (%u %s \"%s\"): tag %d verdict %s (%s)", i, c->flags,
				 c->tag, c->value, p.tag, verdict_name(p.verdict), p.finding);
		if (c->issuer) {
			assert_string_equal(p.issuer, c->issuer);
			assert_int_equal(p.n_params, c->n_params);
		}
		if (p.verdict != VERDICT_PASS)
			assert_true(p.finding[0] != '\0');
		assert_int_equal(p.critical, (c->flags & 128) != 0);
	}
}

static struct caa_property mk(uint8_t flags, const char *tag, const char *value)
{
	struct caa_property p;
	caa_parse_property(flags, tag, strlen(tag), value, strlen(value), &p);
	return p;
}

static void test_sets(void **state)
{
	(void)state;
	const char *why;
	struct caa_property s[4];

	s[0] = mk(0, "issue", "letsencrypt.org");
	assert_int_equal(caa_judge_set(s, 1, &why), VERDICT_PASS);
	assert_null(why);

	s[1] = mk(0, "iodef", "mailto:a@example.com");
	s[2] = mk(0, "issuewild", ";");
	assert_int_equal(caa_judge_set(s, 3, &why), VERDICT_PASS);

	/* no issue */
	assert_int_equal(caa_judge_set(s + 1, 2, &why), VERDICT_WARNING);
	assert_string_equal(why, "no issue record");

	/* bad iodef */
	s[1] = mk(0, "iodef", "http://x.example/");
	assert_int_equal(caa_judge_set(s, 2, &why), VERDICT_WARNING);

	/* critical unknown tag wins over everything */
	s[3] = mk(128, "future", "x");
	assert_int_equal(caa_judge_set(s, 4, &why), VERDICT_FAIL);

	/* unparseable issue value */
	s[0] = mk(0, "issue", "ca.example; a");
	assert_int_equal(caa_judge_set(s, 1, &why), VERDICT_FAIL);

	/* only a non-critical unknown tag: no issue record */
	s[0] = mk(0, "tbs", "x");
	assert_int_equal(caa_judge_set(s, 1, &why), VERDICT_WARNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
