/* Table-driven tests of the profile parser (scanner/profile.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scanner/profile.h"

#include <stdlib.h>
#include <string.h>

struct tcase {
	const char *text;
	const char *want; /* compact JSON of the parsed profile, NULL when it must fail */
	const char *err_has;
};

static const struct tcase cases[] = {
	{ "", "{}", NULL },
	{ "# only a comment\n\n   \n", "{}", NULL },
	{ "spf_ips: 192.0.2.1, 2001:db8::1\n", "{\"spf_ips\":[\"192.0.2.1\",\"2001:db8::1\"]}",
	  NULL },
	{ "spf_ip 192.0.2.1 192.0.2.2", "{\"spf_ip\":[\"192.0.2.1\",\"192.0.2.2\"]}", NULL },
	{ "Sending_IPs = 192.0.2.1", "{\"sending_ips\":[\"192.0.2.1\"]}", NULL },
	{ "dkim_selectors: whs1,whs2 # the platform\r\ndkim_selectors: whs3\r\n",
	  "{\"dkim_selectors\":[\"whs1\",\"whs2\",\"whs3\"]}", NULL },
	{ "dkim_key: whs2=MIIBIj+/AB==", "{\"dkim_key\":[\"whs2=MIIBIj+/AB==\"]}", NULL },
	{ "\tca:letsencrypt.org\t", "{\"ca\":[\"letsencrypt.org\"]}", NULL },
	{ "mx-hosts: a.example, b.example", "{\"mx-hosts\":[\"a.example\",\"b.example\"]}", NULL },
	{ "spf_ips:\n", NULL, "line 1: key `spf_ips` has no value" },
	{ "x: 1\n: value\n", NULL, "line 2: expected" },
	{ "ke.y: v", NULL, "line 1: invalid character in key" },
	{ "ke\"y: v", NULL, "invalid character" },
	{ "key: \xff\xfe", NULL, "not UTF-8" },
	{ "a: 1\nb", NULL, "line 2: key `b` has no value" },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		char *err = NULL;
		json_t *p = profile_parse(c->text, strlen(c->text), &err);
		if (!c->want) {
			if (p)
				fail_msg("case %zu \"%s\": parsed, want an error", i, c->text);
			assert_non_null(err);
			if (!strstr(err, c->err_has))
				fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, c->err_has);
			free(err);
			continue;
		}
		if (!p)
			fail_msg("case %zu \"%s\": error %s", i, c->text, err ? err : "?");
		char *dump = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
		assert_non_null(dump);
		if (strcmp(dump, c->want) != 0)
			fail_msg("case %zu \"%s\": got %s, want %s", i, c->text, dump, c->want);
		free(dump);
		json_decref(p);
	}
}

static void test_nul_and_bounds(void **state)
{
	(void)state;
	char *err = NULL;
	static const char nul[] = "a: 1\0b: 2";
	assert_null(profile_parse(nul, sizeof(nul) - 1, &err));
	assert_non_null(strstr(err, "NUL"));
	free(err);

	/* an item longer than 1024 bytes */
	char big[1100];
	memcpy(big, "k: ", 3);
	memset(big + 3, 'x', sizeof(big) - 4);
	big[sizeof(big) - 1] = '\0';
	assert_null(profile_parse(big, strlen(big), &err));
	assert_non_null(strstr(err, "longer than"));
	free(err);

	/* more than PROFILE_MAX_ITEMS items */
	size_t n = (PROFILE_MAX_ITEMS + 1) * 2 + 3;
	char *many = malloc(n + 1);
	memcpy(many, "k: ", 3);
	for (size_t i = 0; i < PROFILE_MAX_ITEMS + 1; i++)
		memcpy(many + 3 + 2 * i, "x ", 2);
	many[n] = '\0';
	assert_null(profile_parse(many, n, &err));
	assert_non_null(strstr(err, "more than"));
	free(err);
	free(many);
}

static void test_items(void **state)
{
	(void)state;
	char *err = NULL;
	json_t *p = profile_parse("mx: a.example\n", 14, &err);
	assert_non_null(p);
	assert_int_equal(json_array_size(profile_items(p, "mx")), 1);
	assert_null(profile_items(p, "ca"));
	assert_null(profile_items(NULL, "mx"));
	json_decref(p);
}

static void test_load(void **state)
{
	(void)state;
	char *err = NULL;
	assert_null(profile_load("/nonexistent/domscan-profile", &err));
	assert_non_null(strstr(err, "/nonexistent/domscan-profile"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nul_and_bounds),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
