/*
 * ipv6 — name servers and MX hosts reachable over IPv6; rules in ../shared/spec/verdicts.md
 * ("ipv6"), parts and points after Internet.nl §2.3 (../shared/reference/internetnl-mail-test.md).
 *
 * Name servers: the NS set of the domain, climbing to the parent zones (not the TLD) while
 * there is none. For each NS name its AAAA records (IPv4-mapped addresses dropped); each
 * address is reachable when a direct DNS query (NS of the zone, RD=0) to it on port 53 gets
 * any response (dns_query_server()). Per NS: 10 points when at least one address answers and
 * none fails, 2 when some fail, 0 when none answers or there is no AAAA. ns_score: with at
 * least two NS having AAAA, the NS without are left out of the count; one NS counted gives at
 * most 5; otherwise int(sum / (n*10) * 10).
 *
 * MX hosts (only with MX and without --no-smtp): each used MX host's AAAA addresses (from
 * scan_mx()); an address is reachable when port 25 accepted the TCP connection of the SMTP
 * prober's probe of it (scanner/smtp.h, "connected"), the same probe the starttls check
 * uses, so each MX address is contacted once per run; a probe that could not tell (e.g. the
 * domain's deadline passed while waiting for it) leaves the address unknown, which makes the
 * host `error` rather than `fail`. Same 10/2/0 per host and mx_score = int(sum / (n*10) * 10).
 *
 * Name-server reachability is cached per address for the run (scan_memo()), so a name server
 * shared by many domains is contacted once.
 *
 * Verdict: `pass` when at least two name servers have AAAA and answer over IPv6 and (when MX
 * count) every used MX host has an AAAA address on which port 25 accepts; `error` when that
 * cannot be established because a lookup failed (NS or MX lookup, an AAAA lookup) and nothing
 * else already fails; `fail` otherwise.
 *
 * Detail keys: "zone" (where the NS set was found), "name_servers" [{"name", "ipv6":
 * [{"address","reachable","reason"}], "aaaa_error", "points"}], "ns_score", "mx_hosts" [same
 * shape], "mx_score", "subtests" (`ns_aaaa`, `ns_reach`* with points/max 10, `mx_aaaa`,
 * `mx_reach`* with points/max 10 only with MX).
 */
#include "scanner/check.h"
#include "scanner/memo.h"
#include "scanner/smtp.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define NS_MAX    16 /* name servers examined */
#define ADDRS_MAX 8  /* IPv6 addresses per host */

struct host6 {
	char *name;
	char *addr[ADDRS_MAX];
	bool reach[ADDRS_MAX];
	size_t n;
	size_t unknown; /* addresses whose reachability could not be found out */
	bool aaaa_error;
	int points;
};

struct probe_arg {
	struct dns_client *dns;
	const char *addr;
	const char *zone;
	double timeout;
};

/* A textual IPv6 address that is a real (not IPv4-mapped) one; normalised into out. */
static bool v6_usable(const char *txt, char out[INET6_ADDRSTRLEN])
{
	struct in6_addr a;
	if (inet_pton(AF_INET6, txt, &a) != 1 || IN6_IS_ADDR_V4MAPPED(&a))
		return false;
	return inet_ntop(AF_INET6, &a, out, INET6_ADDRSTRLEN) != NULL;
}

/* memo: does the name server at addr answer a DNS query over IPv6? */
static json_t *probe_ns(void *arg)
{
	struct probe_arg *a = arg;
	struct dns_server srv;
	memset(&srv, 0, sizeof(srv));
	struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&srv.addr;
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(53);
	if (inet_pton(AF_INET6, a->addr, &sa->sin6_addr) != 1)
		return json_pack("{sbss}", "reachable", 0, "reason", "invalid address");
	srv.addrlen = sizeof(*sa);
	struct dns_reply *r = dns_query_server(a->dns, &srv, a->zone, LDNS_RR_TYPE_NS, false);
	json_t *o = json_object();
	json_object_set_new(o, "reachable", json_boolean(r->status == DNS_OK));
	json_object_set_new(o, "reason",
			    r->status == DNS_OK ? json_string("answers DNS queries")
						: json_str(r->error ? r->error : "no response"));
	dns_reply_release(r);
	return o;
}

/* Port 25 of an MX address, from the SMTP prober's (run-wide, shared) probe of it. */
static json_t *probe_smtp(struct scan *s, const char *mx, const char *addr)
{
	struct smtp_result *pr = smtp_probe(scan_smtp(s), mx, addr);
	const json_t *r = smtp_result_json(pr);
	const json_t *c = json_object_get(r, "connected");
	const char *why = json_string_value(json_object_get(r, "reason"));
	json_t *o;
	if (json_is_true(c)) {
		o = json_pack("{sbss}", "reachable", 1, "reason", "port 25 accepts");
	} else {
		char *t = xasprintf("port 25: %s", why ? why : "no connection");
		o = json_pack("{s:o,s:o}", "reachable",
			      json_is_false(c) ? json_false() : json_null(), "reason", json_str(t));
		free(t);
	}
	smtp_result_release(pr);
	return o;
}

static void host_free(struct host6 *h)
{
	free(h->name);
	for (size_t i = 0; i < h->n; i++)
		free(h->addr[i]);
}

/* Test every address of h through the memo; set reach[] and points; fill `arr`. */
static void test_host(struct scan *s, struct host6 *h, const char *zone, bool smtp, json_t *arr)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_str(h->name));
	json_t *addrs = json_array();
	size_t good = 0;
	for (size_t i = 0; i < h->n; i++) {
		json_t *r;
		if (smtp) {
			r = probe_smtp(s, h->name, h->addr[i]);
		} else {
			struct probe_arg a = { scan_dns(s), h->addr[i], zone,
					       scan_config(s)->timeout };
			if (a.timeout <= 0)
				a.timeout = 5;
			char *key = xasprintf("ipv6:dns53:%s", h->addr[i]);
			r = memo_get(scan_memo(s), key, probe_ns, &a);
			free(key);
		}
		const json_t *rj = json_object_get(r, "reachable");
		h->reach[i] = json_is_true(rj);
		if (h->reach[i])
			good++;
		if (json_is_null(rj))
			h->unknown++;
		json_t *ao = json_object();
		json_object_set_new(ao, "address", json_str(h->addr[i]));
		json_object_set_new(ao, "reachable",
				    json_is_null(rj) ? json_null() : json_boolean(h->reach[i]));
		json_object_set(ao, "reason", json_object_get(r, "reason"));
		json_array_append_new(addrs, ao);
		json_decref(r);
	}
	h->points = good == 0 ? 0 : good < h->n ? 2 : 10;
	json_object_set_new(o, "ipv6", addrs);
	if (h->aaaa_error)
		json_object_set_new(o, "aaaa_error", json_true());
	json_object_set_new(o, "points", json_integer(h->points));
	json_array_append_new(arr, o);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The NS names of the domain, climbing to the parent while there are none (Internet.nl stops
 * before the TLD). Returns the count (names malloc'd into names[]), sets *zone (malloc'd).
 * -1 with *err when a lookup failed.
 */
static int find_ns(struct dns_client *dns, const char *domain, char **names, char **zone,
		   char **err)
{
	const char *name = domain;
	for (;;) {
		struct dns_reply *r = dns_query(dns, name, LDNS_RR_TYPE_NS);
		enum dns_outcome o = dns_reply_outcome(r);
		if (o == DNS_FAILURE) {
			*err = xasprintf("NS %s: %s", name, dns_reply_error(r));
			dns_reply_release(r);
			return -1;
		}
		int n = 0;
		if (o == DNS_ANSWER) {
			ldns_rr_list *l = dns_reply_rrs(r, LDNS_RR_TYPE_NS);
			for (size_t i = 0; l && i < ldns_rr_list_rr_count(l) && n < NS_MAX; i++) {
				ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(l, i), 0);
				if (!rd)
					continue;
				char *nm = dns_name_str(rd);
				bool dup = false;
				for (int k = 0; k < n; k++)
					dup = dup || strcmp(names[k], nm) == 0;
				if (dup || !*nm)
					free(nm);
				else
					names[n++] = nm;
			}
			if (l)
				ldns_rr_list_deep_free(l);
		}
		dns_reply_release(r);
		if (n > 0) {
			qsort(names, (size_t)n, sizeof(*names), cmp_str);
			*zone = xstrdup(name);
			return n;
		}
		const char *dot = strchr(name, '.');
		if (!dot || !strchr(dot + 1, '.'))
			break; /* do not go up to the TLD */
		name = dot + 1;
	}
	*zone = xstrdup(domain);
	return 0;
}

static int score_of(const struct host6 *h, size_t n, bool ns)
{
	int sum = 0;
	size_t with_aaaa = 0;
	for (size_t i = 0; i < n; i++) {
		sum += h[i].points;
		if (h[i].n > 0)
			with_aaaa++;
	}
	size_t len = n;
	if (ns && with_aaaa > 1)
		len = with_aaaa;
	double score = 0;
	if (ns && len == 1)
		score = sum < 5 ? sum : 5;
	else if (len > 0)
		score = (double)sum / (double)(len * 10) * 10;
	return (int)score;
}

/* Name-server part. Returns its verdict. */
static enum verdict ns_part(struct scan *s, struct check_result *out)
{
	json_t *det = out->detail;
	char *names[NS_MAX];
	char *zone = NULL, *err = NULL;
	int n = find_ns(scan_dns(s), scan_domain(s), names, &zone, &err);
	if (n < 0) {
		result_set_error_msg(out, MSG("ipv6.ns_lookup_failed"), "{detail}",
				     msg_args("detail", json_str(err), NULL));
		result_subtest_msg(out, "ns_aaaa", VERDICT_ERROR, MSG("ipv6.ns_lookup_failed"),
				   "{detail}", msg_args("detail", json_str(err), NULL));
		json_t *st = result_subtest_msg(out, "ns_reach", VERDICT_ERROR,
						MSG("ipv6.ns_lookup_failed"), "{detail}",
						msg_args("detail", json_str(err), NULL));
		json_object_set_new(st, "points", json_integer(0));
		json_object_set_new(st, "max", json_integer(10));
		json_object_set_new(det, "ns_score", json_integer(0));
		free(err);
		return VERDICT_ERROR;
	}
	json_object_set_new(det, "zone", json_str(zone));

	/* AAAA of all name servers at once. */
	struct host6 *h = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*h));
	const char **qn = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*qn));
	ldns_rr_type *qt = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*qt));
	struct dns_reply **rep = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*rep));
	for (int i = 0; i < n; i++) {
		h[i].name = names[i];
		qn[i] = names[i];
		qt[i] = LDNS_RR_TYPE_AAAA;
	}
	if (n > 0)
		dns_query_many(scan_dns(s), (size_t)n, qn, qt, rep);
	size_t aaaa_errors = 0;
	for (int i = 0; i < n; i++) {
		enum dns_outcome o = dns_reply_outcome(rep[i]);
		if (o == DNS_FAILURE) {
			h[i].aaaa_error = true;
			aaaa_errors++;
		} else if (o == DNS_ANSWER) {
			ldns_rr_list *l = dns_reply_rrs(rep[i], LDNS_RR_TYPE_AAAA);
			for (size_t k = 0; l && k < ldns_rr_list_rr_count(l) && h[i].n < ADDRS_MAX;
			     k++) {
				ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(l, k), 0);
				char txt[INET6_ADDRSTRLEN];
				if (!rd || ldns_rdf_size(rd) != 16 ||
				    !inet_ntop(AF_INET6, ldns_rdf_data(rd), txt, sizeof(txt)))
					continue;
				char norm[INET6_ADDRSTRLEN];
				if (v6_usable(txt, norm))
					h[i].addr[h[i].n++] = xstrdup(norm);
			}
			if (l)
				ldns_rr_list_deep_free(l);
		}
		dns_reply_release(rep[i]);
	}
	free(qn);
	free(qt);
	free(rep);

	json_t *arr = json_array();
	size_t with_aaaa = 0, answering = 0;
	bool some_unreachable = false;
	for (int i = 0; i < n; i++) {
		test_host(s, &h[i], zone, false, arr);
		if (h[i].n > 0)
			with_aaaa++;
		if (h[i].points > 0)
			answering++;
		if (h[i].n > 0 && h[i].points < 10)
			some_unreachable = true;
	}
	json_object_set_new(det, "name_servers", arr);
	int score = score_of(h, (size_t)n, true);
	json_object_set_new(det, "ns_score", json_integer(score));

	if (n == 0)
		result_subtest_msg(out, "ns_aaaa", VERDICT_FAIL, MSG("ipv6.ns_aaaa.no_ns"),
				   "no name servers found", NULL);
	else if (with_aaaa == 0 && aaaa_errors)
		result_subtest_msg(
			out, "ns_aaaa", VERDICT_ERROR, MSG("ipv6.ns_aaaa.none_lookup_failed"),
			"no name server has an AAAA record (some AAAA lookups failed)", NULL);
	else if (with_aaaa == 0)
		result_subtest_msg(out, "ns_aaaa", VERDICT_FAIL, MSG("ipv6.ns_aaaa.none"),
				   "no name server has an AAAA record", NULL);
	else if (with_aaaa == 1)
		result_subtest_msg(out, "ns_aaaa", aaaa_errors ? VERDICT_ERROR : VERDICT_FAIL,
				   MSG("ipv6.ns_aaaa.only_one"),
				   "only one name server has an AAAA record (at least two needed)",
				   NULL);
	else
		result_subtest_msg(out, "ns_aaaa", VERDICT_PASS, MSG("ipv6.ns_aaaa.pass"),
				   "{count} name servers have AAAA records",
				   msg_args("count", json_integer((json_int_t)with_aaaa), NULL));
	json_t *st;
	if (with_aaaa == 0)
		st = result_subtest_msg(out, "ns_reach", aaaa_errors ? VERDICT_ERROR : VERDICT_FAIL,
					MSG("ipv6.ns_reach.none"),
					"no name server reachable over IPv6", NULL);
	else if (some_unreachable)
		st = result_subtest_msg(out, "ns_reach", VERDICT_FAIL,
					MSG("ipv6.ns_reach.unreachable"),
					"an IPv6 address of a name server does not answer", NULL);
	else
		st = result_subtest_msg(out, "ns_reach", VERDICT_PASS, MSG("ipv6.ns_reach.pass"),
					"every name server with AAAA answers over IPv6", NULL);
	json_object_set_new(st, "points", json_integer(score));
	json_object_set_new(st, "max", json_integer(10));

	enum verdict v;
	if (answering >= 2)
		v = VERDICT_PASS;
	else if (answering + aaaa_errors >= 2) {
		v = VERDICT_ERROR;
		result_set_error_msg(out, MSG("ipv6.ns_aaaa_lookup_failed"),
				     "AAAA lookup of a name server failed", NULL);
	} else
		v = VERDICT_FAIL;
	for (int i = 0; i < n; i++)
		host_free(&h[i]);
	free(h);
	free(zone);
	return v;
}

/* MX part: only called with MX hosts. Returns its verdict. */
static enum verdict mx_part(struct scan *s, const struct mx_set *mx, struct check_result *out)
{
	json_t *det = out->detail;
	bool no_smtp = scan_config(s)->no_smtp;
	size_t n = mx->n_hosts;
	struct host6 *h = xcalloc(n ? n : 1, sizeof(*h));
	size_t with_aaaa = 0;
	bool errors = false;
	for (size_t i = 0; i < n; i++) {
		const struct mx_host *m = &mx->hosts[i];
		h[i].name = xstrdup(m->name);
		for (size_t k = 0; k < m->n_v6 && h[i].n < ADDRS_MAX; k++) {
			char norm[INET6_ADDRSTRLEN];
			/* the text as scan_mx() has it: the key of the prober's cache */
			if (v6_usable(m->v6[k], norm))
				h[i].addr[h[i].n++] = xstrdup(m->v6[k]);
		}
		h[i].aaaa_error = m->v6_error && h[i].n == 0;
		if (h[i].n > 0)
			with_aaaa++;
		if (h[i].aaaa_error)
			errors = true;
	}
	if (with_aaaa == n)
		result_subtest_msg(out, "mx_aaaa", VERDICT_PASS, MSG("ipv6.mx_aaaa.pass"),
				   "every MX host has an AAAA record", NULL);
	else
		result_subtest_msg(
			out, "mx_aaaa", errors ? VERDICT_ERROR : VERDICT_FAIL,
			errors ? MSG("ipv6.mx_aaaa.missing_lookup_failed")
			       : MSG("ipv6.mx_aaaa.missing"),
			errors ? "{missing} of {total} MX hosts have no AAAA record (an address "
				 "lookup failed)"
			       : "{missing} of {total} MX hosts have no AAAA record",
			msg_args("missing", json_integer((json_int_t)(n - with_aaaa)), "total",
				 json_integer((json_int_t)n), NULL));

	enum verdict v = VERDICT_PASS;
	if (no_smtp) {
		result_subtest_msg(out, "mx_reach", VERDICT_NOT_TESTED, MSG("no_smtp"), "--no-smtp",
				   NULL);
		v = VERDICT_NOT_TESTED;
	} else {
		json_t *arr = json_array();
		bool some_unreachable = false;
		for (size_t i = 0; i < n; i++) {
			test_host(s, &h[i], NULL, true, arr);
			if (h[i].n > 0 && h[i].points < 10)
				some_unreachable = true;
			if (h[i].points == 0)
				v = verdict_worst(v, h[i].aaaa_error || h[i].unknown > 0
							     ? VERDICT_ERROR
							     : VERDICT_FAIL);
			if (h[i].unknown > 0)
				errors = true;
		}
		json_object_set_new(det, "mx_hosts", arr);
		int score = score_of(h, n, false);
		json_object_set_new(det, "mx_score", json_integer(score));
		json_t *st;
		if (with_aaaa == 0)
			st = result_subtest_msg(
				out, "mx_reach", errors ? VERDICT_ERROR : VERDICT_FAIL,
				MSG("ipv6.mx_reach.none"), "no MX host has an AAAA record", NULL);
		else if (some_unreachable)
			st = result_subtest_msg(out, "mx_reach", VERDICT_FAIL,
						MSG("ipv6.mx_reach.unreachable"),
						"an IPv6 address of an MX host does not accept "
						"connections on port 25",
						NULL);
		else
			st = result_subtest_msg(out, "mx_reach", VERDICT_PASS,
						MSG("ipv6.mx_reach.pass"),
						"every MX IPv6 address accepts on port 25", NULL);
		json_object_set_new(st, "points", json_integer(score));
		json_object_set_new(st, "max", json_integer(10));
		if (v == VERDICT_ERROR && !out->error)
			result_set_error_msg(
				out,
				errors && with_aaaa == n ? MSG("ipv6.mx_port_untested")
							 : MSG("ipv6.mx_address_lookup_failed"),
				errors && with_aaaa == n
					? "port 25 of an MX host's IPv6 address could not be "
					  "tested"
					: "address lookup of an MX host failed",
				NULL);
	}
	for (size_t i = 0; i < n; i++)
		host_free(&h[i]);
	free(h);
	return v;
}

static void run(struct scan *s, struct check_result *out)
{
	if (!out->detail)
		out->detail = json_object();
	enum verdict v = ns_part(s, out);
	const struct mx_set *mx = scan_mx(s);
	switch (mx->status) {
	case MX_OK:
		v = verdict_worst(v, mx_part(s, mx, out));
		break;
	case MX_NONE:
		result_subtest_msg(out, "mx_aaaa", VERDICT_NOT_TESTED, MSG("mx.none"), "no MX",
				   NULL);
		break;
	case MX_NULL:
		result_subtest_msg(out, "mx_aaaa", VERDICT_NOT_TESTED, MSG("mx.null"), "null MX",
				   NULL);
		break;
	case MX_ERROR:
		result_subtest_msg(
			out, "mx_aaaa", VERDICT_ERROR, MSG("mx.lookup_failed"),
			"MX lookup failed: {detail}",
			msg_args("detail", json_str(mx->error ? mx->error : "error"), NULL));
		if (!scan_config(s)->no_smtp) {
			json_t *st = result_subtest_msg(out, "mx_reach", VERDICT_ERROR,
							MSG("mx.lookup_failed_short"),
							"MX lookup failed", NULL);
			json_object_set_new(st, "points", json_integer(0));
			json_object_set_new(st, "max", json_integer(10));
			v = verdict_worst(v, VERDICT_ERROR);
			if (!out->error)
				result_set_error_msg(
					out, MSG("mx.lookup_failed"), "MX lookup failed: {detail}",
					msg_args("detail",
						 json_str(mx->error ? mx->error : "error"), NULL));
		}
		break;
	}
	out->verdict = v;
}

const struct check check_ipv6 = {
	.name = "ipv6",
	.title = "IPv6",
	.run = run,
};
