/*
 * domain_result_freeze() / domain_result_thaw(): a finished result waiting in the engine's
 * window is kept as compact JSON text; what reporters get back must equal the original, member
 * order included (the JSON report keeps it), with strings holding NUL, reals, nulls and missing
 * parts.
 */
#include "scanner/result.h"
#include "scanner/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct part {
	const char *detail;    /* JSON text, NULL: no detail */
	const char *error_msg; /* JSON text, NULL: none */
	const char *error;     /* NULL: none */
	enum verdict verdict;
};

static const struct {
	const char *what;
	const char *columns; /* JSON text, NULL: none */
	const char *error;
	size_t n;
	struct part parts[3];
} cases[] = {
	{ "ordinary",
	  "{\"score\":81,\"dkim_selectors\":\"whs1 whs2\",\"mx\":null}",
	  NULL,
	  2,
	  { { "{\"verdict\":\"pass\",\"subtests\":[{\"name\":\"a\",\"points\":10}],\"z\":1,\"a\":2}",
	      NULL, NULL, VERDICT_PASS },
	    { "{}", "{\"msg\":\"engine.deadline\",\"args\":{\"s\":60}}", "deadline exceeded",
	      VERDICT_ERROR } } },
	{ "hostile text",
	  "{\"x\":\"a\\u0000b\",\"bidi\":\"\\u202e<script>\",\"real\":0.1,\"big\":9007199254740993}",
	  "row error",
	  3,
	  { { "{\"txt\":\"nul\\u0000inside\",\"emoji\":\"\\ud83d\\ude00\",\"e\":1e-300}", NULL,
	      NULL, VERDICT_WARNING },
	    { "[1,2,3]", NULL, NULL, VERDICT_INFO },
	    { NULL, NULL, NULL, VERDICT_NOT_TESTED } } },
	{ "no checks", "{}", NULL, 0, { { NULL, NULL, NULL, VERDICT_PASS } } },
	{ "no columns", NULL, NULL, 1, { { "{\"k\":[]}", NULL, "e", VERDICT_FAIL } } },
};

static json_t *parse(const char *s)
{
	if (!s)
		return NULL;
	json_error_t e;
	json_t *j = json_loads(s, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("test data does not parse: %s: %s", s, e.text);
	return j;
}

/* Equal, and the same text when dumped (member order). */
static void assert_same_json(const json_t *a, const json_t *b)
{
	if (!a || !b) {
		assert_true(a == b);
		return;
	}
	assert_true(json_equal(a, b));
	char *sa = json_dumps(a, JSON_ENCODE_ANY), *sb = json_dumps(b, JSON_ENCODE_ANY);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
}

static struct domain_result *build(size_t i)
{
	struct domain_result *r = domain_result_new("example.test", cases[i].n);
	json_decref(r->columns);
	r->columns = parse(cases[i].columns);
	r->error = cases[i].error ? xstrdup(cases[i].error) : NULL;
	for (size_t k = 0; k < cases[i].n; k++) {
		struct check_result *c = &r->checks[k];
		json_decref(c->detail);
		c->detail = parse(cases[i].parts[k].detail);
		c->error_msg = parse(cases[i].parts[k].error_msg);
		c->error = cases[i].parts[k].error ? xstrdup(cases[i].parts[k].error) : NULL;
		c->verdict = cases[i].parts[k].verdict;
	}
	return r;
}

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domain_result *want = build(i), *r = build(i);
		domain_result_freeze(r);
		assert_non_null(r->frozen);
		assert_null(r->columns);
		for (size_t k = 0; k < r->n_checks; k++) {
			assert_null(r->checks[k].detail);
			assert_null(r->checks[k].error_msg);
		}
		domain_result_freeze(r);                  /* twice: no change */
		for (int round = 0; round < 2; round++) { /* thawed twice: the frozen form stays */
			struct domain_result *t = domain_result_thaw(r);
			assert_ptr_not_equal(t, r);
			assert_string_equal(t->domain, want->domain);
			assert_true((t->error == NULL) == (want->error == NULL));
			if (want->error)
				assert_string_equal(t->error, want->error);
			assert_int_equal(t->n_checks, want->n_checks);
			assert_same_json(t->columns, want->columns);
			for (size_t k = 0; k < want->n_checks; k++) {
				assert_int_equal(t->checks[k].verdict, want->checks[k].verdict);
				assert_same_json(t->checks[k].detail, want->checks[k].detail);
				assert_same_json(t->checks[k].error_msg, want->checks[k].error_msg);
				assert_true((t->checks[k].error == NULL) ==
					    (want->checks[k].error == NULL));
				if (want->checks[k].error)
					assert_string_equal(t->checks[k].error,
							    want->checks[k].error);
			}
			domain_result_unref(t);
		}
		domain_result_unref(r);
		domain_result_unref(want);
	}
}

/* Not frozen: thaw hands out the result itself, with a reference. */
static void test_not_frozen(void **state)
{
	(void)state;
	struct domain_result *r = build(0);
	struct domain_result *t = domain_result_thaw(r);
	assert_ptr_equal(t, r);
	assert_int_equal(r->refs, 2);
	domain_result_unref(t);
	assert_int_equal(r->refs, 1);
	domain_result_unref(r);
	assert_null(domain_result_thaw(NULL));
	domain_result_freeze(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_not_frozen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
