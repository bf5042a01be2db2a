/* Command-line parsing: --domain-timeout (the per-domain deadline) and its default. */
#include "scanner/cli.h"
#include "scanner/config.h"
#include "scanner/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Parse "domscan scan ARGS..." (NULL-terminated); returns cli_parse's status. */
static int parse(struct config *c, char **err, ...)
{
	char *argv[16] = { "domscan", "scan" };
	int argc = 2;
	va_list ap;
	va_start(ap, err);
	for (const char *a; argc < 15 && (a = va_arg(ap, const char *)) != NULL;)
		argv[argc++] = (char *)a;
	va_end(ap);
	enum command cmd;
	const char *topic;
	return cli_parse(argc, argv, &cmd, c, &topic, err);
}

static void test_domain_timeout(void **state)
{
	(void)state;
	static const struct {
		const char *timeout, *domain_timeout; /* NULL = not given */
		int rc;
		double want;
	} t[] = {
		{ NULL, NULL, 0, 60 },   /* default: 12 x the default 5 s */
		{ "3", NULL, 0, 36 },    /* derived from --timeout */
		{ "0.5", NULL, 0, 6 },   /* ... whatever its value */
		{ NULL, "10", 0, 10 },   /* explicit */
		{ "3", "2", 0, 2 },      /* explicit wins over the derived value */
		{ NULL, "0", 0, 0 },     /* 0 = no deadline */
		{ NULL, "2.5", 0, 2.5 }, /* fractions */
		{ NULL, "-1", -1, 0 },   /* refused */
		{ NULL, "abc", -1, 0 },  { NULL, "86401", -1, 0 }, { NULL, "", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct config c;
		char *err = NULL;
		int rc;
		if (t[i].timeout && t[i].domain_timeout)
			rc = parse(&c, &err, "--timeout", t[i].timeout, "--domain-timeout",
				   t[i].domain_timeout, NULL);
		else if (t[i].timeout)
			rc = parse(&c, &err, "--timeout", t[i].timeout, NULL);
		else if (t[i].domain_timeout)
			rc = parse(&c, &err, "--domain-timeout", t[i].domain_timeout, NULL);
		else
			rc = parse(&c, &err, NULL);
		if (rc != t[i].rc)
			fail_msg("case %zu: rc %d, want %d (%s)", i, rc, t[i].rc, err ? err : "");
		if (rc == 0) {
			if (c.domain_timeout != t[i].want)
				fail_msg("case %zu: domain_timeout %g, want %g", i,
					 c.domain_timeout, t[i].want);
		} else {
			assert_non_null(err);
			assert_non_null(strstr(err, "--domain-timeout"));
		}
		free(err);
		config_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
