/* DMARC record parser; see dmarc_parse.h. */
#include "checks/dmarc_parse.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A slice of the record text. */
struct span {
	const char *p;
	size_t n;
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool one_of(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static struct span trim(struct span s)
{
	while (s.n && is_wsp(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_wsp(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool span_ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s.p[i]) != lower(lit[i]))
			return false;
	return true;
}

static bool span_all_digits(struct span s, size_t max)
{
	if (s.n == 0 || s.n > max)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!is_digit(s.p[i]))
			return false;
	return true;
}

/* Quote at most 64 bytes of record text in an error message. */
#define Q(s) (int)((s).n > 64 ? 64 : (s).n), (s).p

bool dmarc_is_candidate(const char *text, size_t len)
{
	static const char pfx[] = "v=dmarc1";
	if (!text || len < sizeof(pfx) - 1)
		return false;
	for (size_t i = 0; i < sizeof(pfx) - 1; i++)
		if (lower(text[i]) != pfx[i])
			return false;
	return true;
}

const char *dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	case DMARC_POLICY_UNSET:
		break;
	}
	return NULL;
}

static int parse_policy(struct span v, enum dmarc_policy *out)
{
	if (span_ieq(v, "none"))
		*out = DMARC_POLICY_NONE;
	else if (span_ieq(v, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (span_ieq(v, "reject"))
		*out = DMARC_POLICY_REJECT;
	else
		return -1;
	return 0;
}

/* Split `v` on `sep`, trimming WSP around each item; calls fn for each. */
static int each_item(struct span v, char sep, int (*fn)(struct span item, void *arg), void *arg)
{
	size_t start = 0;
	for (size_t i = 0; i <= v.n; i++) {
		if (i == v.n || v.p[i] == sep) {
			struct span item = trim((struct span){ v.p + start, i - start });
			if (fn(item, arg) != 0)
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

static int fo_item(struct span it, void *arg)
{
	(void)arg;
	if (it.n != 1)
		return -1;
	char c = lower(it.p[0]);
	return (c == '0' || c == '1' || c == 'd' || c == 's') ? 0 : -1;
}

static int rf_item(struct span it, void *arg)
{
	(void)arg;
	/* Keyword = Let-dig [Ldh-str] (RFC 5321). */
	if (it.n == 0 || !(is_alpha(it.p[0]) || is_digit(it.p[0])) || it.p[it.n - 1] == '-')
		return -1;
	for (size_t i = 0; i < it.n; i++)
		if (!(is_alpha(it.p[i]) || is_digit(it.p[i]) || it.p[i] == '-'))
			return -1;
	return 0;
}

struct uri_list {
	struct dmarc_uri *v;
	size_t n;
	const char *tag;
	char **err;
};

static int uri_item(struct span it, void *arg)
{
	struct uri_list *l = arg;
	if (it.n == 0)
		return parse_fail(l->err, "%s: empty URI", l->tag);
	if (l->n >= DMARC_MAX_URIS)
		return parse_fail(l->err, "%s: more than %d URIs", l->tag, DMARC_MAX_URIS);
	struct span uri = it, size = { NULL, 0 };
	const char *bang = memchr(it.p, '!', it.n);
	if (bang) {
		uri.n = (size_t)(bang - it.p);
		size = (struct span){ bang + 1, it.n - uri.n - 1 };
		struct span digits = size;
		if (digits.n && one_of(digits.p[digits.n - 1], "kmgtKMGT"))
			digits.n--;
		if (!span_all_digits(digits, 32))
			return parse_fail(l->err, "%s: bad size limit in \"%.*s\"", l->tag, Q(it));
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986) */
	size_t i = 0;
	if (uri.n && is_alpha(uri.p[0]))
		for (i = 1; i < uri.n && (is_alpha(uri.p[i]) || is_digit(uri.p[i]) ||
					  uri.p[i] == '+' || uri.p[i] == '-' || uri.p[i] == '.');
		     i++)
			;
	if (i == 0 || i >= uri.n || uri.p[i] != ':')
		return parse_fail(l->err, "%s: report URI without a scheme: \"%.*s\"", l->tag,
				  Q(it));
	if (i + 1 == uri.n)
		return parse_fail(l->err, "%s: empty URI after the scheme: \"%.*s\"", l->tag,
				  Q(it));
	for (size_t k = 0; k < uri.n; k++)
		if (is_wsp(uri.p[k]))
			return parse_fail(l->err, "%s: space inside URI \"%.*s\"", l->tag, Q(it));

	struct dmarc_uri u = { 0 };
	u.uri = xstrndup(uri.p, uri.n);
	u.scheme = xstrndup(uri.p, i);
	for (char *c = u.scheme; *c; c++)
		*c = lower(*c);
	if (size.p)
		u.size = xstrndup(size.p, size.n);
	if (strcmp(u.scheme, "mailto") == 0) {
		/* mailto:local@host[?headers] */
		const char *addr = uri.p + i + 1;
		size_t alen = uri.n - i - 1;
		const char *q = memchr(addr, '?', alen);
		if (q)
			alen = (size_t)(q - addr);
		const char *at = NULL;
		for (size_t k = 0; k < alen; k++)
			if (addr[k] == '@')
				at = addr + k;
		if (at) {
			size_t hlen = alen - (size_t)(at + 1 - addr);
			while (hlen && at[hlen] == '.')
				hlen--;
			if (hlen) {
				u.mailto_host = xstrndup(at + 1, hlen);
				for (char *c = u.mailto_host; *c; c++)
					*c = lower(*c);
			}
		}
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = u;
	return 0;
}

static void uris_free(struct dmarc_uri *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].uri);
		free(v[i].scheme);
		free(v[i].mailto_host);
		free(v[i].size);
	}
	free(v);
}

void dmarc_record_free(struct dmarc_record *r)
{
	if (!r)
		return;
	free(r->ri);
	free(r->fo);
	free(r->rf);
	uris_free(r->rua, r->n_rua);
	uris_free(r->ruf, r->n_ruf);
	memset(r, 0, sizeof(*r));
}

enum tag {
	T_V,
	T_P,
	T_SP,
	T_NP,
	T_PSD,
	T_T,
	T_RUA,
	T_RUF,
	T_ADKIM,
	T_ASPF,
	T_RI,
	T_FO,
	T_RF,
	T_PCT,
	T_COUNT
};

static const char *const tag_names[T_COUNT] = {
	[T_V] = "v",   [T_P] = "p",     [T_SP] = "sp",   [T_NP] = "np",       [T_PSD] = "psd",
	[T_T] = "t",   [T_RUA] = "rua", [T_RUF] = "ruf", [T_ADKIM] = "adkim", [T_ASPF] = "aspf",
	[T_RI] = "ri", [T_FO] = "fo",   [T_RF] = "rf",   [T_PCT] = "pct",
};

static int tag_value(struct dmarc_record *r, enum tag t, struct span v, char **err)
{
	switch (t) {
	case T_V:
		return parse_fail(err, "v= appears twice");
	case T_P:
	case T_SP:
	case T_NP: {
		enum dmarc_policy *dst = t == T_P ? &r->p : t == T_SP ? &r->sp : &r->np;
		if (parse_policy(v, dst) != 0)
			return parse_fail(err, "invalid %s value \"%.*s\"", tag_names[t], Q(v));
		return 0;
	}
	case T_PSD:
		if (v.n != 1 || !one_of(v.p[0], "ynuYNU"))
			return parse_fail(err, "invalid psd value \"%.*s\"", Q(v));
		r->psd = lower(v.p[0]);
		return 0;
	case T_T:
		if (v.n != 1 || !one_of(v.p[0], "ynYN"))
			return parse_fail(err, "invalid t value \"%.*s\"", Q(v));
		r->t = lower(v.p[0]);
		return 0;
	case T_ADKIM:
	case T_ASPF:
		if (v.n != 1 || !one_of(v.p[0], "rsRS"))
			return parse_fail(err, "invalid %s value \"%.*s\"", tag_names[t], Q(v));
		*(t == T_ADKIM ? &r->adkim : &r->aspf) = lower(v.p[0]);
		return 0;
	case T_RI:
		if (!span_all_digits(v, 32))
			return parse_fail(err, "invalid ri value \"%.*s\"", Q(v));
		r->ri = xstrndup(v.p, v.n);
		return 0;
	case T_PCT: {
		if (!span_all_digits(v, 3))
			return parse_fail(err, "invalid pct value \"%.*s\"", Q(v));
		int n = 0;
		for (size_t i = 0; i < v.n; i++)
			n = n * 10 + (v.p[i] - '0');
		if (n > 100)
			return parse_fail(err, "invalid pct value \"%.*s\" (0-100)", Q(v));
		r->has_pct = true;
		r->pct = n;
		return 0;
	}
	case T_FO:
		if (v.n == 0 || each_item(v, ':', fo_item, NULL) != 0)
			return parse_fail(err, "invalid fo value \"%.*s\"", Q(v));
		r->fo = xstrndup(v.p, v.n);
		return 0;
	case T_RF:
		if (v.n == 0 || each_item(v, ':', rf_item, NULL) != 0)
			return parse_fail(err, "invalid rf value \"%.*s\"", Q(v));
		r->rf = xstrndup(v.p, v.n);
		return 0;
	case T_RUA:
	case T_RUF: {
		struct uri_list l = { NULL, 0, tag_names[t], err };
		if (each_item(v, ',', uri_item, &l) != 0) {
			uris_free(l.v, l.n);
			return -1;
		}
		if (t == T_RUA) {
			r->has_rua = true;
			r->rua = l.v;
			r->n_rua = l.n;
		} else {
			r->has_ruf = true;
			r->ruf = l.v;
			r->n_ruf = l.n;
		}
		return 0;
	}
	case T_COUNT:
		break;
	}
	return parse_fail(err, "internal: unhandled tag");
}

int dmarc_parse(const char *text, size_t len, struct dmarc_record *out, char **err)
{
	memset(out, 0, sizeof(*out));
	if (err)
		*err = NULL;
	if (!text)
		return parse_fail(err, "no record");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return parse_fail(err, "invalid character 0x%02x at offset %zu", c, i);
	}

	bool seen[T_COUNT] = { false };
	size_t n_tags = 0, start = 0;
	int rc = 0;
	for (size_t i = 0; i <= len && rc == 0; i++) {
		if (i < len && text[i] != ';')
			continue;
		struct span seg = trim((struct span){ text + start, i - start });
		start = i + 1;
		if (seg.n == 0) {
			if (n_tags == 0)
				rc = parse_fail(err, "the record must start with v=DMARC1");
			continue;
		}
		const char *eq = memchr(seg.p, '=', seg.n);
		if (!eq) {
			rc = parse_fail(err, "tag without '=': \"%.*s\"", Q(seg));
			break;
		}
		struct span name = trim((struct span){ seg.p, (size_t)(eq - seg.p) });
		struct span value = trim((struct span){ eq + 1, (size_t)(seg.p + seg.n - eq - 1) });
		int t = -1;
		for (int k = 0; k < T_COUNT; k++)
			if (span_ieq(name, tag_names[k]))
				t = k;
		if (n_tags == 0) {
			if (t != T_V) {
				rc = parse_fail(err, "v= is not the first tag");
				break;
			}
			if (value.n != 6 || memcmp(value.p, "DMARC1", 6) != 0) {
				rc = parse_fail(err, "invalid version \"%.*s\" (must be DMARC1)",
						Q(value));
				break;
			}
			seen[T_V] = true;
			n_tags++;
			continue;
		}
		if (t < 0) {
			rc = parse_fail(err, "unknown tag \"%.*s\"", Q(name));
			break;
		}
		if (seen[t] && t != T_V) {
			rc = parse_fail(err, "tag %s appears more than once", tag_names[t]);
			break;
		}
		seen[t] = true;
		if (t == T_P && n_tags != 1)
			out->p_not_second = true;
		n_tags++;
		rc = tag_value(out, (enum tag)t, value, err);
	}
	if (rc == 0 && n_tags == 0)
		rc = parse_fail(err, "the record must start with v=DMARC1");
	if (rc != 0)
		dmarc_record_free(out);
	return rc;
}

static json_t *uris_json(const struct dmarc_uri *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "uri", json_str(v[i].uri));
		json_object_set_new(o, "scheme", json_str(v[i].scheme));
		if (v[i].mailto_host)
			json_object_set_new(o, "host", json_str(v[i].mailto_host));
		if (v[i].size)
			json_object_set_new(o, "size", json_str(v[i].size));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *char_json(char c)
{
	char s[2] = { c, 0 };
	return json_string(s);
}

json_t *dmarc_record_json(const struct dmarc_record *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "v", json_string("DMARC1"));
	if (r->p)
		json_object_set_new(o, "p", json_string(dmarc_policy_name(r->p)));
	if (r->sp)
		json_object_set_new(o, "sp", json_string(dmarc_policy_name(r->sp)));
	if (r->np)
		json_object_set_new(o, "np", json_string(dmarc_policy_name(r->np)));
	if (r->has_pct)
		json_object_set_new(o, "pct", json_integer(r->pct));
	if (r->adkim)
		json_object_set_new(o, "adkim", char_json(r->adkim));
	if (r->aspf)
		json_object_set_new(o, "aspf", char_json(r->aspf));
	if (r->ri)
		json_object_set_new(o, "ri", json_str(r->ri));
	if (r->fo)
		json_object_set_new(o, "fo", json_str(r->fo));
	if (r->rf)
		json_object_set_new(o, "rf", json_str(r->rf));
	if (r->psd)
		json_object_set_new(o, "psd", char_json(r->psd));
	if (r->t)
		json_object_set_new(o, "t", char_json(r->t));
	if (r->has_rua)
		json_object_set_new(o, "rua", uris_json(r->rua, r->n_rua));
	if (r->has_ruf)
		json_object_set_new(o, "ruf", uris_json(r->ruf, r->n_ruf));
	return o;
}
