/* SMTP reply parser (scanner/smtp.c smtp_reply_parse): table-driven. */
#include "scanner/smtp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct tc {
	const char *in;
	enum smtp_reply_status st;
	int code;
	size_t n_lines;
	size_t consumed;
	const char *first, *last;
};

static const struct tc cases[] = {
	{ "220 mx.example ESMTP\r\n", SMTP_REPLY_OK, 220, 1, 22, "mx.example ESMTP", NULL },
	{ "220 mx\n", SMTP_REPLY_OK, 220, 1, 7, "mx", NULL },
	{ "220\r\n", SMTP_REPLY_OK, 220, 1, 5, "", NULL },
	{ "250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n", SMTP_REPLY_OK, 250, 3, 46,
	  "mx.example", "STARTTLS" },
	{ "250-a\r\n250 b\r\n221 bye\r\n", SMTP_REPLY_OK, 250, 2, 14, "a", "b" },
	{ "220 partial", SMTP_REPLY_INCOMPLETE, 0, 0, 0, NULL, NULL },
	{ "", SMTP_REPLY_INCOMPLETE, 0, 0, 0, NULL, NULL },
	{ "22", SMTP_REPLY_INCOMPLETE, 0, 0, 0, NULL, NULL },
	{ "250-a\r\n250-b\r\n", SMTP_REPLY_INCOMPLETE, 0, 0, 0, NULL, NULL },
	{ "abc\r\n", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "x", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "220xmx\r\n", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "2200 mx", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "250-a\r\n251 b\r\n", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "120 x\r\n", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "25\r\n", SMTP_REPLY_MALFORMED, 0, 0, 0, NULL, NULL },
	{ "421 busy\r\n", SMTP_REPLY_OK, 421, 1, 10, "busy", NULL },
	{ "220 ctl\x01\xff\r\n", SMTP_REPLY_OK, 220, 1, 11, "ctl\\x01\\xff", NULL },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tc *c = &cases[i];
		struct smtp_reply r = { 0 };
		enum smtp_reply_status st = smtp_reply_parse(c->in, strlen(c->in), &r);
		if (st != c->st)
			fail_msg("case %zu (%s): status %d, want %d", i, c->in, st, c->st);
		if (st != SMTP_REPLY_OK)
			continue;
		assert_int_equal(r.code, c->code);
		assert_int_equal(r.n_lines, c->n_lines);
		assert_int_equal(r.consumed, c->consumed);
		assert_string_equal(r.lines[0], c->first);
		if (c->last)
			assert_string_equal(r.lines[r.n_lines - 1], c->last);
		smtp_reply_clear(&r);
	}
}

static void test_has_ext(void **state)
{
	(void)state;
	const char *in = "250-mx.example\r\n250-SIZE 1000\r\n250-starttls\r\n250 8BITMIME\r\n";
	struct smtp_reply r = { 0 };
	assert_int_equal(smtp_reply_parse(in, strlen(in), &r), SMTP_REPLY_OK);
	assert_true(smtp_reply_has_ext(&r, "STARTTLS"));
	assert_true(smtp_reply_has_ext(&r, "SIZE"));
	assert_false(smtp_reply_has_ext(&r, "SIZ"));
	assert_false(smtp_reply_has_ext(&r, "mx.example")); /* the greeting line is no extension */
	smtp_reply_clear(&r);
	in = "250-mx\r\n250 STARTTLSX\r\n";
	assert_int_equal(smtp_reply_parse(in, strlen(in), &r), SMTP_REPLY_OK);
	assert_false(smtp_reply_has_ext(&r, "STARTTLS"));
	smtp_reply_clear(&r);
}

static void test_bounds(void **state)
{
	(void)state;
	/* Too many lines. */
	size_t n = (SMTP_REPLY_MAX_LINES + 10) * 7;
	char *big = malloc(n + 1);
	for (size_t i = 0; i + 7 <= n; i += 7)
		memcpy(big + i, "250-ab\n", 7);
	big[n] = '\0';
	struct smtp_reply r = { 0 };
	assert_int_equal(smtp_reply_parse(big, n, &r), SMTP_REPLY_TOO_LONG);
	free(big);
	/* One endless line (byte dripping without a line end). */
	n = SMTP_REPLY_MAX_BYTES + 100;
	big = malloc(n);
	memcpy(big, "220 ", 4);
	memset(big + 4, 'a', n - 4);
	assert_int_equal(smtp_reply_parse(big, n, &r), SMTP_REPLY_TOO_LONG);
	free(big);
	assert_int_equal(smtp_reply_parse(NULL, 0, &r), SMTP_REPLY_INCOMPLETE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_has_ext),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
