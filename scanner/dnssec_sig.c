/*
 * Signature crypto of the DNSSEC validator (see scanner/dnssec.h "Signature crypto"): key tags,
 * DS digests, DNSKEY -> EVP_PKEY conversion (once per key) and RRSIG verification with OpenSSL
 * EVP over signed data built here (RFC 4034 §3.1.8.1, §6; RFC 4035 §5.3.2 for wildcards).
 *
 * Why not ldns_verify_rrsig_time() and ldns_key_rr2ds(): they rebuild the public key from the
 * DNSKEY rdata for every signature and allocate 64 KiB work buffers (LDNS_MAX_PACKETLEN) per
 * call; in a scan of many domains that was about a third of the scanner's CPU (key conversion
 * plus glibc's heap consolidation). Only the algorithms OpenSSL EVP does natively here
 * (RSA/SHA-1, RSA/SHA-256, RSA/SHA-512, ECDSA P-256/P-384, Ed25519, Ed448) take this path; the
 * rare rest (RSA/MD5, DSA, anything else) still goes through ldns_verify_rrsig_time() so that
 * its verdicts stay what they were.
 *
 * The signed data is what ldns builds: the RRSIG rdata without the signature (signer name in
 * lower case), then the RRset with owner names in lower case (a wildcard expansion replaced by
 * "*." and the RRSIG's label count of the owner's rightmost labels), class, the RRSIG's
 * original TTL, and the rdata with the embedded names of the RFC 4034 §6.2 / RFC 3597 §7 types
 * in lower case, the records sorted by their canonical rdata. Duplicates are kept (as ldns
 * did; resolvers remove them).
 */
#include "scanner/dnssec.h"
#include "scanner/util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/*
 * Parsed key material shared between keys (through the key ring). Its reference count is our
 * own, under its own mutex, rather than OpenSSL's EVP_PKEY_up_ref(): then the last release,
 * which frees the material, is ordered after every other key's use in a way ThreadSanitizer
 * sees (OpenSSL's atomic counts in an uninstrumented libcrypto are invisible to it, and it
 * reported the free as a race with another thread's earlier verification).
 */
struct key_material {
	pthread_mutex_t mu; /* guards refs */
	unsigned refs;
	EVP_PKEY *pkey;
	EVP_MD *md;
};

struct dnssec_key {
	const ldns_rr *rr; /* borrowed: the DNSKEY must outlive the key */
	uint16_t tag, flags;
	uint8_t alg;
	bool ldns_path;         /* verified through ldns (algorithms not done natively) */
	EVP_PKEY *pkey;         /* NULL: the key material does not parse (nothing verifies) */
	EVP_MD *md;             /* RSA and ECDSA; NULL for EdDSA */
	struct key_material *m; /* non-NULL: pkey and md are m's (shared), else the key's own */
};

/* ---- small helpers ------------------------------------------------------------------------- */

/* A growing byte buffer; starts in the caller's stack space, moves to the heap when needed. */
struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool heap;
};

static void wb_init(struct wbuf *b, uint8_t *stack, size_t cap)
{
	b->p = stack;
	b->n = 0;
	b->cap = cap;
	b->heap = false;
}

static void wb_put(struct wbuf *b, const void *d, size_t len)
{
	if (b->n + len > b->cap) {
		size_t cap = b->cap * 2;
		while (cap < b->n + len)
			cap *= 2;
		uint8_t *np = xmalloc(cap);
		memcpy(np, b->p, b->n);
		if (b->heap)
			free(b->p);
		b->p = np;
		b->cap = cap;
		b->heap = true;
	}
	memcpy(b->p + b->n, d, len);
	b->n += len;
}

static void wb_u16(struct wbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	wb_put(b, x, 2);
}

static void wb_u32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	wb_put(b, x, 4);
}

static void wb_free(struct wbuf *b)
{
	if (b->heap)
		free(b->p);
}

/* Lower-case the ASCII letters of a wire name in place (RFC 4034 §6.2). */
static void name_lower(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = p[i];
		if (l == 0 || i + 1 + l > n)
			break;
		for (size_t j = i + 1; j <= i + l; j++)
			if (p[j] >= 'A' && p[j] <= 'Z')
				p[j] = (uint8_t)(p[j] - 'A' + 'a');
		i += 1 + l;
	}
}

/* A wire name in lower case, appended to b. */
static void wb_name_lower(struct wbuf *b, const uint8_t *d, size_t n)
{
	size_t start = b->n;
	wb_put(b, d, n);
	name_lower(b->p + start, n);
}

/* RR types whose embedded names are lower-cased in the canonical form (as ldns_rr2canonical) */
static bool rdata_names_canonical(ldns_rr_type t)
{
	switch (t) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_MD:
	case LDNS_RR_TYPE_MF:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_SOA:
	case LDNS_RR_TYPE_MB:
	case LDNS_RR_TYPE_MG:
	case LDNS_RR_TYPE_MR:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_MINFO:
	case LDNS_RR_TYPE_MX:
	case LDNS_RR_TYPE_RP:
	case LDNS_RR_TYPE_AFSDB:
	case LDNS_RR_TYPE_RT:
	case LDNS_RR_TYPE_SIG:
	case LDNS_RR_TYPE_PX:
	case LDNS_RR_TYPE_NXT:
	case LDNS_RR_TYPE_NAPTR:
	case LDNS_RR_TYPE_KX:
	case LDNS_RR_TYPE_SRV:
	case LDNS_RR_TYPE_DNAME:
	case LDNS_RR_TYPE_A6:
	case LDNS_RR_TYPE_RRSIG:
		return true;
	default:
		return false;
	}
}

/* ---- key tags and DS digests ------------------------------------------------------------ */

uint16_t dnssec_keytag(const ldns_rr *dnskey)
{
	if (!dnssec_rr_shape_ok(dnskey) || ldns_rr_get_type(dnskey) != LDNS_RR_TYPE_DNSKEY)
		return 0;
	/* RFC 4034 Appendix B over the rdata: flags, protocol, algorithm, key */
	const ldns_rdf *k = ldns_rr_rdf(dnskey, 3);
	const uint8_t *kd = ldns_rdf_data(k);
	size_t kn = ldns_rdf_size(k);
	if (rd_u8(dnskey, 2) == LDNS_RSAMD5) /* B.1: bits 8..23 from the end of the modulus */
		return kn >= 3 ? (uint16_t)(kd[kn - 3] << 8 | kd[kn - 2]) : 0;
	uint32_t ac =
		(uint32_t)rd_u16(dnskey, 0) + ((uint32_t)rd_u8(dnskey, 1) << 8) + rd_u8(dnskey, 2);
	for (size_t i = 0; i < kn; i++) /* the key starts at rdata offset 4: even */
		ac += (i & 1) ? kd[i] : (uint32_t)kd[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

bool dnssec_ds_matches(const ldns_rr *ds, const ldns_rr *key)
{
	if (!dnssec_rr_shape_ok(ds) || !dnssec_rr_shape_ok(key) ||
	    ldns_rr_get_type(ds) != LDNS_RR_TYPE_DS || ldns_rr_get_type(key) != LDNS_RR_TYPE_DNSKEY)
		return false;
	const EVP_MD *md;
	switch (rd_u8(ds, 2)) {
	case LDNS_SHA1:
		md = EVP_sha1();
		break;
	case LDNS_SHA256:
		md = EVP_sha256();
		break;
	case LDNS_SHA384:
		md = EVP_sha384();
		break;
	default:
		return false;
	}
	if (rd_u16(ds, 0) != dnssec_keytag(key) || rd_u8(ds, 1) != rd_u8(key, 2))
		return false;
	/* RFC 4034 §5.1.4: digest(canonical owner name | DNSKEY rdata) */
	uint8_t stack[1024];
	struct wbuf b;
	wb_init(&b, stack, sizeof(stack));
	const ldns_rdf *owner = ldns_rr_owner(key);
	wb_name_lower(&b, ldns_rdf_data(owner), ldns_rdf_size(owner));
	for (size_t i = 0; i < 4; i++)
		wb_put(&b, ldns_rdf_data(ldns_rr_rdf(key, i)), ldns_rdf_size(ldns_rr_rdf(key, i)));
	uint8_t dg[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	bool ok = EVP_Digest(b.p, b.n, dg, &dlen, md, NULL) == 1;
	wb_free(&b);
	const ldns_rdf *want = ldns_rr_rdf(ds, 3);
	return ok && ldns_rdf_size(want) == dlen && memcmp(ldns_rdf_data(want), dg, dlen) == 0;
}

/* ---- DNSKEY -> EVP_PKEY --------------------------------------------------------------------- */

/* RFC 3110 §2: exponent length (1 octet, or 0 and 2 octets), exponent, modulus */
static EVP_PKEY *rsa_pkey(const uint8_t *k, size_t n)
{
	if (n == 0)
		return NULL;
	size_t elen, off;
	if (k[0] == 0) {
		if (n < 3)
			return NULL;
		elen = (size_t)k[1] << 8 | k[2];
		off = 3;
	} else {
		elen = k[0];
		off = 1;
	}
	if (n < off + elen + 1)
		return NULL; /* at least one octet of modulus */
	EVP_PKEY *pk = NULL;
	BIGNUM *e = BN_bin2bn(k + off, (int)elen, NULL);
	BIGNUM *m = BN_bin2bn(k + off + elen, (int)(n - off - elen), NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	if (!e || !m || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, m) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)))
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(m);
	return pk;
}

/* RFC 6605 §4: the point's x | y, each 32 (P-256) or 48 (P-384) octets */
static EVP_PKEY *ec_pkey(const uint8_t *k, size_t n, int alg)
{
	size_t want = alg == LDNS_ECDSAP256SHA256 ? 64 : 96;
	if (n != want)
		return NULL;
	uint8_t pt[1 + 96];
	pt[0] = 0x04; /* uncompressed point */
	memcpy(pt + 1, k, n);
	char group[16];
	snprintf(group, sizeof(group), "%s", alg == LDNS_ECDSAP256SHA256 ? "P-256" : "P-384");
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, n + 1),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static bool native_alg(int alg)
{
	switch (alg) {
	case LDNS_RSASHA1:
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

static const char *alg_md(int alg)
{
	switch (alg) {
	case LDNS_RSASHA1:
	case LDNS_RSASHA1_NSEC3:
		return "SHA1";
	case LDNS_RSASHA256:
	case LDNS_ECDSAP256SHA256:
		return "SHA256";
	case LDNS_RSASHA512:
		return "SHA512";
	case LDNS_ECDSAP384SHA384:
		return "SHA384";
	default:
		return NULL;
	}
}

/* The key material of k's DNSKEY as an EVP_PKEY (and its digest); k->pkey stays NULL when it
 * does not parse. */
static void key_parse(struct dnssec_key *k)
{
	const ldns_rdf *kr = ldns_rr_rdf(k->rr, 3);
	const uint8_t *kd = ldns_rdf_data(kr);
	size_t kn = ldns_rdf_size(kr);
	switch (k->alg) {
	case LDNS_ECDSAP256SHA256:
	case LDNS_ECDSAP384SHA384:
		k->pkey = ec_pkey(kd, kn, k->alg);
		break;
	case LDNS_ED25519:
		if (kn == 32)
			k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, kd, kn);
		break;
	case LDNS_ED448:
		if (kn == 57)
			k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, kd, kn);
		break;
	default:
		k->pkey = rsa_pkey(kd, kn);
		break;
	}
	const char *mdn = alg_md(k->alg);
	if (k->pkey && mdn) {
		k->md = EVP_MD_fetch(NULL, mdn, NULL);
		if (!k->md) {
			EVP_PKEY_free(k->pkey);
			k->pkey = NULL;
		}
	}
}

/* tag, flags, algorithm; NULL when the record is not a well-formed DNSKEY */
static struct dnssec_key *key_head(const ldns_rr *dnskey)
{
	if (!dnssec_rr_shape_ok(dnskey) || ldns_rr_get_type(dnskey) != LDNS_RR_TYPE_DNSKEY)
		return NULL;
	struct dnssec_key *k = xcalloc(1, sizeof(*k));
	k->rr = dnskey;
	k->tag = dnssec_keytag(dnskey);
	k->flags = rd_u16(dnskey, 0);
	k->alg = rd_u8(dnskey, 2);
	k->ldns_path = !native_alg(k->alg);
	return k;
}

struct dnssec_key *dnssec_key_head_new(const ldns_rr *dnskey)
{
	return key_head(dnskey);
}

struct dnssec_key *dnssec_key_new(const ldns_rr *dnskey)
{
	struct dnssec_key *k = key_head(dnskey);
	if (k && !k->ldns_path)
		key_parse(k);
	return k;
}

/* ---- the key ring: parsed keys shared between zones ------------------------------------ */

struct ring_slot {
	uint8_t alg;
	uint8_t *bytes; /* the DNSKEY's public key field; NULL: empty slot */
	size_t len;
	struct key_material *m; /* one reference held by the ring */
};

/* Takes over the key's own pkey and md; one reference (the key's). */
static struct key_material *material_new(struct dnssec_key *k)
{
	struct key_material *m = xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->mu, NULL);
	m->refs = 1;
	m->pkey = k->pkey;
	m->md = k->md;
	k->m = m;
	return m;
}

static void material_ref(struct key_material *m)
{
	pthread_mutex_lock(&m->mu);
	m->refs++;
	pthread_mutex_unlock(&m->mu);
}

static void material_release(struct key_material *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	bool last = --m->refs == 0;
	pthread_mutex_unlock(&m->mu);
	if (!last)
		return;
	EVP_PKEY_free(m->pkey);
	EVP_MD_free(m->md);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

struct dnssec_keyring {
	pthread_mutex_t mu;
	size_t n_slots;
	struct ring_slot *slots; /* direct-mapped by a hash of (algorithm, key) */
	atomic_ulong hits, parsed;
};

struct dnssec_keyring *dnssec_keyring_new(size_t slots)
{
	struct dnssec_keyring *r = xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	r->n_slots = slots ? slots : 1;
	r->slots = xcalloc(r->n_slots, sizeof(*r->slots));
	atomic_init(&r->hits, 0);
	atomic_init(&r->parsed, 0);
	return r;
}

static void slot_clear(struct ring_slot *s)
{
	free(s->bytes);
	material_release(s->m);
	memset(s, 0, sizeof(*s));
}

void dnssec_keyring_free(struct dnssec_keyring *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_slots; i++)
		slot_clear(&r->slots[i]);
	free(r->slots);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

void dnssec_keyring_stats(const struct dnssec_keyring *r, unsigned long *hits,
			  unsigned long *parsed)
{
	*hits = atomic_load(&r->hits);
	*parsed = atomic_load(&r->parsed);
}

static size_t ring_index(const struct dnssec_keyring *r, uint8_t alg, const uint8_t *d, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ alg; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 1099511628211ull;
	return (size_t)(h % r->n_slots);
}

struct dnssec_key *dnssec_key_new_shared(const ldns_rr *dnskey, struct dnssec_keyring *r)
{
	struct dnssec_key *k = key_head(dnskey);
	if (!k || k->ldns_path)
		return k;
	if (!r) {
		key_parse(k);
		return k;
	}
	const ldns_rdf *kr = ldns_rr_rdf(dnskey, 3);
	const uint8_t *kd = ldns_rdf_data(kr);
	size_t kn = ldns_rdf_size(kr);
	struct ring_slot *s = &r->slots[ring_index(r, k->alg, kd, kn)];
	bool hit = false;
	pthread_mutex_lock(&r->mu);
	if (s->bytes && s->alg == k->alg && s->len == kn && memcmp(s->bytes, kd, kn) == 0) {
		material_ref(s->m); /* lock order: ring, then material */
		k->m = s->m;
		k->pkey = s->m->pkey;
		k->md = s->m->md;
		hit = true;
	}
	pthread_mutex_unlock(&r->mu);
	if (hit) {
		atomic_fetch_add(&r->hits, 1);
		return k;
	}
	key_parse(k); /* outside the lock */
	atomic_fetch_add(&r->parsed, 1);
	if (!k->pkey)
		return k; /* material that does not parse is not kept */
	uint8_t *copy = xmalloc(kn);
	memcpy(copy, kd, kn);
	struct key_material *m = material_new(k);
	material_ref(m); /* the ring's */
	pthread_mutex_lock(&r->mu);
	slot_clear(s); /* direct-mapped: the newest key of this slot stays */
	s->alg = k->alg;
	s->bytes = copy;
	s->len = kn;
	s->m = m;
	pthread_mutex_unlock(&r->mu);
	return k;
}

void dnssec_key_free(struct dnssec_key *k)
{
	if (!k)
		return;
	if (k->m) {
		material_release(k->m);
	} else {
		EVP_PKEY_free(k->pkey);
		EVP_MD_free(k->md);
	}
	free(k);
}

uint16_t dnssec_key_tag(const struct dnssec_key *k)
{
	return k->tag;
}

uint8_t dnssec_key_alg(const struct dnssec_key *k)
{
	return k->alg;
}

uint16_t dnssec_key_flags(const struct dnssec_key *k)
{
	return k->flags;
}

const ldns_rr *dnssec_key_rr(const struct dnssec_key *k)
{
	return k->rr;
}

/* ---- signed data and verification ------------------------------------------------------- */

struct rdslice {
	size_t off, len; /* canonical rdata inside the work buffer */
};

static int rd_cmp(const uint8_t *base, const struct rdslice *a, const struct rdslice *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int c = memcmp(base + a->off, base + b->off, m);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/*
 * RFC 4034 §3.1.8.1 signed data into out (RRSIG rdata without the signature, then the
 * canonical RRset). False when the RRset is not one (owner, class, type) or too large.
 */
static bool signed_data(const ldns_rr_list *rrset, const ldns_rr *rrsig, struct wbuf *out)
{
	size_t n = ldns_rr_list_rr_count(rrset);
	const ldns_rr *first = ldns_rr_list_rr(rrset, 0);
	ldns_rr_type type = ldns_rr_get_type(first);
	ldns_rr_class cls = ldns_rr_get_class(first);
	for (size_t i = 1; i < n; i++) {
		const ldns_rr *r = ldns_rr_list_rr(rrset, i);
		if (ldns_rr_get_type(r) != type || ldns_rr_get_class(r) != cls ||
		    ldns_dname_compare(ldns_rr_owner(r), ldns_rr_owner(first)) != 0)
			return false;
	}
	/* the RRSIG rdata up to the signer's name, which is written in lower case */
	for (size_t i = 0; i < 7; i++)
		wb_put(out, ldns_rdf_data(ldns_rr_rdf(rrsig, i)),
		       ldns_rdf_size(ldns_rr_rdf(rrsig, i)));
	const ldns_rdf *signer = ldns_rr_rdf(rrsig, 7);
	wb_name_lower(out, ldns_rdf_data(signer), ldns_rdf_size(signer));

	/* the owner: lower case; a wildcard expansion as "*." + the rightmost `labels` labels */
	uint8_t owner[LDNS_MAX_DOMAINLEN + 3];
	const ldns_rdf *on = ldns_rr_owner(first);
	const uint8_t *od = ldns_rdf_data(on);
	size_t on_len = ldns_rdf_size(on);
	if (on_len > LDNS_MAX_DOMAINLEN + 1)
		return false;
	size_t labels = rd_u8(rrsig, 2), have = ldns_dname_label_count(on), olen;
	if (labels < have) {
		size_t skip = 0;
		for (size_t l = 0; l < have - labels && skip < on_len; l++)
			skip += 1 + (size_t)od[skip];
		if (skip >= on_len)
			return false;
		owner[0] = 1;
		owner[1] = '*';
		memcpy(owner + 2, od + skip, on_len - skip);
		olen = 2 + on_len - skip;
	} else {
		memcpy(owner, od, on_len);
		olen = on_len;
	}
	name_lower(owner, olen);

	/* the canonical rdata of every record, then sorted (RFC 4034 §6.3) */
	uint8_t rstack[4096];
	struct wbuf rd;
	wb_init(&rd, rstack, sizeof(rstack));
	struct rdslice sl_stack[32];
	struct rdslice *sl = n <= 32 ? sl_stack : xcalloc(n, sizeof(*sl));
	bool lower = rdata_names_canonical(type), ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const ldns_rr *r = ldns_rr_list_rr(rrset, i);
		sl[i].off = rd.n;
		for (size_t f = 0; f < ldns_rr_rd_count(r); f++) {
			const ldns_rdf *x = ldns_rr_rdf(r, f);
			if (!x)
				continue;
			if (lower && ldns_rdf_get_type(x) == LDNS_RDF_TYPE_DNAME)
				wb_name_lower(&rd, ldns_rdf_data(x), ldns_rdf_size(x));
			else
				wb_put(&rd, ldns_rdf_data(x), ldns_rdf_size(x));
		}
		sl[i].len = rd.n - sl[i].off;
		ok = sl[i].len <= 65535;
	}
	if (ok) {
		for (size_t i = 1; i < n; i++) { /* insertion sort: RRsets are small */
			struct rdslice x = sl[i];
			size_t j = i;
			while (j > 0 && rd_cmp(rd.p, &sl[j - 1], &x) > 0) {
				sl[j] = sl[j - 1];
				j--;
			}
			sl[j] = x;
		}
		uint32_t ttl = rd_u32(rrsig, 3);
		for (size_t i = 0; i < n; i++) {
			wb_put(out, owner, olen);
			wb_u16(out, (uint16_t)type);
			wb_u16(out, (uint16_t)cls);
			wb_u32(out, ttl);
			wb_u16(out, (uint16_t)sl[i].len);
			wb_put(out, rd.p + sl[i].off, sl[i].len);
		}
	}
	if (sl != sl_stack)
		free(sl);
	wb_free(&rd);
	return ok;
}

/* DNSSEC's r | s (RFC 6605 §4) as the DER ECDSA-Sig-Value OpenSSL verifies; malloc'd */
static uint8_t *ecdsa_der(const uint8_t *sig, size_t n, size_t *der_len)
{
	size_t half = n / 2;
	if (half < 16 || half * 2 != n) /* as ldns: even, at least 2 x 16 octets */
		return NULL;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)half, NULL), *s = BN_bin2bn(sig + half, (int)half, NULL);
	uint8_t *der = NULL;
	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL; /* owned by es now */
		int len = i2d_ECDSA_SIG(es, &der);
		if (len <= 0) {
			OPENSSL_free(der);
			der = NULL;
		} else {
			*der_len = (size_t)len;
		}
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return der;
}

static bool evp_verify(const struct dnssec_key *k, const uint8_t *data, size_t dlen,
		       const uint8_t *sig, size_t slen)
{
	uint8_t *der = NULL;
	if (k->alg == LDNS_ECDSAP256SHA256 || k->alg == LDNS_ECDSAP384SHA384) {
		size_t dl = 0;
		der = ecdsa_der(sig, slen, &dl);
		if (!der)
			return false;
		sig = der;
		slen = dl;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, k->md, NULL, k->pkey) == 1 &&
		  EVP_DigestVerify(ctx, sig, slen, data, dlen) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ok;
}

/* RFC 4034 §3.1.5 serial-number arithmetic, as ldns_rrsig_check_timestamps() */
static bool sig_time_ok(const ldns_rr *rrsig, time_t now)
{
	uint32_t exp = rd_u32(rrsig, 4), inc = rd_u32(rrsig, 5), t = (uint32_t)now;
	return (int32_t)(exp - inc) >= 0 && (int32_t)(t - inc) >= 0 && (int32_t)(exp - t) >= 0;
}

bool dnssec_verify_sig_key(const ldns_rr_list *rrset, const ldns_rr *rrsig,
			   const struct dnssec_key *k, time_t now)
{
	if (!k || !rrset || !ldns_rr_list_rr_count(rrset) || !dnssec_rr_shape_ok(rrsig) ||
	    ldns_rr_get_type(rrsig) != LDNS_RR_TYPE_RRSIG)
		return false;
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrset); i++)
		if (!dnssec_rr_shape_ok(ldns_rr_list_rr(rrset, i)))
			return false;
	if (rd_u16(rrsig, 0) != ldns_rr_get_type(ldns_rr_list_rr(rrset, 0)) ||
	    rd_u8(rrsig, 1) != k->alg || rd_u16(rrsig, 6) != k->tag || !sig_time_ok(rrsig, now))
		return false;
	if (k->ldns_path) {
		/* ldns canonicalises what it is given: work on copies */
		ldns_rr_list *rs = ldns_rr_list_clone(rrset);
		ldns_rr *sc = ldns_rr_clone(rrsig), *kc = ldns_rr_clone(k->rr);
		if (!rs || !sc || !kc)
			die("out of memory");
		ldns_status st = ldns_verify_rrsig_time(rs, sc, kc, now);
		ldns_rr_free(kc);
		ldns_rr_free(sc);
		ldns_rr_list_deep_free(rs);
		return st == LDNS_STATUS_OK;
	}
	if (!k->pkey)
		return false;
	uint8_t stack[4096];
	struct wbuf b;
	wb_init(&b, stack, sizeof(stack));
	bool ok = signed_data(rrset, rrsig, &b);
	if (ok) {
		const ldns_rdf *sig = ldns_rr_rdf(rrsig, 8);
		ok = evp_verify(k, b.p, b.n, ldns_rdf_data(sig), ldns_rdf_size(sig));
	}
	wb_free(&b);
	return ok;
}

bool dnssec_verify_sig(const ldns_rr_list *rrset, const ldns_rr *rrsig, const ldns_rr *dnskey,
		       time_t now)
{
	struct dnssec_key *k = dnssec_key_new(dnskey);
	bool ok = dnssec_verify_sig_key(rrset, rrsig, k, now);
	dnssec_key_free(k);
	return ok;
}
