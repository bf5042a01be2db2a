/*
 * domscan's own DNSSEC validator (see scanner/dnssec.h and docs/dnssec.md).
 *
 * Top-down: from the deepest trust anchor above a name, every label between a known secure
 * zone K and the target is probed with a DS query (through the shared recursive resolver, CD=1):
 *   - a DS RRset signed by K: a zone cut; its DNSKEY RRset must hold a key matching a DS and
 *     be signed by it; the zone's keys are then trusted;
 *   - a denial signed by K: NS without SOA in the bitmap (or an NSEC3 opt-out span) proves an
 *     unsigned delegation (insecure); no NS means the name is inside K; NXDOMAIN ends the walk.
 * The signer name of the answer (when it is an ancestor of the name) bounds the walk, so a
 * signed answer costs one DS+DNSKEY pair per zone cut; every cut is cached for the run.
 *
 * ldns is used for wire parsing and canonical name comparison (and the crypto of the rare
 * algorithms scanner/dnssec_sig.c leaves to it); key tags, DS digests and signature checks are
 * in dnssec_sig.c, each zone's keys parsed once and kept with its cache entry. The denial logic
 * and every record-shape check are ours, because ldns's denial helpers verify no signatures,
 * and abort or leak on hostile NSEC3 (../shared/reference/libraries.md §1).
 */
#include "scanner/dnssec.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CNAME_HOPS  12
#define MAX_WALK_LABELS 64
#define N_BUCKETS       65536 /* hash chains stay short up to the cache bound */
#define N_DEPTHS        4     /* statistics by zone depth: root, TLD, second level, deeper */
#define KEYRING_SLOTS   1024  /* parsed keys shared between zones (dnssec_keyring) */

enum ckind {
	C_ZONE,     /* a secure zone apex with validated keys */
	C_NOTCUT,   /* a name inside its parent zone (no delegation) */
	C_NXD,      /* the name does not exist in its parent zone */
	C_INSECURE, /* an unsigned delegation (or unsupported algorithms): below is insecure */
	C_BOGUS,
	C_ERROR,
};

/*
 * A cache entry. The table holds one reference while the entry is in it; every borrower
 * (a walk, a parent zone during compute_cut) holds one more. refs and the list links
 * are guarded by validator.mu; the payload is written once by the thread that claimed the
 * entry, before `done` is published under the lock, and is read-only afterwards.
 */
struct centry {
	char *key; /* canonical presentation name with trailing dot */
	unsigned bucket;
	unsigned refs;
	bool done;
	enum ckind kind;
	char *reason;
	ldns_rdf *dn;
	ldns_rr_list *keys;     /* C_ZONE: the zone's DNSKEY RRset (validated) */
	struct dnssec_key **kk; /* C_ZONE: the keys of `keys` (heads: material in the ring) */
	size_t n_kk;
	int algs[8]; /* C_ZONE: algorithms of the keys a DS/anchor pointed to */
	size_t n_algs;
	int tags[8];
	size_t n_tags;
	bool deprecated;
	int nsec3_iter;                 /* C_ZONE: NSEC3PARAM iterations, -1 when none */
	int depth;                      /* labels of dn, capped at N_DEPTHS - 1 */
	unsigned dnskey_verifications;  /* C_ZONE: DNSKEY RRset signature checks to establish it */
	atomic_ulong sig_verifications; /* signature checks made with this zone's keys */
	struct centry *next;            /* hash chain */
	struct centry *newer, *older;   /* LRU list (lru_head is the most recently used) */
};

struct vcounters {
	atomic_ulong checks, cpu_ns, sig_verifications;
	atomic_ulong dnskey_verifications[N_DEPTHS], zones_established[N_DEPTHS];
	atomic_ulong sig_by_depth[N_DEPTHS];
};

struct validator {
	struct dns_client *dns;
	ldns_rr_list *anchors;       /* DS and DNSKEY records */
	struct dnssec_keyring *ring; /* parsed keys by (algorithm, key), shared between zones */
	time_t fixed_now;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* the cache (under mu) */
	size_t max_entries, n_entries, peak_entries;
	size_t n_inflight; /* entries claimed, not yet published: not counted against the bound */
	unsigned long hits, misses, evictions;
	struct centry *lru_head, *lru_tail;
	struct centry *buckets[N_BUCKETS];
	struct vcounters ctr;
};

/* ---- small helpers --------------------------------------------------------------------- */

static time_t v_now(const struct validator *v)
{
	return v->fixed_now ? v->fixed_now : (time_t)now_wall();
}

/* Presentation form for messages: lower case, no trailing dot except for the root. malloc'd.
 * (dns_name_str(): ldns_rdf2str() would allocate a 64 KiB buffer per call.) */
static char *dn_show(const ldns_rdf *dn)
{
	char *s = dns_name_str(dn);
	char *r = text_sanitize(s, strlen(s), 300);
	free(s);
	return r;
}

/* The cache key: lower case with the trailing dot ("." for the root). malloc'd. */
static char *dn_key(const ldns_rdf *dn)
{
	char *s = dns_name_str(dn);
	if (strcmp(s, ".") == 0)
		return s;
	char *k = xasprintf("%s.", s);
	free(s);
	return k;
}

static bool dn_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

/* a is b or below b */
static bool dn_under(const ldns_rdf *a, const ldns_rdf *b)
{
	return dn_eq(a, b) || ldns_dname_is_subdomain(a, b);
}

static const char *type_name(uint16_t t, char buf[16])
{
	const ldns_rr_descriptor *d = ldns_rr_descript(t);
	if (d && d->_name)
		return d->_name;
	snprintf(buf, 16, "TYPE%u", t);
	return buf;
}

static void fmt_date(uint32_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, 32, "%u", t);
		return;
	}
	strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

static bool alg_deprecated(int alg)
{
	return alg == LDNS_RSAMD5 || alg == LDNS_DSA || alg == LDNS_RSASHA1 ||
	       alg == LDNS_DSA_NSEC3 || alg == LDNS_RSASHA1_NSEC3;
}

static bool alg_supported(int alg)
{
	switch (alg) {
	case LDNS_RSAMD5:
	case LDNS_DSA:
	case LDNS_RSASHA1:
	case LDNS_DSA_NSEC3:
	case LDNS_RSASHA1_NSEC3:
	case LDNS_RSASHA256:
	case LDNS_RSASHA512:
	case LDNS_ECDSAP256SHA256:
	case LDNS_ECDSAP384SHA384:
	case LDNS_ED25519:
	case LDNS_ED448:
		return true;
	default:
		return false;
	}
}

static bool digest_supported(int d)
{
	return d == LDNS_SHA1 || d == LDNS_SHA256 || d == LDNS_SHA384;
}

const char *dnssec_status_name(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return "secure";
	case DNSSEC_INSECURE:
		return "insecure";
	case DNSSEC_BOGUS:
		return "bogus";
	case DNSSEC_ERROR:
	default:
		return "error";
	}
}

void dnssec_result_clear(struct dnssec_result *r)
{
	if (!r)
		return;
	free(r->reason);
	r->reason = NULL;
	json_decref(r->detail);
	r->detail = NULL;
}

/* ---- record shapes --------------------------------------------------------------------- */

static bool rdf_is(const ldns_rr *rr, size_t i, ldns_rdf_type t, size_t size)
{
	const ldns_rdf *f = ldns_rr_rdf(rr, i);
	if (!f || ldns_rdf_get_type(f) != t)
		return false;
	if (size && ldns_rdf_size(f) != size)
		return false;
	return true;
}

static bool bitmap_ok(const ldns_rdf *f)
{
	if (!f)
		return true; /* absent: empty bitmap */
	if (ldns_rdf_get_type(f) != LDNS_RDF_TYPE_BITMAP)
		return false;
	const uint8_t *p = ldns_rdf_data(f);
	size_t n = ldns_rdf_size(f), i = 0;
	int last = -1;
	while (i < n) {
		if (n - i < 2)
			return false;
		int win = p[i], len = p[i + 1];
		if (win <= last || len < 1 || len > 32 || n - i - 2 < (size_t)len)
			return false;
		last = win;
		i += 2 + (size_t)len;
	}
	return true;
}

bool dnssec_bitmap_has(const ldns_rdf *f, uint16_t type)
{
	if (!f || !bitmap_ok(f))
		return false;
	const uint8_t *p = ldns_rdf_data(f);
	size_t n = ldns_rdf_size(f), i = 0;
	while (i + 2 <= n) {
		int win = p[i], len = p[i + 1];
		if (win == type >> 8) {
			int byte = (type & 0xff) >> 3;
			if (byte >= len)
				return false;
			return (p[i + 2 + byte] & (0x80 >> (type & 7))) != 0;
		}
		i += 2 + (size_t)len;
	}
	return false;
}

/* base32hex decode of an NSEC3 owner's first label: exactly 20 bytes */
static bool b32hex_20(const uint8_t *s, size_t len, uint8_t out[20])
{
	if (len != 32)
		return false;
	uint64_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int c = tolower(s[i]), v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'v')
			v = c - 'a' + 10;
		else
			return false;
		acc = (acc << 5) | (uint64_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= 20)
				return false;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o == 20;
}

static bool nsec3_owner_hash(const ldns_rr *rr, uint8_t out[20])
{
	const ldns_rdf *o = ldns_rr_owner(rr);
	if (!o || ldns_rdf_size(o) < 1)
		return false;
	const uint8_t *d = ldns_rdf_data(o);
	size_t l = d[0];
	if (l + 1 > ldns_rdf_size(o))
		return false;
	return b32hex_20(d + 1, l, out);
}

bool dnssec_rr_shape_ok(const ldns_rr *rr)
{
	if (!rr || !ldns_rr_owner(rr) ||
	    ldns_rdf_get_type(ldns_rr_owner(rr)) != LDNS_RDF_TYPE_DNAME)
		return false;
	size_t n = ldns_rr_rd_count(rr);
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_DS:
		return n == 4 && rdf_is(rr, 0, LDNS_RDF_TYPE_INT16, 2) &&
		       rdf_is(rr, 1, LDNS_RDF_TYPE_ALG, 1) &&
		       rdf_is(rr, 2, LDNS_RDF_TYPE_INT8, 1) && ldns_rr_rdf(rr, 3) &&
		       ldns_rdf_size(ldns_rr_rdf(rr, 3)) > 0;
	case LDNS_RR_TYPE_DNSKEY:
		return n == 4 && rdf_is(rr, 0, LDNS_RDF_TYPE_INT16, 2) &&
		       rdf_is(rr, 1, LDNS_RDF_TYPE_INT8, 1) &&
		       rdf_is(rr, 2, LDNS_RDF_TYPE_ALG, 1) && rdf_is(rr, 3, LDNS_RDF_TYPE_B64, 0) &&
		       ldns_rdf_size(ldns_rr_rdf(rr, 3)) > 0 &&
		       ldns_rdf_data(ldns_rr_rdf(rr, 1))[0] == 3;
	case LDNS_RR_TYPE_RRSIG:
		return n == 9 && rdf_is(rr, 0, LDNS_RDF_TYPE_TYPE, 2) &&
		       rdf_is(rr, 1, LDNS_RDF_TYPE_ALG, 1) &&
		       rdf_is(rr, 2, LDNS_RDF_TYPE_INT8, 1) &&
		       rdf_is(rr, 3, LDNS_RDF_TYPE_INT32, 4) &&
		       rdf_is(rr, 4, LDNS_RDF_TYPE_TIME, 4) &&
		       rdf_is(rr, 5, LDNS_RDF_TYPE_TIME, 4) &&
		       rdf_is(rr, 6, LDNS_RDF_TYPE_INT16, 2) &&
		       rdf_is(rr, 7, LDNS_RDF_TYPE_DNAME, 0) &&
		       rdf_is(rr, 8, LDNS_RDF_TYPE_B64, 0) &&
		       ldns_rdf_size(ldns_rr_rdf(rr, 8)) > 0 &&
		       ldns_rdf_data(ldns_rr_rdf(rr, 2))[0] <= 127;
	case LDNS_RR_TYPE_NSEC:
		return (n == 1 || n == 2) && rdf_is(rr, 0, LDNS_RDF_TYPE_DNAME, 0) &&
		       bitmap_ok(n == 2 ? ldns_rr_rdf(rr, 1) : NULL);
	case LDNS_RR_TYPE_NSEC3: {
		uint8_t h[20];
		if (!(n == 5 || n == 6) || !rdf_is(rr, 0, LDNS_RDF_TYPE_INT8, 1) ||
		    !rdf_is(rr, 1, LDNS_RDF_TYPE_INT8, 1) ||
		    !rdf_is(rr, 2, LDNS_RDF_TYPE_INT16, 2) ||
		    !rdf_is(rr, 3, LDNS_RDF_TYPE_NSEC3_SALT, 0) ||
		    !rdf_is(rr, 4, LDNS_RDF_TYPE_NSEC3_NEXT_OWNER, 21))
			return false;
		const ldns_rdf *salt = ldns_rr_rdf(rr, 3), *next = ldns_rr_rdf(rr, 4);
		if (ldns_rdf_size(salt) < 1 || ldns_rdf_data(salt)[0] + 1u != ldns_rdf_size(salt) ||
		    ldns_rdf_data(next)[0] != 20)
			return false;
		if (ldns_rdf_data(ldns_rr_rdf(rr, 0))[0] != 1)
			return false;
		if (!bitmap_ok(n == 6 ? ldns_rr_rdf(rr, 5) : NULL))
			return false;
		return nsec3_owner_hash(rr, h);
	}
	case LDNS_RR_TYPE_NSEC3PARAM:
		return n == 4 && rdf_is(rr, 0, LDNS_RDF_TYPE_INT8, 1) &&
		       rdf_is(rr, 1, LDNS_RDF_TYPE_INT8, 1) &&
		       rdf_is(rr, 2, LDNS_RDF_TYPE_INT16, 2) &&
		       rdf_is(rr, 3, LDNS_RDF_TYPE_NSEC3_SALT, 0) &&
		       ldns_rdf_size(ldns_rr_rdf(rr, 3)) >= 1 &&
		       ldns_rdf_data(ldns_rr_rdf(rr, 3))[0] + 1u ==
			       ldns_rdf_size(ldns_rr_rdf(rr, 3));
	default:
		return true;
	}
}

static const ldns_rdf *nsec_bitmap(const ldns_rr *rr)
{
	size_t i = ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC ? 1 : 5;
	return ldns_rr_rd_count(rr) > i ? ldns_rr_rdf(rr, i) : NULL;
}

/* ---- NSEC3 hashing ----------------------------------------------------------------------- */

bool dnssec_nsec3_hash(const ldns_rdf *name, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t out[20])
{
	if (!name || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME || salt_len > 255 ||
	    iterations > 65535)
		return false;
	uint8_t buf[LDNS_MAX_DOMAINLEN + 256 + 20];
	size_t n = ldns_rdf_size(name);
	if (n > LDNS_MAX_DOMAINLEN + 1 || n == 0)
		return false;
	memcpy(buf, ldns_rdf_data(name), n);
	/* canonical: lower-case the labels */
	for (size_t i = 0; i < n;) {
		size_t l = buf[i];
		if (l == 0 || i + 1 + l > n)
			break;
		for (size_t j = i + 1; j <= i + l; j++)
			buf[j] = (uint8_t)tolower(buf[j]);
		i += 1 + l;
	}
	if (salt_len)
		memcpy(buf + n, salt, salt_len);
	unsigned int len = 0;
	if (!EVP_Digest(buf, n + salt_len, out, &len, EVP_sha1(), NULL) || len != 20)
		return false;
	for (unsigned it = 0; it < iterations; it++) {
		memcpy(buf, out, 20);
		if (salt_len)
			memcpy(buf + 20, salt, salt_len);
		if (!EVP_Digest(buf, 20 + salt_len, out, &len, EVP_sha1(), NULL) || len != 20)
			return false;
	}
	return true;
}

/* ---- denial of existence ----------------------------------------------------------------- */

static bool nsec_covers(const ldns_rdf *owner, const ldns_rdf *next, const ldns_rdf *name)
{
	if (ldns_dname_compare(owner, name) >= 0)
		return false;
	if (ldns_dname_compare(owner, next) < 0)
		return ldns_dname_compare(name, next) < 0;
	return true; /* the last NSEC of the zone wraps around to the apex */
}

static bool hash_covers(const uint8_t own[20], const uint8_t nxt[20], const uint8_t h[20])
{
	if (memcmp(own, nxt, 20) < 0)
		return memcmp(own, h, 20) < 0 && memcmp(h, nxt, 20) < 0;
	/* the last NSEC3 of the chain wraps around: covers above its owner or below next */
	return memcmp(own, h, 20) < 0 || memcmp(h, nxt, 20) < 0;
}

/* the longest ancestor-or-self of `name` that is also ancestor-or-self of `other` */
static ldns_rdf *common_ancestor(const ldns_rdf *name, const ldns_rdf *other)
{
	ldns_rdf *a = ldns_rdf_clone(name);
	while (a && !dn_under(other, a)) {
		if (ldns_dname_label_count(a) == 0)
			break;
		ldns_rdf *c = ldns_dname_left_chop(a);
		ldns_rdf_deep_free(a);
		a = c;
	}
	return a;
}

static ldns_rdf *wildcard_of(const ldns_rdf *ce)
{
	ldns_rdf *star = ldns_dname_new_frm_str("*");
	if (!star)
		return NULL;
	ldns_rdf *w = ldns_dname_cat_clone(star, ce);
	ldns_rdf_deep_free(star);
	return w;
}

static void set_bits(struct denial *out, const ldns_rr *rr)
{
	const ldns_rdf *bm = nsec_bitmap(rr);
	out->matched = true;
	out->has_ns = dnssec_bitmap_has(bm, LDNS_RR_TYPE_NS);
	out->has_soa = dnssec_bitmap_has(bm, LDNS_RR_TYPE_SOA);
	out->has_ds = dnssec_bitmap_has(bm, LDNS_RR_TYPE_DS);
	out->has_cname = dnssec_bitmap_has(bm, LDNS_RR_TYPE_CNAME);
}

static void denial_nsec(const ldns_rdf *zone, const ldns_rdf *name, ldns_rr_type type,
			const ldns_rr_list *recs, struct denial *out)
{
	size_t n = ldns_rr_list_rr_count(recs);
	const ldns_rr *cover = NULL;
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(recs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		const ldns_rdf *bm = nsec_bitmap(rr);
		if (dn_eq(ldns_rr_owner(rr), name)) {
			if (dnssec_bitmap_has(bm, type) ||
			    dnssec_bitmap_has(bm, LDNS_RR_TYPE_CNAME)) {
				snprintf(out->why_not, sizeof(out->why_not),
					 "NSEC at the name lists the type or a CNAME");
				return;
			}
			set_bits(out, rr);
			out->kind = DENIAL_NODATA;
			return;
		}
		if (nsec_covers(ldns_rr_owner(rr), ldns_rr_rdf(rr, 0), name))
			cover = rr;
	}
	if (!cover) {
		snprintf(out->why_not, sizeof(out->why_not), "no NSEC matches or covers the name");
		return;
	}
	const ldns_rdf *next = ldns_rr_rdf(cover, 0);
	if (ldns_dname_is_subdomain(next, name)) { /* empty non-terminal */
		out->kind = DENIAL_NODATA;
		return;
	}
	ldns_rdf *ce1 = common_ancestor(name, ldns_rr_owner(cover));
	ldns_rdf *ce2 = common_ancestor(name, next);
	ldns_rdf *ce = NULL;
	if (ce1 && ce2)
		ce = ldns_dname_label_count(ce1) >= ldns_dname_label_count(ce2) ? ce1 : ce2;
	ldns_rdf *w = ce && dn_under(ce, zone) ? wildcard_of(ce) : NULL;
	if (!w) {
		snprintf(out->why_not, sizeof(out->why_not), "no closest encloser inside the zone");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(recs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		const ldns_rdf *bm = nsec_bitmap(rr);
		if (dn_eq(ldns_rr_owner(rr), w)) {
			if (!dnssec_bitmap_has(bm, type) &&
			    !dnssec_bitmap_has(bm, LDNS_RR_TYPE_CNAME)) {
				out->kind = DENIAL_NODATA; /* wildcard NODATA */
				goto out;
			}
			snprintf(out->why_not, sizeof(out->why_not),
				 "a wildcard exists that should have matched");
			goto out;
		}
		if (nsec_covers(ldns_rr_owner(rr), ldns_rr_rdf(rr, 0), w)) {
			out->kind = DENIAL_NXDOMAIN;
			goto out;
		}
	}
	snprintf(out->why_not, sizeof(out->why_not), "no NSEC proves that no wildcard exists");
out:
	ldns_rdf_deep_free(ce1);
	ldns_rdf_deep_free(ce2);
	ldns_rdf_deep_free(w);
}

struct n3 {
	const ldns_rr *rr;
	uint8_t own[20], next[20];
};

static const struct n3 *n3_match(const struct n3 *v, size_t n, const uint8_t h[20])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(v[i].own, h, 20) == 0)
			return &v[i];
	return NULL;
}

static const struct n3 *n3_cover(const struct n3 *v, size_t n, const uint8_t h[20])
{
	for (size_t i = 0; i < n; i++)
		if (hash_covers(v[i].own, v[i].next, h))
			return &v[i];
	return NULL;
}

static void denial_nsec3(const ldns_rdf *zone, const ldns_rdf *name, ldns_rr_type type,
			 const ldns_rr_list *recs, struct denial *out)
{
	size_t total = ldns_rr_list_rr_count(recs), n = 0;
	struct n3 *v = xcalloc(total ? total : 1, sizeof(*v));
	const ldns_rr *first = NULL;
	ldns_rdf *cur = NULL, *w = NULL;
	out->nsec3 = true;
	for (size_t i = 0; i < total; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(recs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC3)
			continue;
		if (ldns_dname_label_count(ldns_rr_owner(rr)) != ldns_dname_label_count(zone) + 1)
			continue;
		if (!first)
			first = rr;
		/* one chain: same algorithm, iterations and salt as the first record */
		if (rd_u16(rr, 2) != rd_u16(first, 2) ||
		    ldns_rdf_compare(ldns_rr_rdf(rr, 3), ldns_rr_rdf(first, 3)) != 0)
			continue;
		if (!nsec3_owner_hash(rr, v[n].own))
			continue;
		memcpy(v[n].next, ldns_rdf_data(ldns_rr_rdf(rr, 4)) + 1, 20);
		v[n].rr = rr;
		n++;
	}
	if (!n) {
		snprintf(out->why_not, sizeof(out->why_not), "no NSEC3 record in the zone");
		goto out;
	}
	unsigned iter = rd_u16(first, 2);
	out->nsec3_iterations = (int)iter;
	if (iter > DNSSEC_NSEC3_MAX_ITER) {
		out->too_many_iterations = true;
		snprintf(out->why_not, sizeof(out->why_not), "NSEC3 iterations %u above %d", iter,
			 DNSSEC_NSEC3_MAX_ITER);
		goto out;
	}
	const uint8_t *salt = ldns_rdf_data(ldns_rr_rdf(first, 3)) + 1;
	size_t salt_len = ldns_rdf_data(ldns_rr_rdf(first, 3))[0];
	uint8_t h[20];

	if (!dnssec_nsec3_hash(name, salt, salt_len, iter, h))
		goto out;
	const struct n3 *m = n3_match(v, n, h);
	if (m) {
		const ldns_rdf *bm = nsec_bitmap(m->rr);
		if (dnssec_bitmap_has(bm, type) || dnssec_bitmap_has(bm, LDNS_RR_TYPE_CNAME)) {
			snprintf(out->why_not, sizeof(out->why_not),
				 "NSEC3 at the name lists the type or a CNAME");
			goto out;
		}
		set_bits(out, m->rr);
		out->kind = DENIAL_NODATA;
		goto out;
	}
	/* closest encloser proof (RFC 5155 §8.3) */
	const struct n3 *nc_cover = NULL;
	ldns_rdf *nc = ldns_rdf_clone(name);
	cur = nc ? ldns_dname_left_chop(nc) : NULL;
	while (cur && dn_under(cur, zone)) {
		if (!dnssec_nsec3_hash(cur, salt, salt_len, iter, h))
			break;
		if (n3_match(v, n, h)) {
			uint8_t hn[20];
			if (dnssec_nsec3_hash(nc, salt, salt_len, iter, hn))
				nc_cover = n3_cover(v, n, hn);
			break;
		}
		if (ldns_dname_label_count(cur) == 0)
			break;
		ldns_rdf_deep_free(nc);
		nc = cur;
		cur = ldns_dname_left_chop(nc);
	}
	ldns_rdf_deep_free(nc);
	if (!nc_cover || !cur) {
		snprintf(out->why_not, sizeof(out->why_not), "no NSEC3 closest encloser proof");
		goto out;
	}
	if (rd_u8(nc_cover->rr, 1) & 1) {
		out->kind = DENIAL_OPTOUT;
		goto out;
	}
	w = wildcard_of(cur);
	if (w && dnssec_nsec3_hash(w, salt, salt_len, iter, h)) {
		const struct n3 *wm = n3_match(v, n, h);
		if (wm) {
			const ldns_rdf *bm = nsec_bitmap(wm->rr);
			if (!dnssec_bitmap_has(bm, type) &&
			    !dnssec_bitmap_has(bm, LDNS_RR_TYPE_CNAME))
				out->kind = DENIAL_NODATA;
			else
				snprintf(out->why_not, sizeof(out->why_not),
					 "a wildcard exists that should have matched");
			goto out;
		}
		if (n3_cover(v, n, h)) {
			out->kind = DENIAL_NXDOMAIN;
			goto out;
		}
	}
	snprintf(out->why_not, sizeof(out->why_not), "no NSEC3 proves that no wildcard exists");
out:
	ldns_rdf_deep_free(cur);
	ldns_rdf_deep_free(w);
	free(v);
}

void dnssec_denial(const ldns_rdf *zone, const ldns_rdf *name, ldns_rr_type type,
		   const ldns_rr_list *records, struct denial *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = DENIAL_NONE;
	out->nsec3_iterations = -1;
	snprintf(out->why_not, sizeof(out->why_not), "no NSEC or NSEC3 records");
	if (!zone || !name || ldns_rdf_get_type(zone) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME || !dn_under(name, zone))
		return;
	ldns_rr_list *use = ldns_rr_list_new();
	bool have_nsec = false, have_nsec3 = false;
	for (size_t i = 0; records && i < ldns_rr_list_rr_count(records); i++) {
		ldns_rr *rr = ldns_rr_list_rr(records, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if ((t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3) || !dnssec_rr_shape_ok(rr))
			continue;
		if (!dn_under(ldns_rr_owner(rr), zone))
			continue;
		if (t == LDNS_RR_TYPE_NSEC && !dn_under(ldns_rr_rdf(rr, 0), zone))
			continue;
		have_nsec |= t == LDNS_RR_TYPE_NSEC;
		have_nsec3 |= t == LDNS_RR_TYPE_NSEC3;
		ldns_rr_list_push_rr(use, rr);
	}
	if (have_nsec)
		denial_nsec(zone, name, type, use, out);
	if (out->kind == DENIAL_NONE && have_nsec3) {
		struct denial d3;
		memset(&d3, 0, sizeof(d3));
		d3.nsec3_iterations = -1;
		denial_nsec3(zone, name, type, use, &d3);
		*out = d3;
	}
	ldns_rr_list_free(use);
}

/* ---- DNAME (RFC 6672) ------------------------------------------------------------------------ */

ldns_rdf *dnssec_dname_substitute(const ldns_rdf *qname, const ldns_rdf *owner,
				  const ldns_rdf *target)
{
	if (!qname || !owner || !target || ldns_rdf_get_type(qname) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_get_type(target) != LDNS_RDF_TYPE_DNAME)
		return NULL;
	if (!ldns_dname_is_subdomain(qname, owner)) /* strictly below the DNAME owner */
		return NULL;
	size_t qs = ldns_rdf_size(qname), os = ldns_rdf_size(owner), ts = ldns_rdf_size(target);
	if (qs <= os || ts < 1)
		return NULL;
	size_t prefix = qs - os; /* the wire form of owner is the tail of qname's */
	if (prefix + ts > LDNS_MAX_DOMAINLEN)
		return NULL; /* RFC 6672 §2.2: YXDOMAIN */
	uint8_t buf[LDNS_MAX_DOMAINLEN + 1];
	memcpy(buf, ldns_rdf_data(qname), prefix);
	memcpy(buf + prefix, ldns_rdf_data(target), ts);
	ldns_rdf *r = ldns_dname_new_frm_data((uint16_t)(prefix + ts), buf);
	if (r)
		ldns_dname2canonical(r);
	return r;
}

/* The DNAME in the answer that applies to `name` (owner a proper ancestor; the deepest). */
static const ldns_rr *find_dname(const ldns_rr_list *an, const ldns_rdf *name)
{
	const ldns_rr *best = NULL;
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNAME || ldns_rr_rd_count(rr) != 1 ||
		    !ldns_dname_is_subdomain(name, ldns_rr_owner(rr)))
			continue;
		if (!best || ldns_dname_label_count(ldns_rr_owner(rr)) >
				     ldns_dname_label_count(ldns_rr_owner(best)))
			best = rr;
	}
	return best;
}

/* ---- messages ---------------------------------------------------------------------------- */

struct msg {
	ldns_rr_list *an, *ns;
	int rcode;
	size_t malformed;
};

static ldns_rr_list *clone_section(const ldns_rr_list *src, size_t *malformed)
{
	ldns_rr_list *out = ldns_rr_list_new();
	for (size_t i = 0; src && i < ldns_rr_list_rr_count(src); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(src, i);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
			continue;
		if (!dnssec_rr_shape_ok(rr)) {
			(*malformed)++;
			continue;
		}
		ldns_rr *c = ldns_rr_clone(rr);
		if (!c)
			die("out of memory");
		ldns_dname2canonical(ldns_rr_owner(c));
		ldns_rr_list_push_rr(out, c);
	}
	return out;
}

static void msg_from_pkt(const ldns_pkt *p, struct msg *m)
{
	memset(m, 0, sizeof(*m));
	m->an = clone_section(ldns_pkt_answer(p), &m->malformed);
	m->ns = clone_section(ldns_pkt_authority(p), &m->malformed);
	m->rcode = ldns_pkt_get_rcode(p);
}

static void msg_free(struct msg *m)
{
	ldns_rr_list_deep_free(m->an);
	ldns_rr_list_deep_free(m->ns);
	m->an = m->ns = NULL;
}

/* shallow selection: the list does not own the RRs */
static ldns_rr_list *select_rrs(const ldns_rr_list *l, const ldns_rdf *owner, ldns_rr_type t)
{
	ldns_rr_list *out = ldns_rr_list_new();
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) == t && (!owner || dn_eq(ldns_rr_owner(rr), owner)))
			ldns_rr_list_push_rr(out, rr);
	}
	return out;
}

static ldns_rr_list *select_sigs(const ldns_rr_list *l, const ldns_rdf *owner, ldns_rr_type t)
{
	ldns_rr_list *out = ldns_rr_list_new();
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG && rd_u16(rr, 0) == t &&
		    dn_eq(ldns_rr_owner(rr), owner))
			ldns_rr_list_push_rr(out, rr);
	}
	return out;
}

/* ---- signature verification --------------------------------------------------------------- */

struct vinfo {
	int alg;
	bool wildcard; /* the signature was made over a wildcard */
	int labels;
};

/* Names for a reason, made only when a reason is written (the success path needs none). */
struct vnames {
	const ldns_rdf *owner_dn, *zone_dn;
	char *owner, *zone;
};

static const char *vn_owner(struct vnames *n)
{
	if (!n->owner)
		n->owner = dn_show(n->owner_dn);
	return n->owner;
}

static const char *vn_zone(struct vnames *n)
{
	if (!n->zone)
		n->zone = dn_show(n->zone_dn);
	return n->zone;
}

/*
 * Verify rrset (one owner/type) with sigs against the zone's keys (parsed, n_keys of them).
 * On failure, writes a reason ("RRSIG on good.test/SOA expired ...").
 */
static bool verify_rrset(struct validator *v, struct centry *z, const ldns_rr_list *rrset,
			 const ldns_rr_list *sigs, struct dnssec_key *const *keys, size_t n_keys,
			 time_t now, struct vinfo *vi, char *why, size_t whylen)
{
	const ldns_rdf *zone = z->dn;
	char tb[16], dbuf[32];
	const ldns_rr *first = ldns_rr_list_rr(rrset, 0);
	struct vnames nm = { .owner_dn = ldns_rr_owner(first), .zone_dn = zone };
	const char *tn = type_name(ldns_rr_get_type(first), tb);
	int prio = 0; /* keep the most telling reason */
	bool ok = false;
	int olabels = ldns_dname_label_count(ldns_rr_owner(first));
	if (ldns_dname_is_wildcard(ldns_rr_owner(first)))
		olabels--;
	if (!ldns_rr_list_rr_count(sigs))
		snprintf(why, whylen, "no RRSIG on %s/%s", vn_owner(&nm), tn);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs) && !ok; i++) {
		ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		int alg = rd_u8(sig, 1), labels = rd_u8(sig, 2), tag = rd_u16(sig, 6);
		uint32_t exp = rd_u32(sig, 4), inc = rd_u32(sig, 5);
		if (!dn_eq(ldns_rr_rdf(sig, 7), zone)) {
			if (prio < 1) {
				char *s = dn_show(ldns_rr_rdf(sig, 7));
				snprintf(why, whylen, "RRSIG on %s/%s is by %s, not by its zone %s",
					 vn_owner(&nm), tn, s, vn_zone(&nm));
				free(s);
				prio = 1;
			}
			continue;
		}
		if (labels > olabels) {
			if (prio < 2) {
				snprintf(why, whylen, "RRSIG on %s/%s has a wrong label count %d",
					 vn_owner(&nm), tn, labels);
				prio = 2;
			}
			continue;
		}
		if ((int32_t)(exp - (uint32_t)now) < 0) {
			if (prio < 4) {
				fmt_date(exp, dbuf);
				snprintf(why, whylen, "RRSIG on %s/%s expired %s", vn_owner(&nm),
					 tn, dbuf);
				prio = 4;
			}
			continue;
		}
		if ((int32_t)((uint32_t)now - inc) < 0 || (int32_t)(exp - inc) < 0) {
			if (prio < 4) {
				fmt_date(inc, dbuf);
				snprintf(why, whylen, "RRSIG on %s/%s not valid before %s",
					 vn_owner(&nm), tn, dbuf);
				prio = 4;
			}
			continue;
		}
		bool found_key = false;
		for (size_t k = 0; k < n_keys; k++) {
			const struct dnssec_key *key = keys[k];
			uint16_t fl = dnssec_key_flags(key);
			if (dnssec_key_alg(key) != alg || dnssec_key_tag(key) != tag ||
			    !(fl & LDNS_KEY_ZONE_KEY) || (fl & LDNS_KEY_REVOKE_KEY))
				continue;
			found_key = true;
			/* the material from the key ring (parsed again if it left the ring) */
			struct dnssec_key *pk = dnssec_key_new_shared(dnssec_key_rr(key), v->ring);
			bool good = dnssec_verify_sig_key(rrset, sig, pk ? pk : key, now);
			dnssec_key_free(pk);
			atomic_fetch_add(&v->ctr.sig_verifications, 1);
			atomic_fetch_add(&v->ctr.sig_by_depth[z->depth], 1);
			atomic_fetch_add(&z->sig_verifications, 1);
			if (good) {
				ok = true;
				if (vi) {
					vi->alg = alg;
					vi->labels = labels;
					vi->wildcard = labels < olabels;
				}
				break;
			}
		}
		if (!ok && prio < 3) {
			if (found_key)
				snprintf(why, whylen,
					 "RRSIG on %s/%s does not verify with key tag %d",
					 vn_owner(&nm), tn, tag);
			else
				snprintf(
					why, whylen,
					"RRSIG on %s/%s needs key tag %d (algorithm %d), not in %s DNSKEY",
					vn_owner(&nm), tn, tag, alg, vn_zone(&nm));
			prio = 3;
		}
	}
	free(nm.owner);
	free(nm.zone);
	return ok;
}

/* ---- the zone-cut cache -------------------------------------------------------------------- */

static unsigned hash_str(const char *s)
{
	unsigned h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % N_BUCKETS;
}

static void centry_free(struct centry *e)
{
	free(e->key);
	free(e->reason);
	ldns_rdf_deep_free(e->dn);
	for (size_t i = 0; i < e->n_kk; i++)
		dnssec_key_free(e->kk[i]);
	free(e->kk);
	ldns_rr_list_deep_free(e->keys);
	free(e);
}

static void lru_unlink(struct validator *v, struct centry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		v->lru_head = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		v->lru_tail = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct validator *v, struct centry *e)
{
	e->newer = NULL;
	e->older = v->lru_head;
	if (v->lru_head)
		v->lru_head->newer = e;
	v->lru_head = e;
	if (!v->lru_tail)
		v->lru_tail = e;
}

/*
 * Drop the least recently used finished entries until the finished ones are within the bound:
 * names
 * below the TLDs first, the root and TLDs (a few, used by every walk) only when nothing else
 * can go. Entries still being computed are never dropped (their waiters sleep on them). An
 * entry that a walk still borrows leaves the table but lives until its last reference is
 * released. Under mu; returns the entries to free (outside the lock) chained through `next`.
 */
static struct centry *cache_evict(struct validator *v)
{
	struct centry *dead = NULL;
	for (int pass = 0; pass < 2 && v->n_entries - v->n_inflight > v->max_entries; pass++)
		for (struct centry *e = v->lru_tail;
		     e && v->n_entries - v->n_inflight > v->max_entries;) {
			struct centry *newer = e->newer;
			if (e->done && (pass == 1 || e->depth > 1)) {
				struct centry **pp = &v->buckets[e->bucket];
				while (*pp != e)
					pp = &(*pp)->next;
				*pp = e->next;
				e->next = NULL;
				lru_unlink(v, e);
				v->n_entries--;
				v->evictions++;
				if (--e->refs == 0) {
					e->next = dead;
					dead = e;
				}
			}
			e = newer;
		}
	return dead;
}

static void free_chain(struct centry *dead)
{
	while (dead) {
		struct centry *n = dead->next;
		centry_free(dead);
		dead = n;
	}
}

/* Give back a reference from cache_claim()/get_entry(). NULL is ignored. */
static void entry_release(struct validator *v, struct centry *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&v->mu);
	bool last = --e->refs == 0;
	pthread_mutex_unlock(&v->mu);
	if (last)
		centry_free(e); /* already out of the table: nobody can find it any more */
}

/*
 * Look up or claim an entry; either way the caller holds a reference (entry_release()).
 * Returns it with done=false and *mine when the caller must compute it and cache_publish() it.
 */
static struct centry *cache_claim(struct validator *v, const ldns_rdf *dn, bool *mine)
{
	char *key = dn_key(dn);
	unsigned b = hash_str(key);
	struct centry *dead = NULL;
	pthread_mutex_lock(&v->mu);
	struct centry *e;
	for (e = v->buckets[b]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			break;
	if (e) {
		e->refs++;
		v->hits++;
		lru_unlink(v, e);
		lru_push(v, e);
		while (!e->done)
			pthread_cond_wait(&v->cv, &v->mu);
		pthread_mutex_unlock(&v->mu);
		free(key);
		*mine = false;
		return e;
	}
	e = xcalloc(1, sizeof(*e));
	e->key = key;
	e->bucket = b;
	e->dn = ldns_rdf_clone(dn);
	e->nsec3_iter = -1;
	size_t labels = ldns_dname_label_count(dn);
	e->depth = labels < N_DEPTHS ? (int)labels : N_DEPTHS - 1;
	atomic_init(&e->sig_verifications, 0);
	e->refs = 2; /* the table's and the caller's */
	e->next = v->buckets[b];
	v->buckets[b] = e;
	lru_push(v, e);
	v->misses++;
	v->n_entries++;
	v->n_inflight++;
	dead = cache_evict(v);
	if (v->n_entries > v->peak_entries)
		v->peak_entries = v->n_entries;
	pthread_mutex_unlock(&v->mu);
	free_chain(dead);
	*mine = true;
	return e;
}

static void cache_publish(struct validator *v, struct centry *e)
{
	pthread_mutex_lock(&v->mu);
	e->done = true;
	v->n_inflight--;
	pthread_cond_broadcast(&v->cv);
	struct centry *dead = cache_evict(v); /* what waited for this entry to finish */
	pthread_mutex_unlock(&v->mu);
	free_chain(dead);
}

__attribute__((format(printf, 3, 4))) static void set_kind(struct centry *e, enum ckind k,
							   const char *fmt, ...)
{
	e->kind = k;
	free(e->reason);
	e->reason = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		e->reason = xvasprintf(fmt, ap);
		va_end(ap);
	}
}

static void add_alg(struct centry *e, int alg, int tag)
{
	bool seen = false;
	for (size_t i = 0; i < e->n_algs; i++)
		seen |= e->algs[i] == alg;
	if (!seen && e->n_algs < 8)
		e->algs[e->n_algs++] = alg;
	if (e->n_tags < 8)
		e->tags[e->n_tags++] = tag;
	if (alg_deprecated(alg))
		e->deprecated = true;
}

static void fetch_nsec3param(struct validator *v, struct centry *e, time_t now)
{
	struct dns_reply *r = dns_query_rdf(v->dns, e->dn, LDNS_RR_TYPE_NSEC3PARAM);
	if (dns_reply_outcome(r) == DNS_ANSWER && r->pkt) {
		struct msg m;
		msg_from_pkt(r->pkt, &m);
		ldns_rr_list *rs = select_rrs(m.an, e->dn, LDNS_RR_TYPE_NSEC3PARAM);
		ldns_rr_list *sg = select_sigs(m.an, e->dn, LDNS_RR_TYPE_NSEC3PARAM);
		char why[256];
		if (ldns_rr_list_rr_count(rs) &&
		    verify_rrset(v, e, rs, sg, e->kk, e->n_kk, now, NULL, why, sizeof(why)))
			for (size_t i = 0; i < ldns_rr_list_rr_count(rs); i++) {
				int it = rd_u16(ldns_rr_list_rr(rs, i), 2);
				if (it > e->nsec3_iter)
					e->nsec3_iter = it;
			}
		ldns_rr_list_free(rs);
		ldns_rr_list_free(sg);
		msg_free(&m);
	}
	dns_reply_release(r);
}

/*
 * Establish the keys of zone e->dn from trusted DS records (from the parent, or an anchor)
 * and/or trusted DNSKEY anchors.
 */
static void establish_zone(struct validator *v, struct centry *e, const ldns_rr_list *ds,
			   const ldns_rr_list *anchor_keys, time_t now)
{
	char *zs = dn_show(e->dn);
	char why[400];
	ldns_rr_list *usable = ldns_rr_list_new();
	bool strong = false;
	for (size_t i = 0; ds && i < ldns_rr_list_rr_count(ds); i++) {
		const ldns_rr *d = ldns_rr_list_rr(ds, i);
		if (alg_supported(rd_u8(d, 1)) && digest_supported(rd_u8(d, 2)))
			strong |= rd_u8(d, 2) != LDNS_SHA1;
	}
	for (size_t i = 0; ds && i < ldns_rr_list_rr_count(ds); i++) {
		ldns_rr *d = ldns_rr_list_rr(ds, i);
		if (alg_supported(rd_u8(d, 1)) && digest_supported(rd_u8(d, 2)) &&
		    !(strong && rd_u8(d, 2) == LDNS_SHA1)) /* RFC 4509 §3 */
			ldns_rr_list_push_rr(usable, d);
	}
	size_t n_anchor_keys = anchor_keys ? ldns_rr_list_rr_count(anchor_keys) : 0;
	if (!ldns_rr_list_rr_count(usable) && !n_anchor_keys) {
		set_kind(e, C_INSECURE,
			 "DS for %s uses only algorithms or digest types this validator does not "
			 "support (RFC 6840 §5.2: insecure)",
			 zs);
		goto out;
	}
	struct dns_reply *r = dns_query_rdf(v->dns, e->dn, LDNS_RR_TYPE_DNSKEY);
	enum dns_outcome oc = dns_reply_outcome(r);
	if (oc == DNS_FAILURE || !r->pkt) {
		set_kind(e, C_ERROR, "DNSKEY lookup for %s failed: %s", zs, dns_reply_error(r));
		dns_reply_release(r);
		goto out;
	}
	struct msg m;
	msg_from_pkt(r->pkt, &m);
	dns_reply_release(r);
	ldns_rr_list *keys = select_rrs(m.an, e->dn, LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *sigs = select_sigs(m.an, e->dn, LDNS_RR_TYPE_DNSKEY);
	/* the keys, copied: they become the entry's when the RRset verifies. The entry keeps only
	 * their heads; parsed material (several KiB per key in OpenSSL) lives in the bounded key
	 * ring, so a run over 100,000 zones with keys of their own does not keep 200,000 parsed
	 * keys for the cache's lifetime (bench/RESULTS.md, 100k). */
	size_t nk = ldns_rr_list_rr_count(keys);
	ldns_rr_list *owned = ldns_rr_list_new();
	struct dnssec_key **kk = xcalloc(nk ? nk : 1, sizeof(*kk));
	for (size_t k = 0; k < nk; k++) {
		ldns_rr *c = ldns_rr_clone(ldns_rr_list_rr(keys, k));
		if (!c)
			die("out of memory");
		ldns_rr_list_push_rr(owned, c);
		kk[k] = dnssec_key_head_new(c); /* not NULL: the shape was checked */
	}
	if (!nk) {
		set_kind(e, C_BOGUS, "%s has a DS at its parent but publishes no DNSKEY", zs);
		goto done;
	}
	/* candidate secure entry points: keys matching a usable DS, or equal to an anchor key */
	bool any_match = false, verified = false;
	why[0] = '\0';
	for (size_t k = 0; k < nk && !verified; k++) {
		ldns_rr *key = ldns_rr_list_rr(keys, k);
		uint16_t fl = rd_u16(key, 0);
		if (!kk[k])
			continue;
		if (!(fl & LDNS_KEY_ZONE_KEY) || (fl & LDNS_KEY_REVOKE_KEY))
			continue;
		bool match = false;
		for (size_t i = 0; i < ldns_rr_list_rr_count(usable) && !match; i++)
			match = dnssec_ds_matches(ldns_rr_list_rr(usable, i), key);
		for (size_t i = 0; i < n_anchor_keys && !match; i++) {
			const ldns_rr *a = ldns_rr_list_rr(anchor_keys, i);
			match = ldns_rdf_compare(ldns_rr_rdf(a, 3), ldns_rr_rdf(key, 3)) == 0 &&
				rd_u8(a, 2) == rd_u8(key, 2);
		}
		if (!match)
			continue;
		any_match = true;
		/* only signatures made by this key count here */
		ldns_rr_list *ks = ldns_rr_list_new();
		for (size_t s = 0; s < ldns_rr_list_rr_count(sigs); s++) {
			ldns_rr *sg = ldns_rr_list_rr(sigs, s);
			if (rd_u16(sg, 6) == dnssec_key_tag(kk[k]) && rd_u8(sg, 1) == rd_u8(key, 2))
				ldns_rr_list_push_rr(ks, sg);
		}
		char w[300];
		e->dnskey_verifications++;
		atomic_fetch_add(&v->ctr.dnskey_verifications[e->depth], 1);
		if (verify_rrset(v, e, keys, ks, &kk[k], 1, now, NULL, w, sizeof(w))) {
			verified = true;
			add_alg(e, rd_u8(key, 2), dnssec_key_tag(kk[k]));
		} else if (!why[0]) {
			snprintf(why, sizeof(why), "%s", w);
		}
		ldns_rr_list_free(ks);
	}
	if (!any_match) {
		char tags[120] = "";
		size_t off = 0;
		for (size_t i = 0; i < ldns_rr_list_rr_count(usable) && off < sizeof(tags) - 8; i++)
			off += (size_t)snprintf(tags + off, sizeof(tags) - off, "%s%u",
						i ? ", " : "",
						rd_u16(ldns_rr_list_rr(usable, i), 0));
		if (n_anchor_keys && !ldns_rr_list_rr_count(usable))
			set_kind(e, C_BOGUS, "no DNSKEY of %s matches the trust anchor", zs);
		else
			set_kind(e, C_BOGUS, "DS for %s matches no DNSKEY (key tag %s)", zs, tags);
		goto done;
	}
	if (!verified) {
		set_kind(e, C_BOGUS, "%s", why[0] ? why : "DNSKEY RRset is not self-signed");
		goto done;
	}
	e->keys = owned;
	owned = NULL;
	for (size_t k = 0; k < nk; k++)
		if (kk[k])
			kk[e->n_kk++] = kk[k];
	e->kk = kk;
	kk = NULL;
	set_kind(e, C_ZONE, NULL);
	atomic_fetch_add(&v->ctr.zones_established[e->depth], 1);
	fetch_nsec3param(v, e, now);
done:
	for (size_t k = 0; kk && k < nk; k++)
		dnssec_key_free(kk[k]);
	free(kk);
	ldns_rr_list_deep_free(owned);
	ldns_rr_list_free(keys);
	ldns_rr_list_free(sigs);
	msg_free(&m);
out:
	ldns_rr_list_free(usable);
	free(zs);
}

static void anchors_for(const struct validator *v, const ldns_rdf *dn, ldns_rr_list **ds,
			ldns_rr_list **keys)
{
	*ds = ldns_rr_list_new();
	*keys = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(v->anchors); i++) {
		ldns_rr *a = ldns_rr_list_rr(v->anchors, i);
		if (!dn_eq(ldns_rr_owner(a), dn))
			continue;
		ldns_rr_list_push_rr(ldns_rr_get_type(a) == LDNS_RR_TYPE_DS ? *ds : *keys, a);
	}
}

static bool has_anchor(const struct validator *v, const ldns_rdf *dn)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(v->anchors); i++)
		if (dn_eq(ldns_rr_owner(ldns_rr_list_rr(v->anchors, i)), dn))
			return true;
	return false;
}

/* Compute the entry for name c whose parent zone is `parent` (a C_ZONE entry). */
static void compute_cut(struct validator *v, struct centry *e, struct centry *parent, time_t now)
{
	char *cs = dn_show(e->dn), *ps = dn_show(parent->dn);
	char why[400];
	if (has_anchor(v, e->dn)) {
		ldns_rr_list *ads, *akeys;
		anchors_for(v, e->dn, &ads, &akeys);
		establish_zone(v, e, ads, akeys, now);
		ldns_rr_list_free(ads);
		ldns_rr_list_free(akeys);
		goto out;
	}
	struct dns_reply *r = dns_query_rdf(v->dns, e->dn, LDNS_RR_TYPE_DS);
	enum dns_outcome oc = dns_reply_outcome(r);
	if (oc == DNS_FAILURE || !r->pkt) {
		set_kind(e, C_ERROR, "DS lookup for %s failed: %s", cs, dns_reply_error(r));
		dns_reply_release(r);
		goto out;
	}
	struct msg m;
	msg_from_pkt(r->pkt, &m);
	dns_reply_release(r);
	ldns_rr_list *ds = select_rrs(m.an, e->dn, LDNS_RR_TYPE_DS);
	ldns_rr_list *cn = select_rrs(m.an, e->dn, LDNS_RR_TYPE_CNAME);
	if (ldns_rr_list_rr_count(ds)) {
		ldns_rr_list *sg = select_sigs(m.an, e->dn, LDNS_RR_TYPE_DS);
		if (!verify_rrset(v, parent, ds, sg, parent->kk, parent->n_kk, now, NULL, why,
				  sizeof(why)))
			set_kind(e, C_BOGUS, "%s", why);
		else
			establish_zone(v, e, ds, NULL, now);
		ldns_rr_list_free(sg);
	} else if (find_dname(m.an, e->dn)) {
		/* below a DNAME: no name of this zone can exist here (RFC 6672 §2.3) */
		const ldns_rdf *owner = ldns_rr_owner(find_dname(m.an, e->dn));
		ldns_rr_list *dr = select_rrs(m.an, owner, LDNS_RR_TYPE_DNAME);
		ldns_rr_list *sg = select_sigs(m.an, owner, LDNS_RR_TYPE_DNAME);
		if (!verify_rrset(v, parent, dr, sg, parent->kk, parent->n_kk, now, NULL, why,
				  sizeof(why)))
			set_kind(e, C_BOGUS, "%s", why);
		else
			set_kind(e, C_NXD, NULL);
		ldns_rr_list_free(sg);
		ldns_rr_list_free(dr);
	} else if (ldns_rr_list_rr_count(cn)) {
		ldns_rr_list *sg = select_sigs(m.an, e->dn, LDNS_RR_TYPE_CNAME);
		if (!verify_rrset(v, parent, cn, sg, parent->kk, parent->n_kk, now, NULL, why,
				  sizeof(why)))
			set_kind(e, C_BOGUS, "%s", why);
		else
			set_kind(e, C_NXD, NULL); /* an alias: nothing can live below it */
		ldns_rr_list_free(sg);
	} else {
		/* a denial, signed by the parent zone */
		ldns_rr_list *good = ldns_rr_list_new();
		char vwhy[300] = "";
		for (size_t i = 0; i < ldns_rr_list_rr_count(m.ns); i++) {
			ldns_rr *rr = ldns_rr_list_rr(m.ns, i);
			ldns_rr_type t = ldns_rr_get_type(rr);
			if (t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3)
				continue;
			ldns_rr_list *one = ldns_rr_list_new();
			ldns_rr_list_push_rr(one, rr);
			ldns_rr_list *sg = select_sigs(m.ns, ldns_rr_owner(rr), t);
			if (verify_rrset(v, parent, one, sg, parent->kk, parent->n_kk, now, NULL,
					 vwhy, sizeof(vwhy)))
				ldns_rr_list_push_rr(good, rr);
			ldns_rr_list_free(sg);
			ldns_rr_list_free(one);
		}
		struct denial d;
		dnssec_denial(parent->dn, e->dn, LDNS_RR_TYPE_DS, good, &d);
		if (d.kind == DENIAL_NODATA && d.matched && d.has_ds)
			set_kind(e, C_BOGUS, "DS for %s is denied but its NSEC bitmap lists DS",
				 cs);
		else if (d.kind == DENIAL_NODATA && d.matched && d.has_soa)
			set_kind(
				e, C_BOGUS,
				"proof that %s has no DS comes from the child zone (SOA bit set), not "
				"from %s",
				cs, ps);
		else if (d.kind == DENIAL_NODATA && d.matched && d.has_ns)
			set_kind(e, C_INSECURE, "%s is an unsigned delegation (%s proves no DS)",
				 cs, d.nsec3 ? "NSEC3" : "NSEC");
		else if (d.kind == DENIAL_NODATA)
			set_kind(e, C_NOTCUT, NULL);
		else if (d.kind == DENIAL_NXDOMAIN)
			set_kind(e, C_NXD, NULL);
		else if (d.kind == DENIAL_OPTOUT)
			set_kind(e, C_INSECURE,
				 "%s lies in an NSEC3 opt-out span of %s (unsigned delegation)", cs,
				 ps);
		else if (d.too_many_iterations)
			set_kind(e, C_INSECURE,
				 "NSEC3 of %s uses %d iterations (above %d, RFC 9276: insecure)",
				 ps, d.nsec3_iterations, DNSSEC_NSEC3_MAX_ITER);
		else if (!ldns_rr_list_rr_count(good) && vwhy[0])
			set_kind(e, C_BOGUS, "no valid proof that %s has no DS: %s", cs, vwhy);
		else
			set_kind(e, C_BOGUS, "no valid proof that %s has no DS: %s", cs, d.why_not);
		ldns_rr_list_free(good);
	}
	ldns_rr_list_free(ds);
	ldns_rr_list_free(cn);
	msg_free(&m);
out:
	free(cs);
	free(ps);
}

/* The entry for dn (computed now unless cached), referenced: entry_release() it. */
static struct centry *get_entry(struct validator *v, const ldns_rdf *dn, struct centry *parent,
				time_t now)
{
	bool mine;
	struct centry *e = cache_claim(v, dn, &mine);
	if (!mine)
		return e;
	if (!parent) { /* a trust anchor's own zone */
		ldns_rr_list *ads, *akeys;
		anchors_for(v, dn, &ads, &akeys);
		establish_zone(v, e, ads, akeys, now);
		ldns_rr_list_free(ads);
		ldns_rr_list_free(akeys);
	} else {
		compute_cut(v, e, parent, now);
	}
	cache_publish(v, e);
	return e;
}

struct walk {
	enum dnssec_status st;
	struct centry *zone; /* the deepest secure zone (when st == SECURE), referenced */
	char *reason;        /* owned */
};

static void walk_release(struct validator *v, struct walk *w)
{
	entry_release(v, w->zone);
	w->zone = NULL;
	free(w->reason);
	w->reason = NULL;
}

static void chain_note(json_t *chain, const struct centry *e)
{
	if (!chain || e->kind != C_ZONE)
		return;
	char *zs = dn_show(e->dn);
	for (size_t i = 0; i < json_array_size(chain); i++) {
		const char *z =
			json_string_value(json_object_get(json_array_get(chain, i), "zone"));
		if (z && strcmp(z, zs) == 0) {
			free(zs);
			return;
		}
	}
	json_t *algs = json_array(), *tags = json_array();
	for (size_t i = 0; i < e->n_algs; i++)
		json_array_append_new(algs, json_integer(e->algs[i]));
	for (size_t i = 0; i < e->n_tags; i++)
		json_array_append_new(tags, json_integer(e->tags[i]));
	json_t *o = json_pack("{s:s, s:o, s:o}", "zone", zs, "algorithms", algs, "key_tags", tags);
	if (e->nsec3_iter >= 0)
		json_object_set_new(o, "nsec3_iterations", json_integer(e->nsec3_iter));
	json_array_append_new(chain, o);
	free(zs);
}

/*
 * Walk from the deepest anchor above `name` down to `target` (an ancestor-or-self of name).
 * The caller walk_release()s w.
 */
static void walk_to(struct validator *v, const ldns_rdf *target, time_t now, json_t *chain,
		    struct walk *w)
{
	memset(w, 0, sizeof(*w));
	/* the labels of target from the top: ancestors[0] = root ... */
	ldns_rdf *anc[MAX_WALK_LABELS + 2];
	size_t n = 0;
	ldns_rdf *cur = ldns_rdf_clone(target);
	while (cur && n < MAX_WALK_LABELS + 1) {
		anc[n++] = cur;
		if (ldns_dname_label_count(cur) == 0)
			break;
		cur = ldns_dname_left_chop(cur);
	}
	/* find the topmost anchor */
	size_t start = n;
	for (size_t i = n; i-- > 0;)
		if (has_anchor(v, anc[i])) {
			start = i;
			break;
		}
	if (start == n) {
		w->st = DNSSEC_INSECURE;
		w->reason = xstrdup("no trust anchor above the name");
		goto out;
	}
	struct centry *zone = get_entry(v, anc[start], NULL, now);
	for (size_t i = start + 1; i-- > 0;) {
		struct centry *e = i == start ? zone : get_entry(v, anc[i], zone, now);
		if (e->kind == C_ZONE) {
			if (e != zone)
				entry_release(v, zone);
			zone = e;
			chain_note(chain, e);
			continue;
		}
		enum ckind k = e->kind;
		if (k != C_NOTCUT && k != C_NXD) {
			w->st = k == C_INSECURE ? DNSSEC_INSECURE
				: k == C_BOGUS  ? DNSSEC_BOGUS
						: DNSSEC_ERROR;
			w->reason = xstrdup(e->reason ? e->reason : "validation failed");
		}
		if (e != zone)
			entry_release(v, e);
		if (k == C_NOTCUT)
			continue; /* still inside zone */
		if (k != C_NXD) {
			entry_release(v, zone);
			goto out;
		}
		break;
	}
	w->st = DNSSEC_SECURE;
	w->zone = zone;
out:
	for (size_t i = 0; i < n; i++)
		ldns_rdf_deep_free(anc[i]);
}

/* ---- per-answer validation ---------------------------------------------------------------- */

struct acc {
	enum dnssec_status st; /* worst so far */
	char *reason;
	bool deprecated;
	int nsec3_iter;
	json_t *chain;
};

static int st_rank(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return 0;
	case DNSSEC_INSECURE:
		return 1;
	case DNSSEC_ERROR:
		return 2;
	case DNSSEC_BOGUS:
	default:
		return 3;
	}
}

__attribute__((format(printf, 3, 4))) static void acc_fold(struct acc *a, enum dnssec_status s,
							   const char *fmt, ...)
{
	bool worse = st_rank(s) > st_rank(a->st);
	bool first_reason = st_rank(s) == st_rank(a->st) && s != DNSSEC_SECURE && !a->reason;
	if (!worse && !first_reason)
		return;
	a->st = s;
	if (fmt) {
		free(a->reason);
		va_list ap;
		va_start(ap, fmt);
		a->reason = xvasprintf(fmt, ap);
		va_end(ap);
	}
}

static const ldns_rdf *pick_signer(const ldns_rr_list *l, const ldns_rdf *name, ldns_rr_type only)
{
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG)
			continue;
		if (only && rd_u16(rr, 0) != only)
			continue;
		const ldns_rdf *s = ldns_rr_rdf(rr, 7);
		if (dn_under(name, s))
			return s;
	}
	return NULL;
}

static void note_zone(struct acc *a, const struct centry *z)
{
	if (z->deprecated)
		a->deprecated = true;
	if (z->nsec3_iter > a->nsec3_iter)
		a->nsec3_iter = z->nsec3_iter;
}

/* verified NSEC/NSEC3 from the authority section, signed by zone */
static ldns_rr_list *verified_denials(struct validator *v, const struct msg *m, struct centry *z,
				      time_t now, char *why, size_t whylen)
{
	ldns_rr_list *good = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(m->ns); i++) {
		ldns_rr *rr = ldns_rr_list_rr(m->ns, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3)
			continue;
		ldns_rr_list *one = ldns_rr_list_new();
		ldns_rr_list_push_rr(one, rr);
		ldns_rr_list *sg = select_sigs(m->ns, ldns_rr_owner(rr), t);
		if (verify_rrset(v, z, one, sg, z->kk, z->n_kk, now, NULL, why, whylen))
			ldns_rr_list_push_rr(good, rr);
		ldns_rr_list_free(sg);
		ldns_rr_list_free(one);
	}
	return good;
}

static void check_positive(struct validator *v, const struct msg *m, const ldns_rdf *owner,
			   ldns_rr_list *rrset, time_t now, struct acc *a)
{
	char tb[16], why[400];
	ldns_rr_type t = ldns_rr_get_type(ldns_rr_list_rr(rrset, 0));
	ldns_rr_list *sigs = select_sigs(m->an, owner, t);
	const ldns_rdf *signer = pick_signer(sigs, owner, 0);
	struct walk w;
	walk_to(v, signer ? signer : owner, now, a->chain, &w);
	char *os = dn_show(owner);
	if (w.st != DNSSEC_SECURE) {
		acc_fold(a, w.st, "%s", w.reason);
		goto out;
	}
	note_zone(a, w.zone);
	struct vinfo vi = { 0 };
	if (!verify_rrset(v, w.zone, rrset, sigs, w.zone->kk, w.zone->n_kk, now, &vi, why,
			  sizeof(why))) {
		acc_fold(a, DNSSEC_BOGUS, "%s", why);
		goto out;
	}
	if (vi.wildcard) {
		/* RFC 4035 §5.3.4: the next closer name must be proven absent */
		ldns_rr_list *good = verified_denials(v, m, w.zone, now, why, sizeof(why));
		struct denial d;
		ldns_rdf *nc = ldns_rdf_clone(owner);
		while (nc && ldns_dname_label_count(nc) > vi.labels + 1) {
			ldns_rdf *c = ldns_dname_left_chop(nc);
			ldns_rdf_deep_free(nc);
			nc = c;
		}
		bool proven = false;
		for (size_t i = 0; i < ldns_rr_list_rr_count(good) && !proven; i++) {
			ldns_rr *rr = ldns_rr_list_rr(good, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC)
				proven = nsec_covers(ldns_rr_owner(rr), ldns_rr_rdf(rr, 0), owner);
		}
		if (!proven && ldns_rr_list_rr_count(good)) {
			dnssec_denial(w.zone->dn, nc, t, good, &d);
			proven = d.kind == DENIAL_NXDOMAIN || d.kind == DENIAL_OPTOUT;
			if (d.nsec3_iterations > a->nsec3_iter)
				a->nsec3_iter = d.nsec3_iterations;
		}
		ldns_rdf_deep_free(nc);
		ldns_rr_list_free(good);
		if (!proven) {
			acc_fold(
				a, DNSSEC_BOGUS,
				"wildcard answer for %s/%s without proof that the name does not exist",
				os, type_name(t, tb));
			goto out;
		}
	}
	if (alg_deprecated(vi.alg))
		a->deprecated = true;
	acc_fold(a, DNSSEC_SECURE, NULL);
out:
	walk_release(v, &w);
	free(os);
	ldns_rr_list_free(sigs);
}

static void check_negative(struct validator *v, const struct msg *m, const ldns_rdf *name,
			   ldns_rr_type type, bool nxdomain, time_t now, struct acc *a)
{
	char tb[16], why[400] = "";
	const ldns_rdf *signer = pick_signer(m->ns, name, 0);
	struct walk w;
	walk_to(v, signer ? signer : name, now, a->chain, &w);
	char *ns = dn_show(name);
	if (w.st != DNSSEC_SECURE) {
		acc_fold(a, w.st, "%s", w.reason);
		goto out;
	}
	note_zone(a, w.zone);
	/* every SOA in the authority section must verify too (as validating resolvers demand) */
	ldns_rr_list *soa = select_rrs(m->ns, NULL, LDNS_RR_TYPE_SOA);
	if (ldns_rr_list_rr_count(soa)) {
		const ldns_rdf *apex = ldns_rr_owner(ldns_rr_list_rr(soa, 0));
		ldns_rr_list *soa1 = select_rrs(soa, apex, LDNS_RR_TYPE_SOA);
		ldns_rr_list *sg = select_sigs(m->ns, apex, LDNS_RR_TYPE_SOA);
		bool ok = verify_rrset(v, w.zone, soa1, sg, w.zone->kk, w.zone->n_kk, now, NULL,
				       why, sizeof(why));
		ldns_rr_list_free(sg);
		ldns_rr_list_free(soa1);
		if (!ok) {
			ldns_rr_list_free(soa);
			acc_fold(a, DNSSEC_BOGUS, "%s for %s/%s: %s",
				 nxdomain ? "NXDOMAIN" : "NODATA", ns, type_name(type, tb), why);
			goto out;
		}
	}
	ldns_rr_list_free(soa);
	why[0] = '\0';
	ldns_rr_list *good = verified_denials(v, m, w.zone, now, why, sizeof(why));
	struct denial d;
	dnssec_denial(w.zone->dn, name, type, good, &d);
	if (d.nsec3_iterations > a->nsec3_iter)
		a->nsec3_iter = d.nsec3_iterations;
	const char *what = nxdomain ? "NXDOMAIN" : "NODATA";
	if (d.kind == DENIAL_NXDOMAIN || d.kind == DENIAL_NODATA)
		acc_fold(a, DNSSEC_SECURE, NULL);
	else if (d.kind == DENIAL_OPTOUT)
		acc_fold(a, DNSSEC_INSECURE, "%s for %s/%s lies in an NSEC3 opt-out span", what, ns,
			 type_name(type, tb));
	else if (d.too_many_iterations)
		acc_fold(a, DNSSEC_INSECURE, "%s for %s/%s: %s (RFC 9276: insecure)", what, ns,
			 type_name(type, tb), d.why_not);
	else if (!ldns_rr_list_rr_count(good) && why[0])
		acc_fold(a, DNSSEC_BOGUS, "%s for %s/%s without a valid proof: %s", what, ns,
			 type_name(type, tb), why);
	else
		acc_fold(a, DNSSEC_BOGUS, "%s for %s/%s without a valid proof: %s", what, ns,
			 type_name(type, tb), d.why_not);
	ldns_rr_list_free(good);
out:
	walk_release(v, &w);
	free(ns);
}

/*
 * One DNAME hop (RFC 6672 §5.3.1, RFC 4035 §5.3): the DNAME RRset is validated like any
 * answer; the synthesised CNAME at `cur` carries no signature and is accepted when its target
 * is the substitution of cur by the DNAME. Returns the next name (caller frees) or NULL when
 * the chain ends here (the reason is folded into a).
 */
static ldns_rdf *follow_dname(struct validator *v, const struct msg *m, const ldns_rdf *cur,
			      const ldns_rr *dname, const ldns_rr_list *cn, time_t now,
			      struct acc *a)
{
	const ldns_rdf *owner = ldns_rr_owner(dname);
	ldns_rr_list *rs = select_rrs(m->an, owner, LDNS_RR_TYPE_DNAME);
	check_positive(v, m, owner, rs, now, a);
	ldns_rr_list_free(rs);
	ldns_rdf *next = dnssec_dname_substitute(cur, owner, ldns_rr_rdf(dname, 0));
	char *cs = dn_show(cur), *os = dn_show(owner);
	if (!next) {
		acc_fold(a, DNSSEC_BOGUS, "DNAME at %s makes %s longer than 255 octets", os, cs);
	} else if (ldns_rr_list_rr_count(cn) > 1 ||
		   (ldns_rr_list_rr_count(cn) == 1 &&
		    !dn_eq(ldns_rr_rdf(ldns_rr_list_rr(cn, 0), 0), next))) {
		acc_fold(a, DNSSEC_BOGUS, "CNAME at %s does not match the DNAME at %s (RFC 6672)",
			 cs, os);
		ldns_rdf_deep_free(next);
		next = NULL;
	}
	free(cs);
	free(os);
	return next;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void check_one(struct validator *v, const char *name, ldns_rr_type type,
		      struct dnssec_result *out);

void validator_check(struct validator *v, const char *name, ldns_rr_type type,
		     struct dnssec_result *out)
{
	uint64_t t0 = thread_cpu_ns();
	check_one(v, name, type, out);
	atomic_fetch_add(&v->ctr.checks, 1);
	atomic_fetch_add(&v->ctr.cpu_ns, thread_cpu_ns() - t0);
}

static void check_one(struct validator *v, const char *name, ldns_rr_type type,
		      struct dnssec_result *out)
{
	memset(out, 0, sizeof(*out));
	out->nsec3_iterations = -1;
	time_t now = v_now(v);
	struct acc a = { .st = DNSSEC_SECURE, .nsec3_iter = -1, .chain = json_array() };
	json_t *detail = json_object();
	json_t *cnames = json_array();
	ldns_rdf *cur = ldns_dname_new_frm_str(name);
	struct dns_reply *r = NULL;
	struct msg m = { 0 };
	if (!cur) {
		acc_fold(&a, DNSSEC_ERROR, "invalid name");
		goto done;
	}
	ldns_dname2canonical(cur);
	r = dns_query_rdf(v->dns, cur, type);
	if (dns_reply_outcome(r) == DNS_FAILURE || !r->pkt) {
		acc_fold(&a, DNSSEC_ERROR, "lookup of %s failed: %s", name, dns_reply_error(r));
		goto done;
	}
	msg_from_pkt(r->pkt, &m);
	if (m.malformed)
		json_object_set_new(detail, "malformed_records",
				    json_integer((json_int_t)m.malformed));
	for (int hop = 0;; hop++) {
		if (hop > MAX_CNAME_HOPS) {
			acc_fold(&a, DNSSEC_ERROR, "CNAME chain too long");
			break;
		}
		ldns_rr_list *rs = type == LDNS_RR_TYPE_CNAME ? ldns_rr_list_new()
							      : select_rrs(m.an, cur, type);
		if (ldns_rr_list_rr_count(rs)) {
			check_positive(v, &m, cur, rs, now, &a);
			ldns_rr_list_free(rs);
			break;
		}
		ldns_rr_list_free(rs);
		ldns_rr_list *cn = select_rrs(m.an, cur, LDNS_RR_TYPE_CNAME);
		const ldns_rr *dname = find_dname(m.an, cur);
		if (dname) {
			ldns_rdf *next = follow_dname(v, &m, cur, dname, cn, now, &a);
			ldns_rr_list_free(cn);
			if (!next)
				break;
			char *s = dn_show(next);
			json_array_append_new(cnames, json_string(s));
			free(s);
			ldns_rdf_deep_free(cur);
			cur = next;
			continue;
		}
		if (ldns_rr_list_rr_count(cn) == 1) {
			check_positive(v, &m, cur, cn, now, &a);
			ldns_rdf *next = ldns_rdf_clone(ldns_rr_rdf(ldns_rr_list_rr(cn, 0), 0));
			ldns_rr_list_free(cn);
			if (!next)
				break;
			ldns_dname2canonical(next);
			char *s = dn_show(next);
			json_array_append_new(cnames, json_string(s));
			free(s);
			ldns_rdf_deep_free(cur);
			cur = next;
			continue;
		}
		ldns_rr_list_free(cn);
		check_negative(v, &m, cur, type, m.rcode == LDNS_RCODE_NXDOMAIN, now, &a);
		break;
	}
done:
	out->status = a.st;
	out->reason = a.reason;
	if (!out->reason) {
		out->reason = xstrdup(a.st == DNSSEC_SECURE ? "validated from the trust anchor"
							    : "validation failed");
	}
	out->deprecated_alg = a.st == DNSSEC_SECURE && a.deprecated;
	out->nsec3_iterations = a.nsec3_iter;
	json_object_set_new(detail, "status", json_string(dnssec_status_name(a.st)));
	json_object_set_new(detail, "reason", json_str(out->reason));
	json_object_set_new(detail, "chain", a.chain);
	if (json_array_size(cnames))
		json_object_set_new(detail, "cname_chain", cnames);
	else
		json_decref(cnames);
	if (out->deprecated_alg)
		json_object_set_new(detail, "deprecated_algorithm", json_true());
	if (a.nsec3_iter >= 0)
		json_object_set_new(detail, "nsec3_iterations", json_integer(a.nsec3_iter));
	out->detail = detail;
	msg_free(&m);
	dns_reply_release(r);
	ldns_rdf_deep_free(cur);
}

/* ---- construction ---------------------------------------------------------------------------- */

struct validator *validator_new(struct dns_client *dns, const char *anchor_file, char **err)
{
	*err = NULL;
	OPENSSL_init_crypto(0, NULL);
	FILE *f = fopen(anchor_file, "r");
	if (!f) {
		*err = xasprintf("cannot open trust anchor file %s", anchor_file);
		return NULL;
	}
	ldns_rr_list *anchors = ldns_rr_list_new();
	uint32_t ttl = 3600;
	ldns_rdf *origin = NULL, *prev = NULL;
	int line = 0;
	while (!feof(f)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN || st == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (st != LDNS_STATUS_OK) {
			if (feof(f) && !rr)
				break;
			*err = xasprintf("%s: line %d: %s", anchor_file, line,
					 ldns_get_errorstr_by_id(st));
			ldns_rr_free(rr);
			break;
		}
		ldns_rr_type t = ldns_rr_get_type(rr);
		if ((t == LDNS_RR_TYPE_DS || t == LDNS_RR_TYPE_DNSKEY) && dnssec_rr_shape_ok(rr)) {
			ldns_dname2canonical(ldns_rr_owner(rr));
			ldns_rr_list_push_rr(anchors, rr);
		} else {
			ldns_rr_free(rr);
		}
	}
	fclose(f);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (!*err && ldns_rr_list_rr_count(anchors) == 0)
		*err = xasprintf("%s: no DS or DNSKEY records", anchor_file);
	if (*err) {
		ldns_rr_list_deep_free(anchors);
		return NULL;
	}
	struct validator *v = xcalloc(1, sizeof(*v));
	v->dns = dns;
	v->anchors = anchors;
	v->max_entries = DNSSEC_CACHE_MAX_DEFAULT;
	const char *cm = getenv("DOMSCAN_DNSSEC_CACHE");
	if (cm && *cm) {
		char *end;
		unsigned long long n = strtoull(cm, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 100000000)
			v->max_entries = (size_t)n;
	}
	v->ring = dnssec_keyring_new(KEYRING_SLOTS);
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	return v;
}

void validator_set_time(struct validator *v, time_t when)
{
	v->fixed_now = when;
}

void validator_set_cache_max(struct validator *v, size_t max_entries)
{
	pthread_mutex_lock(&v->mu);
	v->max_entries = max_entries ? max_entries : 1;
	struct centry *dead = cache_evict(v);
	pthread_mutex_unlock(&v->mu);
	free_chain(dead);
}

void validator_get_stats(struct validator *v, struct validator_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->checks = atomic_load(&v->ctr.checks);
	st->cpu_ns = atomic_load(&v->ctr.cpu_ns);
	st->sig_verifications = atomic_load(&v->ctr.sig_verifications);
	for (int d = 0; d < N_DEPTHS; d++) {
		st->dnskey_verifications[d] = atomic_load(&v->ctr.dnskey_verifications[d]);
		st->zones_established[d] = atomic_load(&v->ctr.zones_established[d]);
		st->sig_by_depth[d] = atomic_load(&v->ctr.sig_by_depth[d]);
	}
	unsigned long hits = 0, parsed = 0;
	dnssec_keyring_stats(v->ring, &hits, &parsed);
	st->keys_parsed = parsed;
	st->keys_shared = hits;
	pthread_mutex_lock(&v->mu);
	st->cache_max = v->max_entries;
	st->cache_entries = v->n_entries;
	st->cache_peak = v->peak_entries;
	st->cache_hits = v->hits;
	st->cache_misses = v->misses;
	st->cache_evictions = v->evictions;
	pthread_mutex_unlock(&v->mu);
}

void validator_print_stats(struct validator *v, FILE *f)
{
	struct validator_stats st;
	validator_get_stats(v, &st);
	static const char *const depth_name[N_DEPTHS] = { "root", "tld", "sld", "deeper" };
	fprintf(f,
		"domscan: dnssec checks %llu, validator cpu %.3f s (%.1f us per check), signature "
		"verifications %llu\n",
		(unsigned long long)st.checks, (double)st.cpu_ns / 1e9,
		st.checks ? (double)st.cpu_ns / 1e3 / (double)st.checks : 0.0,
		(unsigned long long)st.sig_verifications);
	for (int d = 0; d < N_DEPTHS; d++)
		fprintf(f,
			"domscan: dnssec depth %s: zones established %llu, DNSKEY RRset "
			"verifications %llu, signature verifications %llu\n",
			depth_name[d], (unsigned long long)st.zones_established[d],
			(unsigned long long)st.dnskey_verifications[d],
			(unsigned long long)st.sig_by_depth[d]);
	fprintf(f,
		"domscan: dnssec cache entries %zu (peak %zu, bound %zu), hits %llu, misses %llu, "
		"evictions %llu\n",
		st.cache_entries, st.cache_peak, st.cache_max, (unsigned long long)st.cache_hits,
		(unsigned long long)st.cache_misses, (unsigned long long)st.cache_evictions);
	fprintf(f, "domscan: dnssec keys parsed %llu, shared between zones %llu\n",
		(unsigned long long)st.keys_parsed, (unsigned long long)st.keys_shared);
	/* the root and TLD zones still cached: how often their keys were verified */
	pthread_mutex_lock(&v->mu);
	for (struct centry *e = v->lru_head; e; e = e->older) {
		if (!e->done || e->kind != C_ZONE || e->depth > 1)
			continue;
		fprintf(f,
			"domscan: dnssec zone %s: DNSKEY RRset verifications %u, signature "
			"verifications with its keys %lu\n",
			e->key, e->dnskey_verifications, atomic_load(&e->sig_verifications));
	}
	pthread_mutex_unlock(&v->mu);
}

void validator_free(struct validator *v)
{
	if (!v)
		return;
	for (size_t b = 0; b < N_BUCKETS; b++) {
		struct centry *e = v->buckets[b];
		while (e) {
			struct centry *n = e->next;
			centry_free(e);
			e = n;
		}
	}
	ldns_rr_list_deep_free(v->anchors);
	dnssec_keyring_free(v->ring);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->cv);
	free(v);
}
