/*
 * The HTML report: every string from results and input is escaped (hostile network text), the
 * file is self-contained, and the overview, table, details and advice are there.
 */
#include "reports/html.h"
#include "reports_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static char *escaped(const char *s, size_t len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	html_text(fp, s, len);
	fclose(fp);
	return out;
}

struct esc_case {
	const char *in;
	size_t len;
	const char *out;
};

static const struct esc_case esc_cases[] = {
	{ "plain text", 10, "plain text" },
	{ "<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "a & b", 5, "a &amp; b" },
	{ "\"quoted\" and 'single'", 21, "&quot;quoted&quot; and &#39;single&#39;" },
	{ "x\" onmouseover=\"alert(1)", 24, "x&quot; onmouseover=&quot;alert(1)" },
	{ "line\nbreak\ttab\x01\x7f", 16, "line\\x0abreak\\x09tab\\x01\\x7f" },
	{ "nul\0after", 9, "nul\\x00after" },
	{ "bad \xff utf8", 10, "bad \\xff utf8" },
	{ "caf\xc3\xa9 \xe2\x80\x94", 9, "caf\xc3\xa9 \xe2\x80\x94" },
	{ "&lt;", 4, "&amp;lt;" },
	/* bidi overrides and invisible characters are shown, not obeyed */
	{ "a\xe2\x80\xae"
	  "b\xe2\x80\x8b"
	  "c\xef\xbb\xbf",
	  12, "a\\u202eb\\u200bc\\ufeff" },
	{ "\xd8\x9c\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f", 12, "\\u061c\\u2066x\\u2069\\u200f" },
	{ "\xe2\x80\x99 \xef\xbc\xa1 \xd8\xa7", 10, "\xe2\x80\x99 \xef\xbc\xa1 \xd8\xa7" },
	{ "", 0, "" },
};

static void test_escape_table(void **state)
{
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		char *out = escaped(esc_cases[i].in, esc_cases[i].len);
		assert_string_equal(out, esc_cases[i].out);
		free(out);
	}
}

static void test_escape_long(void **state)
{
	size_t n = 1000000;
	char *s = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		s[i] = "<>&\"'a"[i % 6];
	char *out = escaped(s, n);
	/* Bounded: at most HTML_TEXT_MAX input bytes, each at most 6 output bytes, plus "...". */
	assert_true(strlen(out) <= (size_t)HTML_TEXT_MAX * 6 + 8);
	assert_null(strchr(out, '<'));
	assert_null(strchr(out, '>'));
	assert_null(strchr(out, '"'));
	assert_null(strchr(out, '\''));
	assert_int_equal(strcmp(out + strlen(out) - 3, "..."), 0);
	free(out);
	free(s);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_report(void **state)
{
	static const char *const carry[] = { "customer", NULL };
	const char *evil = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";
	struct input_row rows[3] = {
		fx_row(1, "example.nl", "example.nl", NULL),
		fx_row(2, evil, NULL, evil),
		fx_row(3, "ok.example", "ok.example", NULL),
	};
	rows[0].carry = json_object();
	json_object_set_new(rows[0].carry, "customer", json_string(evil));
	struct domain_result *res[3] = { fx_result("example.nl"), NULL, fx_result("ok.example") };
	struct domain_result *r = res[0];
	r->checks[FX_DMARC].verdict = VERDICT_FAIL;
	r->checks[FX_SPF].verdict = VERDICT_FAIL;
	r->checks[FX_DKIM].verdict = VERDICT_ERROR;
	result_set_error(&r->checks[FX_DKIM], "%s", evil);
	json_object_set_new(r->columns, "mx", json_string(evil));
	json_object_set_new(r->checks[FX_DMARC].detail, "records", json_pack("[s]", evil));
	json_object_set_new(r->checks[FX_DMARC].detail, evil, json_string("key"));
	result_subtest(&r->checks[FX_DMARC], "dmarc", VERDICT_FAIL, "%s", evil);
	fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	json_t *st = result_subtest_obj(&r->checks[FX_STARTTLS], evil, VERDICT_PASS, "ok");
	json_object_set_new(st, "server", json_string(evil));
	json_object_set_new(st, "status", json_string(evil));
	fx_sub(res[2], FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 2, 10, NULL);
	res[2]->checks[FX_DNSSEC].verdict = VERDICT_FAIL;

	char *out = fx_run(&reporter_html, carry, rows, res, 3);
	assert_int_equal(strncmp(out, "<!DOCTYPE html>", 15), 0);
	/* Only domscan's own two scripts (the "js" class in <head>, the table's script); no raw
	 * markup from the results. */
	assert_int_equal(count(out, "<script"), 2);
	assert_int_equal(count(out, "<img"), 0);
	assert_int_equal(count(out, "onerror=alert(1)>"), 0);
	assert_true(count(out,
			  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img") >= 5);
	/* Self-contained: nothing fetched from elsewhere. */
	assert_int_equal(count(out, "src=\"http"), 0);
	assert_int_equal(count(out, "href=\"http"), 0);
	assert_int_equal(count(out, "<link"), 0);
	/* The CSP allows no fetches and only the report's own scripts, by hash. */
	assert_non_null(strstr(out, "<meta http-equiv=\"Content-Security-Policy\" "
				    "content=\"default-src 'none'; "));
	assert_int_equal(count(out, "'sha256-"), 2);
	assert_int_equal(count(out, "unsafe-eval"), 0);
	/* Overview, table, details, advice. */
	assert_non_null(strstr(out, "<div class=\"card\"><b>3</b>domains"));
	assert_non_null(strstr(out, "<b>1</b>invalid"));
	assert_non_null(strstr(out, "<table id=\"domains\">"));
	assert_non_null(strstr(out, "<details id=\"d0\">"));
	assert_non_null(strstr(out, "<details id=\"d2\">"));
	assert_non_null(strstr(out, "<a href=\"#d2\">ok.example</a>"));
	assert_non_null(strstr(out, "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.nl"));
	assert_non_null(strstr(out, "-all"));
	assert_non_null(strstr(out, "STARTTLS with DANE"));
	assert_non_null(strstr(out, "<td class=\"v-fail\">fail</td>"));
	assert_non_null(strstr(out, "</html>\n"));
	/* The table comes before the details, the overview before both. */
	assert_true(strstr(out, "Adoption") < strstr(out, "id=\"domains\""));
	assert_true(strstr(out, "id=\"domains\"") < strstr(out, "<details"));
	free(out);
	for (int i = 0; i < 3; i++) {
		domain_result_unref(res[i]);
		fx_row_free(&rows[i]);
	}
}

static void test_many_rows(void **state)
{
	enum { N = 2000 };
	struct input_row *rows = xcalloc(N, sizeof(*rows));
	struct domain_result **res = xcalloc(N, sizeof(*res));
	for (size_t i = 0; i < N; i++) {
		char *d = xasprintf("d%zu.example", i);
		rows[i] = fx_row(i + 1, d, d, NULL);
		res[i] = fx_result(d);
		fx_sub(res[i], FX_DNSSEC, "dnssec_valid", VERDICT_PASS, (int)(i % 11), 10, NULL);
		free(d);
	}
	char *out = fx_run(&reporter_html, NULL, rows, res, N);
	assert_int_equal(count(out, "<details id="), N);
	assert_int_equal(count(out, "<tr><td><a href="), N);
	/* The detail sections sit in <noscript> chunks of 1000 (parsed lazily by the script). */
	assert_int_equal(count(out, "<noscript data-first=\"0\"><details id=\"d0\">"), 1);
	assert_int_equal(count(out, "<noscript data-first=\"1000\"><details id=\"d1000\">"), 1);
	assert_int_equal(count(out, "<noscript"), 2);
	assert_int_equal(count(out, "</noscript>"), 2);
	/* Median of i % 11 * 10 over 2000 rows. */
	assert_non_null(strstr(out, "<b>50.0</b>median"));
	free(out);
	for (size_t i = 0; i < N; i++) {
		domain_result_unref(res[i]);
		fx_row_free(&rows[i]);
	}
	free(rows);
	free(res);
}

/* Duplicate input lines share one detail section; every line keeps its table row. */
static void test_duplicates(void **state)
{
	struct input_row rows[3] = { fx_row(1, "dup.example", "dup.example", NULL),
				     fx_row(2, "other.example", "other.example", NULL),
				     fx_row(3, "DUP.example.", "dup.example", NULL) };
	struct domain_result *res[3] = { fx_result("dup.example"), fx_result("other.example"),
					 NULL };
	res[2] = res[0];
	domain_result_ref(res[0]);
	char *out = fx_run(&reporter_html, NULL, rows, res, 3);
	assert_int_equal(count(out, "<details id="), 2);
	assert_int_equal(count(out, "<a href=\"#d0\">dup.example</a>"), 2);
	assert_int_equal(count(out, "<a href=\"#d1\">other.example</a>"), 1);
	assert_non_null(strstr(out, "<b>3</b>domains"));
	free(out);
	for (int i = 0; i < 3; i++) {
		domain_result_unref(res[i]);
		fx_row_free(&rows[i]);
	}
}

static void test_find(void **state)
{
	assert_ptr_equal(reporter_find("html"), &reporter_html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table), cmocka_unit_test(test_escape_long),
		cmocka_unit_test(test_report),       cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_duplicates),   cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
