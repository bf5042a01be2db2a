/* The JSON Lines reporter: one object per row, contract keys and types, detail, ASCII only. */
#include "reports_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static const char *const contract_keys[] = {
	"domain",         "score",  "dnssec",        "spf",         "dkim",
	"dmarc",          "caa",    "starttls",      "dane",        "ipv6",
	"mta_sts",        "tlsrpt", "dnssec_status", "spf_lookups", "dmarc_policy",
	"dkim_selectors", "mx",     "error",         NULL,
};

/* Split the output into parsed lines; returns how many. */
static size_t load_lines(const char *out, json_t **objs, size_t max)
{
	size_t n = 0;
	const char *p = out;
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		for (const char *q = p; q < nl; q++)
			assert_true((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f);
		json_error_t e;
		assert_true(n < max);
		objs[n] = json_loadb(p, (size_t)(nl - p), 0, &e);
		if (!objs[n])
			fail_msg("line %zu: %s", n + 1, e.text);
		assert_true(json_is_object(objs[n]));
		n++;
		p = nl + 1;
	}
	return n;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

static void test_row_object(void **state)
{
	static const char *const carry[] = { "customer", "mx", NULL };
	struct input_row rows[3] = {
		fx_row(2, "Example.NL", "example.nl", NULL),
		fx_row(3, "not a domain<script>", NULL, "invalid character ' '"),
		fx_row(5, "e.example", "e.example", NULL),
	};
	rows[0].carry = json_object();
	json_object_set_new(rows[0].carry, "customer", json_string("ACME \xe2\x80\x94 B.V."));
	json_object_set_new(rows[0].carry, "mx", json_string("=mx"));
	struct domain_result *res[3] = { fx_result("example.nl"), NULL, fx_result("e.example") };
	json_object_set_new(res[0]->columns, "spf_lookups", json_integer(4));
	json_object_set_new(res[0]->columns, "dmarc_policy", json_string("quarantine"));
	json_object_set_new(res[0]->columns, "mx", json_string("mx.example.nl"));
	fx_sub(res[0], FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	fx_sub(res[0], FX_DNSSEC, "dnssec_mx_valid", VERDICT_FAIL, 2, 10, "mx.example.nl");
	json_object_set_new(res[0]->checks[FX_SPF].detail, "record",
			    json_string("v=spf1 -all <b>"));
	res[0]->checks[FX_SPF].verdict = VERDICT_FAIL;
	result_set_error(&res[0]->checks[FX_DKIM], "timeout");
	res[0]->checks[FX_DKIM].verdict = VERDICT_ERROR;

	char *out = fx_run(&reporter_json, carry, rows, res, 3);
	json_t *o[4];
	assert_int_equal(load_lines(out, o, 4), 3);

	for (const char *const *k = contract_keys; *k; k++)
		for (int i = 0; i < 3; i++)
			if (!json_object_get(o[i], *k))
				fail_msg("row %d: no key %s", i, *k);

	/* A scanned row. */
	assert_string_equal(str(o[0], "domain"), "example.nl");
	assert_int_equal(json_integer_value(json_object_get(o[0], "line")), 2);
	assert_string_equal(str(o[0], "input"), "Example.NL");
	assert_true(json_is_integer(json_object_get(o[0], "score")));
	/* dnssec: min(10, 2) of 10 = 20; auth: dkim errored without subtests = 0. */
	assert_int_equal(json_integer_value(json_object_get(o[0], "score_dnssec")), 20);
	assert_int_equal(json_integer_value(json_object_get(o[0], "score_auth")), 0);
	assert_int_equal(json_integer_value(json_object_get(o[0], "score")), 10);
	assert_true(json_is_null(json_object_get(o[0], "score_starttls")));
	assert_int_equal(json_integer_value(json_object_get(o[0], "spf_lookups")), 4);
	assert_string_equal(str(o[0], "dmarc_policy"), "quarantine");
	assert_true(json_is_null(json_object_get(o[0], "dkim_selectors")));
	assert_string_equal(str(o[0], "spf"), "fail");
	assert_string_equal(str(o[0], "caa"), "not_tested");
	assert_string_equal(str(o[0], "error"), "dkim: timeout");
	assert_string_equal(str(o[0], "customer"), "ACME \xe2\x80\x94 B.V.");
	assert_string_equal(str(o[0], "input_mx"), "=mx");
	json_t *ic = json_object_get(o[0], "input_columns");
	assert_string_equal(str(ic, "mx"), "=mx");
	json_t *checks = json_object_get(o[0], "checks");
	json_t *spf = json_object_get(checks, "spf");
	assert_string_equal(str(spf, "verdict"), "fail");
	assert_true(json_is_null(json_object_get(spf, "error")));
	assert_string_equal(str(spf, "record"), "v=spf1 -all <b>");
	json_t *dkim = json_object_get(checks, "dkim");
	assert_string_equal(str(dkim, "error"), "timeout");
	json_t *subs = json_object_get(json_object_get(checks, "dnssec"), "subtests");
	assert_int_equal(json_array_size(subs), 2);
	assert_string_equal(str(json_array_get(subs, 1), "server"), "mx.example.nl");
	assert_string_equal(str(json_object_get(checks, "mta_sts"), "verdict"), "not_tested");
	json_t *scores = json_object_get(o[0], "scores");
	json_t *dnssec = json_object_get(scores, "dnssec");
	assert_int_equal(json_integer_value(json_object_get(dnssec, "points")), 2);
	assert_int_equal(json_integer_value(json_object_get(dnssec, "max")), 10);

	/* An invalid entry. */
	assert_string_equal(str(o[1], "domain"), "not a domain<script>");
	assert_string_equal(str(o[1], "dnssec"), "error");
	assert_string_equal(str(o[1], "tlsrpt"), "error");
	assert_string_equal(str(o[1], "error"), "invalid character ' '");
	assert_true(json_is_null(json_object_get(o[1], "score")));
	assert_true(json_is_null(json_object_get(o[1], "spf_lookups")));
	assert_string_equal(str(json_object_get(json_object_get(o[1], "checks"), "spf"), "verdict"),
			    "error");
	assert_int_equal(json_object_size(json_object_get(o[1], "input_columns")), 0);

	/* Rows keep input order. */
	assert_string_equal(str(o[2], "domain"), "e.example");

	for (int i = 0; i < 3; i++)
		json_decref(o[i]);
	free(out);
	for (int i = 0; i < 3; i++) {
		domain_result_unref(res[i]);
		fx_row_free(&rows[i]);
	}
}

/* Control characters and NUL in a check's detail and columns stay escaped and on one line. */
static void test_hostile_text(void **state)
{
	struct input_row row = fx_row(1, "h.example", "h.example", NULL);
	struct domain_result *r = fx_result("h.example");
	json_object_set_new(r->columns, "mx", json_stringn("a\nb\0c\x1b", 6));
	json_object_set_new(r->checks[FX_DMARC].detail, "record",
			    json_text("v=DMARC1;\n\x01\xff", 12, 100));
	char *out = fx_run(&reporter_json, NULL, &row, &r, 1);
	json_t *o[2];
	assert_int_equal(load_lines(out, o, 2), 1);
	assert_string_equal(str(o[0], "mx"), "a\\x0ab\\x00c\\x1b");
	assert_string_equal(
		str(json_object_get(json_object_get(o[0], "checks"), "dmarc"), "record"),
		"v=DMARC1;\\x0a\\x01\\xff");
	json_decref(o[0]);
	free(out);
	domain_result_unref(r);
	fx_row_free(&row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_object),
		cmocka_unit_test(test_hostile_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
