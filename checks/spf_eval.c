/* RFC 7208 check_host() and the structural SPF tree; see spf_eval.h. */
#include "checks/spf_eval.h"

#include "scanner/result.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SPF_MAX_LOOKUPS 10
#define SPF_MAX_VOIDS   2
#define SPF_MAX_NAMES   10 /* MX and PTR names considered (§4.6.4) */
#define SPF_MAX_TXT     (64 * 1024)

/* ---------------------------------------------------------------- DNS helpers */

static struct dns_reply *client_query(void *ctx, const char *name, ldns_rr_type type)
{
	/* Build the dname from raw labels so that odd characters (spaces, '%', ':') survive. */
	uint8_t wire[LDNS_MAX_DOMAINLEN + 2];
	size_t w = 0;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || w + l + 2 > LDNS_MAX_DOMAINLEN + 1)
			return dns_query((struct dns_client *)ctx, name, type);
		wire[w++] = (uint8_t)l;
		memcpy(wire + w, p, l);
		w += l;
		p += l;
		if (*p == '.')
			p++;
	}
	wire[w++] = 0;
	ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, w, wire);
	struct dns_reply *r = dns_query_rdf((struct dns_client *)ctx, rdf, type);
	ldns_rdf_deep_free(rdf);
	return r;
}

static void client_release(void *ctx, struct dns_reply *r)
{
	dns_reply_release(r);
}

struct spf_dns spf_dns_from_client(struct dns_client *c)
{
	struct spf_dns d = { c, client_query, client_release };
	return d;
}

enum qres { Q_ANSWER, Q_NODATA, Q_NX, Q_FAIL };

static enum qres reply_outcome(const struct dns_reply *r, ldns_rr_type type)
{
	if (!r || r->status != DNS_OK || !r->pkt)
		return Q_FAIL;
	if (r->rcode == LDNS_RCODE_NXDOMAIN)
		return Q_NX;
	if (r->rcode != LDNS_RCODE_NOERROR)
		return Q_FAIL;
	ldns_rr_list *an = ldns_pkt_answer(r->pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(an, i)) == type)
			return Q_ANSWER;
	return Q_NODATA;
}

static const char *reply_why(const struct dns_reply *r)
{
	if (!r)
		return "no reply";
	if (r->error)
		return r->error;
	switch (r->status) {
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_NETERR:
		return "network error";
	case DNS_MALFORMED:
		return "malformed reply";
	case DNS_BADNAME:
		return "bad name";
	default:
		break;
	}
	return "server failure";
}

struct txtv {
	char **s;
	size_t *len;
	size_t n;
};

static void txtv_free(struct txtv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->s[i]);
	free(v->s);
	free(v->len);
	memset(v, 0, sizeof(*v));
}

/* TXT records of the answer, strings concatenated (RFC 7208 §3.3). */
static void reply_txt(const struct dns_reply *r, struct txtv *out)
{
	memset(out, 0, sizeof(*out));
	ldns_rr_list *an = ldns_pkt_answer(r->pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		struct buf b;
		buf_init(&b, SPF_MAX_TXT);
		for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
			ldns_rdf *f = ldns_rr_rdf(rr, k);
			size_t sz = ldns_rdf_size(f);
			const uint8_t *d = ldns_rdf_data(f);
			if (sz < 1)
				continue;
			size_t l = d[0];
			if (l > sz - 1)
				l = sz - 1;
			buf_add(&b, d + 1, l);
		}
		buf_add(&b, "", 0);
		out->s = xrealloc(out->s, (out->n + 1) * sizeof(char *));
		out->len = xrealloc(out->len, (out->n + 1) * sizeof(size_t));
		out->len[out->n] = b.len;
		out->s[out->n] = b.data ? buf_steal(&b) : xstrdup("");
		out->n++;
		buf_free(&b);
	}
}

static char *rdf_name(const ldns_rdf *f)
{
	/* raw labels joined by '.', lower case, no trailing dot */
	struct buf b;
	buf_init(&b, 1024);
	const uint8_t *d = ldns_rdf_data(f);
	size_t sz = ldns_rdf_size(f), i = 0;
	while (i < sz && d[i]) {
		size_t l = d[i++];
		if (i + l > sz)
			break;
		if (b.len)
			buf_add(&b, ".", 1);
		for (size_t k = 0; k < l; k++) {
			char c = (char)d[i + k];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			buf_add(&b, &c, 1);
		}
		i += l;
	}
	buf_add(&b, "", 0);
	char *s = b.data ? buf_steal(&b) : xstrdup("");
	buf_free(&b);
	return s;
}

/* Names in the answer (MX exchanges, PTR targets). Returns count; *out malloc'd. */
static size_t reply_names(const struct dns_reply *r, ldns_rr_type type, char ***out)
{
	*out = NULL;
	size_t n = 0;
	ldns_rr_list *an = ldns_pkt_answer(r->pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != type)
			continue;
		ldns_rdf *f = ldns_rr_rdf(rr, type == LDNS_RR_TYPE_MX ? 1 : 0);
		if (!f)
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(char *));
		(*out)[n++] = rdf_name(f);
	}
	return n;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Does any address of the answer match ip/cidr? */
static bool reply_addr_match(const struct dns_reply *r, bool v6, const uint8_t *ip, int cidr);

static bool prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rem = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((a[full] & mask) != (b[full] & mask))
			return false;
	}
	return true;
}

static bool reply_addr_match(const struct dns_reply *r, bool v6, const uint8_t *ip, int cidr)
{
	ldns_rr_type type = v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
	size_t alen = v6 ? 16 : 4;
	ldns_rr_list *an = ldns_pkt_answer(r->pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != type)
			continue;
		ldns_rdf *f = ldns_rr_rdf(rr, 0);
		if (!f || ldns_rdf_size(f) != alen)
			continue;
		if (prefix_match(ldns_rdf_data(f), ip, cidr))
			return true;
	}
	return false;
}

/* A name usable in a query: labels 1..63, total <= 253, at least... anything non-empty. */
static bool name_ok(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > 253)
		return false;
	size_t lab = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > 63) {
			return false;
		}
	}
	return true;
}

/* Strip one trailing dot (in place). */
static void strip_dot(char *s)
{
	size_t l = strlen(s);
	if (l > 1 && s[l - 1] == '.')
		s[l - 1] = '\0';
}

/* ---------------------------------------------------------------- check_host */

struct eval {
	const struct spf_dns *dns;
	bool v6;
	uint8_t ip[16];
	char *sender, *local, *sdomain;
	const char *helo, *receiver;
	int lookups, voids;
	char *reason;
};

static struct dns_reply *q(struct eval *ev, const char *name, ldns_rr_type t)
{
	return ev->dns->query(ev->dns->ctx, name, t);
}

static void rel(struct eval *ev, struct dns_reply *r)
{
	ev->dns->release(ev->dns->ctx, r);
}

static void set_reason(struct eval *ev, char *why)
{
	if (!ev->reason)
		ev->reason = why;
	else
		free(why);
}

/* The reverse name of the client IP (nibbles or octets), without ".in-addr.arpa". */
static char *ip_dotted(const struct eval *ev, bool reverse)
{
	struct buf b;
	buf_init(&b, 256);
	if (!ev->v6) {
		if (reverse)
			buf_printf(&b, "%u.%u.%u.%u", ev->ip[3], ev->ip[2], ev->ip[1], ev->ip[0]);
		else
			buf_printf(&b, "%u.%u.%u.%u", ev->ip[0], ev->ip[1], ev->ip[2], ev->ip[3]);
	} else {
		static const char hex[] = "0123456789abcdef";
		for (int k = 0; k < 32; k++) {
			int idx = reverse ? 31 - k : k;
			uint8_t byte = ev->ip[idx / 2];
			uint8_t nib = (idx % 2) ? (byte & 0xf) : (byte >> 4);
			if (k)
				buf_add(&b, ".", 1);
			buf_add(&b, &hex[nib], 1);
		}
	}
	buf_add(&b, "", 0);
	char *s = buf_steal(&b);
	buf_free(&b);
	return s;
}

static bool addr_is(struct eval *ev, const char *name)
{
	struct dns_reply *r = q(ev, name, ev->v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A);
	bool ok = reply_outcome(r, ev->v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A) == Q_ANSWER &&
		  reply_addr_match(r, ev->v6, ev->ip, ev->v6 ? 128 : 32);
	rel(ev, r);
	return ok;
}

static bool name_under(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);
	if (n < d)
		return false;
	if (strcasecmp(name + n - d, domain) != 0)
		return false;
	return n == d || name[n - d - 1] == '.';
}

/*
 * Validated names of the client IP (§5.5): up to 10 PTR names whose address matches.
 * Returns 1 when a name under `target` is validated (if target != NULL); *first (if not
 * NULL) gets a validated name (preferring one under `prefer`). -1 on PTR lookup failure.
 */
static int validated_names(struct eval *ev, const char *target, const char *prefer, char **first,
			   bool *voided)
{
	char *rev = ip_dotted(ev, true);
	char *qn = xasprintf("%s.%s", rev, ev->v6 ? "ip6.arpa" : "in-addr.arpa");
	free(rev);
	struct dns_reply *r = q(ev, qn, LDNS_RR_TYPE_PTR);
	free(qn);
	enum qres o = reply_outcome(r, LDNS_RR_TYPE_PTR);
	if (voided)
		*voided = (o == Q_NX || o == Q_NODATA);
	if (o != Q_ANSWER) {
		rel(ev, r);
		return o == Q_FAIL ? -1 : 0;
	}
	char **names;
	size_t n = reply_names(r, LDNS_RR_TYPE_PTR, &names);
	rel(ev, r);
	int found = 0;
	char *any = NULL, *pref = NULL;
	for (size_t i = 0; i < n && i < SPF_MAX_NAMES; i++) {
		if (!name_ok(names[i]))
			continue;
		if (target && !name_under(names[i], target))
			continue;
		if (!addr_is(ev, names[i]))
			continue;
		if (target) {
			found = 1;
			break;
		}
		if (!any)
			any = names[i];
		if (!pref && prefer && name_under(names[i], prefer))
			pref = names[i];
		if (pref)
			break;
	}
	if (first)
		*first = (pref || any) ? xstrdup(pref ? pref : any) : NULL;
	names_free(names, n);
	return found;
}

static void url_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			buf_add(b, s, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

/* Apply transformers: split on delims, optional reverse, keep rightmost n, join with '.'. */
static char *transform(const char *val, int n, bool rev, const char *delims)
{
	size_t cap = 8, cnt = 0;
	const char **st = xmalloc(cap * sizeof(*st));
	size_t *ln = xmalloc(cap * sizeof(*ln));
	const char *p = val, *start = val;
	for (;; p++) {
		if (*p == '\0' || strchr(delims, *p)) {
			if (cnt == cap) {
				cap *= 2;
				st = xrealloc(st, cap * sizeof(*st));
				ln = xrealloc(ln, cap * sizeof(*ln));
			}
			st[cnt] = start;
			ln[cnt++] = (size_t)(p - start);
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	if (rev)
		for (size_t i = 0; i < cnt / 2; i++) {
			const char *t = st[i];
			size_t tl = ln[i];
			st[i] = st[cnt - 1 - i];
			ln[i] = ln[cnt - 1 - i];
			st[cnt - 1 - i] = t;
			ln[cnt - 1 - i] = tl;
		}
	size_t from = (n > 0 && (size_t)n < cnt) ? cnt - (size_t)n : 0;
	struct buf b;
	buf_init(&b, 1 << 20);
	for (size_t i = from; i < cnt; i++) {
		if (i > from)
			buf_add(&b, ".", 1);
		buf_add(&b, st[i], ln[i]);
	}
	buf_add(&b, "", 0);
	char *s = buf_steal(&b);
	buf_free(&b);
	free(st);
	free(ln);
	return s;
}

/*
 * Expand a macro-string (§7). `domain` is the current <domain>. Returns NULL on a syntax error.
 * For domain-specs (exp_text false) the result is truncated to 253 characters from the left.
 */
static char *expand(struct eval *ev, const char *s, size_t len, const char *domain, bool exp_text)
{
	if (!spf_macro_string_valid(s, len, exp_text))
		return NULL;
	struct buf b;
	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < len;) {
		if (s[i] != '%') {
			buf_add(&b, s + i, 1);
			i++;
			continue;
		}
		char c = s[i + 1];
		if (c == '%' || c == '_' || c == '-') {
			buf_add(&b, c == '%' ? "%" : c == '_' ? " " : "%20", c == '-' ? 3 : 1);
			i += 2;
			continue;
		}
		/* %{ letter digits [r] delims } */
		size_t j = i + 2;
		char letter = s[j++];
		int n = 0;
		while (s[j] >= '0' && s[j] <= '9') {
			if (n < 1000)
				n = n * 10 + (s[j] - '0');
			j++;
		}
		bool rev = false;
		if (s[j] == 'r' || s[j] == 'R') {
			rev = true;
			j++;
		}
		char delims[8] = { 0 };
		size_t nd = 0;
		while (s[j] != '}') {
			if (nd < sizeof(delims) - 1 && !strchr(delims, s[j]))
				delims[nd++] = s[j];
			j++;
		}
		if (nd == 0)
			delims[0] = '.';
		i = j + 1;
		char *val = NULL;
		bool upper = letter >= 'A' && letter <= 'Z';
		switch (upper ? (char)(letter - 'A' + 'a') : letter) {
		case 's':
			val = xstrdup(ev->sender);
			break;
		case 'l':
			val = xstrdup(ev->local);
			break;
		case 'o':
			val = xstrdup(ev->sdomain);
			break;
		case 'd':
			val = xstrdup(domain);
			break;
		case 'i':
			val = ip_dotted(ev, false);
			break;
		case 'p': {
			char *first = NULL;
			validated_names(ev, NULL, domain, &first, NULL);
			val = first ? first : xstrdup("unknown");
			break;
		}
		case 'v':
			val = xstrdup(ev->v6 ? "ip6" : "in-addr");
			break;
		case 'h':
			val = xstrdup(ev->helo ? ev->helo : "unknown");
			break;
		case 'c': {
			char tmp[INET6_ADDRSTRLEN];
			inet_ntop(ev->v6 ? AF_INET6 : AF_INET, ev->ip, tmp, sizeof(tmp));
			val = xstrdup(tmp);
			break;
		}
		case 'r':
			val = xstrdup(ev->receiver ? ev->receiver : "unknown");
			break;
		case 't':
			val = xasprintf("%lld", (long long)time(NULL));
			break;
		default:
			val = xstrdup("");
		}
		char *tv = transform(val, n, rev, delims);
		free(val);
		if (upper)
			url_escape(&b, tv);
		else
			buf_add(&b, tv, strlen(tv));
		free(tv);
	}
	buf_add(&b, "", 0);
	char *out = buf_steal(&b);
	buf_free(&b);
	if (!exp_text) {
		/* §7.3: drop left-hand labels until it fits in 253 characters */
		char *p = out;
		size_t l = strlen(p);
		if (l > 1 && p[l - 1] == '.')
			p[--l] = '\0';
		while (l > 253) {
			char *dot = strchr(p, '.');
			if (!dot)
				break;
			l -= (size_t)(dot + 1 - p);
			p = dot + 1;
		}
		if (p != out)
			memmove(out, p, l + 1);
	}
	return out;
}

/* The target of a mechanism: its expanded domain-spec or the current domain. NULL = bad. */
static char *target_of(struct eval *ev, const char *spec, const char *domain)
{
	if (!spec)
		return xstrdup(domain);
	char *t = expand(ev, spec, strlen(spec), domain, false);
	if (t)
		strip_dot(t);
	return t;
}

enum mres { M_NOMATCH, M_MATCH, M_TEMP, M_PERM };

static enum spf_result check_host_rec(struct eval *ev, const char *domain, char **expl);

static enum mres void_lookup(struct eval *ev)
{
	if (++ev->voids > SPF_MAX_VOIDS) {
		set_reason(ev, xstrdup("more than 2 void lookups"));
		return M_PERM;
	}
	return M_NOMATCH;
}

/* Address lookup of name against the client IP with the term's CIDR; counts void. */
static enum mres match_addr(struct eval *ev, const char *name, const struct spf_term *t,
			    bool count_void)
{
	ldns_rr_type ty = ev->v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
	if (!name_ok(name))
		return M_NOMATCH;
	struct dns_reply *r = q(ev, name, ty);
	enum qres o = reply_outcome(r, ty);
	enum mres m = M_NOMATCH;
	if (o == Q_FAIL) {
		set_reason(ev, xasprintf("lookup of %s failed: %s", name, reply_why(r)));
		m = M_TEMP;
	} else if (o == Q_ANSWER) {
		int c = ev->v6 ? (t->cidr6 >= 0 ? t->cidr6 : 128) : (t->cidr4 >= 0 ? t->cidr4 : 32);
		m = reply_addr_match(r, ev->v6, ev->ip, c) ? M_MATCH : M_NOMATCH;
	} else if (count_void) {
		m = void_lookup(ev);
	}
	rel(ev, r);
	return m;
}

static enum mres eval_mech(struct eval *ev, const struct spf_term *t, const char *domain)
{
	if (spf_term_queries_dns(t) && ++ev->lookups > SPF_MAX_LOOKUPS) {
		set_reason(ev, xstrdup("more than 10 DNS-querying terms"));
		return M_PERM;
	}
	switch (t->mech) {
	case SPF_ALL:
		return M_MATCH;
	case SPF_IP4:
		if (ev->v6)
			return M_NOMATCH;
		return prefix_match(t->addr, ev->ip, t->cidr4 >= 0 ? t->cidr4 : 32) ? M_MATCH
										    : M_NOMATCH;
	case SPF_IP6:
		if (!ev->v6)
			return M_NOMATCH;
		return prefix_match(t->addr, ev->ip, t->cidr6 >= 0 ? t->cidr6 : 128) ? M_MATCH
										     : M_NOMATCH;
	case SPF_A: {
		char *name = target_of(ev, t->domain, domain);
		if (!name)
			return M_PERM;
		enum mres m = match_addr(ev, name, t, true);
		free(name);
		return m;
	}
	case SPF_MX: {
		char *name = target_of(ev, t->domain, domain);
		if (!name)
			return M_PERM;
		if (!name_ok(name)) {
			free(name);
			return M_NOMATCH;
		}
		struct dns_reply *r = q(ev, name, LDNS_RR_TYPE_MX);
		enum qres o = reply_outcome(r, LDNS_RR_TYPE_MX);
		enum mres m = M_NOMATCH;
		if (o == Q_FAIL) {
			set_reason(ev, xasprintf("MX lookup of %s failed: %s", name, reply_why(r)));
			m = M_TEMP;
		} else if (o != Q_ANSWER) {
			m = void_lookup(ev);
		} else {
			char **names;
			size_t n = reply_names(r, LDNS_RR_TYPE_MX, &names);
			if (n > SPF_MAX_NAMES) {
				set_reason(ev, xasprintf("%s has more than 10 MX records", name));
				m = M_PERM;
			}
			for (size_t i = 0; m == M_NOMATCH && i < n; i++) {
				if (!names[i][0])
					continue; /* null MX */
				m = match_addr(ev, names[i], t, false);
			}
			names_free(names, n);
		}
		rel(ev, r);
		free(name);
		return m;
	}
	case SPF_PTR: {
		char *name = target_of(ev, t->domain, domain);
		if (!name)
			return M_PERM;
		bool voided = false;
		int f = validated_names(ev, name, NULL, NULL, &voided);
		free(name);
		if (f < 0)
			return M_NOMATCH; /* §5.5: a DNS error makes ptr not match */
		if (voided)
			return void_lookup(ev);
		return f ? M_MATCH : M_NOMATCH;
	}
	case SPF_EXISTS: {
		char *name = target_of(ev, t->domain, domain);
		if (!name)
			return M_PERM;
		if (!name_ok(name)) {
			free(name);
			return M_NOMATCH;
		}
		struct dns_reply *r = q(ev, name, LDNS_RR_TYPE_A);
		enum qres o = reply_outcome(r, LDNS_RR_TYPE_A);
		enum mres m = M_MATCH;
		if (o == Q_FAIL) {
			set_reason(ev, xasprintf("lookup of %s failed: %s", name, reply_why(r)));
			m = M_TEMP;
		} else if (o != Q_ANSWER) {
			m = void_lookup(ev);
		}
		rel(ev, r);
		free(name);
		return m;
	}
	case SPF_INCLUDE: {
		char *name = target_of(ev, t->domain, domain);
		if (!name)
			return M_PERM;
		enum spf_result r = check_host_rec(ev, name, NULL);
		enum mres m = M_NOMATCH;
		if (r == SPF_PASS)
			m = M_MATCH;
		else if (r == SPF_TEMPERROR)
			m = M_TEMP;
		else if (r == SPF_PERMERROR || r == SPF_NONE) {
			if (r == SPF_NONE)
				set_reason(ev, xasprintf("include:%s has no SPF record", name));
			m = M_PERM;
		}
		free(name);
		return m;
	}
	}
	return M_PERM;
}

static char *explain(struct eval *ev, const struct spf_record *rec, const char *domain)
{
	if (rec->exp < 0)
		return NULL;
	const char *spec = rec->terms[rec->exp].value;
	char *name = expand(ev, spec, strlen(spec), domain, false);
	if (!name)
		return NULL;
	strip_dot(name);
	if (!name_ok(name)) {
		free(name);
		return NULL;
	}
	struct dns_reply *r = q(ev, name, LDNS_RR_TYPE_TXT);
	free(name);
	char *out = NULL;
	if (reply_outcome(r, LDNS_RR_TYPE_TXT) == Q_ANSWER) {
		struct txtv v;
		reply_txt(r, &v);
		if (v.n == 1) {
			bool ascii = true;
			for (size_t i = 0; i < v.len[0]; i++) {
				unsigned char c = (unsigned char)v.s[0][i];
				if (c < 0x20 || c > 0x7e)
					ascii = false;
			}
			if (ascii)
				out = expand(ev, v.s[0], v.len[0], domain, true);
		}
		txtv_free(&v);
	}
	rel(ev, r);
	return out;
}

static enum spf_result qual_result(char q)
{
	switch (q) {
	case '-':
		return SPF_FAIL;
	case '~':
		return SPF_SOFTFAIL;
	case '?':
		return SPF_NEUTRAL;
	default:
		return SPF_PASS;
	}
}

/* A domain acceptable for check_host(): multi-label, labels 1..63 (§4.3). */
static bool domain_ok(const char *d)
{
	return name_ok(d) && strchr(d, '.') != NULL && d[0] != '[';
}

/* Fetch and select the SPF record of domain. Returns SPF_PASS with *rec filled, or a result. */
static enum spf_result fetch_record(struct eval *ev, const char *domain, struct spf_record *rec)
{
	struct dns_reply *r = q(ev, domain, LDNS_RR_TYPE_TXT);
	enum qres o = reply_outcome(r, LDNS_RR_TYPE_TXT);
	if (o == Q_FAIL) {
		set_reason(ev, xasprintf("TXT lookup of %s failed: %s", domain, reply_why(r)));
		rel(ev, r);
		return SPF_TEMPERROR;
	}
	if (o != Q_ANSWER) {
		rel(ev, r);
		return SPF_NONE;
	}
	struct txtv v;
	reply_txt(r, &v);
	rel(ev, r);
	size_t found = 0, which = 0;
	for (size_t i = 0; i < v.n; i++)
		if (spf_is_record(v.s[i], v.len[i])) {
			found++;
			which = i;
		}
	enum spf_result res = SPF_PASS;
	if (found == 0) {
		res = SPF_NONE;
	} else if (found > 1) {
		set_reason(ev, xasprintf("%s has more than one SPF record", domain));
		res = SPF_PERMERROR;
	} else {
		char *err = NULL;
		if (spf_parse(v.s[which], v.len[which], rec, &err) < 0) {
			set_reason(ev, xasprintf("syntax error in the SPF record of %s: %s", domain,
						 err ? err : "?"));
			free(err);
			res = SPF_PERMERROR;
		}
	}
	txtv_free(&v);
	return res;
}

static enum spf_result check_host_rec(struct eval *ev, const char *domain, char **expl)
{
	if (!domain_ok(domain))
		return SPF_NONE;
	struct spf_record rec;
	enum spf_result res = fetch_record(ev, domain, &rec);
	if (res != SPF_PASS)
		return res;
	res = SPF_NEUTRAL;
	bool matched = false;
	for (size_t i = 0; i < rec.n_terms; i++) {
		const struct spf_term *t = &rec.terms[i];
		if (t->is_mod)
			continue;
		enum mres m = eval_mech(ev, t, domain);
		if (m == M_TEMP) {
			res = SPF_TEMPERROR;
			matched = true;
			break;
		}
		if (m == M_PERM) {
			res = SPF_PERMERROR;
			matched = true;
			break;
		}
		if (m == M_MATCH) {
			res = qual_result(t->qual);
			matched = true;
			if (res == SPF_FAIL && expl)
				*expl = explain(ev, &rec, domain);
			break;
		}
	}
	if (!matched && rec.redirect >= 0) {
		if (++ev->lookups > SPF_MAX_LOOKUPS) {
			set_reason(ev, xstrdup("more than 10 DNS-querying terms"));
			res = SPF_PERMERROR;
		} else {
			char *name = target_of(ev, rec.terms[rec.redirect].value, domain);
			if (!name) {
				res = SPF_PERMERROR;
			} else {
				res = check_host_rec(ev, name, expl);
				if (res == SPF_NONE) {
					set_reason(ev, xasprintf("redirect=%s has no SPF record",
								 name));
					res = SPF_PERMERROR;
				}
				free(name);
			}
		}
	}
	spf_record_free(&rec);
	return res;
}

const char *spf_result_name(enum spf_result r)
{
	static const char *const n[] = { "none",     "neutral",   "pass",     "fail",
					 "softfail", "temperror", "permerror" };
	return n[r];
}

void spf_check_host(const struct spf_dns *dns, const struct spf_request *req,
		    struct spf_answer *out)
{
	memset(out, 0, sizeof(*out));
	struct eval ev = { 0 };
	ev.dns = dns;
	ev.helo = req->helo;
	ev.receiver = req->receiver;
	uint8_t buf[16];
	if (inet_pton(AF_INET, req->ip, buf) == 1) {
		memcpy(ev.ip, buf, 4);
	} else if (inet_pton(AF_INET6, req->ip, buf) == 1) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(buf, mapped, 12) == 0) {
			memcpy(ev.ip, buf + 12, 4);
		} else {
			ev.v6 = true;
			memcpy(ev.ip, buf, 16);
		}
	} else {
		out->result = SPF_PERMERROR;
		out->reason = xstrdup("invalid client IP");
		return;
	}
	const char *mf = req->mailfrom ? req->mailfrom : "";
	const char *helo = req->helo ? req->helo : "";
	if (mf[0] == '\0') {
		ev.local = xstrdup("postmaster");
		ev.sdomain = xstrdup(helo);
	} else {
		const char *at = strrchr(mf, '@');
		if (!at) {
			ev.local = xstrdup("postmaster");
			ev.sdomain = xstrdup(mf);
		} else {
			ev.local =
				at == mf ? xstrdup("postmaster") : xstrndup(mf, (size_t)(at - mf));
			ev.sdomain = xstrdup(at + 1);
		}
	}
	strip_dot(ev.sdomain);
	ev.sender = xasprintf("%s@%s", ev.local, ev.sdomain);
	char *expl = NULL;
	out->result = check_host_rec(&ev, ev.sdomain, &expl);
	out->explanation = out->result == SPF_FAIL ? expl : NULL;
	if (out->result != SPF_FAIL)
		free(expl);
	out->reason = ev.reason;
	out->lookups = ev.lookups;
	out->voids = ev.voids;
	free(ev.sender);
	free(ev.local);
	free(ev.sdomain);
}

void spf_answer_free(struct spf_answer *a)
{
	if (!a)
		return;
	free(a->explanation);
	free(a->reason);
	a->explanation = a->reason = NULL;
}

/* ---------------------------------------------------------------- structural tree */

struct tree_ctx {
	const struct spf_dns *dns;
	json_t *(*resolve)(void *arg, const char *target);
	void *arg;
	int nodes;
	int probes; /* a/mx/exists lookups made for void counting, bounded */
};

static void list_add(json_t *node, const char *key, char *msg)
{
	json_t *a = json_object_get(node, key);
	if (json_array_size(a) < 32)
		json_array_append_new(a, json_str(msg));
	free(msg);
}

static void list_merge(json_t *node, const char *key, const json_t *child)
{
	json_t *a = json_object_get(node, key);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(child, key), i, v)
	{
		if (json_array_size(a) < 32)
			json_array_append(a, v);
	}
}

static json_t *node_new(const char *domain, const char *status)
{
	return json_pack("{s:o, s:s, s:i, s:i, s:b, s:[], s:[], s:n, s:b, s:[]}", "domain",
			 json_str(domain), "status", status, "lookups", 0, "voids", 0, "ptr", 0,
			 "permerrors", "temperrors", "all", "redirect_macro", 0, "children");
}

static void node_status(json_t *node, const char *status, char *reason)
{
	json_object_set_new(node, "status", json_string(status));
	json_object_set_new(node, "reason", json_str(reason));
	free(reason);
}

static int jint(const json_t *o, const char *k)
{
	return (int)json_integer_value(json_object_get(o, k));
}

static json_t *tree_node(struct tree_ctx *tc, const char *domain, const char *record,
			 const char *const *path, int depth);

/* Lookups for the void-lookup count of a/mx/exists with a literal target. */
static void structural_lookup(struct tree_ctx *tc, json_t *node, const struct spf_term *t,
			      const char *name)
{
	const struct spf_dns *d = tc->dns;
	if (++tc->probes > SPF_TREE_MAX_PROBES)
		return; /* far past any limit already; do not let a record make us query more */
	if (!name_ok(name)) {
		list_add(node, "permerrors", xasprintf("invalid domain name in %s", name));
		return;
	}
	bool isvoid = false;
	if (t->mech == SPF_MX) {
		struct dns_reply *r = d->query(d->ctx, name, LDNS_RR_TYPE_MX);
		enum qres o = reply_outcome(r, LDNS_RR_TYPE_MX);
		if (o == Q_FAIL) {
			list_add(node, "temperrors", xasprintf("MX %s: %s", name, reply_why(r)));
		} else if (o != Q_ANSWER) {
			isvoid = true;
		} else {
			char **names;
			size_t n = reply_names(r, LDNS_RR_TYPE_MX, &names);
			if (n > SPF_MAX_NAMES)
				list_add(node, "permerrors",
					 xasprintf("mx:%s has %zu MX records (more than 10)", name,
						   n));
			names_free(names, n);
		}
		d->release(d->ctx, r);
	} else if (t->mech == SPF_EXISTS) {
		struct dns_reply *r = d->query(d->ctx, name, LDNS_RR_TYPE_A);
		enum qres o = reply_outcome(r, LDNS_RR_TYPE_A);
		if (o == Q_FAIL)
			list_add(node, "temperrors", xasprintf("A %s: %s", name, reply_why(r)));
		else if (o != Q_ANSWER)
			isvoid = true;
		d->release(d->ctx, r);
	} else { /* a: void when neither A nor AAAA exists */
		struct dns_reply *r4 = d->query(d->ctx, name, LDNS_RR_TYPE_A);
		enum qres o4 = reply_outcome(r4, LDNS_RR_TYPE_A);
		if (o4 == Q_FAIL) {
			list_add(node, "temperrors", xasprintf("A %s: %s", name, reply_why(r4)));
		} else if (o4 == Q_NX) {
			isvoid = true;
		} else if (o4 == Q_NODATA) {
			struct dns_reply *r6 = d->query(d->ctx, name, LDNS_RR_TYPE_AAAA);
			enum qres o6 = reply_outcome(r6, LDNS_RR_TYPE_AAAA);
			if (o6 == Q_FAIL)
				list_add(node, "temperrors",
					 xasprintf("AAAA %s: %s", name, reply_why(r6)));
			else if (o6 != Q_ANSWER)
				isvoid = true;
			d->release(d->ctx, r6);
		}
		d->release(d->ctx, r4);
	}
	if (isvoid) {
		json_object_set_new(node, "voids", json_integer(jint(node, "voids") + 1));
		json_t *vl = json_object_get(node, "void_names");
		if (!vl) {
			vl = json_array();
			json_object_set_new(node, "void_names", vl);
		}
		if (json_array_size(vl) < 16)
			json_array_append_new(vl, json_str(name));
	}
}

static char *term_text(const struct spf_term *t)
{
	if (t->is_mod)
		return xasprintf("%s=%s", t->name, t->value);
	return xasprintf("%s%s%s%s", t->qual == '+' ? "" : (char[]){ t->qual, 0 },
			 spf_mech_name(t->mech), t->domain ? ":" : "", t->domain ? t->domain : "");
}

static json_t *tree_child(struct tree_ctx *tc, json_t *node, const struct spf_term *t,
			  const char *target, const char *const *path, int depth)
{
	json_t *child = NULL;
	bool loop = false;
	for (int i = 0; path[i]; i++)
		if (strcasecmp(path[i], target) == 0)
			loop = true;
	const char *kind = t->is_mod ? "redirect" : "include";
	if (loop) {
		child = node_new(target, "loop");
		node_status(child, "loop", xasprintf("%s loop back to %s", kind, target));
		list_add(child, "permerrors", xasprintf("%s loop: %s", kind, target));
	} else if (depth + 1 > SPF_TREE_MAX_DEPTH || tc->nodes >= SPF_TREE_MAX_NODES) {
		child = node_new(target, "limit");
		node_status(child, "limit", xstrdup("tree too large; not followed"));
	} else if (depth == 0 && tc->resolve && (child = tc->resolve(tc->arg, target))) {
		/* shared subtree; a copy so that "term" can be set */
		json_t *copy = json_deep_copy(child);
		json_decref(child);
		child = copy;
		tc->nodes++;
	} else {
		child = tree_node(tc, target, NULL, path, depth + 1);
	}
	const char *st = json_string_value(json_object_get(child, "status"));
	if (st && strcmp(st, "ok") != 0 && strcmp(st, "loop") != 0 && strcmp(st, "limit") != 0) {
		/* the node itself could not be used */
		if (strcmp(st, "error") != 0 && strcmp(st, "syntax") != 0)
			list_add(child, "permerrors",
				 xasprintf("%s target %s: %s", kind, target,
					   json_string_value(json_object_get(child, "reason"))));
	}
	char *tt = term_text(t);
	json_object_set_new(child, "term", json_str(tt));
	free(tt);
	json_object_set_new(node, "lookups",
			    json_integer(jint(node, "lookups") + jint(child, "lookups")));
	json_object_set_new(node, "voids",
			    json_integer(jint(node, "voids") + jint(child, "voids")));
	if (json_is_true(json_object_get(child, "ptr")))
		json_object_set_new(node, "ptr", json_true());
	list_merge(node, "permerrors", child);
	list_merge(node, "temperrors", child);
	json_array_append_new(json_object_get(node, "children"), child);
	return child; /* borrowed */
}

static json_t *tree_node(struct tree_ctx *tc, const char *domain, const char *record,
			 const char *const *path, int depth)
{
	tc->nodes++;
	const struct spf_dns *d = tc->dns;
	json_t *node = node_new(domain, "ok");
	char *text = NULL;
	if (record) {
		text = xstrdup(record);
	} else if (!name_ok(domain) || !strchr(domain, '.')) {
		node_status(node, "nxdomain", xstrdup("not a valid domain name"));
		return node;
	} else {
		struct dns_reply *r = d->query(d->ctx, domain, LDNS_RR_TYPE_TXT);
		enum qres o = reply_outcome(r, LDNS_RR_TYPE_TXT);
		if (o == Q_FAIL) {
			char *why = xasprintf("TXT %s: %s", domain, reply_why(r));
			list_add(node, "temperrors", xstrdup(why));
			node_status(node, "error", why);
			d->release(d->ctx, r);
			return node;
		}
		if (o == Q_NX) {
			node_status(node, "nxdomain", xstrdup("domain does not exist"));
			d->release(d->ctx, r);
			return node;
		}
		struct txtv v = { 0 };
		if (o == Q_ANSWER)
			reply_txt(r, &v);
		d->release(d->ctx, r);
		size_t found = 0;
		for (size_t i = 0; i < v.n; i++)
			if (spf_is_record(v.s[i], v.len[i])) {
				if (!found)
					text = xstrndup(v.s[i], v.len[i]);
				found++;
			}
		if (found > 1) {
			json_t *recs = json_array();
			for (size_t i = 0; i < v.n; i++)
				if (spf_is_record(v.s[i], v.len[i]))
					json_array_append_new(recs,
							      json_text(v.s[i], v.len[i], 4096));
			json_object_set_new(node, "records", recs);
			node_status(node, "multiple",
				    xasprintf("%zu SPF records (exactly one is allowed)", found));
			free(text);
			txtv_free(&v);
			return node;
		}
		txtv_free(&v);
		if (!found) {
			if (o == Q_NODATA)
				node_status(node, "nodata", xstrdup("no TXT record"));
			else
				node_status(node, "none",
					    xstrdup("no SPF record among the TXT records"));
			return node;
		}
	}
	json_object_set_new(node, "record", json_text(text, strlen(text), 4096));
	struct spf_record rec;
	char *err = NULL;
	if (spf_parse(text, strlen(text), &rec, &err) < 0) {
		node_status(node, "syntax", xasprintf("syntax error: %s", err ? err : "?"));
		list_add(node, "permerrors",
			 xasprintf("syntax error in the SPF record of %s: %s", domain,
				   err ? err : "?"));
		free(err);
		free(text);
		return node;
	}
	free(text);

	/* path for loop detection: ancestors plus this domain */
	const char *sub[SPF_TREE_MAX_DEPTH + 3];
	int np = 0;
	for (; path[np] && np < SPF_TREE_MAX_DEPTH + 1; np++)
		sub[np] = path[np];
	sub[np++] = domain;
	sub[np] = NULL;

	int own = 0;
	size_t last = rec.first_all >= 0 ? (size_t)rec.first_all + 1 : rec.n_terms;
	json_t *terms = json_array();
	for (size_t i = 0; i < rec.n_terms; i++) {
		char *tt = term_text(&rec.terms[i]);
		json_array_append_new(terms, json_str(tt));
		free(tt);
	}
	json_object_set_new(node, "terms", terms);
	for (size_t i = 0; i < last; i++) {
		const struct spf_term *t = &rec.terms[i];
		if (t->is_mod || !spf_term_queries_dns(t))
			continue;
		own++;
		json_object_set_new(node, "lookups", json_integer(jint(node, "lookups") + 1));
		if (t->mech == SPF_PTR) {
			json_object_set_new(node, "ptr", json_true());
			continue;
		}
		const char *spec = t->domain;
		if (spec && spf_has_macro(spec))
			continue; /* cannot be followed without a client */
		char *target = spec ? xstrdup(spec) : xstrdup(domain);
		/* %%, %_ and %- are plain characters here */
		if (spec && strchr(spec, '%')) {
			free(target);
			continue;
		}
		strip_dot(target);
		if (t->mech == SPF_INCLUDE)
			tree_child(tc, node, t, target, sub, depth);
		else
			structural_lookup(tc, node, t, target);
		free(target);
	}
	if (rec.first_all >= 0) {
		char q[2] = { rec.terms[rec.first_all].qual, 0 };
		char *a = xasprintf("%sall", q);
		json_object_set_new(node, "all", json_string(a));
		free(a);
	} else if (rec.redirect >= 0) {
		const struct spf_term *t = &rec.terms[rec.redirect];
		own++;
		json_object_set_new(node, "lookups", json_integer(jint(node, "lookups") + 1));
		if (strchr(t->value, '%')) {
			json_object_set_new(node, "redirect_macro", json_true());
		} else {
			char *target = xstrdup(t->value);
			strip_dot(target);
			json_t *child = tree_child(tc, node, t, target, sub, depth);
			json_object_set(node, "all", json_object_get(child, "all"));
			if (json_is_true(json_object_get(child, "redirect_macro")))
				json_object_set_new(node, "redirect_macro", json_true());
			free(target);
		}
	}
	json_object_set_new(node, "own_lookups", json_integer(own));
	spf_record_free(&rec);
	return node;
}

json_t *spf_tree_build_record(const struct spf_dns *dns, const char *domain, const char *record,
			      json_t *(*resolve)(void *arg, const char *target), void *arg)
{
	struct tree_ctx tc = { dns, resolve, arg, 0, 0 };
	const char *path[1] = { NULL };
	return tree_node(&tc, domain, record, path, 0);
}

json_t *spf_tree_build(const struct spf_dns *dns, const char *domain,
		       json_t *(*resolve)(void *arg, const char *target), void *arg)
{
	return spf_tree_build_record(dns, domain, NULL, resolve, arg);
}
