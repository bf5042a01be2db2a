/*
 * Shared-infrastructure roll-up of the HTML report: see html_rollup.h and docs/report.md.
 *
 * The facts come from what the checks already record in their JSON detail:
 *   starttls  servers[]: server, verdict, cert_days_left, cert_not_after,
 *                        addresses[].versions[].{name,class}, addresses[].cert.trusted
 *   dane      servers[]: server, verdict
 *   dnssec    mx[]: server, status (DNSSEC of the MX host name)
 *   ipv6      mx_hosts[] and name_servers[]: name, ipv6[] (addresses), points (10/2/0)
 * Hosts are kept in two open-addressing hash tables (MX hosts, name servers), one entry per
 * distinct host name; a per-add serial number counts each domain once per host.
 *
 * Every text that came from the network (host names, verdict words, dates) goes through
 * html_text(); verdict words are used as CSS classes only after verdict_parse() accepted them.
 */
#include "reports/html_rollup.h"
#include "reports/html.h"
#include "scanner/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Every text of the section, kept together for translation. */
static const struct {
	const char *heading, *intro, *findings, *no_findings, *mx_heading, *ns_heading, *none;
	const char *mx_cols[8], *ns_cols[4];
	const char *more_mx, *more_ns, *uses1, *usesn;
	/* [0]: one day, [1]: %lld days */
	const char *cert_expired[2], *cert_expires[2], *cell_expired[2], *cell_expires[2];
	const char *cert_today, *cert_untrusted;
	const char *p_starttls_fail, *p_starttls_error, *p_versions, *p_dane, *p_dnssec;
	const char *p_no_aaaa, *p_v6_part, *p_v6_none;
	const char *v6_ok, *v6_part, *v6_none, *v6_no_aaaa, *not_tested, *no_cert;
} txt = {
	.heading = "Shared infrastructure",
	.intro = "%s distinct MX hosts and %s distinct name servers serve the %s scanned domains. "
		 "A problem on a shared host affects every domain that uses it; hosts are listed "
		 "by the number of domains that depend on them.",
	.findings = "Findings on shared hosts",
	.no_findings = "No findings on MX hosts or name servers shared by two or more domains.",
	.mx_heading = "MX hosts",
	.ns_heading = "Name servers",
	.none = "None found (no MX hosts or name servers were recorded by the checks).",
	.mx_cols = { "MX host", "domains", "STARTTLS", "TLS versions", "certificate", "DANE",
		     "DNSSEC of the host name", "IPv6" },
	.ns_cols = { "name server", "domains", "IPv6 addresses", "IPv6" },
	.more_mx = "&hellip; and %s more MX hosts, each used by %s domains or fewer.",
	.more_ns = "&hellip; and %s more name servers, each used by %s domains or fewer.",
	.uses1 = "1 domain uses ",
	.usesn = "%s domains use ",
	.cert_expired = { "its certificate expired 1 day ago",
			  "its certificate expired %lld days ago" },
	.cert_expires = { "its certificate expires in 1 day",
			  "its certificate expires in %lld days" },
	.cert_today = "its certificate expires within a day",
	.cert_untrusted = "not trusted",
	.cell_expired = { "expired 1 day ago", "expired %lld days ago" },
	.cell_expires = { "1 day left", "%lld days left" },
	.p_starttls_fail = "STARTTLS fails",
	.p_starttls_error = "STARTTLS could not be tested",
	.p_versions = "it accepts TLS versions below 1.2",
	.p_dane = "no valid DANE (TLSA) record",
	.p_dnssec = "its host name is DNSSEC-%s",
	.p_no_aaaa = "it has no IPv6 address",
	.p_v6_part = "not every IPv6 address answers",
	.p_v6_none = "its IPv6 addresses do not answer",
	.v6_ok = "reachable",
	.v6_part = "partly reachable",
	.v6_none = "unreachable",
	.v6_no_aaaa = "no AAAA",
	.not_tested = "not tested",
	.no_cert = "&mdash;", /* also: no TLS version */
};

/* Longest host name kept (DNS names are at most 253 characters). */
#define NAME_MAX_LEN 255

static const char *const tls_versions[] = { "SSLv2",   "SSLv3",   "TLSv1",
					    "TLSv1.1", "TLSv1.2", "TLSv1.3" };
#define N_VERSIONS (sizeof(tls_versions) / sizeof(tls_versions[0]))

/* DNSSEC status of a host name, worse is higher. */
static const char *const dnssec_words[] = { "secure", "insecure", "error", "bogus" };
#define N_DNSSEC (sizeof(dnssec_words) / sizeof(dnssec_words[0]))

struct host {
	char *name; /* owned; NULL = free slot */
	size_t domains;
	size_t serial;               /* the add() that last counted this host */
	enum verdict starttls, dane; /* VERDICT_NOT_TESTED: not seen */
	int dnssec;                  /* index into dnssec_words, -1 = not seen */
	int v6_points;               /* 10/2/0 (lowest seen), -1 = not tested */
	size_t v6_addrs;             /* most IPv6 addresses seen */
	bool has_cert, untrusted, versions_bad;
	long long days_left; /* of the earliest-expiring certificate seen */
	char not_after[11];  /* its date, YYYY-MM-DD (from the detail: escaped on output) */
	unsigned versions;   /* bit i: tls_versions[i] accepted */
};

struct table {
	struct host *v;
	size_t n, cap;
};

struct html_rollup {
	const struct check_table *checks;
	struct table mx, ns;
	size_t serial, n_domains;
};

struct html_rollup *html_rollup_new(const struct check_table *checks)
{
	struct html_rollup *r = xcalloc(1, sizeof(*r));
	r->checks = checks;
	return r;
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct host *slot(struct table *t, const char *name)
{
	size_t i = hash(name) & (t->cap - 1);
	while (t->v[i].name && strcmp(t->v[i].name, name) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->v[i];
}

/* The entry of `name` (created when new), counted once for the current domain. */
static struct host *touch(struct html_rollup *r, struct table *t, const char *name)
{
	char key[NAME_MAX_LEN + 1];
	size_t len = strlen(name);
	if (len > NAME_MAX_LEN)
		len = NAME_MAX_LEN;
	memcpy(key, name, len);
	key[len] = 0;
	if (2 * (t->n + 1) > t->cap) {
		struct host *old = t->v;
		size_t old_cap = t->cap;
		t->cap = old_cap ? 2 * old_cap : 64;
		t->v = xcalloc(t->cap, sizeof(*t->v));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].name)
				*slot(t, old[i].name) = old[i];
		free(old);
	}
	struct host *h = slot(t, key);
	if (!h->name) {
		*h = (struct host){ .name = xstrdup(key), .dnssec = -1, .v6_points = -1 };
		t->n++;
	}
	if (h->serial != r->serial) {
		h->serial = r->serial;
		h->domains++;
	}
	return h;
}

static const json_t *detail_of(const struct html_rollup *r, const struct domain_result *res,
			       const char *check)
{
	for (size_t i = 0; r->checks && i < r->checks->n && i < res->n_checks; i++)
		if (strcmp(r->checks->checks[i]->name, check) == 0)
			return res->checks[i].detail;
	return NULL;
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

static void fold_verdict(enum verdict *into, const json_t *o)
{
	const char *w = str_of(o, "verdict");
	int v = w ? verdict_parse(w) : -1;
	if (v >= 0)
		*into = verdict_worst(*into, (enum verdict)v);
}

static void add_starttls(struct html_rollup *r, const json_t *d)
{
	size_t i, k, j;
	const json_t *so, *a, *ver;
	json_array_foreach(json_object_get(d, "servers"), i, so)
	{
		const char *name = str_of(so, "server");
		if (!name)
			continue;
		struct host *h = touch(r, &r->mx, name);
		fold_verdict(&h->starttls, so);
		const json_t *days = json_object_get(so, "cert_days_left");
		if (json_is_integer(days) &&
		    (!h->has_cert || json_integer_value(days) < h->days_left)) {
			h->days_left = (long long)json_integer_value(days);
			h->has_cert = true;
			const char *na = str_of(so, "cert_not_after");
			snprintf(h->not_after, sizeof(h->not_after), "%.10s", na ? na : "");
		}
		json_array_foreach(json_object_get(so, "addresses"), k, a)
		{
			json_array_foreach(json_object_get(a, "versions"), j, ver)
			{
				const char *vn = str_of(ver, "name"), *cls = str_of(ver, "class");
				for (size_t n = 0; vn && n < N_VERSIONS; n++)
					if (strcmp(vn, tls_versions[n]) == 0)
						h->versions |= 1u << n;
				if (cls && strcmp(cls, "insufficient") == 0)
					h->versions_bad = true;
			}
			const json_t *trusted =
				json_object_get(json_object_get(a, "cert"), "trusted");
			if (json_is_false(trusted))
				h->untrusted = true;
		}
	}
}

static void add_ipv6_hosts(struct html_rollup *r, struct table *t, const json_t *list)
{
	size_t i;
	const json_t *o;
	json_array_foreach(list, i, o)
	{
		const char *name = str_of(o, "name");
		if (!name)
			continue;
		struct host *h = touch(r, t, name);
		size_t n = json_array_size(json_object_get(o, "ipv6"));
		if (n > h->v6_addrs)
			h->v6_addrs = n;
		const json_t *p = json_object_get(o, "points");
		if (json_is_integer(p)) {
			int pts = (int)json_integer_value(p);
			if (h->v6_points < 0 || pts < h->v6_points)
				h->v6_points = pts;
		}
	}
}

void html_rollup_add(struct html_rollup *r, const struct domain_result *res)
{
	if (!r || !res || res->error)
		return;
	r->serial++;
	r->n_domains++;
	size_t i;
	const json_t *o;
	add_starttls(r, detail_of(r, res, "starttls"));
	json_array_foreach(json_object_get(detail_of(r, res, "dane"), "servers"), i, o)
	{
		const char *name = str_of(o, "server");
		if (name)
			fold_verdict(&touch(r, &r->mx, name)->dane, o);
	}
	json_array_foreach(json_object_get(detail_of(r, res, "dnssec"), "mx"), i, o)
	{
		const char *name = str_of(o, "server"), *st = str_of(o, "status");
		if (!name)
			continue;
		struct host *h = touch(r, &r->mx, name);
		for (int k = 0; st && k < (int)N_DNSSEC; k++)
			if (strcmp(st, dnssec_words[k]) == 0 && k > h->dnssec)
				h->dnssec = k;
	}
	const json_t *v6 = detail_of(r, res, "ipv6");
	add_ipv6_hosts(r, &r->mx, json_object_get(v6, "mx_hosts"));
	add_ipv6_hosts(r, &r->ns, json_object_get(v6, "name_servers"));
}

size_t html_rollup_mx_count(const struct html_rollup *r)
{
	return r ? r->mx.n : 0;
}

size_t html_rollup_ns_count(const struct html_rollup *r)
{
	return r ? r->ns.n : 0;
}

/* Most domains first, then by name. */
static int cmp_host(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a, *y = *(const struct host *const *)b;
	if (x->domains != y->domains)
		return x->domains > y->domains ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const struct host **sorted(const struct table *t)
{
	const struct host **v = xcalloc(t->n ? t->n : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].name)
			v[k++] = &t->v[i];
	qsort(v, k, sizeof(*v), cmp_host);
	return v;
}

/* n with thousands separators ("1,240"). */
static const char *count_str(char buf[32], size_t n)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%zu", n), o = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

static void esc(FILE *fp, const char *s)
{
	html_text(fp, s, strlen(s));
}

/* printf-style text of this file's own (trusted) strings; arguments must be escaped already. */
static void put(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
}

static void cell(FILE *fp, const char *cls, const char *text)
{
	fprintf(fp, "<td class=\"v-%s\">%s", cls, text);
}

static const char *ipv6_word(const struct host *h, const char **cls)
{
	if (h->v6_points < 0 && h->v6_addrs == 0) {
		*cls = "not_tested";
		return txt.not_tested;
	}
	if (h->v6_addrs == 0) {
		*cls = "fail";
		return txt.v6_no_aaaa;
	}
	if (h->v6_points < 0) {
		*cls = "not_tested";
		return txt.not_tested;
	}
	*cls = h->v6_points >= 10 ? "pass" : h->v6_points > 0 ? "warning" : "fail";
	return h->v6_points >= 10 ? txt.v6_ok : h->v6_points > 0 ? txt.v6_part : txt.v6_none;
}

/* Write the problems of an MX host ("; "-separated) to fp, or only count them (fp NULL). */
static int mx_problems(FILE *fp, const struct host *h)
{
	int n = 0;
#define PROBLEM(...) \
	do { \
		if (fp) { \
			fputs(n ? "; " : "", fp); \
			put(fp, __VA_ARGS__); \
		} \
		n++; \
	} while (0)
	if (h->has_cert && h->days_left < HTML_ROLLUP_CERT_WARN_DAYS) {
		if (h->days_left < 0)
			PROBLEM(txt.cert_expired[h->days_left != -1], -h->days_left);
		else if (h->days_left == 0)
			PROBLEM("%s", txt.cert_today);
		else
			PROBLEM(txt.cert_expires[h->days_left != 1], h->days_left);
	}
	if (h->starttls == VERDICT_FAIL)
		PROBLEM("%s", txt.p_starttls_fail);
	else if (h->starttls == VERDICT_ERROR)
		PROBLEM("%s", txt.p_starttls_error);
	if (h->versions_bad)
		PROBLEM("%s", txt.p_versions);
	if (h->dane == VERDICT_FAIL)
		PROBLEM("%s", txt.p_dane);
	if (h->dnssec > 0)
		PROBLEM(txt.p_dnssec, dnssec_words[h->dnssec]);
	if (h->v6_points >= 0) { /* IPv6 was tested */
		if (h->v6_addrs == 0)
			PROBLEM("%s", txt.p_no_aaaa);
		else if (h->v6_points == 0)
			PROBLEM("%s", txt.p_v6_none);
		else if (h->v6_points < 10)
			PROBLEM("%s", txt.p_v6_part);
	}
#undef PROBLEM
	return n;
}

static bool ns_has_problem(const struct host *h)
{
	return h->domains >= HTML_ROLLUP_SHARED_MIN && h->v6_points >= 0 && h->v6_points < 10;
}

static void ns_problems(FILE *fp, const struct host *h)
{
	fputs(h->v6_addrs == 0    ? txt.p_no_aaaa
	      : h->v6_points == 0 ? txt.p_v6_none
				  : txt.p_v6_part,
	      fp);
}

static void finding(FILE *fp, const struct host *h, bool mx)
{
	char b[32];
	fputs("<li>", fp);
	if (h->domains == 1)
		fputs(txt.uses1, fp);
	else
		put(fp, txt.usesn, count_str(b, h->domains));
	fputs("<code>", fp);
	esc(fp, h->name);
	fputs("</code>: ", fp);
	if (mx)
		mx_problems(fp, h);
	else
		ns_problems(fp, h);
	fputs("</li>", fp);
}

static bool mx_has_problem(const struct host *h)
{
	return h->domains >= HTML_ROLLUP_SHARED_MIN && mx_problems(NULL, h) > 0;
}

/* The findings list: hosts with a problem, MX and name servers merged, most domains first. */
static void findings(FILE *fp, const struct host **mx, size_t n_mx, const struct host **ns,
		     size_t n_ns)
{
	size_t i = 0, k = 0, shown = 0;
	fputs("<h3>", fp);
	fputs(txt.findings, fp);
	fputs("</h3><ul>", fp);
	while (shown < HTML_ROLLUP_FINDINGS && (i < n_mx || k < n_ns)) {
		while (i < n_mx && !mx_has_problem(mx[i]))
			i++;
		while (k < n_ns && !ns_has_problem(ns[k]))
			k++;
		if (i >= n_mx && k >= n_ns)
			break;
		if (k >= n_ns || (i < n_mx && mx[i]->domains >= ns[k]->domains))
			finding(fp, mx[i++], true);
		else
			finding(fp, ns[k++], false);
		shown++;
	}
	if (shown == 0) {
		fputs("<li>", fp);
		fputs(txt.no_findings, fp);
		fputs("</li>", fp);
	}
	fputs("</ul>", fp);
}

static void verdict_td(FILE *fp, enum verdict v)
{
	const char *w = verdict_name(v); /* a static word */
	cell(fp, w, v == VERDICT_NOT_TESTED ? txt.not_tested : w);
}

static void mx_row(FILE *fp, const struct host *h)
{
	char b[32];
	fputs("<tr><td><code>", fp);
	esc(fp, h->name);
	fprintf(fp, "</code><td class=\"num\" data-v=\"%zu\">%s", h->domains,
		count_str(b, h->domains));
	verdict_td(fp, h->starttls);
	fprintf(fp, "<td class=\"v-%s\">", h->versions_bad ? "fail" : h->versions ? "pass" : "");
	for (size_t n = 0, first = 1; n < N_VERSIONS; n++)
		if (h->versions & (1u << n)) {
			fprintf(fp, "%s%s", first ? "" : " ", tls_versions[n]);
			first = 0;
		}
	if (!h->versions)
		fputs(txt.no_cert, fp);
	if (!h->has_cert) {
		fputs("<td>", fp);
		fputs(txt.no_cert, fp);
	} else {
		fprintf(fp, "<td class=\"v-%s\">",
			h->days_left < 0                            ? "fail"
			: h->days_left < HTML_ROLLUP_CERT_WARN_DAYS ? "warning"
								    : "pass");
		if (h->days_left < 0)
			put(fp, txt.cell_expired[h->days_left != -1], -h->days_left);
		else
			put(fp, txt.cell_expires[h->days_left != 1], h->days_left);
		if (h->not_after[0]) {
			fputs(" (", fp);
			esc(fp, h->not_after);
			fputs(")", fp);
		}
		if (h->untrusted) {
			fputs(" (", fp);
			fputs(txt.cert_untrusted, fp);
			fputs(")", fp);
		}
	}
	verdict_td(fp, h->dane);
	if (h->dnssec < 0)
		cell(fp, "not_tested", txt.not_tested);
	else
		cell(fp,
		     h->dnssec == 0   ? "pass"
		     : h->dnssec == 2 ? "error"
				      : "fail",
		     dnssec_words[h->dnssec]);
	const char *cls, *w = ipv6_word(h, &cls);
	cell(fp, cls, w);
	fputs("\n", fp);
}

static void ns_row(FILE *fp, const struct host *h)
{
	char b[32];
	fputs("<tr><td><code>", fp);
	esc(fp, h->name);
	fprintf(fp, "</code><td class=\"num\" data-v=\"%zu\">%s<td class=\"num\">%zu", h->domains,
		count_str(b, h->domains), h->v6_addrs);
	const char *cls, *w = ipv6_word(h, &cls);
	cell(fp, cls, w);
	fputs("\n", fp);
}

static void more_line(FILE *fp, const char *fmt, const struct host **v, size_t n)
{
	if (n <= HTML_ROLLUP_TOP)
		return;
	char a[32], b[32];
	fputs("<p class=\"small\">", fp);
	put(fp, fmt, count_str(a, n - HTML_ROLLUP_TOP), count_str(b, v[HTML_ROLLUP_TOP]->domains));
	fputs("</p>", fp);
}

void html_rollup_write(const struct html_rollup *r, FILE *fp)
{
	char a[32], b[32], c[32];
	fputs("<h2 id=\"infrastructure\">", fp);
	fputs(txt.heading, fp);
	fputs("</h2><p class=\"small\">", fp);
	put(fp, txt.intro, count_str(a, r->mx.n), count_str(b, r->ns.n),
	    count_str(c, r->n_domains));
	fputs("</p>", fp);
	if (r->mx.n == 0 && r->ns.n == 0) {
		fputs("<p>", fp);
		fputs(txt.none, fp);
		fputs("</p>", fp);
		return;
	}
	const struct host **mx = sorted(&r->mx), **ns = sorted(&r->ns);
	findings(fp, mx, r->mx.n, ns, r->ns.n);

	fputs("<h3>", fp);
	fputs(txt.mx_heading, fp);
	fputs("</h3><table class=\"rollup\" id=\"rollup-mx\"><tr>", fp);
	for (size_t i = 0; i < 8; i++)
		fprintf(fp, "<th>%s", txt.mx_cols[i]);
	fputs("\n", fp);
	for (size_t i = 0; i < r->mx.n && i < HTML_ROLLUP_TOP; i++)
		mx_row(fp, mx[i]);
	fputs("</table>", fp);
	more_line(fp, txt.more_mx, mx, r->mx.n);

	fputs("<h3>", fp);
	fputs(txt.ns_heading, fp);
	fputs("</h3><table class=\"rollup\" id=\"rollup-ns\"><tr>", fp);
	for (size_t i = 0; i < 4; i++)
		fprintf(fp, "<th>%s", txt.ns_cols[i]);
	fputs("\n", fp);
	for (size_t i = 0; i < r->ns.n && i < HTML_ROLLUP_TOP; i++)
		ns_row(fp, ns[i]);
	fputs("</table>", fp);
	more_line(fp, txt.more_ns, ns, r->ns.n);
	free(mx);
	free(ns);
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i].name);
	free(t->v);
}

void html_rollup_free(struct html_rollup *r)
{
	if (!r)
		return;
	table_free(&r->mx);
	table_free(&r->ns);
	free(r);
}
