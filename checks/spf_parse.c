/* RFC 7208 SPF record parser; see spf_parse.h. */
#include "checks/spf_parse.h"

#include "scanner/util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != b[i])
			return false;
	return true;
}

bool spf_is_record(const char *txt, size_t len)
{
	if (len < 6 || !ieq(txt, 6, "v=spf1"))
		return false;
	return len == 6 || txt[6] == ' ';
}

static bool macro_letter_ok(char c, bool exp_text)
{
	switch (lower(c)) {
	case 's':
	case 'l':
	case 'o':
	case 'd':
	case 'i':
	case 'p':
	case 'h':
	case 'v':
		return true;
	case 'c':
	case 'r':
	case 't':
		return exp_text;
	default:
		return false;
	}
}

static bool is_delim(char c)
{
	return strchr(".-+,/_=", c) != NULL && c != '\0';
}

/*
 * Length of the macro-expand at s[0] == '%' (within len), or 0 when invalid.
 * *is_expand is set for %{...} forms.
 */
static size_t macro_expand_len(const char *s, size_t len, bool exp_text, bool *is_expand)
{
	*is_expand = false;
	if (len < 2)
		return 0;
	if (s[1] == '%' || s[1] == '_' || s[1] == '-')
		return 2;
	if (s[1] != '{' || len < 4)
		return 0;
	size_t i = 2;
	if (!macro_letter_ok(s[i], exp_text))
		return 0;
	i++;
	size_t digits = 0;
	bool nonzero = false;
	while (i < len && is_digit(s[i])) {
		if (s[i] != '0')
			nonzero = true;
		digits++;
		i++;
	}
	if (digits && !nonzero)
		return 0; /* RFC 7208 §7.3: a DIGIT transformer must be nonzero */
	if (i < len && (s[i] == 'r' || s[i] == 'R'))
		i++;
	while (i < len && is_delim(s[i]))
		i++;
	if (i >= len || s[i] != '}')
		return 0;
	*is_expand = true;
	return i + 1;
}

bool spf_macro_string_valid(const char *s, size_t len, bool exp_text)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			bool ex;
			size_t n = macro_expand_len(s + i, len - i, exp_text, &ex);
			if (!n)
				return false;
			i += n;
			continue;
		}
		/* macro-literal = %x21-24 / %x26-7E; explanation text also allows SP */
		if (c == ' ' && exp_text) {
			i++;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return false;
		i++;
	}
	return true;
}

static bool toplabel_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	bool alpha = false, dash = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-')
			dash = true;
		else if (is_alpha(s[i]))
			alpha = true;
		else if (!is_digit(s[i]))
			return false;
	}
	if (!dash)
		return alpha;
	/* 1*alphanum "-" *( alphanum / "-" ) alphanum */
	return is_alnum(s[0]) && is_alnum(s[len - 1]);
}

bool spf_domain_spec_valid(const char *s, size_t len)
{
	if (len == 0 || !spf_macro_string_valid(s, len, false))
		return false;
	/* Ends in a macro-expand? Scan the elements and remember where the last one started. */
	size_t last_start = 0;
	bool last_is_macro = false;
	for (size_t i = 0; i < len;) {
		if (s[i] == '%') {
			bool ex;
			size_t n = macro_expand_len(s + i, len - i, false, &ex);
			last_start = i;
			last_is_macro = true;
			i += n;
		} else {
			last_is_macro = false;
			i++;
		}
	}
	(void)last_start;
	if (last_is_macro)
		return true;
	/* "." toplabel [ "." ] */
	size_t end = len;
	if (s[end - 1] == '.')
		end--;
	size_t dot = end;
	while (dot > 0 && s[dot - 1] != '.')
		dot--;
	if (dot == 0)
		return false; /* no "." before the top label */
	/* the dot must be a literal, not part of a macro: the toplabel check covers it */
	return toplabel_ok(s + dot, end - dot);
}

bool spf_has_macro(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '%' && s[1] == '{')
			return true;
		if (*s == '%' && s[1])
			s++;
	}
	return false;
}

const char *spf_mech_name(enum spf_mech m)
{
	static const char *const names[] = { "all", "include", "a",   "mx",
					     "ptr", "ip4",     "ip6", "exists" };
	return names[m];
}

bool spf_term_queries_dns(const struct spf_term *t)
{
	if (t->is_mod)
		return t->mod == SPF_MOD_REDIRECT;
	return t->mech == SPF_INCLUDE || t->mech == SPF_A || t->mech == SPF_MX ||
	       t->mech == SPF_PTR || t->mech == SPF_EXISTS;
}

/* Parse decimal digits [s, s+len) as a CIDR length: no leading zero, <= max. */
static int parse_cidr(const char *s, size_t len, int max)
{
	if (len == 0 || len > 3)
		return -1;
	if (s[0] == '0' && len > 1)
		return -1;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Length of a trailing "/digits" in s[0..len) (0 if none); digits start at len - ret + 1. */
static size_t trailing_slash_digits(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && is_digit(s[i - 1]))
		i--;
	if (i == len || i == 0 || s[i - 1] != '/')
		return 0;
	return len - i + 1;
}

static void term_clear(struct spf_term *t)
{
	free(t->domain);
	free(t->name);
	free(t->value);
}

void spf_record_free(struct spf_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_terms; i++)
		term_clear(&r->terms[i]);
	free(r->terms);
	r->terms = NULL;
	r->n_terms = 0;
	r->redirect = r->exp = r->first_all = -1;
}

/* Sets *err and returns -1. */
static int fail(char **err, const char *fmt, const char *t, size_t tlen)
{
	if (err) {
		char *safe = xmalloc(tlen > 64 ? 64 + 4 : tlen + 1);
		size_t n = tlen > 64 ? 64 : tlen;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)t[i];
			safe[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
		if (tlen > 64)
			memcpy(safe + n, "...", 4);
		else
			safe[n] = '\0';
		*err = xasprintf(fmt, safe);
		free(safe);
	}
	return -1;
}

static int parse_modifier(const char *t, size_t tlen, size_t eq, struct spf_term *out, char **err)
{
	const char *val = t + eq + 1;
	size_t vlen = tlen - eq - 1;
	out->is_mod = true;
	out->name = xstrndup(t, eq);
	out->value = xstrndup(val, vlen);
	if (ieq(t, eq, "redirect") || ieq(t, eq, "exp")) {
		out->mod = ieq(t, eq, "redirect") ? SPF_MOD_REDIRECT : SPF_MOD_EXP;
		if (!spf_domain_spec_valid(val, vlen))
			return fail(err, "invalid domain-spec in modifier '%s'", t, tlen);
	} else {
		out->mod = SPF_MOD_UNKNOWN;
		if (!spf_macro_string_valid(val, vlen, false))
			return fail(err, "invalid macro-string in modifier '%s'", t, tlen);
	}
	return 0;
}

static int parse_ip(const char *t, size_t tlen, const char *p, size_t plen, bool v6,
		    struct spf_term *out, char **err)
{
	char buf[64];
	size_t alen = plen;
	const char *slash = memchr(p, '/', plen);
	if (slash)
		alen = (size_t)(slash - p);
	if (alen == 0 || alen >= sizeof(buf))
		return fail(err, "invalid address in '%s'", t, tlen);
	memcpy(buf, p, alen);
	buf[alen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, out->addr) != 1)
		return fail(err, "invalid address in '%s'", t, tlen);
	if (slash) {
		int c = parse_cidr(slash + 1, plen - alen - 1, v6 ? 128 : 32);
		if (c < 0)
			return fail(err, "invalid CIDR length in '%s'", t, tlen);
		if (v6)
			out->cidr6 = c;
		else
			out->cidr4 = c;
	}
	return 0;
}

static int parse_mechanism(const char *t, size_t tlen, struct spf_term *out, char **err)
{
	size_t i = 0;
	out->is_mod = false;
	out->qual = '+';
	if (tlen && strchr("+-~?", t[0])) {
		out->qual = t[0];
		i = 1;
	}
	const char *m = t + i;
	size_t mlen = tlen - i;
	size_t nlen = 0;
	while (nlen < mlen && is_alnum(m[nlen]))
		nlen++;
	const char *rest = m + nlen; /* ':' or '/' or end */
	size_t rlen = mlen - nlen;
	static const struct {
		const char *name;
		enum spf_mech m;
	} mechs[] = { { "all", SPF_ALL }, { "include", SPF_INCLUDE }, { "a", SPF_A },
		      { "mx", SPF_MX },   { "ptr", SPF_PTR },         { "ip4", SPF_IP4 },
		      { "ip6", SPF_IP6 }, { "exists", SPF_EXISTS } };
	size_t k;
	for (k = 0; k < sizeof(mechs) / sizeof(mechs[0]); k++)
		if (ieq(m, nlen, mechs[k].name))
			break;
	if (k == sizeof(mechs) / sizeof(mechs[0]))
		return fail(err, "unknown mechanism '%s'", t, tlen);
	out->mech = mechs[k].m;
	if (rlen && rest[0] != ':' && rest[0] != '/')
		return fail(err, "invalid mechanism '%s'", t, tlen);

	switch (out->mech) {
	case SPF_ALL:
		if (rlen)
			return fail(err, "'all' takes no argument: '%s'", t, tlen);
		return 0;
	case SPF_INCLUDE:
	case SPF_EXISTS:
	case SPF_PTR:
		if (rlen == 0) {
			if (out->mech == SPF_PTR)
				return 0;
			return fail(err, "missing domain in '%s'", t, tlen);
		}
		if (rest[0] != ':')
			return fail(err, "unexpected CIDR length in '%s'", t, tlen);
		if (!spf_domain_spec_valid(rest + 1, rlen - 1))
			return fail(err, "invalid domain-spec in '%s'", t, tlen);
		out->domain = xstrndup(rest + 1, rlen - 1);
		return 0;
	case SPF_IP4:
	case SPF_IP6:
		if (rlen < 2 || rest[0] != ':')
			return fail(err, "missing address in '%s'", t, tlen);
		return parse_ip(t, tlen, rest + 1, rlen - 1, out->mech == SPF_IP6, out, err);
	case SPF_A:
	case SPF_MX: {
		/* [":" domain-spec] [ip4-cidr-length] ["/" ip6-cidr-length] */
		size_t end = rlen;
		size_t n = trailing_slash_digits(rest, end);
		if (n && end - n > 0 && rest[end - n - 1] == '/') {
			int c = parse_cidr(rest + end - n + 1, n - 1, 128);
			if (c < 0)
				return fail(err, "invalid IPv6 CIDR length in '%s'", t, tlen);
			out->cidr6 = c;
			end -= n + 1;
			n = trailing_slash_digits(rest, end);
		}
		if (n) {
			int c = parse_cidr(rest + end - n + 1, n - 1, 32);
			if (c < 0)
				return fail(err, "invalid IPv4 CIDR length in '%s'", t, tlen);
			out->cidr4 = c;
			end -= n;
		}
		if (end == 0)
			return 0;
		if (rest[0] != ':')
			return fail(err, "invalid CIDR length in '%s'", t, tlen);
		if (!spf_domain_spec_valid(rest + 1, end - 1))
			return fail(err, "invalid domain-spec in '%s'", t, tlen);
		out->domain = xstrndup(rest + 1, end - 1);
		return 0;
	}
	}
	return fail(err, "invalid term '%s'", t, tlen);
}

int spf_parse(const char *txt, size_t len, struct spf_record *out, char **err)
{
	memset(out, 0, sizeof(*out));
	out->redirect = out->exp = out->first_all = -1;
	if (err)
		*err = NULL;
	if (!txt || !spf_is_record(txt, len))
		return fail(err, "not an SPF record%s", "", 0);
	if (len > SPF_MAX_RECORD)
		return fail(err, "record too long%s", "", 0);
	size_t cap = 0;
	size_t i = 6;
	while (i < len) {
		if (txt[i] != ' ')
			return fail(err, "terms must be separated by spaces near '%s'", txt + i,
				    len - i);
		while (i < len && txt[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t s = i;
		while (i < len && txt[i] != ' ')
			i++;
		const char *t = txt + s;
		size_t tlen = i - s;
		for (size_t j = 0; j < tlen; j++) {
			unsigned char c = (unsigned char)t[j];
			if (c < 0x21 || c > 0x7e) {
				spf_record_free(out);
				return fail(err, "invalid character in term '%s'", t, tlen);
			}
		}
		if (out->n_terms == cap) {
			cap = cap ? cap * 2 : 8;
			out->terms = xrealloc(out->terms, cap * sizeof(*out->terms));
		}
		struct spf_term *term = &out->terms[out->n_terms++];
		memset(term, 0, sizeof(*term));
		term->cidr4 = term->cidr6 = -1;
		/* modifier: name "=" ...; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
		size_t nl = 0;
		if (tlen && is_alpha(t[0])) {
			nl = 1;
			while (nl < tlen &&
			       (is_alnum(t[nl]) || t[nl] == '-' || t[nl] == '_' || t[nl] == '.'))
				nl++;
		}
		int rc;
		if (nl && nl < tlen && t[nl] == '=')
			rc = parse_modifier(t, tlen, nl, term, err);
		else if (tlen && t[0] == '=')
			rc = fail(err, "modifier without a name: '%s'", t, tlen);
		else
			rc = parse_mechanism(t, tlen, term, err);
		if (rc < 0) {
			spf_record_free(out);
			return -1;
		}
		int idx = (int)(out->n_terms - 1);
		if (term->is_mod && term->mod == SPF_MOD_REDIRECT) {
			if (out->redirect >= 0) {
				spf_record_free(out);
				return fail(err, "redirect= appears twice%s", "", 0);
			}
			out->redirect = idx;
		} else if (term->is_mod && term->mod == SPF_MOD_EXP) {
			if (out->exp >= 0) {
				spf_record_free(out);
				return fail(err, "exp= appears twice%s", "", 0);
			}
			out->exp = idx;
		} else if (!term->is_mod && term->mech == SPF_ALL && out->first_all < 0) {
			out->first_all = idx;
		}
	}
	return 0;
}
