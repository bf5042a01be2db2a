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
#include "reports/i18n.h"
#include "scanner/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Longest host name kept (DNS names are at most 253 characters). */
#define NAME_MAX_LEN 255

/* The section's texts are messages of the catalogue (reports/i18n.h, data/messages/). */
static void T(FILE *fp, const struct catalog *c, const char *id)
{
	i18n_html(fp, c, id, NULL);
}

/* Message `id` with parameters `args` (stolen). */
static void TA(FILE *fp, const struct catalog *c, const char *id, json_t *args)
{
	i18n_html(fp, c, id, args);
	json_decref(args);
}

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

/* n with the language's thousands separator ("1,240", "1.240"), as a JSON string. */
static json_t *count_str(const struct catalog *c, size_t n)
{
	const char *sep = catalog_get(c, MSG("format.thousands_separator"));
	char digits[24], buf[48];
	int len = snprintf(digits, sizeof(digits), "%zu", n), o = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0 && sep && strlen(sep) < 4)
			for (const char *p = sep; *p; p++)
				buf[o++] = *p;
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return json_string(buf);
}

static void esc(FILE *fp, const char *s)
{
	html_text(fp, s, strlen(s));
}

/* A cell with verdict class `cls` and the message `id`. */
static void cell(FILE *fp, const struct catalog *c, const char *cls, const char *id)
{
	fprintf(fp, "<td class=\"v-%s\">", cls);
	T(fp, c, id);
}

/* The message of the IPv6 cell. */
static const char *ipv6_word(const struct host *h, const char **cls)
{
	if (h->v6_points < 0 && h->v6_addrs == 0) {
		*cls = "not_tested";
		return MSG("verdict.not_tested");
	}
	if (h->v6_addrs == 0) {
		*cls = "fail";
		return MSG("rollup.ipv6.no_aaaa");
	}
	if (h->v6_points < 0) {
		*cls = "not_tested";
		return MSG("verdict.not_tested");
	}
	*cls = h->v6_points >= 10 ? "pass" : h->v6_points > 0 ? "warning" : "fail";
	return h->v6_points >= 10 ? MSG("rollup.ipv6.reachable")
	       : h->v6_points > 0 ? MSG("rollup.ipv6.partly")
				  : MSG("rollup.ipv6.unreachable");
}

/* The message of a DNSSEC status word of a host name. */
static const char *dnssec_msg(int dnssec)
{
	static const char *const msgs[N_DNSSEC] = {
		MSG("rollup.dnssec.secure"),
		MSG("rollup.dnssec.insecure"),
		MSG("rollup.dnssec.error"),
		MSG("rollup.dnssec.bogus"),
	};
	return msgs[dnssec];
}

static const char *dnssec_problem_msg(int dnssec)
{
	static const char *const msgs[N_DNSSEC] = {
		NULL,
		MSG("rollup.problem.dnssec_insecure"),
		MSG("rollup.problem.dnssec_error"),
		MSG("rollup.problem.dnssec_bogus"),
	};
	return msgs[dnssec];
}

/* A nested message (msg_nested()) with an integer parameter "days". */
static json_t *days_msg(const char *id, long long days)
{
	return msg_nested(id, "", msg_args("days", json_integer(days), NULL));
}

/*
 * The problems of an MX host as an array of nested messages (joined by "; " when rendered),
 * or only their count (out NULL).
 */
static int mx_problems(json_t *out, const struct host *h)
{
	int n = 0;
#define PROBLEM(m) \
	do { \
		json_t *p_ = (m); \
		if (out) \
			json_array_append_new(out, p_); \
		else \
			json_decref(p_); \
		n++; \
	} while (0)
	if (h->has_cert && h->days_left < HTML_ROLLUP_CERT_WARN_DAYS) {
		if (h->days_left < 0)
			PROBLEM(days_msg(h->days_left == -1
						 ? MSG("rollup.problem.cert_expired.one")
						 : MSG("rollup.problem.cert_expired.other"),
					 -h->days_left));
		else if (h->days_left == 0)
			PROBLEM(msg_nested(MSG("rollup.problem.cert_today"), "", NULL));
		else
			PROBLEM(days_msg(h->days_left == 1
						 ? MSG("rollup.problem.cert_expires.one")
						 : MSG("rollup.problem.cert_expires.other"),
					 h->days_left));
	}
	if (h->starttls == VERDICT_FAIL)
		PROBLEM(msg_nested(MSG("rollup.problem.starttls_fail"), "", NULL));
	else if (h->starttls == VERDICT_ERROR)
		PROBLEM(msg_nested(MSG("rollup.problem.starttls_error"), "", NULL));
	if (h->versions_bad)
		PROBLEM(msg_nested(MSG("rollup.problem.versions"), "", NULL));
	if (h->dane == VERDICT_FAIL)
		PROBLEM(msg_nested(MSG("rollup.problem.dane"), "", NULL));
	if (h->dnssec > 0)
		PROBLEM(msg_nested(dnssec_problem_msg(h->dnssec), "", NULL));
	if (h->v6_points >= 0) { /* IPv6 was tested */
		if (h->v6_addrs == 0)
			PROBLEM(msg_nested(MSG("rollup.problem.no_aaaa"), "", NULL));
		else if (h->v6_points == 0)
			PROBLEM(msg_nested(MSG("rollup.problem.v6_none"), "", NULL));
		else if (h->v6_points < 10)
			PROBLEM(msg_nested(MSG("rollup.problem.v6_part"), "", NULL));
	}
#undef PROBLEM
	return n;
}

static bool ns_has_problem(const struct host *h)
{
	return h->domains >= HTML_ROLLUP_SHARED_MIN && h->v6_points >= 0 && h->v6_points < 10;
}

static void ns_problems(json_t *out, const struct host *h)
{
	json_array_append_new(out, msg_nested(h->v6_addrs == 0    ? MSG("rollup.problem.no_aaaa")
					      : h->v6_points == 0 ? MSG("rollup.problem.v6_none")
								  : MSG("rollup.problem.v6_part"),
					      "", NULL));
}

static void finding(FILE *fp, const struct catalog *c, const struct host *h, bool mx)
{
	json_t *problems = json_array();
	if (mx)
		mx_problems(problems, h);
	else
		ns_problems(problems, h);
	fputs("<li>", fp);
	TA(fp, c, h->domains == 1 ? MSG("rollup.finding.one") : MSG("rollup.finding.other"),
	   msg_args("count", count_str(c, h->domains), "host", json_str(h->name), "problems",
		    problems, NULL));
	fputs("</li>", fp);
}

static bool mx_has_problem(const struct host *h)
{
	return h->domains >= HTML_ROLLUP_SHARED_MIN && mx_problems(NULL, h) > 0;
}

/* The findings list: hosts with a problem, MX and name servers merged, most domains first. */
static void findings(FILE *fp, const struct catalog *c, const struct host **mx, size_t n_mx,
		     const struct host **ns, size_t n_ns)
{
	size_t i = 0, k = 0, shown = 0;
	fputs("<h3>", fp);
	T(fp, c, MSG("rollup.findings"));
	fputs("</h3><ul>", fp);
	while (shown < HTML_ROLLUP_FINDINGS && (i < n_mx || k < n_ns)) {
		while (i < n_mx && !mx_has_problem(mx[i]))
			i++;
		while (k < n_ns && !ns_has_problem(ns[k]))
			k++;
		if (i >= n_mx && k >= n_ns)
			break;
		if (k >= n_ns || (i < n_mx && mx[i]->domains >= ns[k]->domains))
			finding(fp, c, mx[i++], true);
		else
			finding(fp, c, ns[k++], false);
		shown++;
	}
	if (shown == 0) {
		fputs("<li>", fp);
		T(fp, c, MSG("rollup.no_findings"));
		fputs("</li>", fp);
	}
	fputs("</ul>", fp);
}

static void verdict_td(FILE *fp, const struct catalog *c, enum verdict v)
{
	const char *w = verdict_name(v); /* a static word */
	fprintf(fp, "<td class=\"v-%s\">", w);
	i18n_html_key(fp, c, "verdict.", w);
}

/* The domain count cell: sortable number and the count in the language's notation. */
static void count_td(FILE *fp, const struct catalog *c, size_t n)
{
	json_t *s = count_str(c, n);
	fprintf(fp, "<td class=\"num\" data-v=\"%zu\">", n);
	esc(fp, json_string_value(s));
	json_decref(s);
}

static void mx_row(FILE *fp, const struct catalog *c, const struct host *h)
{
	fputs("<tr><td><code>", fp);
	esc(fp, h->name);
	fputs("</code>", fp);
	count_td(fp, c, h->domains);
	verdict_td(fp, c, h->starttls);
	fprintf(fp, "<td class=\"v-%s\">", h->versions_bad ? "fail" : h->versions ? "pass" : "");
	for (size_t n = 0, first = 1; n < N_VERSIONS; n++)
		if (h->versions & (1u << n)) {
			fprintf(fp, "%s%s", first ? "" : " ", tls_versions[n]);
			first = 0;
		}
	if (!h->versions)
		fputs("&mdash;", fp);
	if (!h->has_cert) {
		fputs("<td>&mdash;", fp);
	} else {
		fprintf(fp, "<td class=\"v-%s\">",
			h->days_left < 0                            ? "fail"
			: h->days_left < HTML_ROLLUP_CERT_WARN_DAYS ? "warning"
								    : "pass");
		if (h->days_left < 0)
			TA(fp, c,
			   h->days_left == -1 ? MSG("rollup.cert.expired.one")
					      : MSG("rollup.cert.expired.other"),
			   msg_args("days", json_integer(-h->days_left), NULL));
		else
			TA(fp, c,
			   h->days_left == 1 ? MSG("rollup.cert.left.one")
					     : MSG("rollup.cert.left.other"),
			   msg_args("days", json_integer(h->days_left), NULL));
		if (h->not_after[0]) {
			fputs(" (", fp);
			esc(fp, h->not_after);
			fputs(")", fp);
		}
		if (h->untrusted) {
			fputs(" (", fp);
			T(fp, c, MSG("rollup.cert.untrusted"));
			fputs(")", fp);
		}
	}
	verdict_td(fp, c, h->dane);
	if (h->dnssec < 0)
		cell(fp, c, "not_tested", MSG("verdict.not_tested"));
	else
		cell(fp, c,
		     h->dnssec == 0   ? "pass"
		     : h->dnssec == 2 ? "error"
				      : "fail",
		     dnssec_msg(h->dnssec));
	const char *cls, *w = ipv6_word(h, &cls);
	cell(fp, c, cls, w);
	fputs("\n", fp);
}

static void ns_row(FILE *fp, const struct catalog *c, const struct host *h)
{
	fputs("<tr><td><code>", fp);
	esc(fp, h->name);
	fputs("</code>", fp);
	count_td(fp, c, h->domains);
	fprintf(fp, "<td class=\"num\">%zu", h->v6_addrs);
	const char *cls, *w = ipv6_word(h, &cls);
	cell(fp, c, cls, w);
	fputs("\n", fp);
}

static void more_line(FILE *fp, const struct catalog *c, const char *id, const struct host **v,
		      size_t n)
{
	if (n <= HTML_ROLLUP_TOP)
		return;
	fputs("<p class=\"small\">", fp);
	TA(fp, c, id,
	   msg_args("count", count_str(c, n - HTML_ROLLUP_TOP), "max",
		    count_str(c, v[HTML_ROLLUP_TOP]->domains), NULL));
	fputs("</p>", fp);
}

static void header_row(FILE *fp, const struct catalog *c, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs("<th>", fp);
		T(fp, c, ids[i]);
	}
	fputs("\n", fp);
}

void html_rollup_write_lang(const struct html_rollup *r, const struct catalog *c, FILE *fp)
{
	static const char *const mx_cols[] = {
		MSG("rollup.col.mx_host"),     MSG("rollup.col.domains"),
		MSG("rollup.col.starttls"),    MSG("rollup.col.tls_versions"),
		MSG("rollup.col.certificate"), MSG("rollup.col.dane"),
		MSG("rollup.col.dnssec_host"), MSG("rollup.col.ipv6"),
	};
	static const char *const ns_cols[] = {
		MSG("rollup.col.name_server"),
		MSG("rollup.col.domains"),
		MSG("rollup.col.ipv6_addresses"),
		MSG("rollup.col.ipv6"),
	};
	fputs("<h2 id=\"infrastructure\">", fp);
	T(fp, c, MSG("rollup.heading"));
	fputs("</h2><p class=\"small\">", fp);
	TA(fp, c, MSG("rollup.intro"),
	   msg_args("mx", count_str(c, r->mx.n), "ns", count_str(c, r->ns.n), "domains",
		    count_str(c, r->n_domains), NULL));
	fputs("</p>", fp);
	if (r->mx.n == 0 && r->ns.n == 0) {
		fputs("<p>", fp);
		T(fp, c, MSG("rollup.none"));
		fputs("</p>", fp);
		return;
	}
	const struct host **mx = sorted(&r->mx), **ns = sorted(&r->ns);
	findings(fp, c, mx, r->mx.n, ns, r->ns.n);

	fputs("<h3>", fp);
	T(fp, c, MSG("rollup.mx_heading"));
	fputs("</h3><table class=\"rollup\" id=\"rollup-mx\"><tr>", fp);
	header_row(fp, c, mx_cols, sizeof(mx_cols) / sizeof(mx_cols[0]));
	for (size_t i = 0; i < r->mx.n && i < HTML_ROLLUP_TOP; i++)
		mx_row(fp, c, mx[i]);
	fputs("</table>", fp);
	more_line(fp, c, MSG("rollup.more_mx"), mx, r->mx.n);

	fputs("<h3>", fp);
	T(fp, c, MSG("rollup.ns_heading"));
	fputs("</h3><table class=\"rollup\" id=\"rollup-ns\"><tr>", fp);
	header_row(fp, c, ns_cols, sizeof(ns_cols) / sizeof(ns_cols[0]));
	for (size_t i = 0; i < r->ns.n && i < HTML_ROLLUP_TOP; i++)
		ns_row(fp, c, ns[i]);
	fputs("</table>", fp);
	more_line(fp, c, MSG("rollup.more_ns"), ns, r->ns.n);
	free(mx);
	free(ns);
}

void html_rollup_write(const struct html_rollup *r, FILE *fp)
{
	char *err = NULL;
	struct catalog *c = catalog_load_lang(NULL, "en", &err);
	free(err); /* without a catalogue every text shows as its marked identifier */
	html_rollup_write_lang(r, c, fp);
	catalog_free(c);
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
