/* Table-driven tests of domain_normalize(): normal, internationalised and hostile names. */
#include "scanner/domain.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct tcase {
	const char *in;
	const char *out; /* expected A-label, NULL when invalid */
	const char *why; /* a fragment of the reason when invalid */
};

static const struct tcase cases[] = {
	{ "example.nl", "example.nl", NULL },
	{ "  Example.NL.  ", "example.nl", NULL },
	{ "example.nl\r\n", "example.nl", NULL },
	{ "a.b.c.example.co.uk", "a.b.c.example.co.uk", NULL },
	{ "bücher.de", "xn--bcher-kva.de", NULL },
	{ "BÜCHER.de", "xn--bcher-kva.de", NULL },
	{ "faß.de", "xn--fa-hia.de", NULL },
	{ "xn--bcher-kva.de", "xn--bcher-kva.de", NULL },
	{ "1password.com", "1password.com", NULL },
	{ "", NULL, "empty" },
	{ "   ", NULL, "empty" },
	{ ".", NULL, "empty" },
	{ "bad..name", NULL, "empty label" },
	{ ".leading.nl", NULL, "empty label" },
	{ "-lead.nl", NULL, "hyphen" },
	{ "trail-.nl", NULL, "hyphen" },
	{ "has space.nl", NULL, "invalid character" },
	{ "under_score.nl", NULL, "invalid character" },
	{ "http://example.nl", NULL, "invalid character" },
	{ "user@example.nl", NULL, "invalid character" },
	{ "example.nl/path", NULL, "invalid character" },
	{ "1.2.3.4", NULL, "IP address" },
	{ "2001:db8::1", NULL, "IP address" },
	{ "localhost", NULL, "single label" },
	{ "example.123", NULL, "numeric" },
	{ "ab--cd.nl", NULL, "3rd and 4th" },
	{ "xn--zz.nl", NULL, "A-label" },
	{ "a\x01"
	  "b.nl",
	  NULL, "\\x01" },
	{ "\xff\xfe.nl", NULL, "UTF-8" },
	{ "\xc3\x28.nl", NULL, "UTF-8" },
	{ "<script>.nl", NULL, "invalid character" },
	{ "example.nl\x1b[31m", NULL, "\\x1b" },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL, *why = NULL;
		int rc = domain_normalize(cases[i].in, strlen(cases[i].in), &out, &why);
		if (cases[i].out) {
			if (rc != 0 || !out || strcmp(out, cases[i].out) != 0)
				fail_msg("case %zu '%s': got rc=%d out=%s why=%s", i, cases[i].in,
					 rc, out ? out : "(null)", why ? why : "(null)");
		} else {
			if (rc == 0 || !why || !strstr(why, cases[i].why))
				fail_msg(
					"case %zu '%s': expected failure with '%s', got rc=%d why=%s",
					i, cases[i].in, cases[i].why, rc, why ? why : "(null)");
			assert_null(out);
		}
		free(out);
		free(why);
	}
}

static void test_lengths(void **state)
{
	(void)state;
	char label[70], name[300], *out, *why;
	memset(label, 'a', 63);
	strcpy(label + 63, ".nl");
	assert_int_equal(domain_normalize(label, strlen(label), &out, &why), 0);
	free(out);
	memset(label, 'a', 64);
	strcpy(label + 64, ".nl");
	assert_int_equal(domain_normalize(label, strlen(label), &out, &why), -1);
	assert_non_null(strstr(why, "63"));
	free(why);
	/* 253 octets is the longest name; 254 is too long */
	size_t n = 0;
	while (n + 10 < 250) {
		memcpy(name + n, "abcdefghi.", 10);
		n += 10;
	}
	memcpy(name + n, "abc.nl", 6); /* n + 6 */
	n += 6;
	name[n] = '\0';
	assert_int_equal(n, 246);
	assert_int_equal(domain_normalize(name, n, &out, &why), 0);
	free(out);
	char big[2000];
	memset(big, 'a', sizeof(big));
	for (size_t i = 10; i < sizeof(big); i += 11)
		big[i] = '.';
	assert_int_equal(domain_normalize(big, sizeof(big), &out, &why), -1);
	free(why);
	/* embedded NUL */
	assert_int_equal(domain_normalize("a\0b.nl", 6, &out, &why), -1);
	free(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
