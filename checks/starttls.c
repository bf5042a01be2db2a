/*
 * starttls — SMTP STARTTLS on every MX address (verdicts.md "starttls"), judged by the NCSC TLS
 * guidelines as Internet.nl encodes them (internetnl-mail-test.md §2.7, §4). The probing is the
 * run-wide SMTP prober's (scanner/smtp.h); this file turns its per-address results into the
 * Internet.nl per-MX subtests (with "server", "points" and "max") and the column verdict.
 */
#include "checks/dane.h"
#include "scanner/check.h"
#include "scanner/smtp.h"
#include "scanner/tls_probe.h"
#include "scanner/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum st {
	S_EXISTS,
	S_FS,
	S_CIPHERS,
	S_ORDER,
	S_VERSION,
	S_COMPRESSION,
	S_RENEG_SECURE,
	S_RENEG_CLIENT,
	S_TRUST,
	S_PUBKEY,
	S_SIGNATURE,
	S_HOSTMATCH,
	S_ZERO_RTT,
	S_KEX_HASH,
	S_EMS,
	N_ST
};

static const char *const st_names[N_ST] = {
	"starttls_exists",
	"fs_params",
	"tls_ciphers",
	"tls_cipher_order",
	"tls_version",
	"tls_compression",
	"renegotiation_secure",
	"renegotiation_client",
	"cert_trust",
	"cert_pubkey",
	"cert_signature",
	"cert_hostmatch",
	"zero_rtt",
	"kex_hash_func",
	"extended_master_secret",
};

/*
 * Subtests that decide the column: the items verdicts.md lists (STARTTLS, versions, suites,
 * groups, certificate key and signature, secure renegotiation, EMS). Cipher order and the
 * key-exchange hash are scored subtests (Internet.nl) but not in that list, so they leave the
 * column alone; certificate trust and name match count only when a DANE-TA record makes them
 * fail.
 */
static const bool st_counts_in_column[N_ST] = {
	[S_EXISTS] = true,      [S_FS] = true,           [S_CIPHERS] = true, [S_VERSION] = true,
	[S_COMPRESSION] = true, [S_RENEG_SECURE] = true, [S_PUBKEY] = true,  [S_SIGNATURE] = true,
	[S_ZERO_RTT] = true,    [S_EMS] = true,
};

struct sub {
	bool set;
	enum verdict v;
	int points;
	bool has_max;
	char reason[256];
};

static void set(struct sub *s, enum verdict v, int points, bool has_max, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void set(struct sub *s, enum verdict v, int points, bool has_max, const char *fmt, ...)
{
	s->set = true;
	s->v = v;
	s->points = points;
	s->has_max = has_max;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* A classed item: insufficient -> fail 0, phase out -> warning 10, else pass 10. */
static void set_class(struct sub *s, const char *cls, const char *what)
{
	if (!cls)
		cls = "good";
	if (strcmp(cls, "insufficient") == 0)
		set(s, VERDICT_FAIL, 0, true, "insufficient %s accepted", what);
	else if (strcmp(cls, "phase_out") == 0)
		set(s, VERDICT_WARNING, 10, true, "%s to be phased out accepted", what);
	else
		set(s, VERDICT_PASS, 10, true, "%s good or sufficient", what);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool has_version(const json_t *r, const char *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r, "versions"), i,
			   e) if (strcmp(jstr(e, "name") ? jstr(e, "name") : "", v) ==
				  0) return true;
	return false;
}

/* Judge one address's probe result into subs[]; returns the address's column verdict. */
static enum verdict judge(const json_t *r, const char *mx, bool dane_ta, struct sub subs[N_ST])
{
	memset(subs, 0, sizeof(struct sub) * N_ST);
	const char *st = jstr(r, "status");
	if (!st)
		st = "smtp_error";
	if (strcmp(st, "unreachable") == 0 || strcmp(st, "smtp_error") == 0) {
		set(&subs[S_EXISTS], VERDICT_ERROR, 0, true, "could not test: %s",
		    jstr(r, "reason") ? jstr(r, "reason") : st);
		return VERDICT_ERROR;
	}
	if (strcmp(st, "no_starttls") == 0) {
		set(&subs[S_EXISTS], VERDICT_FAIL, 0, true, "STARTTLS is not offered");
		return VERDICT_FAIL;
	}
	if (strcmp(st, "ok") != 0) {
		set(&subs[S_EXISTS], VERDICT_FAIL, 0, true, "STARTTLS fails: %s",
		    jstr(r, "reason") ? jstr(r, "reason") : st);
		return VERDICT_FAIL;
	}
	set(&subs[S_EXISTS], VERDICT_PASS, 10, true, "STARTTLS offered");
	set_class(&subs[S_VERSION], jstr(r, "versions_class"), "TLS version");
	set_class(&subs[S_CIPHERS], jstr(r, "suites_class"), "cipher suite");
	set_class(&subs[S_FS], jstr(r, "kex_class"), "key-exchange parameter");
	const json_t *co = json_object_get(r, "cipher_order");
	if (co && jstr(co, "status") && strcmp(jstr(co, "status"), "violation") == 0)
		set(&subs[S_ORDER], VERDICT_FAIL, 0, true,
		    "the server does not prefer good/sufficient suites over phase-out ones");
	else
		set(&subs[S_ORDER], VERDICT_PASS, 10, true, "cipher order good or not applicable");
	set(&subs[S_COMPRESSION], VERDICT_PASS, 10, true,
	    "no compression negotiated (this client cannot offer TLS compression)");
	const json_t *sr = json_object_get(r, "secure_renegotiation");
	if (json_is_false(sr))
		set(&subs[S_RENEG_SECURE], VERDICT_FAIL, 0, true, "no secure renegotiation");
	else
		set(&subs[S_RENEG_SECURE], VERDICT_PASS, 10, true,
		    json_is_true(sr) ? "secure renegotiation supported" : "TLS 1.3 only");
	const json_t *cr = json_object_get(r, "client_renegotiation");
	if (json_is_true(cr))
		set(&subs[S_RENEG_CLIENT], VERDICT_INFO, 0, false,
		    "client-initiated renegotiation allowed");
	else
		set(&subs[S_RENEG_CLIENT], VERDICT_PASS, 0, false,
		    "client-initiated renegotiation not allowed");
	set(&subs[S_ZERO_RTT], VERDICT_PASS, 10, true, "0-RTT not applicable to mail");
	const json_t *kh = json_object_get(r, "kex_hash");
	if (kh)
		set_class(&subs[S_KEX_HASH], jstr(kh, "class"), "key-exchange hash");
	else
		set(&subs[S_KEX_HASH], VERDICT_PASS, 10, true, "no TLS 1.2 key exchange to test");
	if (has_version(r, "TLSv1.2")) {
		if (json_is_true(json_object_get(r, "extended_master_secret")))
			set(&subs[S_EMS], VERDICT_PASS, 10, true, "Extended Master Secret used");
		else
			set(&subs[S_EMS], VERDICT_FAIL, 0, true,
			    "no Extended Master Secret on TLS 1.2");
	} else {
		set(&subs[S_EMS], VERDICT_NOT_TESTED, 0, false, "no TLS 1.2");
	}

	const json_t *cert = json_object_get(r, "cert");
	const json_t *chain = json_object_get(cert, "chain");
	if (json_array_size(chain) > 0) {
		if (json_is_true(json_object_get(cert, "trusted")))
			set(&subs[S_TRUST], VERDICT_PASS, 0, false, "trusted chain");
		else
			set(&subs[S_TRUST], dane_ta ? VERDICT_FAIL : VERDICT_INFO, 0, false,
			    "not trusted: %s",
			    jstr(cert, "verify_error") ? jstr(cert, "verify_error") : "?");
		const char *kw = "good", *sw = "good";
		size_t i;
		json_t *c;
		json_array_foreach(chain, i, c)
		{
			if (!json_is_true(json_object_get(c, "judged")))
				continue;
			const char *k = jstr(c, "key_class"), *sg = jstr(c, "sig_class");
			if (k && tls_class_parse(k) > tls_class_parse(kw))
				kw = k;
			if (sg && tls_class_parse(sg) > tls_class_parse(sw))
				sw = sg;
		}
		set_class(&subs[S_PUBKEY], kw, "certificate key");
		set_class(&subs[S_SIGNATURE], sw, "certificate signature");
		int hm = tls_cert_matches_host(r, mx);
		if (hm == 1)
			set(&subs[S_HOSTMATCH], VERDICT_PASS, 0, false,
			    "the certificate matches %s", mx);
		else
			set(&subs[S_HOSTMATCH], dane_ta ? VERDICT_FAIL : VERDICT_INFO, 0, false,
			    "the certificate does not match %s", mx);
	}
	enum verdict v = VERDICT_PASS;
	for (int i = 0; i < N_ST; i++)
		if (subs[i].set && (st_counts_in_column[i] || ((i == S_TRUST || i == S_HOSTMATCH) &&
							       subs[i].v == VERDICT_FAIL)))
			v = verdict_worst(v, subs[i].v);
	if (json_is_true(json_object_get(r, "incomplete")) && v != VERDICT_FAIL) {
		set(&subs[S_EXISTS], VERDICT_ERROR, 0, true,
		    "the TLS enumeration could not be completed");
		v = VERDICT_ERROR;
	}
	return v;
}

/* Seconds since the epoch of a probe's "YYYY-MM-DDTHH:MM:SSZ" time, or -1 when it is not one. */
static long long iso_epoch(const char *s)
{
	struct tm tm = { 0 };
	char z = 0;
	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
	    z != 'Z')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? -1 : (long long)t;
}

/*
 * The host's certificate facts for the report's roll-up: the earliest leaf notAfter over its
 * addresses, as "cert_not_after" and "cert_days_left" (whole days from the scan, negative once
 * expired). Nothing is added when no address presented a certificate.
 */
static void cert_expiry(json_t *so, const json_t *addrs)
{
	long long first = -1;
	const char *first_s = NULL;
	size_t i;
	const json_t *a;
	json_array_foreach(addrs, i, a)
	{
		const json_t *leaf =
			json_array_get(json_object_get(json_object_get(a, "cert"), "chain"), 0);
		const char *na = jstr(leaf, "not_after");
		long long t = iso_epoch(na);
		if (t >= 0 && (first < 0 || t < first)) {
			first = t;
			first_s = na;
		}
	}
	if (first < 0)
		return;
	long long left = first - (long long)time(NULL);
	/* Whole days, rounded towards minus infinity: an hour after expiry is day -1. */
	long long days = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
	json_object_set_new(so, "cert_not_after", json_string(first_s));
	json_object_set_new(so, "cert_days_left", json_integer((json_int_t)days));
}

/* Merge an address's subtests into the host's: worst status, fewest points. */
static void merge(struct sub host[N_ST], const struct sub addr[N_ST], const char *ip)
{
	for (int i = 0; i < N_ST; i++) {
		if (!addr[i].set)
			continue;
		if (!host[i].set) {
			host[i] = addr[i];
		} else {
			if (verdict_worst(host[i].v, addr[i].v) != host[i].v) {
				host[i].v = addr[i].v;
				snprintf(host[i].reason, sizeof(host[i].reason), "%.46s: %.200s",
					 ip, addr[i].reason);
			}
			if (addr[i].points < host[i].points)
				host[i].points = addr[i].points;
			host[i].has_max |= addr[i].has_max;
		}
	}
}

static void starttls_run(struct scan *s, struct check_result *out)
{
	const struct mx_set *mx = scan_mx(s);
	const struct config *cfg = scan_config(s);
	json_t *d = out->detail;
	if (mx->status == MX_ERROR) {
		out->verdict = VERDICT_ERROR;
		result_set_error(out, "MX lookup failed: %s", mx->error ? mx->error : "?");
		return;
	}
	if (mx->status == MX_NULL || mx->status == MX_NONE || mx->n_hosts == 0) {
		out->verdict = VERDICT_NOT_TESTED;
		json_object_set_new(d, "reason",
				    json_string(mx->status == MX_NULL ? "null MX" : "no MX"));
		return;
	}
	if (cfg->no_smtp) {
		out->verdict = VERDICT_NOT_TESTED;
		json_object_set_new(d, "reason", json_string("--no-smtp"));
		return;
	}
	enum verdict col = VERDICT_NOT_TESTED;
	json_t *servers = json_array();
	for (size_t i = 0; i < mx->n_hosts; i++) {
		const struct mx_host *h = &mx->hosts[i];
		json_t *so = json_object();
		json_object_set_new(so, "server", json_str(h->name));
		if (h->is_cname || h->is_ip_literal) {
			json_t *o = result_subtest_obj(
				out, "mx_target", VERDICT_WARNING, "%s",
				h->is_cname ? "the MX host name is a CNAME (RFC 5321/2181)"
					    : "the MX host name is an IP literal (RFC 5321)");
			json_object_set_new(o, "server", json_str(h->name));
			col = verdict_worst(col, VERDICT_WARNING);
		}
		bool dane_ta = false;
		if (h->n_v4 + h->n_v6 > 0) {
			json_t *t = dane_mx_tlsa(s, h->name, h->is_cname);
			dane_ta = dane_has_secure_ta(t);
			json_decref(t);
		}
		struct sub host[N_ST];
		memset(host, 0, sizeof(host));
		enum verdict hv = VERDICT_NOT_TESTED;
		json_t *addrs = json_array();
		for (int fam = 0; fam < 2; fam++) {
			char **ips = fam ? h->v6 : h->v4;
			size_t nip = fam ? h->n_v6 : h->n_v4;
			for (size_t k = 0; k < nip; k++) {
				const json_t *r = smtp_probe(scan_smtp(s), h->name, ips[k]);
				struct sub a[N_ST];
				enum verdict av = judge(r, h->name, dane_ta, a);
				merge(host, a, ips[k]);
				hv = verdict_worst(hv, av);
				json_t *ao = json_deep_copy(r);
				json_object_set_new(ao, "verdict", json_string(verdict_name(av)));
				/* The DER chain is for DANE; the facts are enough in the report. */
				json_t *ch = json_object_get(json_object_get(ao, "cert"), "chain");
				size_t ci;
				json_t *ce;
				json_array_foreach(ch, ci, ce) json_object_del(ce, "der");
				json_array_append_new(addrs, ao);
			}
		}
		if (hv == VERDICT_NOT_TESTED) {
			hv = VERDICT_ERROR;
			set(&host[S_EXISTS], VERDICT_ERROR, 0, true, "%s",
			    h->addr_error
				    ? (h->addr_reason ? h->addr_reason : "address lookup failed")
				    : "the MX host has no IPv4 or IPv6 address");
		}
		for (int k = 0; k < N_ST; k++) {
			if (!host[k].set)
				continue;
			json_t *o = result_subtest_obj(out, st_names[k], host[k].v, "%s",
						       host[k].reason);
			json_object_set_new(o, "server", json_str(h->name));
			if (host[k].has_max) {
				json_object_set_new(o, "points", json_integer(host[k].points));
				json_object_set_new(o, "max", json_integer(10));
			}
		}
		cert_expiry(so, addrs);
		json_object_set_new(so, "addresses", addrs);
		json_object_set_new(so, "verdict", json_string(verdict_name(hv)));
		json_array_append_new(servers, so);
		col = verdict_worst(col, hv);
	}
	json_object_set_new(d, "servers", servers);
	out->verdict = col;
	if (col == VERDICT_ERROR)
		result_set_error(out, "a mail server could not be tested");
}

const struct check check_starttls = {
	.name = "starttls",
	.title = "STARTTLS",
	.run = starttls_run,
};
