/* TLS-RPT record parser; see tlsrpt_parse.h. */
#include "checks/tlsrpt_parse.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct span {
	const char *p;
	size_t n;
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
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

static bool span_iprefix(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (s.n < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s.p[i]) != lower(lit[i]))
			return false;
	return true;
}

#define Q(s) (int)((s).n > 64 ? 64 : (s).n), (s).p

bool tlsrpt_is_candidate(const char *text, size_t len)
{
	static const char pfx[] = "v=tlsrptv1";
	size_t n = sizeof(pfx) - 1;
	if (!text || len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(text[i]) != pfx[i])
			return false;
	return len == n || text[n] == ';' || is_wsp(text[n]);
}

void tlsrpt_record_free(struct tlsrpt_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_rua; i++)
		free(r->rua[i]);
	free(r->rua);
	for (size_t i = 0; i < r->n_ext; i++) {
		free(r->ext[i].name);
		free(r->ext[i].value);
	}
	free(r->ext);
	memset(r, 0, sizeof(*r));
}

/* One rua URI: mailto:local@domain or https://host[...]. */
static int check_uri(struct span u, char **err)
{
	if (u.n == 0)
		return parse_fail(err, "rua: empty URI");
	for (size_t i = 0; i < u.n; i++)
		if (is_wsp(u.p[i]))
			return parse_fail(err, "rua: space inside URI \"%.*s\"", Q(u));
	if (span_iprefix(u, "mailto:")) {
		struct span a = { u.p + 7, u.n - 7 };
		const char *q = memchr(a.p, '?', a.n);
		if (q)
			a.n = (size_t)(q - a.p);
		const char *at = memchr(a.p, '@', a.n);
		if (!at || at == a.p || at + 1 == a.p + a.n)
			return parse_fail(err, "rua: mailto URI without an address: \"%.*s\"",
					  Q(u));
		return 0;
	}
	if (span_iprefix(u, "https://")) {
		if (u.n == 8 || u.p[8] == '/' || u.p[8] == '?' || u.p[8] == '#')
			return parse_fail(err, "rua: https URI without a host: \"%.*s\"", Q(u));
		return 0;
	}
	return parse_fail(err, "rua: URI is neither mailto: nor https: \"%.*s\"", Q(u));
}

static int parse_rua(struct tlsrpt_record *r, struct span v, char **err)
{
	if (v.n == 0)
		return parse_fail(err, "rua: no URI");
	size_t start = 0;
	for (size_t i = 0; i <= v.n; i++) {
		if (i < v.n && v.p[i] != ',')
			continue;
		struct span u = trim((struct span){ v.p + start, i - start });
		start = i + 1;
		if (check_uri(u, err) != 0)
			return -1;
		if (r->n_rua >= TLSRPT_MAX_URIS)
			return parse_fail(err, "rua: more than %d URIs", TLSRPT_MAX_URIS);
		r->rua = xrealloc(r->rua, (r->n_rua + 1) * sizeof(*r->rua));
		r->rua[r->n_rua++] = xstrndup(u.p, u.n);
	}
	return 0;
}

static int parse_ext(struct tlsrpt_record *r, struct span name, struct span v, char **err)
{
	if (name.n == 0 || name.n > 32 || !is_alnum(name.p[0]))
		return parse_fail(err, "invalid field name \"%.*s\"", Q(name));
	for (size_t i = 0; i < name.n; i++)
		if (!is_alnum(name.p[i]) && name.p[i] != '_' && name.p[i] != '-' &&
		    name.p[i] != '.')
			return parse_fail(err, "invalid field name \"%.*s\"", Q(name));
	if (v.n == 0)
		return parse_fail(err, "field %.*s: empty value", Q(name));
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (c < 0x21 || c > 0x7e || c == ';' || c == '=')
			return parse_fail(err, "field %.*s: invalid value \"%.*s\"", Q(name), Q(v));
	}
	for (size_t i = 0; i < r->n_ext; i++)
		if (strlen(r->ext[i].name) == name.n && memcmp(r->ext[i].name, name.p, name.n) == 0)
			return parse_fail(err, "field %.*s appears more than once", Q(name));
	if (r->n_ext >= TLSRPT_MAX_EXTENSIONS)
		return parse_fail(err, "more than %d extension fields", TLSRPT_MAX_EXTENSIONS);
	r->ext = xrealloc(r->ext, (r->n_ext + 1) * sizeof(*r->ext));
	r->ext[r->n_ext].name = xstrndup(name.p, name.n);
	r->ext[r->n_ext].value = xstrndup(v.p, v.n);
	r->n_ext++;
	return 0;
}

int tlsrpt_parse(const char *text, size_t len, struct tlsrpt_record *out, char **err)
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
	size_t start = 0, n_fields = 0;
	bool seen_rua = false;
	int rc = 0;
	for (size_t i = 0; i <= len && rc == 0; i++) {
		if (i < len && text[i] != ';')
			continue;
		struct span seg = { text + start, i - start };
		start = i + 1;
		if (n_fields == 0) {
			/* The version comes first, exactly, with no space before it. */
			struct span v = trim(seg);
			if (v.p != seg.p || v.n != 10 || memcmp(v.p, "v=TLSRPTv1", 10) != 0) {
				rc = parse_fail(err, "the record must start with v=TLSRPTv1");
				break;
			}
			n_fields++;
			continue;
		}
		seg = trim(seg);
		if (seg.n == 0)
			continue;
		const char *eq = memchr(seg.p, '=', seg.n);
		if (!eq) {
			rc = parse_fail(err, "field without '=': \"%.*s\"", Q(seg));
			break;
		}
		/* RFC 8460 allows no space around '='. */
		struct span name = { seg.p, (size_t)(eq - seg.p) };
		struct span value = { eq + 1, (size_t)(seg.p + seg.n - eq - 1) };
		n_fields++;
		if (name.n == 3 && memcmp(name.p, "rua", 3) == 0) {
			if (seen_rua) {
				rc = parse_fail(err, "rua appears more than once");
				break;
			}
			seen_rua = true;
			rc = parse_rua(out, value, err);
		} else if (name.n == 1 && name.p[0] == 'v') {
			rc = parse_fail(err, "v= appears more than once");
		} else {
			rc = parse_ext(out, name, value, err);
		}
	}
	if (rc == 0 && !seen_rua)
		rc = parse_fail(err, "no rua= field");
	if (rc != 0)
		tlsrpt_record_free(out);
	return rc;
}

json_t *tlsrpt_record_json(const struct tlsrpt_record *r)
{
	json_t *o = json_object();
	json_t *a = json_array();
	for (size_t i = 0; i < r->n_rua; i++)
		json_array_append_new(a, json_str(r->rua[i]));
	json_object_set_new(o, "rua", a);
	json_t *e = json_object();
	for (size_t i = 0; i < r->n_ext; i++)
		json_object_set_new(e, r->ext[i].name, json_str(r->ext[i].value));
	json_object_set_new(o, "extensions", e);
	return o;
}
