/* The CSV reporter: header and contract columns, quoting, formula guard, round trip (libcsv). */
#include "reports_fixture.h"

#include <csv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* Parsed CSV: rows of fields. */
struct table {
	char ***rows;
	size_t *n_fields;
	size_t n_rows;
	char **cur;
	size_t n_cur;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct table *t = ud;
	t->cur = xrealloc(t->cur, (t->n_cur + 1) * sizeof(char *));
	t->cur[t->n_cur++] = xstrndup(s ? s : "", s ? len : 0);
}

static void on_row(int c, void *ud)
{
	struct table *t = ud;
	t->rows = xrealloc(t->rows, (t->n_rows + 1) * sizeof(char **));
	t->n_fields = xrealloc(t->n_fields, (t->n_rows + 1) * sizeof(size_t));
	t->rows[t->n_rows] = t->cur;
	t->n_fields[t->n_rows++] = t->n_cur;
	t->cur = NULL;
	t->n_cur = 0;
}

static struct table parse(const char *text)
{
	struct table t = { 0 };
	struct csv_parser p;
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	assert_int_equal(csv_parse(&p, text, strlen(text), on_field, on_row, &t), strlen(text));
	assert_int_equal(csv_fini(&p, on_field, on_row, &t), 0);
	csv_free(&p);
	return t;
}

static void table_free(struct table *t)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t f = 0; f < t->n_fields[r]; f++)
			free(t->rows[r][f]);
		free(t->rows[r]);
	}
	free(t->rows);
	free(t->n_fields);
}

/* The cell of `column` in data row `r` (1-based, after the header). */
static const char *cell(const struct table *t, size_t r, const char *column)
{
	for (size_t f = 0; f < t->n_fields[0]; f++)
		if (strcmp(t->rows[0][f], column) == 0) {
			assert_true(f < t->n_fields[r]);
			return t->rows[r][f];
		}
	fail_msg("no column %s", column);
	return NULL;
}

static const char *const expected_header[] = {
	"domain",
	"score",
	"dnssec",
	"spf",
	"dkim",
	"dmarc",
	"caa",
	"starttls",
	"dane",
	"ipv6",
	"mta_sts",
	"tlsrpt",
	"extra",
	"dnssec_status",
	"spf_lookups",
	"dmarc_policy",
	"dkim_selectors",
	"mx",
	"extra_value",
	"score_ipv6",
	"score_dnssec",
	"score_auth",
	"score_starttls",
	"error",
	"customer",
	"input_mx",
	"input_input_mx",
	"'=evil",
	"input_input_row",
	"input_row",
};
static const char *const carry[] = { "customer", "mx", "input_mx", "=evil", "input_row", NULL };

static struct domain_result *good_result(void)
{
	struct domain_result *r = fx_result("example.nl");
	json_object_set_new(r->columns, "dnssec_status", json_string("secure"));
	json_object_set_new(r->columns, "spf_lookups", json_integer(3));
	json_object_set_new(r->columns, "dmarc_policy", json_string("reject"));
	json_object_set_new(r->columns, "dkim_selectors", json_string("whs1 selector2"));
	json_object_set_new(r->columns, "mx", json_string("mx1.example.nl mx2.example.nl"));
	json_object_set_new(r->columns, "extra_value", json_string("-all"));
	r->checks[FX_DKIM].verdict = VERDICT_WARNING;
	r->checks[FX_DANE].verdict = VERDICT_FAIL;
	fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_IPV6, "ns_reach", VERDICT_PASS, 10, 10, NULL);
	fx_sub(r, FX_IPV6, "mx_reach", VERDICT_FAIL, 0, 10, NULL);
	return r;
}

static void test_header_and_contract_columns(void **state)
{
	struct input_row row = fx_row(1, "Example.NL.", "example.nl", NULL);
	struct domain_result *r = good_result();
	char *out = fx_run(&reporter_csv, carry, &row, &r, 1);
	struct table t = parse(out);
	assert_int_equal(t.n_rows, 2);
	assert_int_equal(t.n_fields[0], sizeof(expected_header) / sizeof(expected_header[0]));
	for (size_t i = 0; i < t.n_fields[0]; i++)
		assert_string_equal(t.rows[0][i], expected_header[i]);
	assert_int_equal(t.n_fields[1], t.n_fields[0]);
	assert_string_equal(cell(&t, 1, "domain"), "example.nl");
	assert_string_equal(cell(&t, 1, "dnssec"), "pass");
	assert_string_equal(cell(&t, 1, "dkim"), "warning");
	assert_string_equal(cell(&t, 1, "dane"), "fail");
	/* Checks not in the table are still columns, not tested. */
	assert_string_equal(cell(&t, 1, "caa"), "not_tested");
	assert_string_equal(cell(&t, 1, "mta_sts"), "not_tested");
	assert_string_equal(cell(&t, 1, "tlsrpt"), "not_tested");
	assert_string_equal(cell(&t, 1, "dnssec_status"), "secure");
	assert_string_equal(cell(&t, 1, "spf_lookups"), "3");
	assert_string_equal(cell(&t, 1, "dmarc_policy"), "reject");
	assert_string_equal(cell(&t, 1, "dkim_selectors"), "whs1 selector2");
	assert_string_equal(cell(&t, 1, "mx"), "mx1.example.nl mx2.example.nl");
	assert_string_equal(cell(&t, 1, "extra_value"), "'-all");
	assert_string_equal(cell(&t, 1, "score_dnssec"), "100");
	assert_string_equal(cell(&t, 1, "score_ipv6"), "50");
	assert_string_equal(cell(&t, 1, "score_auth"), "");
	assert_string_equal(cell(&t, 1, "score_starttls"), "");
	assert_string_equal(cell(&t, 1, "score"), "75");
	assert_string_equal(cell(&t, 1, "error"), "");
	assert_string_equal(cell(&t, 1, "customer"), "");
	table_free(&t);
	free(out);
	domain_result_unref(r);
	fx_row_free(&row);
}

static void test_unset_columns_are_empty(void **state)
{
	struct input_row row = fx_row(1, "a.example", "a.example", NULL);
	struct domain_result *r = fx_result("a.example");
	char *out = fx_run(&reporter_csv, NULL, &row, &r, 1);
	struct table t = parse(out);
	assert_string_equal(cell(&t, 1, "spf_lookups"), "");
	assert_string_equal(cell(&t, 1, "mx"), "");
	assert_string_equal(cell(&t, 1, "dmarc_policy"), "");
	assert_string_equal(cell(&t, 1, "score"), "");
	table_free(&t);
	free(out);
	domain_result_unref(r);
	fx_row_free(&row);
}

static void test_invalid_entry(void **state)
{
	struct input_row rows[2] = {
		fx_row(1, "=HYPERLINK(\"http://x\")", NULL, "not a valid domain name"),
		fx_row(2, "b.example", "b.example", NULL),
	};
	struct domain_result *res[2] = { NULL, fx_result("b.example") };
	char *out = fx_run(&reporter_csv, NULL, rows, res, 2);
	struct table t = parse(out);
	assert_int_equal(t.n_rows, 3);
	assert_string_equal(cell(&t, 1, "domain"), "'=HYPERLINK(\"http://x\")");
	for (const char *const *v =
		     (const char *const[]){ "dnssec", "spf", "dkim", "dmarc", "caa", "starttls",
					    "dane", "ipv6", "mta_sts", "tlsrpt", "extra", NULL };
	     *v; v++)
		assert_string_equal(cell(&t, 1, *v), "error");
	assert_string_equal(cell(&t, 1, "error"), "not a valid domain name");
	assert_string_equal(cell(&t, 1, "score"), "");
	/* cli.md: dnssec_status is secure, insecure, bogus or error, never empty */
	assert_string_equal(cell(&t, 1, "dnssec_status"), "error");
	assert_string_equal(cell(&t, 2, "domain"), "b.example");
	assert_string_equal(cell(&t, 2, "spf"), "pass");
	table_free(&t);
	free(out);
	domain_result_unref(res[1]);
	fx_row_free(&rows[0]);
	fx_row_free(&rows[1]);
}

/* Raw bytes in an invalid entry (not valid UTF-8, control characters) never reach the file. */
static void test_invalid_entry_raw_bytes(void **state)
{
	struct input_row row = fx_row(7, "-bad\xff\x01name\n", NULL, "invalid \"name\"\x7f");
	struct domain_result *res = NULL;
	char *out = fx_run(&reporter_csv, NULL, &row, &res, 1);
	struct table t = parse(out);
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(cell(&t, 1, "domain"), "'-bad\\xff\\x01name\\x0a");
	assert_string_equal(cell(&t, 1, "error"), "invalid \"name\"\\x7f");
	table_free(&t);
	free(out);
	fx_row_free(&row);
}

static void test_row_and_check_errors(void **state)
{
	struct input_row rows[2] = { fx_row(1, "c.example", "c.example", NULL),
				     fx_row(2, "d.example", "d.example", NULL) };
	struct domain_result *res[2] = { fx_result("c.example"), fx_result("d.example") };
	res[0]->checks[FX_SPF].verdict = VERDICT_ERROR;
	result_set_error(&res[0]->checks[FX_SPF], "TXT c.example: timeout");
	result_set_error(&res[0]->checks[FX_DNSSEC], "SOA: SERVFAIL");
	res[1]->error = xstrdup("scan aborted");
	char *out = fx_run(&reporter_csv, NULL, rows, res, 2);
	struct table t = parse(out);
	assert_string_equal(cell(&t, 1, "error"),
			    "dnssec: SOA: SERVFAIL; spf: TXT c.example: timeout");
	assert_string_equal(cell(&t, 1, "spf"), "error");
	assert_string_equal(cell(&t, 1, "dnssec"), "pass");
	assert_string_equal(cell(&t, 2, "error"), "scan aborted");
	assert_string_equal(cell(&t, 2, "spf"), "error");
	assert_string_equal(cell(&t, 2, "domain"), "d.example");
	table_free(&t);
	free(out);
	for (int i = 0; i < 2; i++) {
		domain_result_unref(res[i]);
		fx_row_free(&rows[i]);
	}
}

struct quote_case {
	const char *value;  /* the value a check or the input carries */
	size_t len;         /* its length (may hold a NUL) */
	const char *raw;    /* the exact CSV field written */
	const char *parsed; /* the value read back */
};

static const struct quote_case quote_cases[] = {
	{ "plain", 5, "plain", "plain" },
	{ "a,b", 3, "\"a,b\"", "a,b" },
	{ "say \"hi\"", 8, "\"say \"\"hi\"\"\"", "say \"hi\"" },
	{ "two\nlines", 9, "two\\x0alines", "two\\x0alines" },
	{ "cr\r", 3, "cr\\x0d", "cr\\x0d" },
	{ "nul\0byte", 8, "nul\\x00byte", "nul\\x00byte" },
	{ "=1+2", 4, "'=1+2", "'=1+2" },
	{ "+1", 2, "'+1", "'+1" },
	{ "-all", 4, "'-all", "'-all" },
	{ "@SUM(A1)", 8, "'@SUM(A1)", "'@SUM(A1)" },
	{ "\tx", 2, "\\x09x", "\\x09x" },
	{ "\rx", 2, "\\x0dx", "\\x0dx" },
	{ "=a,\"b\"", 6, "\"'=a,\"\"b\"\"\"", "'=a,\"b\"" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "", 0, "", "" },
};

static void test_quoting_and_defusing(void **state)
{
	size_t n = sizeof(quote_cases) / sizeof(quote_cases[0]);
	for (size_t i = 0; i < n; i++) {
		const struct quote_case *qc = &quote_cases[i];
		struct input_row row = fx_row(1, "q.example", "q.example", NULL);
		row.carry = json_object();
		json_object_set_new(row.carry, "note", json_stringn(qc->value, qc->len));
		struct domain_result *r = fx_result("q.example");
		json_object_set_new(r->columns, "dmarc_policy", json_stringn(qc->value, qc->len));
		static const char *const note[] = { "note", NULL };
		char *out = fx_run(&reporter_csv, note, &row, &r, 1);
		/* The raw field: the carried note, the last but one on the data line. */
		const char *line = strchr(out, '\n') + 1;
		size_t ll = strlen(line);
		assert_true(ll > 0 && line[ll - 1] == '\n');
		assert_null(memchr(line, '\r', ll));
		assert_ptr_equal(strchr(line, '\n'), line + ll - 1); /* one physical line */
		/* the last field is input_row (1); the note comes just before it */
		assert_memory_equal(line + ll - 3, ",1\n", 3);
		ll -= 2;
		size_t rl = strlen(qc->raw);
		assert_true(ll > rl);
		assert_memory_equal(line + ll - 1 - rl, qc->raw, rl);
		assert_int_equal(line[ll - 2 - rl], ',');
		struct table t = parse(out);
		assert_string_equal(cell(&t, 1, "note"), qc->parsed);
		assert_string_equal(cell(&t, 1, "dmarc_policy"), qc->parsed);
		table_free(&t);
		free(out);
		domain_result_unref(r);
		fx_row_free(&row);
	}
}

static void test_input_order_and_many_rows(void **state)
{
	enum { N = 500 };
	struct input_row *rows = xcalloc(N, sizeof(*rows));
	struct domain_result **res = xcalloc(N, sizeof(*res));
	for (size_t i = 0; i < N; i++) {
		char *d = xasprintf("d%zu.example", i);
		rows[i] = fx_row(i + 1, d, d, NULL);
		res[i] = fx_result(d);
		free(d);
	}
	char *out = fx_run(&reporter_csv, NULL, rows, res, N);
	struct table t = parse(out);
	assert_int_equal(t.n_rows, N + 1);
	for (size_t i = 0; i < N; i++) {
		char *d = xasprintf("d%zu.example", i);
		assert_string_equal(cell(&t, i + 1, "domain"), d);
		free(d);
		domain_result_unref(res[i]);
		fx_row_free(&rows[i]);
	}
	table_free(&t);
	free(out);
	free(rows);
	free(res);
}

static void test_find(void **state)
{
	assert_ptr_equal(reporter_find("csv"), &reporter_csv);
	assert_ptr_equal(reporter_find("json"), &reporter_json);
	assert_null(reporter_find("xml"));
	assert_null(reporter_find(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_contract_columns),
		cmocka_unit_test(test_unset_columns_are_empty),
		cmocka_unit_test(test_invalid_entry),
		cmocka_unit_test(test_invalid_entry_raw_bytes),
		cmocka_unit_test(test_row_and_check_errors),
		cmocka_unit_test(test_quoting_and_defusing),
		cmocka_unit_test(test_input_order_and_many_rows),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
