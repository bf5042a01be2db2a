/* Table-driven tests of how the DNS client judges a received reply (dns_reply_from_wire), and of
 * the queries it writes (dns_query_wire). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scanner/dns.h"

#include <stdlib.h>
#include <string.h>

struct tcase {
	const char *qname;     /* the question in the reply */
	ldns_rr_type qtype;    /* ... and its type */
	const char *answer[3]; /* answer RRs in presentation format */
	ldns_pkt_rcode rcode;
	bool qr;
	int id_delta; /* reply ID minus query ID */
	/* what the scanner asked and what it must conclude */
	const char *ask;
	ldns_rr_type ask_type;
	enum dns_outcome want;
	const char *want_txt; /* first TXT record, or NULL */
	size_t want_chain;    /* CNAME chain length */
	const char *err_has;  /* for failures */
};

static const struct tcase cases[] = {
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { "a.test. 60 IN TXT \"v=spf1 \" \"-all\"" },
	  0,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_ANSWER,
	  "v=spf1 -all",
	  0,
	  NULL },
	{ "A.TEST.",
	  LDNS_RR_TYPE_TXT,
	  { "a.test. 60 IN TXT \"x\"" },
	  0,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_ANSWER,
	  "x",
	  0,
	  NULL },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { NULL },
	  LDNS_RCODE_NXDOMAIN,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_NXDOMAIN,
	  NULL,
	  0,
	  NULL },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { "a.test. 60 IN A 127.0.0.1" },
	  0,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_NODATA,
	  NULL,
	  0,
	  NULL },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { NULL },
	  LDNS_RCODE_SERVFAIL,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_FAILURE,
	  NULL,
	  0,
	  "SERVFAIL" },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { NULL },
	  LDNS_RCODE_REFUSED,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_FAILURE,
	  NULL,
	  0,
	  "REFUSED" },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { "a.test. 60 IN CNAME b.test.", "b.test. 60 IN CNAME c.test.",
	    "c.test. 60 IN TXT \"k\"" },
	  0,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_ANSWER,
	  "k",
	  2,
	  NULL },
	/* mismatches are never taken as the answer */
	{ "b.test.",
	  LDNS_RR_TYPE_TXT,
	  { "b.test. 60 IN TXT \"x\"" },
	  0,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_FAILURE,
	  NULL,
	  0,
	  "does not match" },
	{ "a.test.",
	  LDNS_RR_TYPE_A,
	  { "a.test. 60 IN A 127.0.0.1" },
	  0,
	  true,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_FAILURE,
	  NULL,
	  0,
	  "does not match" },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { "a.test. 60 IN TXT \"x\"" },
	  0,
	  true,
	  1,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_FAILURE,
	  NULL,
	  0,
	  "does not match" },
	{ "a.test.",
	  LDNS_RR_TYPE_TXT,
	  { "a.test. 60 IN TXT \"x\"" },
	  0,
	  false,
	  0,
	  "a.test",
	  LDNS_RR_TYPE_TXT,
	  DNS_FAILURE,
	  NULL,
	  0,
	  "does not match" },
};

/* Build the reply's wire form with ldns; returns its length. */
static size_t build(const struct tcase *c, uint16_t id, uint8_t **wire)
{
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_pkt_query_new_frm_str(&p, c->qname, c->qtype, LDNS_RR_CLASS_IN, 0),
			 LDNS_STATUS_OK);
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, c->qr);
	ldns_pkt_set_rcode(p, (uint8_t)c->rcode);
	for (size_t i = 0; i < 3 && c->answer[i]; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, c->answer[i], 0, NULL, NULL),
				 LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	size_t len = 0;
	assert_int_equal(ldns_pkt2wire(wire, p, &len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return len;
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		uint8_t *wire = NULL;
		size_t len = build(c, (uint16_t)(4660 + c->id_delta), &wire);
		struct dns_reply *r = dns_reply_from_wire(wire, len, c->ask, c->ask_type, 4660);
		enum dns_outcome o = dns_reply_outcome(r);
		if (o != c->want)
			fail_msg("case %zu: outcome %s, want %s", i, dns_outcome_name(o),
				 dns_outcome_name(c->want));
		if (c->err_has) {
			const char *e = dns_reply_error(r);
			if (!e || !strstr(e, c->err_has))
				fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, e ? e : "",
					 c->err_has);
		}
		struct dns_txt *txt = NULL;
		size_t n = dns_reply_txt(r, &txt);
		if (c->want_txt) {
			assert_true(n >= 1);
			assert_string_equal(txt[0].data, c->want_txt);
		} else if (o != DNS_ANSWER) {
			assert_int_equal(n, 0);
		}
		dns_txt_free(txt, n);
		char **chain = NULL;
		size_t nc = dns_reply_cname_chain(r, &chain);
		assert_int_equal(nc, c->want_chain);
		dns_strv_free(chain, nc);
		dns_reply_release(r);
		free(wire);
	}
}

static void test_garbage(void **state)
{
	(void)state;
	static const uint8_t junk[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 5, 0, 0, 0, 0, 0xff };
	struct dns_reply *r =
		dns_reply_from_wire(junk, sizeof(junk), "a.test", LDNS_RR_TYPE_A, 0x1234);
	assert_int_equal(dns_reply_outcome(r), DNS_FAILURE);
	assert_int_equal(r->status, DNS_MALFORMED);
	dns_reply_release(r);
	r = dns_reply_from_wire(junk, 3, "a.test", LDNS_RR_TYPE_A, 0x1234);
	assert_int_equal(dns_reply_outcome(r), DNS_FAILURE);
	dns_reply_release(r);
	r = dns_reply_from_wire(junk, sizeof(junk), "bad..name", LDNS_RR_TYPE_A, 0x1234);
	assert_int_equal(r->status, DNS_BADNAME);
	dns_reply_release(r);
}

/* dns_name_str: the hand-written fast path for plain names and ldns's presentation form for the
 * rest must agree with ldns (lower case, no trailing dot, "." for the root). */
static void test_name_str(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} names[] = {
		{ "Example.TEST.", "example.test" },
		{ "a.b.c", "a.b.c" },
		{ ".", "." },
		{ "_25._tcp.MX1.platform.test", "_25._tcp.mx1.platform.test" },
		{ "*.wild.test", "*.wild.test" },
		{ "xn--bcher-kva.test", "xn--bcher-kva.test" },
		{ "sp\\032ace.test", "sp\\032ace.test" },     /* not plain: through ldns */
		{ "semi\\;colon.test", "semi\\;colon.test" }, /* not plain: through ldns */
		{ "dot\\.inlabel.test", "dot\\.inlabel.test" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_rdf *d = NULL;
		assert_int_equal(ldns_str2rdf_dname(&d, names[i].in), LDNS_STATUS_OK);
		char *got = dns_name_str(d);
		assert_string_equal(got, names[i].want);
		/* the reference: ldns's own text, trailing dot dropped, lower-cased */
		char *ref = ldns_rdf2str(d);
		size_t n = strlen(ref);
		if (n > 1 && ref[n - 1] == '.')
			ref[n - 1] = '\0';
		for (char *c = ref; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		assert_string_equal(got, ref);
		free(ref);
		free(got);
		ldns_rdf_deep_free(d);
	}
}

/* dns_query_wire: the flags and EDNS0 fields of the query as ldns reads them back. */
static void test_query_wire(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint16_t type;
		bool rd, dnssec;
	} qc[] = {
		{ "example.test", LDNS_RR_TYPE_SOA, true, true },
		{ "whs1._domainkey.example.test", LDNS_RR_TYPE_TXT, true, false },
		{ "ns1.example.test", LDNS_RR_TYPE_NS, false, true },
		{ ".", LDNS_RR_TYPE_DNSKEY, true, true },
	};
	for (size_t i = 0; i < sizeof(qc) / sizeof(qc[0]); i++) {
		ldns_rdf *d = NULL;
		assert_int_equal(ldns_str2rdf_dname(&d, qc[i].name), LDNS_STATUS_OK);
		uint8_t *w = NULL;
		size_t len = 0;
		assert_int_equal(dns_query_wire(d, qc[i].type, qc[i].rd, qc[i].dnssec, &w, &len),
				 0);
		ldns_pkt *p = NULL;
		assert_int_equal(ldns_wire2pkt(&p, w, len), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(p), 0);
		assert_false(ldns_pkt_qr(p));
		assert_int_equal(ldns_pkt_rd(p), qc[i].rd);
		assert_true(ldns_pkt_cd(p));
		assert_int_equal(ldns_pkt_qdcount(p), 1);
		const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		assert_int_equal(ldns_rr_get_type(q), qc[i].type);
		assert_int_equal(ldns_rr_get_class(q), LDNS_RR_CLASS_IN);
		assert_int_equal(ldns_dname_compare(ldns_rr_owner(q), d), 0);
		assert_true(ldns_pkt_edns(p));
		assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
		assert_int_equal(ldns_pkt_edns_do(p), qc[i].dnssec);
		ldns_pkt_free(p);
		free(w);
		ldns_rdf_deep_free(d);
	}
	/* not a name */
	ldns_rdf *nd = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1");
	uint8_t *w = NULL;
	size_t len = 0;
	assert_int_equal(dns_query_wire(nd, LDNS_RR_TYPE_A, true, true, &w, &len), -1);
	ldns_rdf_deep_free(nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_name_str),
		cmocka_unit_test(test_query_wire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
