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
	const char *msg;  /* message id (scanner/msg.h) */
	const char *tmpl; /* its English text (static) */
	json_t *args;     /* its parameters, owned */
	char ip[48];      /* the address the message is about; "" for every address */
};

/* Set a subtest: message `msg`, English `tmpl`, parameters `args` (stolen, NULL = none). */
static void set(struct sub *s, enum verdict v, int points, bool has_max, const char *msg,
		const char *tmpl, json_t *args)
{
	s->set = true;
	s->v = v;
	s->points = points;
	s->has_max = has_max;
	s->msg = msg;
	s->tmpl = tmpl;
	json_decref(s->args);
	s->args = args ? args : json_object();
	s->ip[0] = '\0';
}

static void subs_clear(struct sub subs[N_ST])
{
	for (int i = 0; i < N_ST; i++)
		json_decref(subs[i].args);
	memset(subs, 0, sizeof(struct sub) * N_ST);
}

/*
 * A classed item: insufficient -> fail 0, phase out -> warning 10, else pass 10. `what` is
 * the item's message and `what_en` its English name.
 */
static void set_class(struct sub *s, const char *cls, const char *what, const char *what_en)
{
	if (!cls)
		cls = "good";
	json_t *a = msg_args("what", msg_nested(what, what_en, NULL), NULL);
	if (strcmp(cls, "insufficient") == 0)
		set(s, VERDICT_FAIL, 0, true, MSG("starttls.class.insufficient"),
		    "insufficient {what} accepted", a);
	else if (strcmp(cls, "phase_out") == 0)
		set(s, VERDICT_WARNING, 10, true, MSG("starttls.class.phase_out"),
		    "{what} to be phased out accepted", a);
	else
		set(s, VERDICT_PASS, 10, true, MSG("starttls.class.good"),
		    "{what} good or sufficient", a);
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

/* Judge one address's probe result (its JSON `r` and decoded `chain`) into subs[]; returns the
 * address's column verdict. */
static enum verdict judge(const json_t *r, const struct tls_chain *chain_x509, const char *mx,
			  bool dane_ta, struct sub subs[N_ST])
{
	memset(subs, 0, sizeof(struct sub) * N_ST);
	const char *st = jstr(r, "status");
	if (!st)
		st = "smtp_error";
	if (strcmp(st, "unreachable") == 0 || strcmp(st, "smtp_error") == 0) {
		set(&subs[S_EXISTS], VERDICT_ERROR, 0, true, MSG("starttls.exists.untestable"),
		    "could not test: {detail}",
		    msg_args("detail", json_str(jstr(r, "reason") ? jstr(r, "reason") : st), NULL));
		return VERDICT_ERROR;
	}
	if (strcmp(st, "no_starttls") == 0) {
		set(&subs[S_EXISTS], VERDICT_FAIL, 0, true, MSG("starttls.exists.not_offered"),
		    "STARTTLS is not offered", NULL);
		return VERDICT_FAIL;
	}
	if (strcmp(st, "ok") != 0) {
		set(&subs[S_EXISTS], VERDICT_FAIL, 0, true, MSG("starttls.exists.fails"),
		    "STARTTLS fails: {detail}",
		    msg_args("detail", json_str(jstr(r, "reason") ? jstr(r, "reason") : st), NULL));
		return VERDICT_FAIL;
	}
	set(&subs[S_EXISTS], VERDICT_PASS, 10, true, MSG("starttls.exists.pass"),
	    "STARTTLS offered", NULL);
	set_class(&subs[S_VERSION], jstr(r, "versions_class"), MSG("starttls.what.version"),
		  "TLS version");
	set_class(&subs[S_CIPHERS], jstr(r, "suites_class"), MSG("starttls.what.cipher"),
		  "cipher suite");
	set_class(&subs[S_FS], jstr(r, "kex_class"), MSG("starttls.what.kex_param"),
		  "key-exchange parameter");
	const json_t *co = json_object_get(r, "cipher_order");
	if (co && jstr(co, "status") && strcmp(jstr(co, "status"), "violation") == 0)
		set(&subs[S_ORDER], VERDICT_FAIL, 0, true, MSG("starttls.order.fail"),
		    "the server does not prefer good/sufficient suites over phase-out ones", NULL);
	else
		set(&subs[S_ORDER], VERDICT_PASS, 10, true, MSG("starttls.order.pass"),
		    "cipher order good or not applicable", NULL);
	set(&subs[S_COMPRESSION], VERDICT_PASS, 10, true, MSG("starttls.compression.pass"),
	    "no compression negotiated (this client cannot offer TLS compression)", NULL);
	const json_t *sr = json_object_get(r, "secure_renegotiation");
	if (json_is_false(sr))
		set(&subs[S_RENEG_SECURE], VERDICT_FAIL, 0, true, MSG("starttls.reneg.insecure"),
		    "no secure renegotiation", NULL);
	else if (json_is_true(sr))
		set(&subs[S_RENEG_SECURE], VERDICT_PASS, 10, true, MSG("starttls.reneg.secure"),
		    "secure renegotiation supported", NULL);
	else
		set(&subs[S_RENEG_SECURE], VERDICT_PASS, 10, true, MSG("starttls.tls13_only"),
		    "TLS 1.3 only", NULL);
	const json_t *cr = json_object_get(r, "client_renegotiation");
	if (json_is_true(cr))
		set(&subs[S_RENEG_CLIENT], VERDICT_INFO, 0, false,
		    MSG("starttls.client_reneg.allowed"), "client-initiated renegotiation allowed",
		    NULL);
	else
		set(&subs[S_RENEG_CLIENT], VERDICT_PASS, 0, false,
		    MSG("starttls.client_reneg.not_allowed"),
		    "client-initiated renegotiation not allowed", NULL);
	set(&subs[S_ZERO_RTT], VERDICT_PASS, 10, true, MSG("starttls.zero_rtt"),
	    "0-RTT not applicable to mail", NULL);
	const json_t *kh = json_object_get(r, "kex_hash");
	if (kh)
		set_class(&subs[S_KEX_HASH], jstr(kh, "class"), MSG("starttls.what.kex_hash"),
			  "key-exchange hash");
	else
		set(&subs[S_KEX_HASH], VERDICT_PASS, 10, true, MSG("starttls.kex_hash.none"),
		    "no TLS 1.2 key exchange to test", NULL);
	if (has_version(r, "TLSv1.2")) {
		if (json_is_true(json_object_get(r, "extended_master_secret")))
			set(&subs[S_EMS], VERDICT_PASS, 10, true, MSG("starttls.ems.pass"),
			    "Extended Master Secret used", NULL);
		else
			set(&subs[S_EMS], VERDICT_FAIL, 0, true, MSG("starttls.ems.fail"),
			    "no Extended Master Secret on TLS 1.2", NULL);
	} else {
		set(&subs[S_EMS], VERDICT_NOT_TESTED, 0, false, MSG("starttls.ems.no_tls12"),
		    "no TLS 1.2", NULL);
	}

	const json_t *cert = json_object_get(r, "cert");
	const json_t *chain = json_object_get(cert, "chain");
	if (json_array_size(chain) > 0) {
		if (json_is_true(json_object_get(cert, "trusted")))
			set(&subs[S_TRUST], VERDICT_PASS, 0, false, MSG("starttls.trust.pass"),
			    "trusted chain", NULL);
		else
			set(&subs[S_TRUST], dane_ta ? VERDICT_FAIL : VERDICT_INFO, 0, false,
			    MSG("starttls.trust.fail"), "not trusted: {detail}",
			    msg_args("detail",
				     json_str(jstr(cert, "verify_error")
						      ? jstr(cert, "verify_error")
						      : "?"),
				     NULL));
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
		set_class(&subs[S_PUBKEY], kw, MSG("starttls.what.cert_key"), "certificate key");
		set_class(&subs[S_SIGNATURE], sw, MSG("starttls.what.cert_sig"),
			  "certificate signature");
		int hm = tls_chain_matches_host(chain_x509, mx);
		if (hm == 1)
			set(&subs[S_HOSTMATCH], VERDICT_PASS, 0, false,
			    MSG("starttls.hostmatch.pass"), "the certificate matches {host}",
			    msg_args("host", json_str(mx), NULL));
		else
			set(&subs[S_HOSTMATCH], dane_ta ? VERDICT_FAIL : VERDICT_INFO, 0, false,
			    MSG("starttls.hostmatch.fail"), "the certificate does not match {host}",
			    msg_args("host", json_str(mx), NULL));
	}
	enum verdict v = VERDICT_PASS;
	for (int i = 0; i < N_ST; i++)
		if (subs[i].set && (st_counts_in_column[i] || ((i == S_TRUST || i == S_HOSTMATCH) &&
							       subs[i].v == VERDICT_FAIL)))
			v = verdict_worst(v, subs[i].v);
	if (json_is_true(json_object_get(r, "incomplete")) && v != VERDICT_FAIL) {
		set(&subs[S_EXISTS], VERDICT_ERROR, 0, true, MSG("starttls.incomplete"),
		    "the TLS enumeration could not be completed", NULL);
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
			json_incref(host[i].args);
		} else {
			if (verdict_worst(host[i].v, addr[i].v) != host[i].v) {
				host[i].v = addr[i].v;
				host[i].msg = addr[i].msg;
				host[i].tmpl = addr[i].tmpl;
				json_decref(host[i].args);
				host[i].args = json_incref(addr[i].args);
				snprintf(host[i].ip, sizeof(host[i].ip), "%.46s", ip);
			}
			if (addr[i].points < host[i].points)
				host[i].points = addr[i].points;
			host[i].has_max |= addr[i].has_max;
		}
	}
}

/* The probe result as this domain's report shows it. The prober's result is shared by every
 * domain on the address and immutable, so its members are shared too (json_object_set takes a
 * reference; a deep copy per domain cost more CPU than the check itself). Only the certificate
 * chain's entries are copied, without their DER, which is for DANE: the facts are enough in the
 * report. Members keep their order. */
static json_t *report_copy(const json_t *r, int depth)
{
	json_t *c = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)r, k, v)
	{
		if (depth == 0 && strcmp(k, "cert") == 0 && json_is_object(v)) {
			json_object_set_new(c, k, report_copy(v, 1));
		} else if (depth == 1 && strcmp(k, "chain") == 0 && json_is_array(v)) {
			json_t *nc = json_array();
			size_t ci;
			json_t *ce;
			json_array_foreach(v, ci, ce)
			{
				json_array_append_new(nc, json_is_object(ce) ? report_copy(ce, 2)
									     : json_incref(ce));
			}
			json_object_set_new(c, k, nc);
		} else if (depth == 2 && strcmp(k, "der") == 0) {
			continue;
		} else {
			json_object_set(c, k, v);
		}
	}
	return c;
}

static void starttls_run(struct scan *s, struct check_result *out)
{
	const struct mx_set *mx = scan_mx(s);
	const struct config *cfg = scan_config(s);
	json_t *d = out->detail;
	/* --no-smtp first: a DNS-only scan does not test STARTTLS at all (cli.md), whatever
	 * the MX lookup gave. */
	if (cfg->no_smtp) {
		out->verdict = VERDICT_NOT_TESTED;
		json_object_set_new(d, "reason", json_string("--no-smtp"));
		return;
	}
	if (mx->status == MX_ERROR) {
		out->verdict = VERDICT_ERROR;
		result_set_error_msg(
			out, MSG("mx.lookup_failed"), "MX lookup failed: {detail}",
			msg_args("detail", json_str(mx->error ? mx->error : "?"), NULL));
		return;
	}
	if (mx->status == MX_NULL || mx->status == MX_NONE || mx->n_hosts == 0) {
		out->verdict = VERDICT_NOT_TESTED;
		json_object_set_new(d, "reason",
				    json_string(mx->status == MX_NULL ? "null MX" : "no MX"));
		return;
	}
	enum verdict col = VERDICT_NOT_TESTED;
	json_t *servers = json_array();
	for (size_t i = 0; i < mx->n_hosts; i++) {
		const struct mx_host *h = &mx->hosts[i];
		json_t *so = json_object();
		json_object_set_new(so, "server", json_str(h->name));
		if (h->is_cname || h->is_ip_literal) {
			json_t *o = result_subtest_msg(
				out, "mx_target", VERDICT_WARNING,
				h->is_cname ? MSG("starttls.mx_target.cname")
					    : MSG("starttls.mx_target.ip_literal"),
				h->is_cname ? "the MX host name is a CNAME (RFC 5321/2181)"
					    : "the MX host name is an IP literal (RFC 5321)",
				NULL);
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
				struct smtp_result *pr = smtp_probe(scan_smtp(s), h->name, ips[k]);
				const json_t *r = smtp_result_json(pr);
				struct sub a[N_ST];
				enum verdict av =
					judge(r, smtp_result_chain(pr), h->name, dane_ta, a);
				merge(host, a, ips[k]);
				subs_clear(a);
				hv = verdict_worst(hv, av);
				json_t *ao = report_copy(r, 0);
				json_object_set_new(ao, "verdict", json_string(verdict_name(av)));
				json_array_append_new(addrs, ao);
				smtp_result_release(pr);
			}
		}
		if (hv == VERDICT_NOT_TESTED) {
			hv = VERDICT_ERROR;
			if (h->addr_error)
				set(&host[S_EXISTS], VERDICT_ERROR, 0, true,
				    MSG("starttls.address_lookup_failed"), "{detail}",
				    msg_args("detail",
					     json_str(h->addr_reason ? h->addr_reason
								     : "address lookup failed"),
					     NULL));
			else
				set(&host[S_EXISTS], VERDICT_ERROR, 0, true,
				    MSG("starttls.no_address"),
				    "the MX host has no IPv4 or IPv6 address", NULL);
		} else if (h->addr_error) {
			/* Some addresses were probed, but an A or AAAA lookup failed: the
			 * addresses it would have given are unknown ("error" = could not find
			 * out), unless a probed one already fails. */
			json_t *o = result_subtest_msg(
				out, "mx_addresses", VERDICT_ERROR,
				MSG("starttls.address_lookup_failed"), "{detail}",
				msg_args("detail",
					 json_str(h->addr_reason ? h->addr_reason
								 : "address lookup failed"),
					 NULL));
			json_object_set_new(o, "server", json_str(h->name));
			hv = verdict_worst(hv, VERDICT_ERROR);
		}
		for (int k = 0; k < N_ST; k++) {
			if (!host[k].set)
				continue;
			json_t *o;
			if (host[k].ip[0])
				o = result_subtest_msg(
					out, st_names[k], host[k].v, MSG("starttls.on_address"),
					"{address}: {detail}",
					msg_args("address", json_str(host[k].ip), "detail",
						 msg_nested(host[k].msg, host[k].tmpl,
							    json_incref(host[k].args)),
						 NULL));
			else
				o = result_subtest_msg(out, st_names[k], host[k].v, host[k].msg,
						       host[k].tmpl, json_incref(host[k].args));
			json_object_set_new(o, "server", json_str(h->name));
			if (host[k].has_max) {
				json_object_set_new(o, "points", json_integer(host[k].points));
				json_object_set_new(o, "max", json_integer(10));
			}
		}
		cert_expiry(so, addrs);
		subs_clear(host);
		json_object_set_new(so, "addresses", addrs);
		json_object_set_new(so, "verdict", json_string(verdict_name(hv)));
		json_array_append_new(servers, so);
		col = verdict_worst(col, hv);
	}
	json_object_set_new(d, "servers", servers);
	out->verdict = col;
	if (col == VERDICT_ERROR)
		result_set_error_msg(out, MSG("starttls.untested_server"),
				     "a mail server could not be tested", NULL);
}

const struct check check_starttls = {
	.name = "starttls",
	.title = "STARTTLS",
	.run = starttls_run,
};
