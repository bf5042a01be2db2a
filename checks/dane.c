/*
 * dane — TLSA for each MX (verdicts.md "dane", RFC 7672): a DNSSEC-secure TLSA RRset at
 * _25._tcp.<mx> (with the secure-CNAME expansion of §2.2.2), usages 2 and 3 matched against the
 * chain each MX address presented (recorded by the STARTTLS prober, no reconnect), usages 0 and
 * 1 ignored; rollover scheme as an info subtest.
 */
#include "checks/dane.h"
#include "scanner/dnssec.h"
#include "scanner/memo.h"
#include "scanner/smtp.h"
#include "scanner/tls_probe.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

struct tlsa_arg {
	struct scan *s;
	const char *mx;
	bool is_cname;
};

/* One TLSA name: 1 = records found (filled), 0 = no records, -1 = lookup failed. */
static int lookup_one(struct scan *s, const char *name, json_t *o)
{
	struct dns_reply *r = dns_query(scan_dns(s), name, LDNS_RR_TYPE_TLSA);
	enum dns_outcome oc = dns_reply_outcome(r);
	if (oc == DNS_FAILURE) {
		json_object_set_new(o, "reason", json_str(dns_reply_error(r)));
		dns_reply_release(r);
		return -1;
	}
	struct dnssec_result dr = { 0 };
	validator_check(scan_validator(s), name, LDNS_RR_TYPE_TLSA, &dr);
	json_object_set_new(o, "name", json_str(name));
	json_object_set_new(o, "dnssec", json_string(dnssec_status_name(dr.status)));
	if (dr.reason)
		json_object_set_new(o, "dnssec_reason", json_str(dr.reason));
	dnssec_result_clear(&dr);
	if (oc != DNS_ANSWER) {
		dns_reply_release(r);
		return 0;
	}
	ldns_rr_list *rrs = dns_reply_rrs(r, LDNS_RR_TYPE_TLSA);
	json_t *recs = json_array();
	size_t usable = 0;
	for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs) && i < 64; i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_rd_count(rr) < 4)
			continue;
		int u = ldns_rdf2native_int8(ldns_rr_rdf(rr, 0));
		int sel = ldns_rdf2native_int8(ldns_rr_rdf(rr, 1));
		int mt = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
		const ldns_rdf *d = ldns_rr_rdf(rr, 3);
		size_t dl = ldns_rdf_size(d);
		if (dl > 4096)
			dl = 4096;
		char *hex = xmalloc(dl * 2 + 1);
		for (size_t k = 0; k < dl; k++)
			snprintf(hex + 2 * k, 3, "%02x", ldns_rdf_data(d)[k]);
		hex[dl * 2] = '\0';
		json_array_append_new(recs, json_pack("{s:i,s:i,s:i,s:s}", "usage", u, "selector",
						      sel, "mtype", mt, "data", hex));
		free(hex);
		if (u == 2 || u == 3)
			usable++;
	}
	if (rrs)
		ldns_rr_list_deep_free(rrs);
	dns_reply_release(r);
	json_object_set_new(o, "records", recs);
	json_object_set_new(o, "usable", json_integer((json_int_t)usable));
	return 1;
}

static json_t *tlsa_compute(void *argp)
{
	struct tlsa_arg *a = argp;
	json_t *o = json_object();
	char *names[2] = { NULL, NULL };
	size_t n = 0;
	if (a->is_cname) {
		/* Expand only a DNSSEC-secure CNAME chain (RFC 7672 §2.2.2). */
		struct dns_reply *r = dns_query(scan_dns(a->s), a->mx, LDNS_RR_TYPE_A);
		char **chain = NULL;
		size_t nc =
			dns_reply_outcome(r) != DNS_FAILURE ? dns_reply_cname_chain(r, &chain) : 0;
		if (nc > 0) {
			struct dnssec_result dr = { 0 };
			validator_check(scan_validator(a->s), a->mx, LDNS_RR_TYPE_A, &dr);
			if (dr.status == DNSSEC_SECURE) {
				names[n++] = xasprintf("_25._tcp.%s", chain[nc - 1]);
				json_object_set_new(o, "cname_target", json_str(chain[nc - 1]));
			}
			dnssec_result_clear(&dr);
			dns_strv_free(chain, nc);
		}
		dns_reply_release(r);
	}
	names[n++] = xasprintf("_25._tcp.%s", a->mx);
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		found = lookup_one(a->s, names[i], o);
		if (found != 0)
			break;
	}
	json_object_set_new(o, "status",
			    json_string(found > 0    ? "found"
					: found == 0 ? "none"
						     : "error"));
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return o;
}

json_t *dane_mx_tlsa(struct scan *s, const char *mx, bool is_cname)
{
	struct tlsa_arg a = { s, mx, is_cname };
	char *key = xasprintf("dane-tlsa:%s", mx);
	json_t *v = memo_get(scan_memo(s), key, tlsa_compute, &a);
	free(key);
	return v;
}

static bool is_secure_found(const json_t *t)
{
	const char *st = json_string_value(json_object_get(t, "status"));
	const char *ds = json_string_value(json_object_get(t, "dnssec"));
	return st && ds && strcmp(st, "found") == 0 && strcmp(ds, "secure") == 0;
}

bool dane_has_secure_ta(const json_t *t)
{
	if (!is_secure_found(t))
		return false;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(t, "records"), i,
			   r) if (json_integer_value(json_object_get(r, "usage")) == 2) return true;
	return false;
}

static size_t unhex(const char *h, unsigned char *out, size_t max)
{
	size_t n = 0;
	for (; h[0] && h[1] && n < max; h += 2) {
		unsigned v;
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
	}
	return n;
}

/* Match one address's probe result. 1 match, 0 mismatch / no TLS, -1 could not find out. */
static int match_address(const struct smtp_result *pr, const json_t *t, const char *mx,
			 const char **why)
{
	const json_t *probe = smtp_result_json(pr);
	const char *st = json_string_value(json_object_get(probe, "status"));
	if (!st || strcmp(st, "unreachable") == 0 || strcmp(st, "smtp_error") == 0) {
		*why = "the server could not be reached";
		return -1;
	}
	if (strcmp(st, "ok") != 0) {
		*why = "no TLS session with the server (STARTTLS missing or failing)";
		return 0;
	}
	const json_t *recs = json_object_get(t, "records");
	size_t n = json_array_size(recs);
	struct tlsa_rec *tr = xcalloc(n ? n : 1, sizeof(*tr));
	unsigned char **bufs = xcalloc(n ? n : 1, sizeof(*bufs));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(recs, i);
		int u = (int)json_integer_value(json_object_get(r, "usage"));
		if (u != 2 && u != 3)
			continue;
		const char *hex = json_string_value(json_object_get(r, "data"));
		bufs[k] = xmalloc(4096);
		tr[k].usage = (uint8_t)u;
		tr[k].selector = (uint8_t)json_integer_value(json_object_get(r, "selector"));
		tr[k].mtype = (uint8_t)json_integer_value(json_object_get(r, "mtype"));
		tr[k].len = hex ? unhex(hex, bufs[k], 4096) : 0;
		tr[k].data = bufs[k];
		k++;
	}
	int m = tls_chain_dane_match(smtp_result_chain(pr), mx, tr, k, why);
	for (size_t i = 0; i < k; i++)
		free(bufs[i]);
	free(bufs);
	free(tr);
	if (m < 0) {
		*why = "the server presented no certificate chain";
		return 0;
	}
	return m;
}

/* The messages of match_address()'s and tls_dane_match()'s fixed English reasons. */
static const struct {
	const char *reason, *msg;
} why_msgs[] = {
	{ "no address", MSG("dane.valid.no_address") },
	{ "the server could not be reached", MSG("dane.valid.unreachable") },
	{ "no TLS session with the server (STARTTLS missing or failing)",
	  MSG("dane.valid.no_tls") },
	{ "the server presented no certificate chain", MSG("dane.valid.no_chain") },
	{ "no TLSA record matches the presented chain", MSG("dane.valid.no_match") },
	{ "DANE-EE matches the server certificate", MSG("dane.valid.ee_match") },
	{ "DANE-TA matches a CA of the presented chain", MSG("dane.valid.ta_match") },
	{ "DANE-TA matches, but the chain or name does not verify from it",
	  MSG("dane.valid.ta_no_verify") },
};

/* A subtest with message `msg`: English text `tmpl` with `args` (stolen). */
static json_t *sub(struct check_result *out, const char *name, enum verdict v, const char *server,
		   int points, int max, const char *msg, const char *tmpl, json_t *args)
{
	json_t *o = result_subtest_msg(out, name, v, msg, tmpl, args);
	json_object_set_new(o, "server", json_str(server));
	if (max >= 0) {
		json_object_set_new(o, "points", json_integer(points));
		json_object_set_new(o, "max", json_integer(max));
	}
	return o;
}

static void dane_run(struct scan *s, struct check_result *out)
{
	const struct check_result *st = scan_result_of(s, "starttls");
	const struct mx_set *mx = scan_mx(s);
	if (mx->status == MX_ERROR && !scan_config(s)->no_smtp) {
		out->verdict = VERDICT_ERROR;
		result_set_error_msg(
			out, MSG("mx.lookup_failed"), "MX lookup failed: {detail}",
			msg_args("detail", json_str(mx->error ? mx->error : "?"), NULL));
		return;
	}
	if (mx->status != MX_OK || scan_config(s)->no_smtp ||
	    (st && st->verdict == VERDICT_NOT_TESTED)) {
		out->verdict = VERDICT_NOT_TESTED;
		json_object_set_new(out->detail, "reason",
				    json_string(mx->status == MX_NULL     ? "null MX"
						: mx->status == MX_NONE   ? "no MX"
						: scan_config(s)->no_smtp ? "--no-smtp"
									  : "starttls not tested"));
		return;
	}
	enum verdict col = VERDICT_NOT_TESTED;
	json_t *servers = json_array();
	for (size_t i = 0; i < mx->n_hosts; i++) {
		const struct mx_host *h = &mx->hosts[i];
		json_t *t = dane_mx_tlsa(s, h->name, h->is_cname);
		json_t *so = json_object();
		json_object_set_new(so, "server", json_str(h->name));
		json_object_set(so, "tlsa", t);
		const char *tst = json_string_value(json_object_get(t, "status"));
		const char *ds = json_string_value(json_object_get(t, "dnssec"));
		enum verdict hv;
		if (!tst || strcmp(tst, "error") == 0) {
			hv = VERDICT_ERROR;
			sub(out, "dane_exists", VERDICT_ERROR, h->name, 0, 10,
			    MSG("dane.exists.lookup_failed"), "the TLSA lookup failed", NULL);
			result_set_error_msg(out, MSG("dane.tlsa_lookup_failed"),
					     "TLSA lookup for {host} failed",
					     msg_args("host", json_str(h->name), NULL));
		} else if (strcmp(tst, "none") == 0 ||
			   json_integer_value(json_object_get(t, "usable")) == 0) {
			hv = VERDICT_FAIL;
			if (strcmp(tst, "none") == 0)
				sub(out, "dane_exists", VERDICT_FAIL, h->name, 0, 10,
				    MSG("dane.exists.none"), "no TLSA record", NULL);
			else
				sub(out, "dane_exists", VERDICT_FAIL, h->name, 0, 10,
				    MSG("dane.exists.unusable"),
				    "only TLSA usages 0/1, ignored for SMTP", NULL);
		} else if (ds && strcmp(ds, "error") == 0) {
			hv = VERDICT_ERROR;
			sub(out, "dane_exists", VERDICT_ERROR, h->name, 0, 10,
			    MSG("dane.exists.dnssec_error"),
			    "the DNSSEC status of the TLSA records could not be established", NULL);
		} else if (!ds || strcmp(ds, "secure") != 0) {
			hv = VERDICT_FAIL;
			sub(out, "dane_exists", VERDICT_FAIL, h->name, 0, 10,
			    MSG("dane.exists.not_secure"), "TLSA records are DNSSEC-{status}",
			    msg_args("status", json_str(ds ? ds : "unknown"), NULL));
		} else {
			/* Validity per address. dane_exists and dane_valid share Internet.nl's
			 * dane_score (internetnl-mail-test.md §2.7): both get 10 only when the
			 * records validate, so dane_exists is written once that is known. */
			enum verdict vv = VERDICT_NOT_TESTED;
			json_t *addrs = json_array();
			const char *last_why = "no address";
			for (int fam = 0; fam < 2; fam++) {
				char **ips = fam ? h->v6 : h->v4;
				size_t nip = fam ? h->n_v6 : h->n_v4;
				for (size_t k = 0; k < nip; k++) {
					struct smtp_result *pr =
						smtp_probe(scan_smtp(s), h->name, ips[k]);
					const char *why = "";
					int m = match_address(pr, t, h->name, &why);
					smtp_result_release(pr);
					enum verdict av = m > 0    ? VERDICT_PASS
							  : m == 0 ? VERDICT_FAIL
								   : VERDICT_ERROR;
					vv = verdict_worst(vv, av);
					if (av != VERDICT_PASS)
						last_why = why;
					json_array_append_new(
						addrs,
						json_pack("{s:s,s:s,s:s}", "ip", ips[k], "result",
							  verdict_name(av), "reason", why));
				}
			}
			json_object_set_new(so, "addresses", addrs);
			if (vv == VERDICT_NOT_TESTED)
				vv = VERDICT_ERROR; /* no address to check */
			if (h->addr_error && vv != VERDICT_FAIL) {
				/* an A or AAAA lookup failed: not every address could be checked */
				vv = VERDICT_ERROR;
				last_why =
					h->addr_reason ? h->addr_reason : "address lookup failed";
			}
			if (vv == VERDICT_ERROR && !out->error)
				result_set_error_msg(out, MSG("dane.server_error"),
						     "{host}: {detail}",
						     msg_args("host", json_str(h->name), "detail",
							      json_str(last_why), NULL));
			sub(out, "dane_exists", VERDICT_PASS, h->name, vv == VERDICT_PASS ? 10 : 0,
			    10, MSG("dane.exists.pass"), "DNSSEC-secure TLSA records", NULL);
			if (vv == VERDICT_PASS) {
				sub(out, "dane_valid", vv, h->name, 10, 10, MSG("dane.valid.pass"),
				    "the presented chains match the TLSA records", NULL);
			} else {
				const char *wm = NULL;
				for (size_t w = 0; w < sizeof(why_msgs) / sizeof(why_msgs[0]); w++)
					if (strcmp(last_why, why_msgs[w].reason) == 0)
						wm = why_msgs[w].msg;
				if (wm)
					sub(out, "dane_valid", vv, h->name, 0, 10, wm, last_why,
					    NULL);
				else
					sub(out, "dane_valid", vv, h->name, 0, 10,
					    MSG("dane.valid.other"), "{detail}",
					    msg_args("detail", json_str(last_why), NULL));
			}
			hv = vv;
		}
		/* Rollover scheme: two 3 x x, or 3 x x with 2 x x. */
		if (tst && strcmp(tst, "error") != 0) {
			int n3 = 0, n2 = 0;
			size_t k;
			json_t *r;
			json_array_foreach(json_object_get(t, "records"), k, r)
			{
				json_int_t u = json_integer_value(json_object_get(r, "usage"));
				n3 += u == 3;
				n2 += u == 2;
			}
			bool roll = is_secure_found(t) && (n3 >= 2 || (n3 >= 1 && n2 >= 1));
			if (roll)
				sub(out, "dane_rollover", VERDICT_PASS, h->name, 0, -1,
				    MSG("dane.rollover.pass"), "a rollover scheme is in place",
				    NULL);
			else
				sub(out, "dane_rollover", VERDICT_INFO, h->name, 0, -1,
				    MSG("dane.rollover.none"), "no rollover scheme", NULL);
		}
		json_object_set_new(so, "verdict", json_string(verdict_name(hv)));
		json_array_append_new(servers, so);
		json_decref(t);
		col = verdict_worst(col, hv);
	}
	json_object_set_new(out->detail, "servers", servers);
	out->verdict = col == VERDICT_NOT_TESTED ? VERDICT_ERROR : col;
}

const struct check check_dane = {
	.name = "dane",
	.title = "DANE",
	.run = dane_run,
};
