/* The domain-list reader: text and CSV, BOM, CRLF, comments, carried columns, hostile input. */
#include "scanner/input.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct expect {
	size_t line;
	const char *domain; /* NULL when the row is an error */
	const char *why;    /* fragment of the error */
};

static void check_rows(const char *text, size_t len, const struct expect *ex, size_t n)
{
	FILE *f = fmemopen((void *)text, len, "r");
	assert_non_null(f);
	struct input *in = input_from_stream(f, "test");
	struct input_row row;
	char *err = NULL;
	for (size_t i = 0; i < n; i++) {
		int rc = input_next(in, &row, &err);
		if (rc != 1)
			fail_msg("row %zu: input_next returned %d", i, rc);
		if (row.line != ex[i].line)
			fail_msg("row %zu: line %zu, expected %zu", i, row.line, ex[i].line);
		if (ex[i].domain) {
			if (!row.domain || strcmp(row.domain, ex[i].domain) != 0)
				fail_msg("row %zu: domain %s, expected %s (error %s)", i,
					 row.domain ? row.domain : "(null)", ex[i].domain,
					 row.error ? row.error : "");
		} else {
			assert_null(row.domain);
			if (!row.error || !strstr(row.error, ex[i].why))
				fail_msg("row %zu: error '%s', expected '%s'", i,
					 row.error ? row.error : "(null)", ex[i].why);
		}
		input_row_clear(&row);
	}
	assert_int_equal(input_next(in, &row, &err), 0);
	input_close(in);
	fclose(f);
}

static void test_plain(void **state)
{
	(void)state;
	static const char text[] = "\xef\xbb\xbf"
				   "example.nl\r\n"
				   "# a comment\r\n"
				   "\r\n"
				   "  Second.NL.  \n"
				   "bad..nl\n"
				   "bücher.de\n"
				   "last.nl"; /* no final newline */
	static const struct expect ex[] = {
		{ 1, "example.nl", NULL },  { 4, "second.nl", NULL },
		{ 5, NULL, "empty label" }, { 6, "xn--bcher-kva.de", NULL },
		{ 7, "last.nl", NULL },
	};
	check_rows(text, sizeof(text) - 1, ex, sizeof(ex) / sizeof(ex[0]));
}

static void test_csv(void **state)
{
	(void)state;
	static const char text[] = "customer,Domain,package,dkim_selectors\r\n"
				   "Acme,acme.nl,gold,\"whs3 sel1\"\r\n"
				   "# skipped comment\r\n"
				   "\"Multi\nline\",multi.nl,x,\r\n"
				   "Nobody,,x,\r\n"
				   "Short\r\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct input *in = input_from_stream(f, "csv");
	struct input_row row;
	char *err = NULL;
	assert_int_equal(input_next(in, &row, &err), 1);
	assert_string_equal(row.domain, "acme.nl");
	assert_int_equal(row.line, 2);
	const char *const *carry = input_carry_columns(in);
	assert_non_null(carry);
	assert_string_equal(carry[0], "customer");
	assert_string_equal(carry[1], "package");
	assert_string_equal(carry[2], "dkim_selectors");
	assert_null(carry[3]);
	assert_string_equal(json_string_value(json_object_get(row.carry, "customer")), "Acme");
	assert_int_equal(row.n_selectors, 2);
	assert_string_equal(row.selectors[0], "whs3");
	assert_string_equal(row.selectors[1], "sel1");
	input_row_clear(&row);
	assert_int_equal(input_next(in, &row, &err), 1);
	assert_string_equal(row.domain, "multi.nl");
	assert_int_equal(row.line, 4);
	assert_string_equal(json_string_value(json_object_get(row.carry, "customer")),
			    "Multi\\x0aline");
	input_row_clear(&row);
	assert_int_equal(input_next(in, &row, &err), 1);
	assert_null(row.domain);
	assert_non_null(strstr(row.error, "empty"));
	input_row_clear(&row);
	assert_int_equal(input_next(in, &row, &err), 1);
	assert_null(row.domain);
	assert_non_null(row.error);
	input_row_clear(&row);
	assert_int_equal(input_next(in, &row, &err), 0);
	input_close(in);
	fclose(f);
}

static void test_hostile(void **state)
{
	(void)state;
	/* an over-long line, binary junk, a NUL, and a valid name after them */
	size_t big = INPUT_MAX_LINE * 3;
	char *text = malloc(big + 100);
	memset(text, 'a', big);
	size_t n = big;
	n += (size_t)sprintf(text + n, "\n\x01\x02\xff\n");
	text[n++] = 'x';
	text[n++] = '\0';
	text[n++] = '.';
	text[n++] = 'n';
	text[n++] = 'l';
	text[n++] = '\n';
	n += (size_t)sprintf(text + n, "ok.nl\n");
	static const struct expect ex[] = {
		{ 1, NULL, "longer than" },
		{ 2, NULL, "UTF-8" },
		{ 3, NULL, "NUL" },
		{ 4, "ok.nl", NULL },
	};
	check_rows(text, n, ex, sizeof(ex) / sizeof(ex[0]));
	free(text);
}

static void test_csv_unterminated(void **state)
{
	(void)state;
	static const char text[] = "domain,note\nok.nl,\"never closed\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct input *in = input_from_stream(f, "csv");
	struct input_row row;
	char *err = NULL;
	assert_int_equal(input_next(in, &row, &err), 1);
	assert_null(row.domain);
	assert_non_null(strstr(row.error, "unterminated"));
	input_row_clear(&row);
	assert_int_equal(input_next(in, &row, &err), 0);
	input_close(in);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_csv_unterminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
