/* Table-driven tests of the RFC 7208 record parser (checks/spf_parse.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/spf_parse.h"

struct pcase {
	const char *rec;
	bool ok;
	size_t n_terms; /* when ok */
};

static const struct pcase cases[] = {
	{ "v=spf1", true, 0 },
	{ "v=spf1 -all", true, 1 },
	{ "V=SpF1 ~ALL", true, 1 },
	{ "v=spf1 a  -all", true, 2 },
	{ "v=spf1 a -all ", true, 2 },
	{ "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 mx a:mail.example.com/24//64 -all", true, 5 },
	{ "v=spf1 include:_spf.google.com ~all", true, 2 },
	{ "v=spf1 redirect=_spf.example.com", true, 1 },
	{ "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", true, 2 },
	{ "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all", true, 2 },
	{ "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", true, 3 },
	{ "v=spf1 default=pass", true, 1 },
	{ "v=spf1 a:foo:bar/baz.example.com", true, 1 },
	{ "v=spf1 a:foo.example.xn--zckzah -all", true, 2 },
	{ "v=spf1 ptr ptr:example.com ?all", true, 3 },
	{ "v=spf1 a/0 a//0 mx/24//64 -all", true, 4 },
	{ "v=spf1 ip4:1.2.3.4/32 ip6:::1.1.1.1/0", true, 2 },
	{ "v=spf1 -all exp=msg8.%{D2}", true, 2 },
	{ "v=spf1 redirect=%{d}.d.spf.example.com.", true, 1 },
	{ "v=spf1 include:o.spf.example.com. ~all", true, 2 },
	/* errors */
	{ "v=spf1 ip4:1.2.3.4 -all moo", false, 0 },
	{ "v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all", false, 0 },
	{ "v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all", false, 0 },
	{ "v=spf1 ip4:1.2.3.4 redirect:t2.example.com", false, 0 },
	{ "v=spf1 a:foo-bar -all", false, 0 },
	{ "v=spf1 -all.", false, 0 },
	{ "v=spf1 -all:foobar", false, 0 },
	{ "v=spf1 -all/8", false, 0 },
	{ "v=spf1 ptr/0 -all", false, 0 },
	{ "v=spf1 ptr:", false, 0 },
	{ "v=spf1 a//33 -all", true, 2 },
	{ "v=spf1 a/33 -all", false, 0 },
	{ "v=spf1 a//129 -all", false, 0 },
	{ "v=spf1 a/24/64 -all", false, 0 },
	{ "v=spf1 a:example.com:8080", false, 0 },
	{ "v=spf1 a:111.222.33.44", false, 0 },
	{ "v=spf1 a:abc.123", false, 0 },
	{ "v=spf1 a:museum", false, 0 },
	{ "v=spf1 a:museum.", false, 0 },
	{ "v=spf1 a:example.-com", false, 0 },
	{ "v=spf1 a:", false, 0 },
	{ "v=spf1 include +all", false, 0 },
	{ "v=spf1 include: -all", false, 0 },
	{ "v=spf1 include:ip5.example.com/24 -all", false, 0 },
	{ "v=spf1 exists:", false, 0 },
	{ "v=spf1 exists", false, 0 },
	{ "v=spf1 exists:mail.example.com/24", false, 0 },
	{ "v=spf1 ip4:1.2.3.4/33 -all", false, 0 },
	{ "v=spf1 ip4:1.2.3.4/032 -all", false, 0 },
	{ "v=spf1 ip4", false, 0 },
	{ "v=spf1 ip4:1.2.3.4//32", false, 0 },
	{ "v=spf1 ip4:1.2.3.4:8080", false, 0 },
	{ "v=spf1 ip4:1.2.3", false, 0 },
	{ "v=spf1 -all ip6", false, 0 },
	{ "v=spf1 ip6:::1.1.1.1/129", false, 0 },
	{ "v=spf1 ip6:::1.1.1.1//33", false, 0 },
	{ "v=spf1 ip6::CAFE::BABE", false, 0 },
	{ "v=spf1 1up=foo", false, 0 },
	{ "v=spf1 =all", false, 0 },
	{ "v=spf1 -all foo=%abc", false, 0 },
	{ "v=spf1 exp= -all", false, 0 },
	{ "v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com", false, 0 },
	{ "v=spf1 redirect=e12.example.com -all redirect=e12.example.com", false, 0 },
	{ "v=spf1 exp=-all", false, 0 },
	{ "v=spf1 redirect=-all ?all", false, 0 },
	{ "v=spf1 ?all redirect=", false, 0 },
	{ "v=spf1 -exists:%(ir).sbl.example.com ?all", false, 0 },
	{ "v=spf1 exists:foo%.sbl.example.com ?all", false, 0 },
	{ "v=spf1 -all exp=%{r}.example.com", false, 0 },
	{ "v=spf1 a:%{a}.example.com -all", false, 0 },
	{ "v=spf1 a:%{d0}.example.com -all", false, 0 },
	{ "v=spf1 a:ctrl.example.com\rptr -all", false, 0 },
	{ "v=spf1 ip4:192.0.2.5\n include:x.example.com ~all", false, 0 },
	{ "v=spf1 \x80"
	  "a:example.net -all",
	  false, 0 },
	{ "v=spf1 a:example.net \x96"
	  "all",
	  false, 0 },
	{ "v=spf1 foo:bar", false, 0 },
	{ "v=spf10", false, 0 },
	{ "v=spf1mx", false, 0 },
	{ "spf1 -all", false, 0 },
	{ "", false, 0 },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spf_record r;
		char *err = NULL;
		int rc = spf_parse(cases[i].rec, strlen(cases[i].rec), &r, &err);
		if ((rc == 0) != cases[i].ok)
			fail_msg("case %zu '%s': expected %s, got %s (%s)", i, cases[i].rec,
				 cases[i].ok ? "ok" : "error", rc == 0 ? "ok" : "error",
				 err ? err : "");
		if (rc == 0) {
			assert_int_equal(r.n_terms, cases[i].n_terms);
			assert_null(err);
		} else {
			assert_non_null(err);
			assert_int_equal(r.n_terms, 0);
		}
		free(err);
		spf_record_free(&r);
	}
}

static void test_fields(void **state)
{
	const char *s = "v=spf1 ?a:mail.example.com/24//64 -ip4:192.0.2.1 ip6:2001:db8::/32 mx "
			"redirect=_spf.example.com exp=why.%{d} x-foo=bar ~all";
	struct spf_record r;
	assert_int_equal(spf_parse(s, strlen(s), &r, NULL), 0);
	assert_int_equal(r.n_terms, 8);
	assert_false(r.terms[0].is_mod);
	assert_int_equal(r.terms[0].mech, SPF_A);
	assert_int_equal(r.terms[0].qual, '?');
	assert_string_equal(r.terms[0].domain, "mail.example.com");
	assert_int_equal(r.terms[0].cidr4, 24);
	assert_int_equal(r.terms[0].cidr6, 64);
	assert_int_equal(r.terms[1].mech, SPF_IP4);
	assert_int_equal(r.terms[1].qual, '-');
	assert_int_equal(r.terms[1].cidr4, -1);
	assert_memory_equal(r.terms[1].addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(r.terms[2].mech, SPF_IP6);
	assert_int_equal(r.terms[2].cidr6, 32);
	assert_int_equal(r.terms[3].mech, SPF_MX);
	assert_null(r.terms[3].domain);
	assert_int_equal(r.terms[3].qual, '+');
	assert_int_equal(r.redirect, 4);
	assert_string_equal(r.terms[4].value, "_spf.example.com");
	assert_int_equal(r.exp, 5);
	assert_true(r.terms[6].is_mod);
	assert_int_equal(r.terms[6].mod, SPF_MOD_UNKNOWN);
	assert_int_equal(r.first_all, 7);
	assert_true(spf_term_queries_dns(&r.terms[0]));
	assert_false(spf_term_queries_dns(&r.terms[1]));
	assert_true(spf_term_queries_dns(&r.terms[4]));
	assert_false(spf_term_queries_dns(&r.terms[5]));
	spf_record_free(&r);
}

static void test_is_record(void **state)
{
	assert_true(spf_is_record("v=spf1", 6));
	assert_true(spf_is_record("V=SPF1 -all", 11));
	assert_false(spf_is_record("v=spf10", 7));
	assert_false(spf_is_record("v=spf1mx", 8));
	assert_false(spf_is_record("v=spf", 5));
	assert_false(spf_is_record(" v=spf1", 7));
}

static void test_macros(void **state)
{
	struct {
		const char *s;
		bool exp, ok;
	} m[] = {
		{ "%{s}%{l}%{o}%{d}%{i}%{p}%{h}%{v}", false, true },
		{ "%{S}%{L2r}%{O1}%{D10r.-+,/_=}", false, true },
		{ "%{c}", false, false },
		{ "%{c} %{r} %{t}", true, true },
		{ "%{x}", true, false },
		{ "%", false, false },
		{ "%{d", false, false },
		{ "%{d0}", false, false },
		{ "%{d2rr}", false, false },
		{ "a b", false, false },
		{ "%%%_%-", false, true },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (spf_macro_string_valid(m[i].s, strlen(m[i].s), m[i].exp) != m[i].ok)
			fail_msg("macro case %zu '%s'", i, m[i].s);
	assert_true(spf_domain_spec_valid("%{d}", 4));
	assert_true(spf_domain_spec_valid("_spf.%{d2}", 10));
	assert_true(spf_domain_spec_valid("example.com.", 12));
	assert_false(spf_domain_spec_valid("com", 3));
	assert_true(spf_has_macro("a.%{d}"));
	assert_false(spf_has_macro("a%%b.com"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_is_record),
		cmocka_unit_test(test_macros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
