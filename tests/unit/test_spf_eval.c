/*
 * Tests of check_host() and the structural SPF tree (checks/spf_eval.c) against a recorded
 * zone served through the spf_dns interface (no network).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "checks/spf_eval.h"

/* A zone: owner, type ("TXT", "A", "AAAA", "MX", "PTR", "TIMEOUT"), rdata in zone format. */
struct zrr {
	const char *name, *type, *rdata;
};

struct fake {
	const struct zrr *zone;
	int queries;
};

static struct dns_reply *fake_query(void *ctx, const char *name, ldns_rr_type type)
{
	struct fake *f = ctx;
	f->queries++;
	struct dns_reply *r = calloc(1, sizeof(*r));
	r->qtype = type;
	r->qname = strdup(name);
	bool exists = false;
	ldns_pkt *p = ldns_pkt_new();
	char tname[16];
	snprintf(tname, sizeof(tname), "%s", ldns_rr_descript(type)->_name);
	for (const struct zrr *z = f->zone; z->name; z++) {
		if (strcasecmp(z->name, name) != 0)
			continue;
		exists = true;
		if (strcmp(z->type, "TIMEOUT") == 0) {
			r->status = DNS_TIMEOUT;
			ldns_pkt_free(p);
			return r;
		}
		if (strcmp(z->type, tname) != 0)
			continue;
		char *line;
		if (asprintf(&line, "%s. 300 IN %s %s", name, z->type, z->rdata) < 0)
			abort();
		ldns_rr *rr = NULL;
		if (ldns_rr_new_frm_str(&rr, line, 300, NULL, NULL) != LDNS_STATUS_OK)
			fail_msg("bad test RR %s", line);
		free(line);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	r->status = DNS_OK;
	r->rcode = exists ? LDNS_RCODE_NOERROR : LDNS_RCODE_NXDOMAIN;
	r->pkt = p;
	return r;
}

static void fake_release(void *ctx, struct dns_reply *r)
{
	ldns_pkt_free(r->pkt);
	free(r->qname);
	free(r);
}

static const struct zrr zone[] = {
	/* check_host */
	{ "ex.test", "TXT", "\"v=spf1 ip4:192.0.2.0/24 a:mail.ex.test mx include:inc.test -all\"" },
	{ "mail.ex.test", "A", "198.51.100.7" },
	{ "ex.test", "MX", "10 mx.ex.test." },
	{ "mx.ex.test", "AAAA", "2001:db8::25" },
	{ "inc.test", "TXT", "\"v=spf1 ip4:203.0.113.0/24 \" \"-all\"" },
	{ "inc.test", "TXT", "\"unrelated\"" },
	{ "soft.test", "TXT", "\"v=spf1 redirect=ex.test\"" },
	{ "expl.test", "TXT", "\"v=spf1 -all exp=why.expl.test\"" },
	{ "why.expl.test", "TXT", "\"%{i} is not allowed for %{d} (%{l})\"" },
	{ "tmp.test", "TXT", "\"v=spf1 a:slow.test -all\"" },
	{ "slow.test", "TIMEOUT", "" },
	{ "voids.test", "TXT", "\"v=spf1 a:nx1.test a:nx2.test a:nx3.test ~all\"" },
	/* structural */
	{ "ten.test", "TXT",
	  "\"v=spf1 include:five-a.test include:three.test a:mail.ex.test -all\"" },
	{ "five-a.test", "TXT",
	  "\"v=spf1 a:mail.ex.test a:mail.ex.test a:mail.ex.test "
	  "a:mail.ex.test a:mail.ex.test a:mail.ex.test ~all\"" },
	{ "three.test", "TXT", "\"v=spf1 mx:ex.test ~all\"" },
	{ "eleven.test", "TXT",
	  "\"v=spf1 include:five-a.test include:three.test a:mail.ex.test mx:ex.test -all\"" },
	{ "loop1.test", "TXT", "\"v=spf1 include:loop2.test -all\"" },
	{ "loop2.test", "TXT", "\"v=spf1 include:loop1.test ~all\"" },
	{ "two.test", "TXT", "\"v=spf1 -all\"" },
	{ "two.test", "TXT", "\"v=spf1 ~all\"" },
	{ "plus.test", "TXT", "\"v=spf1 +all\"" },
	{ "qall.test", "TXT", "\"v=spf1 ip4:192.0.2.1 ?all\"" },
	{ "noall.test", "TXT", "\"v=spf1 ip4:192.0.2.1\"" },
	{ "redir.test", "TXT", "\"v=spf1 ip4:192.0.2.1 redirect=inc.test\"" },
	{ "redirplus.test", "TXT", "\"v=spf1 redirect=plus.test\"" },
	{ "ptr.test", "TXT", "\"v=spf1 ptr -all\"" },
	{ "noinc.test", "TXT", "\"v=spf1 include:nowhere.test -all\"" },
	{ "nospfinc.test", "TXT", "\"v=spf1 include:mail.ex.test -all\"" },
	{ "manymx.test", "TXT", "\"v=spf1 mx -all\"" },
	{ "manymx.test", "MX", "1 a.mx.test." },
	{ "manymx.test", "MX", "2 b.mx.test." },
	{ "manymx.test", "MX", "3 c.mx.test." },
	{ "manymx.test", "MX", "4 d.mx.test." },
	{ "manymx.test", "MX", "5 e.mx.test." },
	{ "manymx.test", "MX", "6 f.mx.test." },
	{ "manymx.test", "MX", "7 g.mx.test." },
	{ "manymx.test", "MX", "8 h.mx.test." },
	{ "manymx.test", "MX", "9 i.mx.test." },
	{ "manymx.test", "MX", "10 j.mx.test." },
	{ "manymx.test", "MX", "11 k.mx.test." },
	{ "syntaxinc.test", "TXT", "\"v=spf1 include:bad.test -all\"" },
	{ "bad.test", "TXT", "\"v=spf1 foo -all\"" },
	{ "tmpinc.test", "TXT", "\"v=spf1 include:slow.test -all\"" },
	{ NULL, NULL, NULL },
};

static const char *host(const char *ip, const char *mailfrom, char **expl)
{
	struct fake f = { zone, 0 };
	struct spf_dns dns = { &f, fake_query, fake_release };
	struct spf_request req = { ip, mailfrom, "helo.test", NULL };
	struct spf_answer a;
	spf_check_host(&dns, &req, &a);
	const char *res = spf_result_name(a.result);
	if (expl)
		*expl = a.explanation ? strdup(a.explanation) : NULL;
	spf_answer_free(&a);
	return res;
}

static void test_check_host(void **state)
{
	struct {
		const char *ip, *mailfrom, *want;
	} c[] = {
		{ "192.0.2.9", "a@ex.test", "pass" },    /* ip4 */
		{ "198.51.100.7", "a@ex.test", "pass" }, /* a:host */
		{ "2001:db8::25", "a@ex.test", "pass" }, /* mx */
		{ "203.0.113.5", "a@ex.test", "pass" },  /* include of multi-string TXT */
		{ "198.51.100.8", "a@ex.test", "fail" },
		{ "198.51.100.8", "a@soft.test", "fail" }, /* redirect */
		{ "198.51.100.8", "a@tmp.test", "temperror" },
		{ "198.51.100.8", "a@voids.test", "permerror" },
		{ "198.51.100.8", "a@nowhere.test", "none" },
		{ "198.51.100.8", "a@two.test", "permerror" },
		{ "198.51.100.8", "a@plus.test", "pass" },
		{ "198.51.100.8", "a@noall.test", "neutral" },
		{ "198.51.100.8", "a@loop1.test", "permerror" },
		{ "198.51.100.8", "a@manymx.test", "permerror" },
		{ "198.51.100.8", "a@syntaxinc.test", "permerror" },
		{ "198.51.100.8", "a@noinc.test", "permerror" },
		{ "198.51.100.8", "a@tmpinc.test", "temperror" },
		{ "198.51.100.8", "", "none" }, /* HELO helo.test has no record */
		{ "::ffff:192.0.2.9", "a@ex.test", "pass" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *got = host(c[i].ip, c[i].mailfrom, NULL);
		if (strcmp(got, c[i].want) != 0)
			fail_msg("%s from %s: want %s, got %s", c[i].mailfrom, c[i].ip, c[i].want,
				 got);
	}
	char *e = NULL;
	assert_string_equal(host("192.0.2.77", "joe@expl.test", &e), "fail");
	assert_non_null(e);
	assert_string_equal(e, "192.0.2.77 is not allowed for expl.test (joe)");
	free(e);
}

static json_t *tree(const char *domain)
{
	struct fake f = { zone, 0 };
	struct spf_dns dns = { &f, fake_query, fake_release };
	return spf_tree_build(&dns, domain, NULL, NULL);
}

static int ji(json_t *t, const char *k)
{
	return (int)json_integer_value(json_object_get(t, k));
}

static const char *js(json_t *t, const char *k)
{
	return json_string_value(json_object_get(t, k));
}

static void test_tree(void **state)
{
	json_t *t = tree("ten.test");
	assert_string_equal(js(t, "status"), "ok");
	assert_int_equal(ji(t, "lookups"), 10);
	assert_int_equal(json_array_size(json_object_get(t, "permerrors")), 0);
	assert_string_equal(js(t, "all"), "-all");
	json_decref(t);

	t = tree("eleven.test");
	assert_int_equal(ji(t, "lookups"), 11);
	json_decref(t);

	t = tree("loop1.test");
	assert_true(json_array_size(json_object_get(t, "permerrors")) > 0);
	assert_int_equal(ji(t, "lookups"), 2);
	json_decref(t);

	t = tree("two.test");
	assert_string_equal(js(t, "status"), "multiple");
	json_decref(t);

	t = tree("nowhere.test");
	assert_string_equal(js(t, "status"), "nxdomain");
	json_decref(t);

	t = tree("plus.test");
	assert_string_equal(js(t, "all"), "+all");
	json_decref(t);

	t = tree("qall.test");
	assert_string_equal(js(t, "all"), "?all");
	json_decref(t);

	t = tree("noall.test");
	assert_true(json_is_null(json_object_get(t, "all")));
	json_decref(t);

	t = tree("redir.test");
	assert_string_equal(js(t, "all"), "-all");
	assert_int_equal(ji(t, "lookups"), 1);
	json_decref(t);

	t = tree("redirplus.test");
	assert_string_equal(js(t, "all"), "+all");
	json_decref(t);

	t = tree("ptr.test");
	assert_true(json_is_true(json_object_get(t, "ptr")));
	json_decref(t);

	t = tree("voids.test");
	assert_int_equal(ji(t, "voids"), 3);
	json_decref(t);

	t = tree("noinc.test");
	assert_true(json_array_size(json_object_get(t, "permerrors")) > 0);
	assert_int_equal(ji(t, "lookups"), 1);
	json_decref(t);

	t = tree("nospfinc.test");
	assert_true(json_array_size(json_object_get(t, "permerrors")) > 0);
	json_decref(t);

	t = tree("manymx.test");
	assert_true(json_array_size(json_object_get(t, "permerrors")) > 0);
	json_decref(t);

	t = tree("syntaxinc.test");
	assert_true(json_array_size(json_object_get(t, "permerrors")) > 0);
	json_decref(t);

	t = tree("tmpinc.test");
	assert_true(json_array_size(json_object_get(t, "temperrors")) > 0);
	json_decref(t);
}

static json_t *resolve_counting(void *arg, const char *target)
{
	int *calls = arg;
	(*calls)++;
	return json_pack("{s:s, s:s, s:i, s:i, s:b, s:[], s:[], s:s, s:b, s:[]}", "domain", target,
			 "status", "ok", "lookups", 3, "voids", 0, "ptr", 0, "permerrors",
			 "temperrors", "all", "~all", "redirect_macro", 0, "children");
}

static void test_tree_shared(void **state)
{
	struct fake f = { zone, 0 };
	struct spf_dns dns = { &f, fake_query, fake_release };
	int calls = 0;
	json_t *t = spf_tree_build(&dns, "ten.test", resolve_counting, &calls);
	assert_int_equal(calls, 2);
	assert_int_equal(ji(t, "lookups"), 3 + 3 + 3);
	json_decref(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_host),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_tree_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
