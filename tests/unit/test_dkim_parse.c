/* Table-driven tests of checks/dkim_parse.c: key records, base64, key sizes, verdicts. */
#include "checks/dkim_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define K512 \
	"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL2mLnWr+ji1mYKQOCvEHugbITxVAHwZBXckgCO5wn8u7xeBzMU3r4hrDx+HzSp0Teb2R3MEKArPlRarnmNDzrECAwEAAQ=="
#define K1024 \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDhBNwARdMzknL6eOQdryCv8K/dGwXsKE6zJ6UF3MCOew3JvRgknOQopLj8jWbiOq3Rkqos6i5RAFVAdmqiIIHAh/qpbid6ItYUCjuO1GHH/FQRNMYRzfnQPYTlbZl6k974pEdOXkhHmckZSVLtvSUYekWta2bQVbf+dsbnmDpmOQIDAQAB"
#define K2048 \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs6UrbUa7Dj/zI2EuYmT4JeVqApaH+OlM/HRfcD9tc6VUR/uGLNqv9TBW4rAU7Im17gpxJ5K33vopVPH6Z/R5OcN3jJBZy8yeQrPFFA8RkrBy8OQquXqmUyQxGf2un4urNbqG72oZdR23yvuhom6uWHIVMlCMUhd/eMxgDdQ8ipoTCaUT2U/R8WmPecam+2D+BTpmkKo86gVg2ZRVKEQIDtuKx1SxzkDRpcuCYNf3TVgAKEMwU3hmLr141QPTFMW/NMy5iCGucrcn9AuGYUDddL0M3wx14eOZxU+e3caKCdDDOIq+sn1jkDCFCAlg147EyVxBRmtvshSZKLbErAP2XQIDAQAB"
#define KED     "8QJ+set0SltcUMzMcu/i1T15QYDDSDwVCZtrZFlY0Aw="
#define KEDSPKI "MCowBQYDK2VwAyEA8QJ+set0SltcUMzMcu/i1T15QYDDSDwVCZtrZFlY0Aw="
#define KPKCS1 \
	"MIGJAoGBAOEE3ABF0zOScvp45B2vIK/wr90bBewoTrMnpQXcwI57Dcm9GCSc5CikuPyNZuI6rdGSqizqLlEAVUB2aqIggcCH+qluJ3oi1hQKO47UYcf8VBE0xhHN+dA9hOVtmXqT3vikR05eSEeZyRlJUu29JRh6Ra1rZtBVt/52xueYOmY5AgMBAAE="
#define KEC \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZdU8JnlDguk3f2SYzDas7mbhKFQf2AF3X5PJniZKAAwAxkPMQTjc6XjJqcKD8InJYvDSeC/nS8lkxoikJjxdIw=="

struct parse_case {
	const char *txt;
	bool ok;
	enum dkim_key_type type;
	bool revoked, testing, h_sha1, h_sha256, s_email;
};

static const struct parse_case parse_cases[] = {
	{ "v=DKIM1; k=rsa; p=" K2048, true, DKIM_KEY_RSA, false, false, false, false, true },
	{ "p=" K2048, true, DKIM_KEY_RSA, false, false, false, false, true },
	{ "v=DKIM1; p=", true, DKIM_KEY_RSA, true, false, false, false, true },
	{ "v=DKIM1; p=;", true, DKIM_KEY_RSA, true, false, false, false, true },
	{ "v=DKIM1;k=ed25519;p=" KED, true, DKIM_KEY_ED25519, false, false, false, false, true },
	{ "v=DKIM1; k=ED25519; p=" KED, true, DKIM_KEY_ED25519, false, false, false, false, true },
	{ "v=DKIM1; k=foo; p=abcd", true, DKIM_KEY_UNKNOWN, false, false, false, false, true },
	{ "v=DKIM1; t=y; p=" K2048, true, DKIM_KEY_RSA, false, true, false, false, true },
	{ "v=DKIM1; t=s:y; p=" K2048, true, DKIM_KEY_RSA, false, true, false, false, true },
	{ "v=DKIM1; h=sha1; p=" K2048, true, DKIM_KEY_RSA, false, false, true, false, true },
	{ "v=DKIM1; h=sha1 : sha256; p=" K2048, true, DKIM_KEY_RSA, false, false, true, true,
	  true },
	{ "v=DKIM1; s=email; p=" K2048, true, DKIM_KEY_RSA, false, false, false, false, true },
	{ "v=DKIM1; s=*; p=" K2048, true, DKIM_KEY_RSA, false, false, false, false, true },
	{ "v=DKIM1; s=tlsrpt; p=" K2048, true, DKIM_KEY_RSA, false, false, false, false, false },
	{ "v=DKIM1; n=a note here; x_y=1; p=" K2048, true, DKIM_KEY_RSA, false, false, false, false,
	  true },
	{ " v = DKIM1 ;\tp = MIGf MA0G ;", true, DKIM_KEY_RSA, false, false, false, false, true },
	{ "v=DKIM1;; p=abc", true, DKIM_KEY_RSA, false, false, false, false, true },
	/* failures */
	{ "", false, 0, 0, 0, 0, 0, 0 },
	{ "v=DKIM1", false, 0, 0, 0, 0, 0, 0 },                       /* no p= */
	{ "v=DKIM1; k=rsa", false, 0, 0, 0, 0, 0, 0 },                /* no p= */
	{ "k=rsa; v=DKIM1; p=abc", false, 0, 0, 0, 0, 0, 0 },         /* v= not first */
	{ "v=DKIM2; p=abc", false, 0, 0, 0, 0, 0, 0 },                /* wrong version */
	{ "v=spf1 -all", false, 0, 0, 0, 0, 0, 0 },                   /* not a tag-list of DKIM */
	{ "v=DKIM1; p=abc; p=def", false, 0, 0, 0, 0, 0, 0 },         /* duplicate */
	{ "v=DKIM1; 1x=2; p=abc", false, 0, 0, 0, 0, 0, 0 },          /* bad tag name */
	{ "v=DKIM1; p", false, 0, 0, 0, 0, 0, 0 },                    /* no '=' */
	{ "v=DKIM1; n=caf\xc3\xa9; p=abc", false, 0, 0, 0, 0, 0, 0 }, /* non-ASCII value */
	{ "hello world", false, 0, 0, 0, 0, 0, 0 },
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct dkim_key_record r;
		dkim_key_parse(c->txt, strlen(c->txt), &r);
		if (r.ok != c->ok)
			fail_msg("case %zu (%s): ok=%d error=%s", i, c->txt, r.ok, r.error);
		if (c->ok) {
			assert_int_equal(r.type, c->type);
			assert_int_equal(r.revoked, c->revoked);
			assert_int_equal(r.testing, c->testing);
			assert_int_equal(r.h_sha1, c->h_sha1);
			assert_int_equal(r.h_sha256, c->h_sha256);
			assert_int_equal(r.s_email, c->s_email);
			assert_non_null(r.p);
		} else {
			assert_true(r.error[0] != '\0');
		}
		dkim_key_record_fini(&r);
	}
}

static void test_p_whitespace(void **state)
{
	(void)state;
	const char *t = "v=DKIM1; p=MIGf MA0G\t CSqG";
	struct dkim_key_record r;
	dkim_key_parse(t, strlen(t), &r);
	assert_true(r.ok);
	assert_string_equal(r.p, "MIGfMA0GCSqG");
	assert_int_equal(r.p_len, 12);
	dkim_key_record_fini(&r);
}

struct b64_case {
	const char *in;
	long len;
	const char *out;
};

static const struct b64_case b64_cases[] = {
	{ "TWFu", 3, "Man" }, { "TWE=", 2, "Ma" },   { "TQ==", 1, "M" },
	{ "TWE", 2, "Ma" }, /* missing padding tolerated */
	{ "TQ", 1, "M" },     { "T", -1, NULL },     { "", -1, NULL },
	{ "TW=u", -1, NULL }, { "TWFu!", -1, NULL }, { "TQ===", -1, NULL },
	{ "=", -1, NULL },
};

static void test_base64(void **state)
{
	(void)state;
	unsigned char buf[16];
	for (size_t i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		const struct b64_case *c = &b64_cases[i];
		long n = dkim_base64_decode(c->in, strlen(c->in), buf, sizeof(buf));
		if (n != c->len)
			fail_msg("case %zu (%s): got %ld", i, c->in, n);
		if (n > 0)
			assert_memory_equal(buf, c->out, (size_t)n);
	}
	/* output bound */
	assert_int_equal(dkim_base64_decode("TWFuTWFu", 8, buf, 4), -1);
}

struct key_case {
	const char *record;
	enum dkim_key_status status;
	int bits;
	enum verdict verdict;
	const char *flag; /* expected first flag or NULL */
};

static const struct key_case key_cases[] = {
	{ "v=DKIM1; k=rsa; p=" K512, DKIM_KEY_OK, 512, VERDICT_FAIL, "rsa-below-1024" },
	{ "v=DKIM1; k=rsa; p=" K1024, DKIM_KEY_OK, 1024, VERDICT_WARNING, "rsa-below-2048" },
	{ "v=DKIM1; k=rsa; p=" K2048, DKIM_KEY_OK, 2048, VERDICT_PASS, NULL },
	{ "v=DKIM1; p=" KPKCS1, DKIM_KEY_OK, 1024, VERDICT_WARNING, "rsa-below-2048" },
	{ "v=DKIM1; k=ed25519; p=" KED, DKIM_KEY_OK, 256, VERDICT_PASS, NULL },
	{ "v=DKIM1; k=ed25519; p=" KEDSPKI, DKIM_KEY_UNDECODABLE, 0, VERDICT_FAIL,
	  "undecodable-key" },
	{ "v=DKIM1; k=rsa; p=" KED, DKIM_KEY_UNDECODABLE, 0, VERDICT_FAIL, "undecodable-key" },
	{ "v=DKIM1; k=rsa; p=" KEC, DKIM_KEY_UNDECODABLE, 0, VERDICT_FAIL, "undecodable-key" },
	{ "v=DKIM1; p=not*base64", DKIM_KEY_BAD_BASE64, 0, VERDICT_FAIL, "bad-base64" },
	{ "v=DKIM1; k=x448; p=" KED, DKIM_KEY_TYPE_UNKNOWN, 0, VERDICT_FAIL, "unknown-key-type" },
	{ "v=DKIM1; t=y; p=" K2048, DKIM_KEY_OK, 2048, VERDICT_WARNING, "testing" },
	{ "v=DKIM1; h=sha1; p=" K2048, DKIM_KEY_OK, 2048, VERDICT_WARNING, "sha1-only" },
	{ "v=DKIM1; h=sha1:sha256; p=" K2048, DKIM_KEY_OK, 2048, VERDICT_PASS, NULL },
	{ "v=DKIM1; h=md5; p=" K2048, DKIM_KEY_OK, 2048, VERDICT_FAIL, "no-known-hash" },
	{ "v=DKIM1; s=tlsrpt; p=" K2048, DKIM_KEY_OK, 2048, VERDICT_WARNING, "not-for-email" },
	{ "v=DKIM1; t=y; p=" K512, DKIM_KEY_OK, 512, VERDICT_FAIL, "rsa-below-1024" },
};

static void test_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		const struct key_case *c = &key_cases[i];
		struct dkim_key_record r;
		dkim_key_parse(c->record, strlen(c->record), &r);
		assert_true(r.ok);
		struct dkim_key_info k;
		dkim_key_measure(r.p, r.p_len, r.type, &k);
		if (k.status != c->status || k.bits != c->bits)
			fail_msg("case %zu: status %d bits %d (%s)", i, k.status, k.bits, k.error);
		struct dkim_judgement j;
		dkim_key_judge(&r, &k, &j);
		if (j.verdict != c->verdict)
			fail_msg("case %zu: verdict %s", i, verdict_name(j.verdict));
		if (c->flag) {
			assert_true(j.n_flags >= 1);
			assert_string_equal(j.flags[0], c->flag);
		} else {
			assert_int_equal(j.n_flags, 0);
		}
		dkim_key_record_fini(&r);
	}
}

static void test_selector_valid(void **state)
{
	(void)state;
	assert_true(dkim_selector_valid("whs1"));
	assert_true(dkim_selector_valid("s1024-2013"));
	assert_true(dkim_selector_valid("selector1"));
	assert_true(dkim_selector_valid("2024.q1"));
	assert_true(dkim_selector_valid("my_sel"));
	assert_false(dkim_selector_valid(""));
	assert_false(dkim_selector_valid("a..b"));
	assert_false(dkim_selector_valid(".a"));
	assert_false(dkim_selector_valid("a."));
	assert_false(dkim_selector_valid("-a"));
	assert_false(dkim_selector_valid("a-"));
	assert_false(dkim_selector_valid("a b"));
	assert_false(dkim_selector_valid("a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),          cmocka_unit_test(test_p_whitespace),
		cmocka_unit_test(test_base64),         cmocka_unit_test(test_keys),
		cmocka_unit_test(test_selector_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
