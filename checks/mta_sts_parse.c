/* MTA-STS record and policy parsing (RFC 8461 §3.1, §3.2, §4.1). See mta_sts_parse.h. */
#include "checks/mta_sts_parse.h"
#include "scanner/util.h"

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

static bool is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* A printable rendition of a piece of untrusted input for error messages (bounded). */
static char *excerpt(const char *s, size_t len)
{
	size_t max = len < 40 ? len : 40;
	char *o = xmalloc(max * 4 + 4);
	size_t j = 0;
	for (size_t i = 0; i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			o[j++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";
			o[j++] = '\\';
			o[j++] = 'x';
			o[j++] = hex[c >> 4];
			o[j++] = hex[c & 15];
		}
	}
	if (len > max) {
		memcpy(o + j, "...", 3);
		j += 3;
	}
	o[j] = 0;
	return o;
}

bool mta_sts_txt_is_candidate(const char *s, size_t len)
{
	static const char v[] = "v=stsv1";
	if (len < sizeof(v) - 1)
		return false;
	for (size_t i = 0; i < sizeof(v) - 1; i++)
		if (lower((unsigned char)s[i]) != v[i])
			return false;
	return len == sizeof(v) - 1 || s[sizeof(v) - 1] == ';' || is_wsp(s[sizeof(v) - 1]);
}

/* sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool ext_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !(is_alpha(s[0]) || is_digit(s[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_' || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

int mta_sts_txt_parse(const char *s, size_t len, struct mta_sts_txt *out, char **err)
{
	memset(out, 0, sizeof(*out));
	if (err)
		*err = NULL;
	/* Tolerate trailing whitespace (not in the ABNF, harmless). */
	while (len > 0 && is_wsp(s[len - 1]))
		len--;
	if (len < 7 || memcmp(s, "v=STSv1", 7) != 0)
		return parse_fail(err, "record does not start with \"v=STSv1\"");
	size_t i = 7;
	bool have_id = false;
	while (i < len) {
		/* sts-field-delim = *WSP ";" *WSP */
		while (i < len && is_wsp(s[i]))
			i++;
		if (i >= len)
			break;
		if (s[i] != ';') {
			char *x = excerpt(s + i, len - i);
			int r = parse_fail(err, "expected \";\" at \"%s\"", x);
			free(x);
			return r;
		}
		i++;
		while (i < len && is_wsp(s[i]))
			i++;
		if (i >= len)
			break; /* [sts-field-delim] at the end */
		/* sts-field: name "=" value, value up to the next WSP or ";" */
		size_t ns = i;
		while (i < len && s[i] != '=' && s[i] != ';' && !is_wsp(s[i]))
			i++;
		size_t nlen = i - ns;
		if (i >= len || s[i] != '=') {
			char *x = excerpt(s + ns, len - ns);
			int r = parse_fail(err, "field without \"=\" at \"%s\"", x);
			free(x);
			return r;
		}
		i++;
		size_t vs = i;
		while (i < len && s[i] != ';' && !is_wsp(s[i]))
			i++;
		size_t vlen = i - vs;
		if (nlen == 2 && memcmp(s + ns, "id", 2) == 0) {
			if (have_id)
				return parse_fail(err, "more than one id= field");
			if (vlen == 0 || vlen > MTA_STS_ID_MAX)
				return parse_fail(err,
						  "id= must be 1 to 32 letters or digits (has %zu)",
						  vlen);
			for (size_t k = 0; k < vlen; k++)
				if (!is_alpha(s[vs + k]) && !is_digit(s[vs + k])) {
					char *x = excerpt(s + vs, vlen);
					int r = parse_fail(
						err, "id= must be letters and digits only: \"%s\"",
						x);
					free(x);
					return r;
				}
			memcpy(out->id, s + vs, vlen);
			out->id[vlen] = 0;
			have_id = true;
			continue;
		}
		if (!ext_name_ok(s + ns, nlen)) {
			char *x = excerpt(s + ns, nlen);
			int r = parse_fail(err, "invalid field name \"%s\"", x);
			free(x);
			return r;
		}
		/* sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
		if (vlen == 0)
			return parse_fail(err, "empty value in an extension field");
		for (size_t k = 0; k < vlen; k++) {
			unsigned char c = (unsigned char)s[vs + k];
			if (c < 0x21 || c > 0x7e || c == '=') {
				char *x = excerpt(s + vs, vlen);
				int r = parse_fail(
					err, "invalid character in extension value \"%s\"", x);
				free(x);
				return r;
			}
		}
		out->n_extensions++;
	}
	if (!have_id)
		return parse_fail(err, "no id= field");
	return 0;
}

const char *mta_sts_mode_name(enum mta_sts_mode m)
{
	switch (m) {
	case MTA_STS_MODE_ENFORCE:
		return "enforce";
	case MTA_STS_MODE_TESTING:
		return "testing";
	case MTA_STS_MODE_NONE:
		return "none";
	default:
		return "unset";
	}
}

void mta_sts_policy_clear(struct mta_sts_policy *p)
{
	for (size_t i = 0; i < p->n_mx; i++)
		free(p->mx[i]);
	free(p->mx);
	memset(p, 0, sizeof(*p));
}

/*
 * RFC 5321 Domain: sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str]; labels of at
 * most 63, total at most 253. A trailing dot is tolerated (and dropped by the caller).
 */
static bool domain_ok(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	size_t lab = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (is_alpha(c) || is_digit(c)) {
			lab++;
		} else if (c == '-') {
			if (lab == 0)
				return false;
			lab++;
		} else {
			return false;
		}
		if (lab > 63)
			return false;
	}
	return lab > 0 && s[n - 1] != '-';
}

/* sts-policy-ext-value: VCHAR and spaces inside (no controls). */
static bool value_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t')
			return false;
		if (c == 0x7f)
			return false;
	}
	return true;
}

static int policy_fail(struct mta_sts_policy *p, char **err, size_t line, const char *what,
		       const char *s, size_t n)
{
	mta_sts_policy_clear(p);
	char *x = excerpt(s, n);
	int r = parse_fail(err, "line %zu: %s: \"%s\"", line, what, x);
	free(x);
	return r;
}

int mta_sts_policy_parse(const char *body, size_t len, struct mta_sts_policy *out, char **err)
{
	memset(out, 0, sizeof(*out));
	if (err)
		*err = NULL;
	if (len > MTA_STS_POLICY_MAX)
		return parse_fail(err, "policy larger than %d bytes", MTA_STS_POLICY_MAX);
	bool have_version = false, have_max_age = false;
	size_t lineno = 0;
	size_t i = 0;
	while (i < len) {
		size_t ls = i;
		while (i < len && body[i] != '\n')
			i++;
		size_t le = i;
		if (i < len)
			i++; /* past LF */
		lineno++;
		if (le > ls && body[le - 1] == '\r')
			le--;
		/* trailing *WSP */
		while (le > ls && is_wsp(body[le - 1]))
			le--;
		if (le == ls)
			continue; /* blank line: tolerated */
		const char *line = body + ls;
		size_t n = le - ls;
		size_t k = 0;
		while (k < n && line[k] != ':')
			k++;
		if (k == n)
			return policy_fail(out, err, lineno, "no \":\" in line", line, n);
		if (!ext_name_ok(line, k))
			return policy_fail(out, err, lineno, "invalid key", line, k);
		const char *key = line;
		size_t klen = k;
		k++;
		while (k < n && is_wsp(line[k]))
			k++;
		const char *val = line + k;
		size_t vlen = n - k;
		if (!value_chars_ok(val, vlen))
			return policy_fail(out, err, lineno, "control character in value", val,
					   vlen);

		if (klen == 7 && memcmp(key, "version", 7) == 0) {
			if (have_version)
				continue;
			if (vlen != 5 || memcmp(val, "STSv1", 5) != 0)
				return policy_fail(out, err, lineno, "version is not STSv1", val,
						   vlen);
			have_version = true;
		} else if (klen == 4 && memcmp(key, "mode", 4) == 0) {
			if (out->mode != MTA_STS_MODE_UNSET)
				continue;
			if (vlen == 7 && memcmp(val, "enforce", 7) == 0)
				out->mode = MTA_STS_MODE_ENFORCE;
			else if (vlen == 7 && memcmp(val, "testing", 7) == 0)
				out->mode = MTA_STS_MODE_TESTING;
			else if (vlen == 4 && memcmp(val, "none", 4) == 0)
				out->mode = MTA_STS_MODE_NONE;
			else
				return policy_fail(out, err, lineno, "invalid mode", val, vlen);
		} else if (klen == 7 && memcmp(key, "max_age", 7) == 0) {
			if (have_max_age)
				continue;
			if (vlen == 0 || vlen > 10)
				return policy_fail(out, err, lineno, "max_age is not 1-10 digits",
						   val, vlen);
			long v = 0;
			for (size_t d = 0; d < vlen; d++) {
				if (!is_digit(val[d]))
					return policy_fail(out, err, lineno,
							   "max_age is not a number", val, vlen);
				v = v * 10 + (val[d] - '0');
			}
			if (v > MTA_STS_MAX_AGE_MAX)
				return policy_fail(out, err, lineno, "max_age above 31557600", val,
						   vlen);
			out->max_age = v;
			have_max_age = true;
		} else if (klen == 2 && memcmp(key, "mx", 2) == 0) {
			const char *d = val;
			size_t dlen = vlen;
			if (dlen >= 2 && d[0] == '*' && d[1] == '.') {
				d += 2;
				dlen -= 2;
			}
			if (!domain_ok(d, dlen))
				return policy_fail(out, err, lineno, "invalid mx pattern", val,
						   vlen);
			if (out->n_mx >= MTA_STS_MX_MAX)
				return policy_fail(out, err, lineno, "too many mx patterns", val,
						   vlen);
			size_t plen = vlen;
			if (val[plen - 1] == '.')
				plen--;
			char *pat = xstrndup(val, plen);
			for (char *c = pat; *c; c++)
				*c = (char)lower((unsigned char)*c);
			out->mx = xrealloc(out->mx, (out->n_mx + 1) * sizeof(*out->mx));
			out->mx[out->n_mx++] = pat;
		} else {
			out->n_unknown++;
		}
	}
	if (!have_version) {
		mta_sts_policy_clear(out);
		return parse_fail(err, "no \"version: STSv1\" field");
	}
	if (out->mode == MTA_STS_MODE_UNSET) {
		mta_sts_policy_clear(out);
		return parse_fail(err, "no \"mode\" field");
	}
	if (!have_max_age) {
		mta_sts_policy_clear(out);
		return parse_fail(err, "no \"max_age\" field");
	}
	if (out->n_mx == 0 && out->mode != MTA_STS_MODE_NONE) {
		mta_sts_policy_clear(out);
		return parse_fail(err, "no \"mx\" field");
	}
	return 0;
}

/* Case-insensitive equality of two names, each with an optional trailing dot. */
static bool name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	if (alen != blen || alen == 0)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

bool mta_sts_mx_match(const char *pattern, const char *host)
{
	if (!pattern || !host)
		return false;
	size_t plen = strlen(pattern), hlen = strlen(host);
	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* exactly one label in place of the "*" */
		const char *dot = memchr(host, '.', hlen);
		if (!dot || dot == host)
			return false;
		size_t rest = hlen - (size_t)(dot + 1 - host);
		return name_eq(pattern + 2, plen - 2, dot + 1, rest);
	}
	return name_eq(pattern, plen, host, hlen);
}
