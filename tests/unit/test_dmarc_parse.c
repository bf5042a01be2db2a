/* Table-driven tests of the DMARC record parser (checks/dmarc_parse.h) and the PSL helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks/dmarc_parse.h"
#include "scanner/psl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	U = DMARC_POLICY_UNSET,
	N = DMARC_POLICY_NONE,
	Q = DMARC_POLICY_QUARANTINE,
	R = DMARC_POLICY_REJECT
};

struct pcase {
	const char *text;
	int ok; /* 0 = parses, -1 = syntax error */
	int p, sp, np;
	int pct; /* -1 = absent */
	char t;
	size_t n_rua, n_ruf;
	const char *rua0_host; /* mailto host of the first rua URI, or NULL */
	const char *err_has;   /* substring of the error message */
};

static const struct pcase cases[] = {
	/* good records */
	{ "v=DMARC1; p=reject", 0, R, U, U, -1, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1;p=quarantine;", 0, Q, U, U, -1, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1", 0, U, U, U, -1, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1;", 0, U, U, U, -1, 0, 0, 0, NULL, NULL },
	{ "v = DMARC1 ; p = none ; sp = reject", 0, N, R, U, -1, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1; p=REJECT; SP=Quarantine", 0, R, Q, U, -1, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; pct=100; "
	  "rua=mailto:dmarc@esp.test; ruf=mailto:dmarc-forensic@good.test",
	  0, R, R, U, 100, 0, 1, 1, "esp.test", NULL },
	{ "v=DMARC1; p=quarantine; pct=0", 0, Q, U, U, 0, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1; p=quarantine; pct=50; t=y", 0, Q, U, U, 50, 'y', 0, 0, NULL, NULL },
	{ "v=DMARC1; p=reject; np=reject; psd=n; t=n", 0, R, U, R, -1, 'n', 0, 0, NULL, NULL },
	{ "v=DMARC1; p=reject; rua=mailto:a@Example.TEST., mailto:b@c.test!10m", 0, R, U, U, -1, 0,
	  2, 0, "example.test", NULL },
	{ "v=DMARC1; p=reject; rua=mailto:a@x.test!25", 0, R, U, U, -1, 0, 1, 0, "x.test", NULL },
	{ "v=DMARC1; p=reject; rua=https://r.test/x", 0, R, U, U, -1, 0, 1, 0, NULL, NULL },
	{ "v=DMARC1; p=reject; fo=0:1:d:s; rf=afrf; ri=86400", 0, R, U, U, -1, 0, 0, 0, NULL,
	  NULL },
	{ "v=DMARC1; p=reject;; pct=100 ;", 0, R, U, U, 100, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1; sp=reject; p=reject", 0, R, R, U, -1, 0, 0, 0, NULL, NULL },
	{ "v=DMARC1; rua=mailto:d@r.test", 0, U, U, U, -1, 0, 1, 0, "r.test", NULL },
	{ "v=DMARC1;\tp=reject\t", 0, R, U, U, -1, 0, 0, 0, NULL, NULL },

	/* syntax errors */
	{ "", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "v=DMARC1" },
	{ "p=reject; v=DMARC1", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "first" },
	{ "v=dmarc1; p=reject", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "version" },
	{ "v=DMARC2; p=reject", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "version" },
	{ "v=DMARC1x; p=reject", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "version" },
	{ "v=DMARC1; p=bogus; pct=150; rua=dmarc@permissive.test", -1, 0, 0, 0, 0, 0, 0, 0, NULL,
	  "p value" },
	{ "v=DMARC1; p=reject; pct=150", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "pct" },
	{ "v=DMARC1; p=reject; pct=-1", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "pct" },
	{ "v=DMARC1; p=reject; pct=", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "pct" },
	{ "v=DMARC1; p=reject; rua=dmarc@x.test", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "scheme" },
	{ "v=DMARC1; p=reject; rua=", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "empty" },
	{ "v=DMARC1; p=reject; rua=mailto:", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "empty" },
	{ "v=DMARC1; p=reject; rua=mailto:a@b.test,", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "empty" },
	{ "v=DMARC1; p=reject; rua=mailto:a@b.test!x", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "size" },
	{ "v=DMARC1; p=reject; ruf=:x", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "scheme" },
	{ "v=DMARC1; p=reject; foo=bar", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "unknown tag" },
	{ "v=DMARC1; p=reject; p=none", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "more than once" },
	{ "v=DMARC1; v=DMARC1; p=none", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "twice" },
	{ "v=DMARC1; p=reject; adkim=x", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "adkim" },
	{ "v=DMARC1; p=reject; aspf=", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "aspf" },
	{ "v=DMARC1; p=reject; fo=2", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "fo" },
	{ "v=DMARC1; p=reject; fo=0:", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "fo" },
	{ "v=DMARC1; p=reject; ri=abc", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "ri" },
	{ "v=DMARC1; p=reject; rf=", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "rf" },
	{ "v=DMARC1; p=reject; t=x", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "t value" },
	{ "v=DMARC1; p=reject; psd=x", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "psd" },
	{ "v=DMARC1; p=reject; sp=", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "sp" },
	{ "v=DMARC1; p=reject; np=maybe", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "np" },
	{ "v=DMARC1; p=reject; junk", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "'='" },
	{ "v=DMARC1; p=reject\x01", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "character" },
	{ "v=DMARC1; p=r\xc3\xa9ject", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "character" },
	{ "; v=DMARC1; p=reject", -1, 0, 0, 0, 0, 0, 0, 0, NULL, "v=DMARC1" },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		struct dmarc_record r;
		char *err = NULL;
		int rc = dmarc_parse(c->text, strlen(c->text), &r, &err);
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
		assert_null(err);
		if ((int)r.p != c->p || (int)r.sp != c->sp || (int)r.np != c->np)
			fail_msg("case %zu \"%s\": p/sp/np %d/%d/%d", i, c->text, r.p, r.sp, r.np);
		if ((c->pct < 0 && r.has_pct) || (c->pct >= 0 && (!r.has_pct || r.pct != c->pct)))
			fail_msg("case %zu \"%s\": pct", i, c->text);
		if (r.t != c->t)
			fail_msg("case %zu \"%s\": t", i, c->text);
		if (r.n_rua != c->n_rua || r.n_ruf != c->n_ruf)
			fail_msg("case %zu \"%s\": %zu rua %zu ruf", i, c->text, r.n_rua, r.n_ruf);
		if (c->rua0_host)
			assert_string_equal(r.rua[0].mailto_host, c->rua0_host);
		json_t *j = dmarc_record_json(&r);
		assert_non_null(j);
		char *dump = json_dumps(j, JSON_COMPACT);
		assert_non_null(dump);
		free(dump);
		json_decref(j);
		dmarc_record_free(&r);
	}
}

static void test_uri_details(void **state)
{
	(void)state;
	const char *t = "v=DMARC1; p=reject; rua=MAILTO:x@a.test?subject=hi!5K, https://h.test/r";
	struct dmarc_record r;
	assert_int_equal(dmarc_parse(t, strlen(t), &r, NULL), 0);
	assert_int_equal(r.n_rua, 2);
	assert_string_equal(r.rua[0].scheme, "mailto");
	assert_string_equal(r.rua[0].uri, "MAILTO:x@a.test?subject=hi");
	assert_string_equal(r.rua[0].mailto_host, "a.test");
	assert_string_equal(r.rua[0].size, "5K");
	assert_string_equal(r.rua[1].scheme, "https");
	assert_null(r.rua[1].mailto_host);
	assert_null(r.rua[1].size);
	dmarc_record_free(&r);
}

static void test_p_position(void **state)
{
	(void)state;
	struct dmarc_record r;
	const char *a = "v=DMARC1; p=reject; sp=none";
	assert_int_equal(dmarc_parse(a, strlen(a), &r, NULL), 0);
	assert_false(r.p_not_second);
	dmarc_record_free(&r);
	const char *b = "v=DMARC1; sp=none; p=reject";
	assert_int_equal(dmarc_parse(b, strlen(b), &r, NULL), 0);
	assert_true(r.p_not_second);
	dmarc_record_free(&r);
}

static void test_embedded_nul_and_length(void **state)
{
	(void)state;
	struct dmarc_record r;
	char *err = NULL;
	const char t[] = "v=DMARC1; p=reject\0; p=none";
	assert_int_equal(dmarc_parse(t, sizeof(t) - 1, &r, &err), -1);
	free(err);
	/* Only `len` bytes are read. */
	assert_int_equal(dmarc_parse(t, 18, &r, NULL), 0);
	assert_int_equal(r.p, DMARC_POLICY_REJECT);
	dmarc_record_free(&r);
	/* Too many URIs. */
	char big[4096] = "v=DMARC1; p=reject; rua=mailto:a@b.test";
	for (int i = 0; i < DMARC_MAX_URIS; i++)
		strcat(big, ",mailto:a@b.test");
	assert_int_equal(dmarc_parse(big, strlen(big), &r, &err), -1);
	assert_non_null(strstr(err, "more than"));
	free(err);
}

static void test_candidate(void **state)
{
	(void)state;
	static const struct {
		const char *t;
		bool want;
	} c[] = {
		{ "v=DMARC1; p=reject", true },
		{ "V=dmarc1;p=none", true },
		{ "v=DMARC1", true },
		{ "v=DMARC", false },
		{ " v=DMARC1", false },
		{ "v=spf1 -all", false },
		{ "", false },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (dmarc_is_candidate(c[i].t, strlen(c[i].t)) != c[i].want)
			fail_msg("candidate \"%s\"", c[i].t);
	assert_false(dmarc_is_candidate(NULL, 0));
}

static void test_policy_names(void **state)
{
	(void)state;
	assert_null(dmarc_policy_name(DMARC_POLICY_UNSET));
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_NONE), "none");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_QUARANTINE), "quarantine");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_REJECT), "reject");
}

static void test_psl(void **state)
{
	(void)state;
	static const struct {
		const char *domain, *org;
	} c[] = {
		{ "a.b.test", "b.test" },
		{ "b.test", "b.test" },
		{ "B.Test.", "b.test" },
		{ "test", NULL },
		{ "mail.example.co.uk", "example.co.uk" },
		{ "co.uk", NULL },
		{ "x.y.example.com", "example.com" },
		{ "", NULL },
	};
	char *err = NULL;
	struct psl_db *db = psl_db_open(NULL, &err);
	assert_non_null(db);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *o = psl_db_org_domain(db, c[i].domain);
		if (c[i].org == NULL ? o != NULL : (o == NULL || strcmp(o, c[i].org) != 0))
			fail_msg("org(%s) = %s, want %s", c[i].domain, o ? o : "NULL",
				 c[i].org ? c[i].org : "NULL");
		free(o);
	}
	assert_true(psl_db_is_public_suffix(db, "test"));
	assert_false(psl_db_is_public_suffix(db, "b.test"));
	psl_db_close(db);

	/* A PSL file given in the configuration (text format). */
	char path[] = "/tmp/test_dmarc_psl_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("// test list\ntest\nsub.test\n", f);
	fclose(f);
	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.psl_file = path;
	char *o = psl_org_domain(&cfg, "a.b.sub.test", &err);
	assert_non_null(o);
	assert_string_equal(o, "b.sub.test");
	free(o);
	unlink(path);

	cfg.psl_file = "/nonexistent/psl.dat";
	assert_null(psl_org_domain(&cfg, "a.b.test", &err));
	assert_non_null(err);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),      cmocka_unit_test(test_uri_details),
		cmocka_unit_test(test_p_position), cmocka_unit_test(test_embedded_nul_and_length),
		cmocka_unit_test(test_candidate),  cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_psl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
