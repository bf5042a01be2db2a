/* Table-driven tests of the TLS-RPT record parser (checks/tlsrpt_parse.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks/tlsrpt_parse.h"

#include <stdlib.h>
#include <string.h>

struct tcase {
	const char *text;
	int ok;
	size_t n_rua, n_ext;
	const char *rua0;
	const char *err_has;
};

static const struct tcase cases[] = {
	{ "v=TLSRPTv1; rua=mailto:tlsrpt@good.test", 0, 1, 0, "mailto:tlsrpt@good.test", NULL },
	{ "v=TLSRPTv1;rua=https://r.test/report", 0, 1, 0, "https://r.test/report", NULL },
	{ "v=TLSRPTv1; rua=mailto:a@b.test, https://r.test/x ;", 0, 2, 0, "mailto:a@b.test", NULL },
	{ "v=TLSRPTv1; rua=mailto:a@b.test,https://r.test", 0, 2, 0, NULL, NULL },
	{ "v=TLSRPTv1; ext_1=val;rua=MAILTO:a@b.test", 0, 1, 1, NULL, NULL },
	{ "v=TLSRPTv1 ; rua=mailto:a@b.test?subject=x", 0, 1, 0, NULL, NULL },
	{ "v=TLSRPTv1; rua=mailto:a@b.test;;", 0, 1, 0, NULL, NULL },

	{ "v=TLSRPTv1", -1, 0, 0, NULL, "no rua" },
	{ "v=TLSRPTv1;", -1, 0, 0, NULL, "no rua" },
	{ "v=TLSRPTv1; rua=", -1, 0, 0, NULL, "no URI" },
	{ "v=TLSRPTv1; rua=tlsrpt@good.test", -1, 0, 0, NULL, "neither" },
	{ "v=TLSRPTv1; rua=http://r.test/", -1, 0, 0, NULL, "neither" },
	{ "v=TLSRPTv1; rua=mailto:", -1, 0, 0, NULL, "address" },
	{ "v=TLSRPTv1; rua=mailto:@b.test", -1, 0, 0, NULL, "address" },
	{ "v=TLSRPTv1; rua=mailto:a@", -1, 0, 0, NULL, "address" },
	{ "v=TLSRPTv1; rua=https://", -1, 0, 0, NULL, "host" },
	{ "v=TLSRPTv1; rua=https:///x", -1, 0, 0, NULL, "host" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test,", -1, 0, 0, NULL, "empty" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; rua=mailto:c@d.test", -1, 0, 0, NULL,
	  "more than once" },
	{ "v=TLSRPTv1; RUA=mailto:a@b.test", -1, 0, 0, NULL, "no rua" },
	{ "v=TLSRPTv1; rua = mailto:a@b.test", -1, 0, 0, NULL, "field name" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; junk", -1, 0, 0, NULL, "'='" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; x=", -1, 0, 0, NULL, "empty value" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; _x=1", -1, 0, 0, NULL, "field name" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; x=a b", -1, 0, 0, NULL, "invalid value" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; x=1; x=2", -1, 0, 0, NULL, "more than once" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test; v=TLSRPTv1", -1, 0, 0, NULL, "v=" },
	{ "v=tlsrptv1; rua=mailto:a@b.test", -1, 0, 0, NULL, "start" },
	{ "v=TLSRPTv2; rua=mailto:a@b.test", -1, 0, 0, NULL, "start" },
	{ " v=TLSRPTv1; rua=mailto:a@b.test", -1, 0, 0, NULL, "start" },
	{ "rua=mailto:a@b.test; v=TLSRPTv1", -1, 0, 0, NULL, "start" },
	{ "v=TLSRPTv1; rua=mailto:a@b.test\x7f", -1, 0, 0, NULL, "character" },
	{ "", -1, 0, 0, NULL, "start" },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct tlsrpt_record r;
		char *err = NULL;
		int rc = tlsrpt_parse(c->text, strlen(c->text), &r, &err);
		if (rc != c->ok)
			fail_msg("case %zu \"%s\": rc %d, want %d (%s)", i, c->text, rc, c->ok,
				 err ? err : "");
		if (rc != 0) {
			assert_non_null(err);
			if (c->err_has && !strstr(err, c->err_has))
				fail_msg("case %zu \"%s\": error \"%s\" lacks \"%s\"", i, c->text,
					 err, c->err_has);
			free(err);
			continue;
		}
		if (r.n_rua != c->n_rua || r.n_ext != c->n_ext)
			fail_msg("case %zu \"%s\": %zu rua, %zu ext", i, c->text, r.n_rua, r.n_ext);
		if (c->rua0)
			assert_string_equal(r.rua[0], c->rua0);
		json_t *j = tlsrpt_record_json(&r);
		char *dump = json_dumps(j, JSON_COMPACT);
		assert_non_null(dump);
		free(dump);
		json_decref(j);
		tlsrpt_record_free(&r);
	}
}

static void test_candidate(void **state)
{
	(void)state;
	static const struct {
		const char *t;
		bool want;
	} c[] = {
		{ "v=TLSRPTv1; rua=mailto:a@b.test", true },
		{ "v=TLSRPTv1", true },
		{ "v=tlsrptv1;rua=x", true },
		{ "v=TLSRPTv1 ;rua=x", true },
		{ "v=TLSRPTv10; rua=x", false },
		{ "v=STSv1; id=1", false },
		{ " v=TLSRPTv1", false },
		{ "", false },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (tlsrpt_is_candidate(c[i].t, strlen(c[i].t)) != c[i].want)
			fail_msg("candidate \"%s\"", c[i].t);
	assert_false(tlsrpt_is_candidate(NULL, 0));
}

static void test_limits(void **state)
{
	(void)state;
	struct tlsrpt_record r;
	char *err = NULL;
	const char t[] = "v=TLSRPTv1; rua=mailto:a@b.test\0x";
	assert_int_equal(tlsrpt_parse(t, sizeof(t) - 1, &r, &err), -1);
	free(err);
	assert_int_equal(tlsrpt_parse(t, sizeof(t) - 3, &r, NULL), 0);
	tlsrpt_record_free(&r);
	char big[4096] = "v=TLSRPTv1; rua=mailto:a@b.test";
	for (int i = 0; i < TLSRPT_MAX_URIS; i++)
		strcat(big, ",mailto:a@b.test");
	assert_int_equal(tlsrpt_parse(big, strlen(big), &r, &err), -1);
	assert_non_null(strstr(err, "more than"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_candidate),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
