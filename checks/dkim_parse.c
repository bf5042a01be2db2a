/*
 * DKIM key records: RFC 6376 §3.2 (tag-list) and §3.6.1 (key record tags v h k n p s t),
 * RFC 8301 (RSA key sizes, SHA-1), RFC 8463 (Ed25519: p= is the raw 32-byte key).
 * See dkim_parse.h.
 */
#include "checks/dkim_parse.h"
#include "scanner/util.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* VALCHAR of RFC 6376 §3.2: %x21-3A / %x3C-7E. */
static bool is_valchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x3a) || (c >= 0x3c && c <= 0x7e);
}

static void set_error(struct dkim_key_record *rec, const char *fmt, const char *arg)
{
	rec->ok = false;
	free(rec->p);
	rec->p = NULL;
	rec->p_len = 0;
	snprintf(rec->error, sizeof(rec->error), fmt, arg ? arg : "");
}

/* Compare the value [s, s+n) with a lower-case word, ignoring ASCII case. */
static bool word_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Walk a colon-separated list (h=, s=, t=), calling fn for each trimmed item. */
static void colon_list(const char *v, size_t n, struct dkim_key_record *rec,
		       void (*fn)(struct dkim_key_record *, const char *, size_t))
{
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && v[j] != ':')
			j++;
		size_t a = i, b = j;
		while (a < b && is_wsp(v[a]))
			a++;
		while (b > a && is_wsp(v[b - 1]))
			b--;
		if (b > a)
			fn(rec, v + a, b - a);
		i = j + 1;
	}
}

static void on_hash(struct dkim_key_record *rec, const char *s, size_t n)
{
	if (word_eq(s, n, "sha1"))
		rec->h_sha1 = true;
	else if (word_eq(s, n, "sha256"))
		rec->h_sha256 = true;
	else
		rec->h_other = true;
}

static void on_service(struct dkim_key_record *rec, const char *s, size_t n)
{
	if (word_eq(s, n, "*") || word_eq(s, n, "email"))
		rec->s_email = true;
}

static void on_flag(struct dkim_key_record *rec, const char *s, size_t n)
{
	if (word_eq(s, n, "y"))
		rec->testing = true;
	else if (word_eq(s, n, "s"))
		rec->strict = true;
}

#define MAX_TAGS 64

void dkim_key_parse(const char *txt, size_t len, struct dkim_key_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->ok = true;
	rec->type = DKIM_KEY_RSA;
	rec->s_email = true;
	if (len > DKIM_RECORD_MAX) {
		set_error(rec, "record longer than %s bytes", "8192");
		return;
	}
	if (memchr(txt, '\0', len)) {
		set_error(rec, "record contains a NUL byte%s", NULL);
		return;
	}

	/* Tag names seen, for the duplicate rule of §3.2. */
	struct {
		const char *s;
		size_t n;
	} seen[MAX_TAGS];
	size_t n_seen = 0;
	bool have_p = false;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && txt[end] != ';')
			end++;
		size_t a = i, b = end;
		i = end + 1;
		while (a < b && is_wsp(txt[a]))
			a++;
		while (b > a && is_wsp(txt[b - 1]))
			b--;
		if (a == b)
			continue; /* empty tag-spec (";;" or the trailing ";") */
		const char *eq = memchr(txt + a, '=', b - a);
		if (!eq) {
			set_error(rec, "tag-spec without '='%s", NULL);
			return;
		}
		size_t na = a, nb = (size_t)(eq - txt);
		while (nb > na && is_wsp(txt[nb - 1]))
			nb--;
		if (nb == na || !is_alpha(txt[na])) {
			set_error(rec, "invalid tag name%s", NULL);
			return;
		}
		for (size_t k = na; k < nb; k++)
			if (!is_alpha(txt[k]) && !is_digit(txt[k]) && txt[k] != '_') {
				set_error(rec, "invalid tag name%s", NULL);
				return;
			}
		size_t va = (size_t)(eq - txt) + 1;
		while (va < b && is_wsp(txt[va]))
			va++;
		const char *tag = txt + na, *val = txt + va;
		size_t tn = nb - na, vn = b > va ? b - va : 0;
		for (size_t k = 0; k < vn; k++)
			if (!is_valchar((unsigned char)val[k]) && !is_wsp(val[k])) {
				char t[16];
				snprintf(t, sizeof(t), "%.*s", (int)(tn < 12 ? tn : 12), tag);
				set_error(rec, "invalid character in the value of %s=", t);
				return;
			}
		for (size_t k = 0; k < n_seen; k++)
			if (seen[k].n == tn && memcmp(seen[k].s, tag, tn) == 0) {
				char t[16];
				snprintf(t, sizeof(t), "%.*s", (int)(tn < 12 ? tn : 12), tag);
				set_error(rec, "duplicate tag %s= (RFC 6376 §3.2)", t);
				return;
			}
		if (n_seen == MAX_TAGS) {
			set_error(rec, "too many tags%s", NULL);
			return;
		}
		seen[n_seen].s = tag;
		seen[n_seen].n = tn;
		n_seen++;

		if (tn == 1 && tag[0] == 'v') {
			if (n_seen != 1) {
				set_error(rec, "v= is not the first tag%s", NULL);
				return;
			}
			if (!word_eq(val, vn, "dkim1")) {
				set_error(rec, "v= is not DKIM1%s", NULL);
				return;
			}
			rec->has_v = true;
		} else if (tn == 1 && tag[0] == 'k') {
			size_t kn = vn < sizeof(rec->k) - 1 ? vn : sizeof(rec->k) - 1;
			memcpy(rec->k, val, kn);
			rec->k[kn] = '\0';
			if (word_eq(val, vn, "rsa"))
				rec->type = DKIM_KEY_RSA;
			else if (word_eq(val, vn, "ed25519"))
				rec->type = DKIM_KEY_ED25519;
			else
				rec->type = DKIM_KEY_UNKNOWN;
		} else if (tn == 1 && tag[0] == 'h') {
			rec->h_present = true;
			colon_list(val, vn, rec, on_hash);
		} else if (tn == 1 && tag[0] == 's') {
			rec->s_email = false;
			colon_list(val, vn, rec, on_service);
		} else if (tn == 1 && tag[0] == 't') {
			colon_list(val, vn, rec, on_flag);
		} else if (tn == 1 && tag[0] == 'p') {
			have_p = true;
			free(rec->p);
			rec->p = xmalloc(vn + 1);
			size_t o = 0;
			for (size_t k = 0; k < vn; k++)
				if (!is_wsp(val[k]))
					rec->p[o++] = val[k];
			rec->p[o] = '\0';
			rec->p_len = o;
		}
		/* n= (notes) and unknown tags: ignored (§3.6.1). */
	}
	if (!have_p) {
		set_error(rec, "no p= tag (it is required)%s", NULL);
		return;
	}
	rec->revoked = rec->p_len == 0;
}

void dkim_key_record_fini(struct dkim_key_record *rec)
{
	free(rec->p);
	rec->p = NULL;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long dkim_base64_decode(const char *in, size_t len, unsigned char *out, size_t out_max)
{
	size_t pad = 0;
	while (len > 0 && in[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (len == 0 || len % 4 == 1)
		return -1;
	if (pad && (len + pad) % 4 != 0)
		return -1;
	size_t o = 0;
	unsigned acc = 0;
	int nbits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64val(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			if (o >= out_max)
				return -1;
			out[o++] = (unsigned char)((acc >> nbits) & 0xff);
		}
	}
	/* Leftover bits must be zero (canonical encoding is not required; ignore them). */
	return (long)o;
}

void dkim_key_measure(const char *p, size_t len, enum dkim_key_type type, struct dkim_key_info *out)
{
	memset(out, 0, sizeof(*out));
	out->type_name = type == DKIM_KEY_RSA       ? "rsa"
			 : type == DKIM_KEY_ED25519 ? "ed25519"
						    : "unknown";
	if (type == DKIM_KEY_UNKNOWN) {
		out->status = DKIM_KEY_TYPE_UNKNOWN;
		snprintf(out->error, sizeof(out->error), "unknown key type (k=)");
		return;
	}
	size_t max = len / 4 * 3 + 3;
	unsigned char *der = xmalloc(max + 1);
	long n = dkim_base64_decode(p, len, der, max);
	if (n < 0) {
		out->status = DKIM_KEY_BAD_BASE64;
		snprintf(out->error, sizeof(out->error), "p= is not valid base64");
		free(der);
		return;
	}
	EVP_PKEY *pk = NULL;
	if (type == DKIM_KEY_ED25519) {
		if (n != 32) {
			out->status = DKIM_KEY_UNDECODABLE;
			snprintf(out->error, sizeof(out->error),
				 "Ed25519 key is %ld bytes, not the raw 32 bytes of RFC 8463", n);
			goto out;
		}
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, 32);
		if (!pk) {
			out->status = DKIM_KEY_UNDECODABLE;
			snprintf(out->error, sizeof(out->error), "Ed25519 key rejected by OpenSSL");
			goto out;
		}
		out->bits = 256;
		goto out;
	}
	/* RSA: a SubjectPublicKeyInfo (RFC 6376 §3.6.1); some publish a bare PKCS#1 key. */
	const unsigned char *q = der;
	pk = d2i_PUBKEY(NULL, &q, n);
	if (!pk) {
		q = der;
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, n);
	}
	if (!pk) {
		out->status = DKIM_KEY_UNDECODABLE;
		snprintf(out->error, sizeof(out->error), "p= does not hold a public key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		out->status = DKIM_KEY_UNDECODABLE;
		snprintf(out->error, sizeof(out->error), "p= holds a %s key, not RSA",
			 OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
		goto out;
	}
	out->bits = EVP_PKEY_get_bits(pk);
out:
	EVP_PKEY_free(pk);
	ERR_clear_error();
	free(der);
}

static void flag(struct dkim_judgement *j, enum verdict v, const char *word)
{
	j->verdict = verdict_worst(j->verdict, v);
	if (j->n_flags < DKIM_MAX_FLAGS)
		j->flags[j->n_flags++] = word;
}

void dkim_key_judge(const struct dkim_key_record *rec, const struct dkim_key_info *key,
		    struct dkim_judgement *out)
{
	memset(out, 0, sizeof(*out));
	out->verdict = VERDICT_PASS;
	switch (key->status) {
	case DKIM_KEY_BAD_BASE64:
		flag(out, VERDICT_FAIL, "bad-base64");
		break;
	case DKIM_KEY_UNDECODABLE:
		flag(out, VERDICT_FAIL, "undecodable-key");
		break;
	case DKIM_KEY_TYPE_UNKNOWN:
		flag(out, VERDICT_FAIL, "unknown-key-type");
		break;
	case DKIM_KEY_OK:
		if (rec->type == DKIM_KEY_RSA && key->bits < 1024)
			flag(out, VERDICT_FAIL, "rsa-below-1024");
		else if (rec->type == DKIM_KEY_RSA && key->bits < 2048)
			flag(out, VERDICT_WARNING, "rsa-below-2048");
		break;
	}
	if (rec->testing)
		flag(out, VERDICT_WARNING, "testing");
	if (rec->h_present && rec->h_sha1 && !rec->h_sha256)
		flag(out, VERDICT_WARNING, "sha1-only");
	else if (rec->h_present && !rec->h_sha1 && !rec->h_sha256)
		flag(out, VERDICT_FAIL, "no-known-hash");
	if (!rec->s_email)
		flag(out, VERDICT_WARNING, "not-for-email");
}

bool dkim_selector_valid(const char *sel)
{
	size_t n = strlen(sel);
	if (n == 0 || n > 200)
		return false;
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = sel[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || sel[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_')
			return false;
		if (label == 0 && c == '-')
			return false;
		label++;
	}
	return true;
}
