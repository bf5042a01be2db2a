/*
 * Unit tests for the validator's pure pieces: record shapes, type bitmaps, the RFC 5155 hash
 * (Appendix A vectors), the NSEC/NSEC3 denial logic over constructed chains, and the signature
 * crypto (key tags, DS digests, RRSIG verification per algorithm, with ldns as the oracle).
 * End-to-end validation is covered by tests/integration/test_dnssec.sh on the test network.
 */
#include "scanner/dnssec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static ldns_rr *rr(const char *s)
{
	ldns_rr *r = NULL;
	ldns_status st = ldns_rr_new_frm_str(&r, s, 3600, NULL, NULL);
	if (st != LDNS_STATUS_OK)
		fail_msg("cannot parse %s: %s", s, ldns_get_errorstr_by_id(st));
	return r;
}

static ldns_rdf *dn(const char *s)
{
	return ldns_dname_new_frm_str(s);
}

static void b32hex(const uint8_t h[20], char out[33])
{
	static const char al[] = "0123456789abcdefghijklmnopqrstuv";
	int bits = 0, o = 0;
	uint32_t acc = 0;
	for (int i = 0; i < 20; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = al[(acc >> bits) & 31];
		}
	}
	out[o] = '\0';
}

/* ---- shapes ---- */

static void test_shapes(void **state)
{
	(void)state;
	struct {
		const char *rr;
		bool ok;
	} cases[] = {
		{ "example. DS 12345 13 2 "
		  "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
		  true },
		{ "example. DNSKEY 257 3 13 "
		  "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
		  true },
		{ "example. NSEC a.example. NS SOA RRSIG NSEC DNSKEY", true },
		{ "example. NSEC a.example.", true },
		{ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 1 12 aabbccdd "
		  "2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG",
		  true },
		/* hash algorithm 2: ldns would abort on it (issue #307) */
		{ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 2 1 12 aabbccdd "
		  "2t7b4g4vsa5smi47k61mv5bv1a22bojr MX",
		  false },
		/* owner label is not a base32hex SHA-1 hash */
		{ "notahash.example. NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX",
		  false },
		/* next hashed owner of the wrong length */
		{ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 1 12 aabbccdd 2t7b4g4v MX",
		  false },
		{ "example. NSEC3PARAM 1 0 12 aabbccdd", true },
		{ "example. RRSIG SOA 13 1 3600 20300101000000 20200101000000 12345 example. "
		  "AAAA",
		  true },
		{ "example. A 192.0.2.1", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_rr *r = NULL;
		ldns_status st = ldns_rr_new_frm_str(&r, cases[i].rr, 3600, NULL, NULL);
		if (st != LDNS_STATUS_OK) {
			/* a record ldns cannot even parse is never handed to us */
			assert_false(cases[i].ok);
			continue;
		}
		if (dnssec_rr_shape_ok(r) != cases[i].ok)
			fail_msg("case %zu (%s): expected %d", i, cases[i].rr, cases[i].ok);
		ldns_rr_free(r);
	}
	/* truncated RRs as ldns_wire2pkt makes them from a short rdlength */
	ldns_rr_type types[] = { LDNS_RR_TYPE_DS,   LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_RRSIG,
				 LDNS_RR_TYPE_NSEC, LDNS_RR_TYPE_NSEC3,  LDNS_RR_TYPE_NSEC3PARAM };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ldns_rr *r = ldns_rr_new();
		ldns_rr_set_owner(r, dn("example."));
		ldns_rr_set_type(r, types[i]);
		assert_false(dnssec_rr_shape_ok(r));
		ldns_rr_push_rdf(r, ldns_native2rdf_int8(LDNS_RDF_TYPE_INT8, 1));
		assert_false(dnssec_rr_shape_ok(r));
		ldns_rr_free(r);
	}
}

static void test_bitmap(void **state)
{
	(void)state;
	ldns_rr *r = rr("example. NSEC a.example. NS SOA RRSIG NSEC DNSKEY TYPE1234");
	const ldns_rdf *bm = ldns_rr_rdf(r, 1);
	assert_true(dnssec_bitmap_has(bm, LDNS_RR_TYPE_NS));
	assert_true(dnssec_bitmap_has(bm, LDNS_RR_TYPE_SOA));
	assert_true(dnssec_bitmap_has(bm, LDNS_RR_TYPE_DNSKEY));
	assert_true(dnssec_bitmap_has(bm, 1234));
	assert_false(dnssec_bitmap_has(bm, LDNS_RR_TYPE_DS));
	assert_false(dnssec_bitmap_has(bm, LDNS_RR_TYPE_A));
	assert_false(dnssec_bitmap_has(bm, LDNS_RR_TYPE_TLSA));
	assert_false(dnssec_bitmap_has(NULL, LDNS_RR_TYPE_A));
	/* malformed: window length 0, windows out of order, overrun */
	static const uint8_t bad[][4] = { { 0, 0, 0, 0 }, { 1, 1, 0x40, 0 }, { 0, 5, 0x40, 0 } };
	for (size_t i = 0; i < 3; i++) {
		ldns_rdf *f = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_BITMAP, i == 1 ? 3 : 3, bad[i]);
		assert_false(dnssec_bitmap_has(f, LDNS_RR_TYPE_NS));
		ldns_rdf_deep_free(f);
	}
	ldns_rr_free(r);
}

/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations */
static void test_nsec3_hash(void **state)
{
	(void)state;
	struct {
		const char *name, *hash;
	} v[] = {
		{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		{ "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
		{ "EXAMPLE.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
	};
	const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t h[20];
		char s[33];
		ldns_rdf *d = dn(v[i].name);
		assert_true(dnssec_nsec3_hash(d, salt, sizeof(salt), 12, h));
		b32hex(h, s);
		assert_string_equal(s, v[i].hash);
		ldns_rdf_deep_free(d);
	}
}

/* ---- NSEC denial ---- */

static ldns_rr_list *list_of(const char *const *rrs)
{
	ldns_rr_list *l = ldns_rr_list_new();
	for (; *rrs; rrs++)
		ldns_rr_list_push_rr(l, rr(*rrs));
	return l;
}

static void test_nsec_denial(void **state)
{
	(void)state;
	const char *chain[] = {
		"example. NSEC a.example. NS SOA RRSIG NSEC DNSKEY",
		"a.example. NSEC c.example. A RRSIG NSEC",
		"c.example. NSEC deleg.example. MX RRSIG NSEC",
		"deleg.example. NSEC x.y.example. NS RRSIG NSEC",
		"x.y.example. NSEC example. A RRSIG NSEC",
		NULL,
	};
	const char *no_wild[] = { "a.example. NSEC c.example. A RRSIG NSEC", NULL };
	const char *child_apex[] = { "deleg.example. NSEC x.y.example. NS SOA RRSIG NSEC DNSKEY",
				     NULL };
	struct {
		const char *const *recs;
		const char *name;
		ldns_rr_type type;
		enum denial_kind kind;
		bool has_ns, has_soa;
	} cases[] = {
		{ chain, "b.example.", LDNS_RR_TYPE_A, DENIAL_NXDOMAIN, false, false },
		{ chain, "a.example.", LDNS_RR_TYPE_MX, DENIAL_NODATA, false, false },
		{ chain, "a.example.", LDNS_RR_TYPE_A, DENIAL_NONE, false, false },
		{ chain, "y.example.", LDNS_RR_TYPE_A, DENIAL_NODATA, false, false }, /* ENT */
		{ chain, "deleg.example.", LDNS_RR_TYPE_DS, DENIAL_NODATA, true, false },
		{ chain, "zzz.example.", LDNS_RR_TYPE_A, DENIAL_NXDOMAIN, false, false }, /* wrap */
		{ chain, "b.a.example.", LDNS_RR_TYPE_A, DENIAL_NXDOMAIN, false, false },
		{ no_wild, "b.example.", LDNS_RR_TYPE_A, DENIAL_NONE, false, false },
		{ child_apex, "deleg.example.", LDNS_RR_TYPE_DS, DENIAL_NODATA, true, true },
		{ chain, "other.", LDNS_RR_TYPE_A, DENIAL_NONE, false,
		  false }, /* outside the zone */
	};
	ldns_rdf *zone = dn("example.");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_rr_list *l = list_of(cases[i].recs);
		ldns_rdf *n = dn(cases[i].name);
		struct denial d;
		dnssec_denial(zone, n, cases[i].type, l, &d);
		if (d.kind != cases[i].kind)
			fail_msg("case %zu (%s): kind %d, expected %d (%s)", i, cases[i].name,
				 d.kind, cases[i].kind, d.why_not);
		if (d.kind == DENIAL_NODATA && d.matched) {
			assert_int_equal(d.has_ns, cases[i].has_ns);
			assert_int_equal(d.has_soa, cases[i].has_soa);
		}
		ldns_rdf_deep_free(n);
		ldns_rr_list_deep_free(l);
	}
	ldns_rdf_deep_free(zone);
}

/* ---- NSEC3 denial: a chain built in-test ---- */

struct n3name {
	const char *name, *types;
	uint8_t h[20];
};

static int cmp_h(const void *a, const void *b)
{
	return memcmp(((const struct n3name *)a)->h, ((const struct n3name *)b)->h, 20);
}

static ldns_rr_list *nsec3_chain(struct n3name *names, size_t n, int flags, unsigned iter)
{
	for (size_t i = 0; i < n; i++) {
		ldns_rdf *d = dn(names[i].name);
		assert_true(dnssec_nsec3_hash(d, NULL, 0, iter, names[i].h));
		ldns_rdf_deep_free(d);
	}
	qsort(names, n, sizeof(*names), cmp_h);
	ldns_rr_list *l = ldns_rr_list_new();
	for (size_t i = 0; i < n; i++) {
		char o[33], nx[33], line[512];
		b32hex(names[i].h, o);
		b32hex(names[(i + 1) % n].h, nx);
		snprintf(line, sizeof(line), "%s.example. NSEC3 1 %d %u - %s %s", o, flags, iter,
			 nx, names[i].types);
		ldns_rr_list_push_rr(l, rr(line));
	}
	return l;
}

static void test_nsec3_denial(void **state)
{
	(void)state;
	struct n3name names[] = {
		{ "example.", "NS SOA RRSIG DNSKEY NSEC3PARAM", { 0 } },
		{ "a.example.", "A MX RRSIG", { 0 } },
		{ "deleg.example.", "NS", { 0 } },
		{ "b.x.example.", "A RRSIG", { 0 } },
		{ "x.example.", "", { 0 } }, /* empty non-terminal */
	};
	ldns_rdf *zone = dn("example.");
	struct {
		int flags;
		unsigned iter;
		const char *name;
		ldns_rr_type type;
		enum denial_kind kind;
		bool has_ns;
	} cases[] = {
		{ 0, 0, "a.example.", LDNS_RR_TYPE_TXT, DENIAL_NODATA, false },
		{ 0, 0, "a.example.", LDNS_RR_TYPE_A, DENIAL_NONE, false },
		{ 0, 0, "deleg.example.", LDNS_RR_TYPE_DS, DENIAL_NODATA, true },
		{ 0, 0, "nx.example.", LDNS_RR_TYPE_A, DENIAL_NXDOMAIN, false },
		{ 0, 0, "q.b.x.example.", LDNS_RR_TYPE_A, DENIAL_NXDOMAIN, false },
		{ 0, 0, "x.example.", LDNS_RR_TYPE_A, DENIAL_NODATA, false },
		{ 1, 0, "unsigned.example.", LDNS_RR_TYPE_DS, DENIAL_OPTOUT, false },
		{ 0, 5, "nx.example.", LDNS_RR_TYPE_A, DENIAL_NXDOMAIN, false },
		{ 0, 200, "nx.example.", LDNS_RR_TYPE_A, DENIAL_NONE, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_rr_list *l = nsec3_chain(names, sizeof(names) / sizeof(names[0]),
					      cases[i].flags, cases[i].iter);
		ldns_rdf *n = dn(cases[i].name);
		struct denial d;
		dnssec_denial(zone, n, cases[i].type, l, &d);
		if (d.kind != cases[i].kind)
			fail_msg("case %zu (%s): kind %d, expected %d (%s)", i, cases[i].name,
				 d.kind, cases[i].kind, d.why_not);
		assert_true(d.nsec3);
		assert_int_equal(d.nsec3_iterations, (int)cases[i].iter);
		if (cases[i].iter > DNSSEC_NSEC3_MAX_ITER)
			assert_true(d.too_many_iterations);
		if (d.kind == DENIAL_NODATA && d.matched)
			assert_int_equal(d.has_ns, cases[i].has_ns);
		ldns_rdf_deep_free(n);
		ldns_rr_list_deep_free(l);
	}
	ldns_rdf_deep_free(zone);
}

/* A forged chain: a single NSEC3 whose owner is not one label below the zone is ignored. */
static void test_nsec3_outside(void **state)
{
	(void)state;
	ldns_rr_list *l = list_of(
		(const char *[]){ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.sub.example. NSEC3 1 0 0 - "
				  "2t7b4g4vsa5smi47k61mv5bv1a22bojr A",
				  NULL });
	ldns_rdf *zone = dn("example."), *n = dn("nx.example.");
	struct denial d;
	dnssec_denial(zone, n, LDNS_RR_TYPE_A, l, &d);
	assert_int_equal(d.kind, DENIAL_NONE);
	ldns_rdf_deep_free(zone);
	ldns_rdf_deep_free(n);
	ldns_rr_list_deep_free(l);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(dnssec_status_name(DNSSEC_SECURE), "secure");
	assert_string_equal(dnssec_status_name(DNSSEC_INSECURE), "insecure");
	assert_string_equal(dnssec_status_name(DNSSEC_BOGUS), "bogus");
	assert_string_equal(dnssec_status_name(DNSSEC_ERROR), "error");
}

/* RFC 6672 §2.2 substitution (the DNAME-synthesised CNAME must equal it) */
static void test_dname_substitute(void **state)
{
	(void)state;
	char long_label[64];
	memset(long_label, 'a', 63);
	long_label[63] = '\0';
	char longq[300], longt[300];
	/* 3 x 64 + 7 ("x.a.b.") wire octets: qname fits, qname with the target does not */
	snprintf(longq, sizeof(longq), "%s.%s.%s.x.a.b.", long_label, long_label, long_label);
	snprintf(longt, sizeof(longt), "%s.target.", long_label);
	struct {
		const char *qname, *owner, *target, *want; /* want NULL: no substitution */
	} cases[] = {
		{ "mx.alias.dname.test.", "alias.dname.test.", "good.test.", "mx.good.test." },
		{ "A.B.Alias.Dname.Test.", "alias.dname.test.", "Good.Test.", "a.b.good.test." },
		{ "x.example.", "example.", ".", "x." },     /* DNAME to the root */
		{ "x.y.", ".", "example.", "x.y.example." }, /* DNAME at the root */
		{ "alias.dname.test.", "alias.dname.test.", "good.test.", NULL }, /* owner itself */
		{ "other.test.", "alias.dname.test.", "good.test.", NULL },       /* not below */
		{ "xalias.dname.test.", "alias.dname.test.", "good.test.",
		  NULL },                         /* label boundary */
		{ longq, "x.a.b.", longt, NULL }, /* YXDOMAIN: more than 255 octets */
		{ longq, "x.a.b.", "t.", NULL },  /* fits: checked below */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_rdf *q = dn(cases[i].qname), *o = dn(cases[i].owner), *t = dn(cases[i].target);
		assert_non_null(q);
		ldns_rdf *got = dnssec_dname_substitute(q, o, t);
		if (i == 8) {
			assert_non_null(got);
			assert_int_equal(ldns_rdf_size(got), ldns_rdf_size(q) - 7 + 3);
		} else if (!cases[i].want) {
			if (got)
				fail_msg("case %zu: expected no substitution", i);
		} else {
			assert_non_null(got);
			char *gs = ldns_rdf2str(got);
			assert_string_equal(gs, cases[i].want);
			free(gs);
		}
		ldns_rdf_deep_free(got);
		ldns_rdf_deep_free(q);
		ldns_rdf_deep_free(o);
		ldns_rdf_deep_free(t);
	}
	/* wrong rdf types are refused, NULLs too */
	ldns_rdf *q = dn("a.b."), *i16 = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 1);
	assert_null(dnssec_dname_substitute(q, i16, q));
	assert_null(dnssec_dname_substitute(NULL, q, q));
	ldns_rdf_deep_free(q);
	ldns_rdf_deep_free(i16);
}

/* DS matching and signature checks with a key made here (ECDSA P-256 and Ed25519) */
static void sig_case(ldns_signing_algorithm alg)
{
	ldns_key *k = ldns_key_new_frm_algorithm(alg, 0);
	assert_non_null(k);
	ldns_rdf *owner = dn("example.");
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(owner));
	ldns_key_set_flags(k, 257);
	ldns_key_set_inception(k, 1700000000);
	ldns_key_set_expiration(k, 1800000000);
	ldns_rr *dnskey = ldns_key2rr(k);
	assert_non_null(dnskey);
	ldns_key_set_keytag(k, ldns_calc_keytag(dnskey));
	ldns_rr *ds = ldns_key_rr2ds(dnskey, LDNS_SHA256);
	assert_non_null(ds);
	assert_true(dnssec_ds_matches(ds, dnskey));
	/* a DS for another name, another digest, another key tag */
	ldns_rr *other = rr("other. DNSKEY 257 3 13 "
			    "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT"
			    "0rAK9iUzy1L53eKGQ==");
	assert_false(dnssec_ds_matches(ds, other));
	ldns_rr *bad = ldns_rr_clone(ds);
	ldns_rdf_data(ldns_rr_rdf(bad, 3))[0] ^= 1;
	assert_false(dnssec_ds_matches(bad, dnskey));
	ldns_rr_free(bad);
	bad = ldns_rr_clone(ds);
	ldns_rdf_data(ldns_rr_rdf(bad, 0))[1] ^= 1;
	assert_false(dnssec_ds_matches(bad, dnskey));
	ldns_rr_free(bad);
	bad = ldns_rr_clone(ds);
	ldns_rdf_data(ldns_rr_rdf(bad, 2))[0] = 200; /* unknown digest type */
	assert_false(dnssec_ds_matches(bad, dnskey));
	ldns_rr_free(bad);
	assert_false(dnssec_ds_matches(dnskey, ds)); /* types swapped */

	/* an RRset signed with the key */
	ldns_rr_list *set = ldns_rr_list_new();
	ldns_rr_list_push_rr(set, rr("www.example. 300 IN A 192.0.2.1"));
	ldns_rr_list_push_rr(set, rr("www.example. 300 IN A 192.0.2.2"));
	ldns_key_list *kl = ldns_key_list_new();
	ldns_key_list_push_key(kl, k);
	ldns_rr_list *sigs = ldns_sign_public(set, kl);
	assert_non_null(sigs);
	assert_int_equal(ldns_rr_list_rr_count(sigs), 1);
	ldns_rr *sig = ldns_rr_list_rr(sigs, 0);
	assert_true(dnssec_verify_sig(set, sig, dnskey, 1750000000));
	assert_false(dnssec_verify_sig(set, sig, dnskey, 1900000000)); /* expired */
	assert_false(dnssec_verify_sig(set, sig, other, 1750000000));  /* another key */
	assert_false(dnssec_verify_sig(set, sig, ds, 1750000000));     /* not a key */
	ldns_rr_list *changed = ldns_rr_list_new();
	ldns_rr_list_push_rr(changed, rr("www.example. 300 IN A 192.0.2.1"));
	ldns_rr_list_push_rr(changed, rr("www.example. 300 IN A 192.0.2.3"));
	assert_false(dnssec_verify_sig(changed, sig, dnskey, 1750000000));
	ldns_rr_list_deep_free(changed);
	ldns_rr_list *empty = ldns_rr_list_new();
	assert_false(dnssec_verify_sig(empty, sig, dnskey, 1750000000));
	ldns_rr_list_free(empty);
	/* the inputs are left as they were: the same check again */
	assert_true(dnssec_verify_sig(set, sig, dnskey, 1750000000));

	ldns_rr_list_deep_free(sigs);
	ldns_key_list_free(kl); /* frees the key too */
	ldns_rr_list_deep_free(set);
	ldns_rr_free(other);
	ldns_rr_free(ds);
	ldns_rr_free(dnskey);
	ldns_rdf_deep_free(owner);
}

static void test_ds_and_signatures(void **state)
{
	(void)state;
	sig_case(LDNS_SIGN_ECDSAP256SHA256);
	sig_case(LDNS_SIGN_ED25519);
}

/* ---- the signature crypto (scanner/dnssec_sig.c), table-driven, ldns as the oracle ---- */

struct keypair {
	ldns_key *k;       /* owned by kl */
	ldns_key_list *kl; /* for ldns_sign_public */
	ldns_rr *dnskey;
};

static void keypair_make(struct keypair *kp, ldns_signing_algorithm alg, const char *owner,
			 uint32_t inception, uint32_t expiration)
{
	kp->k = ldns_key_new_frm_algorithm(alg, 1024); /* RSA and DSA size; others ignore it */
	if (!kp->k)
		fail_msg("ldns cannot make a key of algorithm %d", (int)alg);
	ldns_key_set_pubkey_owner(kp->k, dn(owner));
	ldns_key_set_flags(kp->k, 257);
	ldns_key_set_inception(kp->k, inception);
	ldns_key_set_expiration(kp->k, expiration);
	kp->dnskey = ldns_key2rr(kp->k);
	assert_non_null(kp->dnskey);
	ldns_key_set_keytag(kp->k, ldns_calc_keytag(kp->dnskey));
	kp->kl = ldns_key_list_new();
	ldns_key_list_push_key(kp->kl, kp->k);
}

static void keypair_free(struct keypair *kp)
{
	ldns_key_list_free(kp->kl);
	ldns_rr_free(kp->dnskey);
}

/* the one RRSIG ldns makes over the records (zone-file lines, ";" separated) */
static ldns_rr *sign(const struct keypair *kp, const char *records)
{
	ldns_rr_list *set = ldns_rr_list_new();
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", records);
	for (char *save = NULL, *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save))
		ldns_rr_list_push_rr(set, rr(t));
	ldns_rr_list *sigs = ldns_sign_public(set, kp->kl);
	assert_non_null(sigs);
	assert_int_equal(ldns_rr_list_rr_count(sigs), 1);
	ldns_rr *sig = ldns_rr_clone(ldns_rr_list_rr(sigs, 0));
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_deep_free(set);
	return sig;
}

static ldns_rr_list *rrs(const char *records)
{
	ldns_rr_list *set = ldns_rr_list_new();
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", records);
	for (char *save = NULL, *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save))
		ldns_rr_list_push_rr(set, rr(t));
	return set;
}

#define T_INC 1700000000u
#define T_EXP 1800000000u
#define T_NOW 1750000000

struct sigcase {
	const char *what;
	const char *signed_set; /* what the key signs */
	const char *checked;    /* what is verified with that signature */
	int key;                /* 0: the signing key, 1: another key of the algorithm */
	int corrupt;            /* 1: flip a bit of the signature; 2: signer name in upper case */
	time_t now;
	bool want;
	bool ldns_agrees; /* ldns_verify_rrsig_time gives the same (false: we are stricter) */
};

static const struct sigcase sigcases[] = {
	{ "valid", "www.example. 300 IN A 192.0.2.1;www.example. 300 IN A 192.0.2.2",
	  "www.example. 300 IN A 192.0.2.1;www.example. 300 IN A 192.0.2.2", 0, 0, T_NOW, true,
	  true },
	{ "other order, other TTL, upper-case owner",
	  "www.example. 300 IN A 192.0.2.1;www.example. 300 IN A 192.0.2.2",
	  "WWW.Example. 60 IN A 192.0.2.2;WWW.Example. 60 IN A 192.0.2.1", 0, 0, T_NOW, true,
	  true },
	{ "names in rdata compared in lower case", "example. 300 IN MX 10 Mail.Example.",
	  "example. 300 IN MX 10 mail.EXAMPLE.", 0, 0, T_NOW, true, true },
	{ "rdata sorted as octets (shorter first)",
	  "example. 300 IN TXT \"ab\";example. 300 IN TXT \"a\";example. 300 IN TXT \"b\"",
	  "example. 300 IN TXT \"b\";example. 300 IN TXT \"ab\";example. 300 IN TXT \"a\"", 0, 0,
	  T_NOW, true, true },
	{ "signer name in upper case", "www.example. 300 IN A 192.0.2.1",
	  "www.example. 300 IN A 192.0.2.1", 0, 2, T_NOW, true, true },
	{ "wrong key", "www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.1", 1, 0,
	  T_NOW, false, true },
	{ "corrupted signature", "www.example. 300 IN A 192.0.2.1",
	  "www.example. 300 IN A 192.0.2.1", 0, 1, T_NOW, false, true },
	{ "modified RRset", "www.example. 300 IN A 192.0.2.1;www.example. 300 IN A 192.0.2.2",
	  "www.example. 300 IN A 192.0.2.1;www.example. 300 IN A 192.0.2.3", 0, 0, T_NOW, false,
	  true },
	{ "a record more", "www.example. 300 IN A 192.0.2.1",
	  "www.example. 300 IN A 192.0.2.1;www.example. 300 IN A 192.0.2.2", 0, 0, T_NOW, false,
	  true },
	{ "other owner", "www.example. 300 IN A 192.0.2.1", "ftp.example. 300 IN A 192.0.2.1", 0, 0,
	  T_NOW, false, true },
	{ "type not covered", "www.example. 300 IN A 192.0.2.1",
	  "www.example. 300 IN AAAA 2001:db8::1", 0, 0, T_NOW, false, true },
	{ "expired", "www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.1", 0, 0,
	  T_EXP + 1, false, true },
	{ "not yet valid", "www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.1", 0,
	  0, T_INC - 1, false, true },
	{ "wildcard expansion", "*.example. 300 IN A 192.0.2.9", "a.b.example. 300 IN A 192.0.2.9",
	  0, 0, T_NOW, true, true },
	{ "wildcard itself", "*.example. 300 IN A 192.0.2.9", "*.example. 300 IN A 192.0.2.9", 0, 0,
	  T_NOW, true, true },
	{ "wildcard expansion in another zone", "*.example. 300 IN A 192.0.2.9",
	  "a.other. 300 IN A 192.0.2.9", 0, 0, T_NOW, false, true },
	{ "wildcard expansion with other data", "*.example. 300 IN A 192.0.2.9",
	  "a.example. 300 IN A 192.0.2.8", 0, 0, T_NOW, false, true },
	{ "two owners in one set", "www.example. 300 IN A 192.0.2.1",
	  "www.example. 300 IN A 192.0.2.1;ftp.example. 300 IN A 192.0.2.1", 0, 0, T_NOW, false,
	  false },
};

static void sig_table(ldns_signing_algorithm alg)
{
	struct keypair kp, other;
	keypair_make(&kp, alg, "example.", T_INC, T_EXP);
	keypair_make(&other, alg, "example.", T_INC, T_EXP);
	/* the key tag and DS digests as ldns computes them */
	assert_int_equal(dnssec_keytag(kp.dnskey), ldns_calc_keytag(kp.dnskey));
	ldns_hash digests[] = { LDNS_SHA1, LDNS_SHA256, LDNS_SHA384 };
	for (size_t d = 0; d < 3; d++) {
		ldns_rr *ds = ldns_key_rr2ds(kp.dnskey, digests[d]);
		assert_non_null(ds);
		assert_true(dnssec_ds_matches(ds, kp.dnskey));
		assert_false(dnssec_ds_matches(ds, other.dnskey));
		ldns_rr_free(ds);
	}
	struct dnssec_key *k = dnssec_key_new(kp.dnskey), *ko = dnssec_key_new(other.dnskey);
	assert_non_null(k);
	assert_non_null(ko);
	assert_int_equal(dnssec_key_tag(k), ldns_calc_keytag(kp.dnskey));
	assert_int_equal(dnssec_key_alg(k), (int)alg);
	assert_int_equal(dnssec_key_flags(k), 257);
	assert_ptr_equal(dnssec_key_rr(k), kp.dnskey);
	for (size_t i = 0; i < sizeof(sigcases) / sizeof(sigcases[0]); i++) {
		const struct sigcase *c = &sigcases[i];
		ldns_rr *sig = sign(&kp, c->signed_set);
		if (c->corrupt == 1) {
			ldns_rdf *s8 = ldns_rr_rdf(sig, 8);
			ldns_rdf_data(s8)[ldns_rdf_size(s8) / 2] ^= 0x10;
		} else if (c->corrupt == 2) {
			ldns_rdf *s7 = ldns_rr_rdf(sig, 7);
			for (size_t j = 0; j < ldns_rdf_size(s7); j++)
				if (ldns_rdf_data(s7)[j] >= 'a' && ldns_rdf_data(s7)[j] <= 'z')
					ldns_rdf_data(s7)[j] -= 'a' - 'A';
		}
		ldns_rr_list *set = rrs(c->checked);
		const struct keypair *use = c->key ? &other : &kp;
		bool got = dnssec_verify_sig_key(set, sig, c->key ? ko : k, c->now);
		if (got != c->want)
			fail_msg("algorithm %d, %s: got %d", (int)alg, c->what, got);
		/* the same through the one-call form, the key parsed again */
		assert_int_equal(dnssec_verify_sig(set, sig, use->dnskey, c->now), c->want);
		if (c->ldns_agrees) {
			ldns_rr_list *cs = ldns_rr_list_clone(set);
			ldns_rr *sc = ldns_rr_clone(sig), *kc = ldns_rr_clone(use->dnskey);
			bool oracle = ldns_verify_rrsig_time(cs, sc, kc, c->now) == LDNS_STATUS_OK;
			if (oracle != c->want)
				fail_msg("algorithm %d, %s: ldns says %d", (int)alg, c->what,
					 oracle);
			ldns_rr_list_deep_free(cs);
			ldns_rr_free(sc);
			ldns_rr_free(kc);
		}
		ldns_rr_list_deep_free(set);
		ldns_rr_free(sig);
	}
	dnssec_key_free(k);
	dnssec_key_free(ko);
	keypair_free(&kp);
	keypair_free(&other);
}

static void test_signature_table(void **state)
{
	(void)state;
	static const ldns_signing_algorithm algs[] = {
		LDNS_SIGN_RSASHA1,
		LDNS_SIGN_RSASHA1_NSEC3,
		LDNS_SIGN_RSASHA256,
		LDNS_SIGN_RSASHA512,
		LDNS_SIGN_ECDSAP256SHA256,
		LDNS_SIGN_ECDSAP384SHA384,
		LDNS_SIGN_ED25519,
		LDNS_SIGN_ED448,
		LDNS_SIGN_DSA, /* still verified through ldns */
	};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		sig_table(algs[i]);
}

/* the key ring: one parse for a key published by several zones; never across algorithms */
static ldns_rr *key_as(const ldns_rr *dnskey, const char *owner, int alg)
{
	ldns_rr *c = ldns_rr_clone(dnskey);
	ldns_rdf_deep_free(ldns_rr_owner(c));
	ldns_rr_set_owner(c, dn(owner));
	if (alg)
		ldns_rdf_data(ldns_rr_rdf(c, 2))[0] = (uint8_t)alg;
	return c;
}

static void test_keyring(void **state)
{
	(void)state;
	unsigned long hits, parsed;
	struct keypair ec, rsa;
	keypair_make(&ec, LDNS_SIGN_ECDSAP256SHA256, "example.", T_INC, T_EXP);
	keypair_make(&rsa, LDNS_SIGN_RSASHA256, "example.", T_INC, T_EXP);
	ldns_rr *ec_sig = sign(&ec, "www.example. 300 IN A 192.0.2.1");
	ldns_rr_list *set = rrs("www.example. 300 IN A 192.0.2.1");

	struct dnssec_keyring *r = dnssec_keyring_new(8);
	ldns_rr *ec_other = key_as(ec.dnskey, "other.", 0); /* same key, another zone */
	struct dnssec_key *k1 = dnssec_key_new_shared(ec.dnskey, r);
	struct dnssec_key *k2 = dnssec_key_new_shared(ec_other, r);
	dnssec_keyring_stats(r, &hits, &parsed);
	assert_int_equal(parsed, 1);
	assert_int_equal(hits, 1);
	assert_true(dnssec_verify_sig_key(set, ec_sig, k1, T_NOW));
	assert_true(dnssec_verify_sig_key(set, ec_sig, k2, T_NOW));

	/* the same RSA material as algorithm 8 and 5 (as the test network does): two parses, and
	 * each verifies its own algorithm's signature (SHA-256 and SHA-1) */
	ldns_rr *rsa5 = key_as(rsa.dnskey, "example.", LDNS_RSASHA1);
	struct dnssec_key *k8 = dnssec_key_new_shared(rsa.dnskey, r);
	struct dnssec_key *k5 = dnssec_key_new_shared(rsa5, r);
	dnssec_keyring_stats(r, &hits, &parsed);
	assert_int_equal(parsed, 3);
	assert_int_equal(hits, 1);
	ldns_rr *sig8 = sign(&rsa, "www.example. 300 IN A 192.0.2.1");
	ldns_key_set_algorithm(rsa.k, LDNS_SIGN_RSASHA1);
	ldns_key_set_keytag(rsa.k, ldns_calc_keytag(rsa5));
	ldns_rr *sig5 = sign(&rsa, "www.example. 300 IN A 192.0.2.1");
	assert_true(dnssec_verify_sig_key(set, sig8, k8, T_NOW));
	assert_true(dnssec_verify_sig_key(set, sig5, k5, T_NOW));
	assert_false(dnssec_verify_sig_key(set, sig8, k5, T_NOW));

	/* material that does not parse is not kept: parsed again each time */
	ldns_rr *bad = rr("example. DNSKEY 257 3 13 AAAA");
	struct dnssec_key *b1 = dnssec_key_new_shared(bad, r), *b2 = dnssec_key_new_shared(bad, r);
	dnssec_keyring_stats(r, &hits, &parsed);
	assert_int_equal(parsed, 5);
	assert_int_equal(hits, 1);
	assert_false(dnssec_verify_sig_key(set, ec_sig, b1, T_NOW));
	dnssec_key_free(b1);
	dnssec_key_free(b2);

	/* the keys outlive the ring */
	dnssec_keyring_free(r);
	assert_true(dnssec_verify_sig_key(set, ec_sig, k1, T_NOW));
	assert_true(dnssec_verify_sig_key(set, sig5, k5, T_NOW));

	/* one slot: a colliding key replaces the older; keys made before stay valid */
	r = dnssec_keyring_new(1);
	struct dnssec_key *a1 = dnssec_key_new_shared(ec.dnskey, r);
	struct dnssec_key *c1 = dnssec_key_new_shared(rsa.dnskey, r);
	struct dnssec_key *a2 = dnssec_key_new_shared(ec_other, r);
	dnssec_keyring_stats(r, &hits, &parsed);
	assert_int_equal(parsed, 3);
	assert_int_equal(hits, 0);
	assert_true(dnssec_verify_sig_key(set, ec_sig, a1, T_NOW));
	assert_true(dnssec_verify_sig_key(set, ec_sig, a2, T_NOW));
	assert_true(dnssec_verify_sig_key(set, sig8, c1, T_NOW));
	/* NULL ring: parsed alone */
	struct dnssec_key *n1 = dnssec_key_new_shared(ec.dnskey, NULL);
	assert_true(dnssec_verify_sig_key(set, ec_sig, n1, T_NOW));
	dnssec_keyring_free(r);

	struct dnssec_key *all[] = { k1, k2, k8, k5, a1, c1, a2, n1 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		dnssec_key_free(all[i]);
	ldns_rr_free(bad);
	ldns_rr_free(sig5);
	ldns_rr_free(sig8);
	ldns_rr_free(rsa5);
	ldns_rr_free(ec_other);
	ldns_rr_list_deep_free(set);
	ldns_rr_free(ec_sig);
	keypair_free(&ec);
	keypair_free(&rsa);
}

/* keys that do not parse verify nothing; key tags of RSA/MD5 keys (RFC 4034 B.1) */
static void test_bad_keys(void **state)
{
	(void)state;
	const char *bad[] = {
		"example. DNSKEY 257 3 13 AAAA",    /* P-256 point too short */
		"example. DNSKEY 257 3 15 AAAA",    /* Ed25519 key too short */
		"example. DNSKEY 257 3 8 AA==",     /* RSA: exponent length 0, nothing after */
		"example. DNSKEY 257 3 8 AwEAAQ==", /* RSA: exponent, no modulus */
		"example. DNSKEY 257 3 14 "         /* P-384 length, not a point on the curve */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	ldns_rr_list *set = rrs("example. 300 IN A 192.0.2.1");
	ldns_rr *sig = rr("example. 300 IN RRSIG A 13 1 300 20300101000000 20200101000000 1 "
			  "example. AAAA");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ldns_rr *key = rr(bad[i]);
		struct dnssec_key *k = dnssec_key_new(key);
		assert_non_null(k); /* the record's shape is fine, its key material is not */
		assert_false(dnssec_verify_sig_key(set, sig, k, T_NOW));
		assert_int_equal(dnssec_keytag(key), ldns_calc_keytag(key));
		dnssec_key_free(k);
		ldns_rr_free(key);
	}
	/* RSA/MD5: the tag is taken from the modulus, not summed */
	ldns_rr *md5 = rr("example. DNSKEY 256 3 1 AwEAAcXx5rv3Yq0GL3v5hV4vYfF5h1fBQ3ajJ9Ef0zFv");
	assert_int_equal(dnssec_keytag(md5), ldns_calc_keytag(md5));
	ldns_rr_free(md5);
	/* not a DNSKEY */
	ldns_rr *ds = rr("example. DS 1 13 2 "
			 "0000000000000000000000000000000000000000000000000000000000000000");
	assert_null(dnssec_key_new(ds));
	assert_int_equal(dnssec_keytag(ds), 0);
	assert_false(dnssec_verify_sig_key(set, sig, NULL, T_NOW));
	ldns_rr_free(ds);
	ldns_rr_free(sig);
	ldns_rr_list_deep_free(set);
}

static void test_anchor_file(void **state)
{
	(void)state;
	char *err = NULL;
	const char *dir = getenv("DOMSCAN_DATADIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/root-anchors.txt", dir ? dir : "data");
	struct validator *v = validator_new(NULL, path, &err);
	assert_non_null(v);
	assert_null(err);
	validator_free(v);
	v = validator_new(NULL, "/nonexistent/anchors", &err);
	assert_null(v);
	assert_non_null(err);
	free(err);
	/* a file without DS or DNSKEY records */
	char tmp[] = "/tmp/dnssec-anchor-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("; nothing\nexample. 3600 IN A 192.0.2.1\n", f);
	fclose(f);
	err = NULL;
	v = validator_new(NULL, tmp, &err);
	assert_null(v);
	assert_non_null(err);
	free(err);
	unlink(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),           cmocka_unit_test(test_bitmap),
		cmocka_unit_test(test_nsec3_hash),       cmocka_unit_test(test_nsec_denial),
		cmocka_unit_test(test_nsec3_denial),     cmocka_unit_test(test_nsec3_outside),
		cmocka_unit_test(test_status_names),     cmocka_unit_test(test_anchor_file),
		cmocka_unit_test(test_dname_substitute), cmocka_unit_test(test_ds_and_signatures),
		cmocka_unit_test(test_signature_table),  cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_keyring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
