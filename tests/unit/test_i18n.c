/*
 * Messages and catalogues: template expansion (scanner/msg.h), the catalogue parser and the
 * renderer (reports/i18n.h), and the shipped catalogues (data/messages/): they parse, have the
 * same identifiers and parameters, and render the checks' messages without markers.
 */
#include "reports/i18n.h"
#include "scanner/msg.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct fmt_case {
	const char *tmpl;
	const char *args; /* JSON */
	const char *out;
};

static const struct fmt_case fmt_cases[] = {
	{ "plain", "{}", "plain" },
	{ "{a} and {b}", "{\"a\": \"x\", \"b\": 3}", "x and 3" },
	{ "{a}{a}", "{\"a\": \"y\"}", "yy" },
	{ "missing {nope}.", "{}", "missing [[?nope]]." },
	{ "braces {{a}} {", "{\"a\": 1}", "braces {a} {" },
	{ "not a {Param} or {a b}", "{}", "not a {Param} or {a b}" },
	{ "{list}", "{\"list\": [\"a\", \"b\", 1]}", "a, b, 1" },
	{ "{t} {f} {n}", "{\"t\": true, \"f\": false, \"n\": null}", "true false " },
	{ "{r}", "{\"r\": 1.5}", "1.5" },
	{ "{m}", "{\"m\": {\"msg\": \"x.y\", \"text\": \"nested\"}}", "nested" },
	{ "{ms}", "{\"ms\": [{\"text\": \"one\"}, {\"text\": \"two\"}]}", "one; two" },
	{ "end {", "{}", "end {" },
	{ "", "{}", "" },
};

static void test_format_table(void **state)
{
	for (size_t i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		json_t *a = json_loads(fmt_cases[i].args, 0, NULL);
		assert_non_null(a);
		char *s = msg_format(fmt_cases[i].tmpl, a);
		assert_string_equal(s, fmt_cases[i].out);
		free(s);
		json_decref(a);
	}
}

static void test_params(void **state)
{
	json_t *p = msg_params("{b} {a} {b} {{c}} {D}");
	char *s = json_dumps(p, JSON_COMPACT);
	assert_string_equal(s, "[\"a\",\"b\"]");
	free(s);
	json_decref(p);
}

static void test_args_and_nested(void **state)
{
	json_t *a =
		msg_args("host", json_str("mx.example"), "n", json_integer(2), "none", NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(a, "host")), "mx.example");
	assert_int_equal(json_integer_value(json_object_get(a, "n")), 2);
	assert_string_equal(json_string_value(json_object_get(a, "none")), "");
	json_t *n = msg_nested("x.y", "{host} has {n}", a);
	assert_string_equal(json_string_value(json_object_get(n, "text")), "mx.example has 2");
	assert_string_equal(json_string_value(json_object_get(n, "msg")), "x.y");
	json_decref(n);
}

struct parse_case {
	const char *text;
	bool ok;
	const char *id, *value; /* one entry to look up when ok */
	const char *err;        /* substring of the error when not ok */
};

static const struct parse_case parse_cases[] = {
	{ "a = b\n", true, "a", "b", NULL },
	{ "# comment\n\n  \na.b-c_d =  text with {x}  \n", true, "a.b-c_d", "text with {x}", NULL },
	{ "a = one\n two\n\tthree\n", true, "a", "one two three", NULL },
	{ "a = x = y\n", true, "a", "x = y", NULL },
	{ "a = caf\xc3\xa9\r\n", true, "a", "caf\xc3\xa9", NULL },
	{ "a =\n", true, "a", "", NULL },
	{ "no equals sign\n", false, NULL, NULL, "line 1" },
	{ " continuation first\n", false, NULL, NULL, "continuation" },
	{ "A = upper\n", false, NULL, NULL, "invalid character" },
	{ "a b = space\n", false, NULL, NULL, "invalid character" },
	{ " = x\n", false, NULL, NULL, "continuation" },
	{ "= x\n", false, NULL, NULL, "identifier" },
	{ "a = 1\nb = 2\na = 3\n", false, NULL, NULL, "duplicate identifier a" },
	{ "a = ok\nb = bad \xff byte\n", false, NULL, NULL, "line 2: not valid UTF-8" },
	{ "a = overlong \xc0\xaf\n", false, NULL, NULL, "UTF-8" },
};

static void test_parse_table(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		char *err = NULL;
		struct catalog *cat = catalog_parse(c->text, strlen(c->text), &err);
		if (c->ok) {
			if (!cat)
				fail_msg("case %zu: %s", i, err);
			assert_string_equal(catalog_get(cat, c->id), c->value);
			assert_null(catalog_get(cat, "absent"));
			catalog_free(cat);
		} else {
			if (cat)
				fail_msg("case %zu parsed", i);
			assert_non_null(err);
			if (!strstr(err, c->err))
				fail_msg("case %zu: error '%s' lacks '%s'", i, err, c->err);
			free(err);
		}
	}
}

static void test_nul_byte(void **state)
{
	char *err = NULL;
	struct catalog *cat = catalog_parse("a = x\0y\n", 8, &err);
	assert_null(cat);
	assert_non_null(strstr(err, "UTF-8"));
	free(err);
}

static char *html_of(const struct catalog *c, const char *id, const json_t *args)
{
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	i18n_html(fp, c, id, args);
	fclose(fp);
	return out;
}

/* Parameters are never trusted: escaped in HTML; template text is escaped too. */
static void test_render_html(void **state)
{
	const char *text = "greet = Hello <b>{name}</b> & {record}\n"
			   "outer = Result: {inner}\n"
			   "inner = inside {v}\n";
	char *err = NULL;
	struct catalog *c = catalog_parse(text, strlen(text), &err);
	assert_non_null(c);
	json_t *a = msg_args("name", json_str("<script>alert('x')</script>"), "record",
			     json_str("v=spf1 \"-all\""), NULL);
	char *h = html_of(c, "greet", a);
	assert_string_equal(h, "Hello &lt;b&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
			       "&lt;/b&gt; &amp; <code>v=spf1 &quot;-all&quot;</code>");
	free(h);
	char *t = i18n_text(c, "greet", a);
	assert_string_equal(t, "Hello <b><script>alert('x')</script></b> & v=spf1 \"-all\"");
	free(t);
	json_decref(a);

	/* A nested message renders from this catalogue, its parameters escaped. */
	a = msg_args("inner",
		     msg_nested("inner", "english {v}", msg_args("v", json_str("<i>"), NULL)),
		     NULL);
	h = html_of(c, "outer", a);
	assert_string_equal(h, "Result: inside &lt;i&gt;");
	free(h);
	json_decref(a);

	/* Missing messages and parameters are marked. */
	h = html_of(c, "no.such<id>", NULL);
	assert_string_equal(h, "[[no.such&lt;id&gt;]]");
	free(h);
	h = html_of(c, "greet", NULL);
	assert_string_equal(h, "Hello &lt;b&gt;[[?name]]&lt;/b&gt; &amp; [[?record]]");
	free(h);
	a = msg_args("inner", msg_nested("absent", "x", NULL), NULL);
	t = i18n_text(c, "outer", a);
	assert_string_equal(t, "Result: [[absent]]");
	free(t);
	json_decref(a);
	catalog_free(c);
}

/* A subtest with a message keeps the English reason for machines. */
static void test_result_subtest_msg(void **state)
{
	struct check_result r = { 0 };
	r.detail = json_object();
	json_t *o = result_subtest_msg(
		&r, "spf", VERDICT_FAIL, "spf.x", "{n} lookups at {host}",
		msg_args("n", json_integer(11), "host", json_str("bad\xff\x01"), NULL));
	assert_string_equal(json_string_value(json_object_get(o, "reason")),
			    "11 lookups at bad\\xff\\x01");
	assert_string_equal(json_string_value(json_object_get(o, "msg")), "spf.x");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "args"), "n")), 11);
	result_set_error_msg(&r, "e.x", "failed: {d}", msg_args("d", json_str("t/o"), NULL));
	assert_string_equal(r.error, "failed: t/o");
	assert_string_equal(json_string_value(json_object_get(r.error_msg, "msg")), "e.x");
	result_set_error(&r, "%s", "plain");
	assert_null(r.error_msg);
	free(r.error);
	json_decref(r.detail);
}

static struct catalog *load(const char *lang)
{
	const char *dir = getenv("DOMSCAN_DATADIR") ? getenv("DOMSCAN_DATADIR") : "data";
	char *err = NULL;
	struct catalog *c = catalog_load_lang(dir, lang, &err);
	if (!c)
		fail_msg("%s", err);
	return c;
}

/* The shipped catalogues parse with this parser and agree on identifiers and parameters. */
static void test_shipped(void **state)
{
	struct catalog *en = load("en"), *nl = load("nl");
	assert_true(catalog_count(en) > 100);
	assert_int_equal(catalog_count(en), catalog_count(nl));
	for (size_t i = 0; i < catalog_count(en); i++) {
		const char *id = catalog_id(en, i);
		const char *t = catalog_get(nl, id);
		if (!t)
			fail_msg("nl lacks %s", id);
		json_t *pe = msg_params(catalog_get(en, id)), *pn = msg_params(t);
		if (!json_equal(pe, pn))
			fail_msg("%s: parameters differ between en and nl", id);
		json_decref(pe);
		json_decref(pn);
	}
	assert_string_equal(catalog_get(nl, "verdict.fail"), "onvoldoende");
	assert_string_equal(catalog_get(en, "verdict.fail"), "fail");
	char *err = NULL;
	assert_null(catalog_load_lang(getenv("DOMSCAN_DATADIR"), "xx", &err));
	assert_non_null(err);
	free(err);
	catalog_free(en);
	catalog_free(nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_table),       cmocka_unit_test(test_params),
		cmocka_unit_test(test_args_and_nested),    cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_nul_byte),           cmocka_unit_test(test_render_html),
		cmocka_unit_test(test_result_subtest_msg), cmocka_unit_test(test_shipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
