/*
 * mta_sts — MTA-STS (RFC 8461); rules in ../shared/spec/verdicts.md ("mta_sts").
 *
 * Order of the decision:
 *   1. null MX or no MX: `not_tested` (before anything else); MX lookup failed: `error`.
 *   2. TXT `_mta-sts.<domain>`: lookup failed `error`; no record starting "v=STSv1" `info`;
 *      more than one, or a malformed one (§3.1 ABNF, `id=` required): `fail`.
 *   3. Policy https://mta-sts.<domain>/.well-known/mta-sts.txt (scanner/https.h: own DNS,
 *      no redirects, 64 KiB cap, certificate checked): the policy host's address lookup
 *      failed `error`; not fetchable (no address, connection, TLS, non-200, too big) `fail`;
 *      does not parse `fail`; an MX host not covered by any `mx` pattern `fail`.
 *   4. `mode: testing`, `mode: none` or `max_age` under 86400: `warning`; else `pass`.
 * The fetched and parsed policy is cached per policy host for the run (scan_memo()).
 *
 * Detail keys: "queried", "records" (TXT records starting v=STSv1), "record", "id",
 * "syntax_error", "policy_url", "fetch" {"ok","status","content_type","ip","error"},
 * "policy" {"mode","max_age","mx"} or "policy_error", "uncovered_mx", "subtests"
 * (`mta_sts_record`, `mta_sts_policy`, `mta_sts_mx` per MX host with "server",
 * `mta_sts_mode`, `mta_sts_max_age`; none counted in the score).
 */
#include "checks/mta_sts_parse.h"
#include "scanner/check.h"
#include "scanner/https.h"
#include "scanner/memo.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_MAX     4096
#define POLICY_PATH    "/.well-known/mta-sts.txt"
#define MAX_AGE_WARN   86400L
#define POLICY_EXCERPT 2048

struct fetch_arg {
	struct https_fetcher *https;
	const char *host;
};

/* memo: fetch and parse the policy of one policy host; a new JSON object. */
static json_t *fetch_policy(void *arg)
{
	struct fetch_arg *a = arg;
	struct https_response r;
	https_fetch(a->https, a->host, POLICY_PATH, MTA_STS_POLICY_MAX, &r);
	json_t *o = json_object();
	json_t *fetch = json_object();
	json_object_set_new(fetch, "ok", json_boolean(r.ok));
	json_object_set_new(fetch, "dns_failure", json_boolean(r.dns_failure));
	json_object_set_new(fetch, "status", json_integer(r.status));
	json_object_set_new(fetch, "content_type", json_str(r.content_type));
	json_object_set_new(fetch, "ip", json_str(r.ip));
	json_object_set_new(fetch, "error", json_str(r.error));
	json_object_set_new(o, "fetch", fetch);
	if (r.ok) {
		struct mta_sts_policy p;
		char *err = NULL;
		if (mta_sts_policy_parse(r.body, r.body_len, &p, &err) == 0) {
			json_t *pol = json_object();
			json_object_set_new(pol, "mode", json_string(mta_sts_mode_name(p.mode)));
			json_object_set_new(pol, "max_age", json_integer(p.max_age));
			json_t *mx = json_array();
			for (size_t i = 0; i < p.n_mx; i++)
				json_array_append_new(mx, json_str(p.mx[i]));
			json_object_set_new(pol, "mx", mx);
			json_object_set_new(o, "policy", pol);
			mta_sts_policy_clear(&p);
		} else {
			json_object_set_new(o, "policy_error", json_str(err));
			json_object_set_new(o, "body_excerpt",
					    json_text(r.body, r.body_len, POLICY_EXCERPT));
			free(err);
		}
	}
	https_response_clear(&r);
	return o;
}

static void finish(struct check_result *out, enum verdict v)
{
	out->verdict = v;
}

/* Step 2: the TXT record. Returns true when the policy is to be checked. */
static bool check_record(struct scan *s, struct check_result *out)
{
	json_t *det = out->detail;
	char *qname = xasprintf("_mta-sts.%s", scan_domain(s));
	json_object_set_new(det, "queried", json_str(qname));
	struct dns_reply *r = dns_query(scan_dns(s), qname, LDNS_RR_TYPE_TXT);
	enum dns_outcome o = dns_reply_outcome(r);
	if (o == DNS_FAILURE) {
		json_t *a = msg_args("name", json_str(qname), "detail",
				     json_str(dns_reply_error(r)), NULL);
		result_set_error_msg(out, MSG("dns.txt_lookup_failed"), "TXT {name}: {detail}",
				     json_deep_copy(a));
		result_subtest_msg(out, "mta_sts_record", VERDICT_ERROR,
				   MSG("dns.txt_lookup_failed"), "TXT {name}: {detail}", a);
		finish(out, VERDICT_ERROR);
		dns_reply_release(r);
		free(qname);
		return false;
	}
	struct dns_txt *txt = NULL;
	size_t n = o == DNS_ANSWER ? dns_reply_txt(r, &txt) : 0;
	dns_reply_release(r);
	free(qname);

	json_t *records = json_array();
	json_object_set_new(det, "records", records);
	size_t found = 0, which = 0;
	for (size_t i = 0; i < n; i++) {
		if (!mta_sts_txt_is_candidate(txt[i].data, txt[i].len))
			continue;
		json_array_append_new(records, json_text(txt[i].data, txt[i].len, RECORD_MAX));
		which = i;
		found++;
	}
	bool go_on = false;
	if (found == 0) {
		result_subtest_msg(out, "mta_sts_record", VERDICT_INFO, MSG("mta_sts.record.none"),
				   "no MTA-STS record", NULL);
		finish(out, VERDICT_INFO);
	} else if (found > 1) {
		result_subtest_msg(
			out, "mta_sts_record", VERDICT_FAIL, MSG("mta_sts.record.several"),
			"{count} records start with v=STSv1 (RFC 8461 §3.1 requires one)",
			msg_args("count", json_integer((json_int_t)found), NULL));
		finish(out, VERDICT_FAIL);
	} else {
		json_object_set_new(det, "record",
				    json_text(txt[which].data, txt[which].len, RECORD_MAX));
		struct mta_sts_txt rec;
		char *err = NULL;
		if (mta_sts_txt_parse(txt[which].data, txt[which].len, &rec, &err) != 0) {
			json_object_set_new(det, "syntax_error", json_str(err));
			result_subtest_msg(out, "mta_sts_record", VERDICT_FAIL,
					   MSG("mta_sts.record.malformed"),
					   "malformed MTA-STS record: {detail}",
					   msg_args("detail", json_str(err), NULL));
			finish(out, VERDICT_FAIL);
			free(err);
		} else {
			json_object_set_new(det, "id", json_str(rec.id));
			result_subtest_msg(out, "mta_sts_record", VERDICT_PASS,
					   MSG("mta_sts.record.pass"), "MTA-STS record, id={id}",
					   msg_args("id", json_str(rec.id), NULL));
			go_on = true;
		}
	}
	dns_txt_free(txt, n);
	return go_on;
}

/* Steps 3 and 4: the policy. */
static void check_policy(struct scan *s, const struct mx_set *mx, struct check_result *out)
{
	json_t *det = out->detail;
	char *host = xasprintf("mta-sts.%s", scan_domain(s));
	char *key = xasprintf("mta_sts_policy:%s", host);
	json_object_set_new(det, "policy_url", json_sprintf("https://%s%s", host, POLICY_PATH));
	struct fetch_arg arg = { scan_https(s), host };
	json_t *res = memo_get(scan_memo(s), key, fetch_policy, &arg);
	free(key);

	json_t *fetch = json_object_get(res, "fetch");
	if (fetch)
		json_object_set(det, "fetch", fetch);
	const char *ferr = json_string_value(json_object_get(fetch, "error"));
	if (!json_is_true(json_object_get(fetch, "ok"))) {
		if (json_is_true(json_object_get(fetch, "dns_failure"))) {
			json_t *a = msg_args("host", json_str(host), "detail",
					     json_str(ferr ? ferr : "lookup failed"), NULL);
			result_set_error_msg(out, MSG("mta_sts.policy.host_failed"),
					     "policy host {host}: {detail}", json_deep_copy(a));
			result_subtest_msg(out, "mta_sts_policy", VERDICT_ERROR,
					   MSG("mta_sts.policy.host_failed"),
					   "policy host {host}: {detail}", a);
			finish(out, VERDICT_ERROR);
		} else {
			char *url = xasprintf("https://%s%s", host, POLICY_PATH);
			result_subtest_msg(out, "mta_sts_policy", VERDICT_FAIL,
					   MSG("mta_sts.policy.fetch_failed"),
					   "policy cannot be fetched from {url}: {detail}",
					   msg_args("url", json_str(url), "detail",
						    json_str(ferr ? ferr : "failed"), NULL));
			free(url);
			finish(out, VERDICT_FAIL);
		}
		goto done;
	}
	json_t *pol = json_object_get(res, "policy");
	if (!pol) {
		const char *perr = json_string_value(json_object_get(res, "policy_error"));
		json_object_set(det, "policy_error", json_object_get(res, "policy_error"));
		result_subtest_msg(out, "mta_sts_policy", VERDICT_FAIL,
				   MSG("mta_sts.policy.invalid"), "policy does not parse: {detail}",
				   msg_args("detail", json_str(perr ? perr : "invalid"), NULL));
		finish(out, VERDICT_FAIL);
		goto done;
	}
	json_object_set(det, "policy", pol);
	result_subtest_msg(out, "mta_sts_policy", VERDICT_PASS, MSG("mta_sts.policy.pass"),
			   "policy fetched and parsed", NULL);

	enum verdict v = VERDICT_PASS;
	const char *mode = json_string_value(json_object_get(pol, "mode"));
	json_int_t max_age = json_integer_value(json_object_get(pol, "max_age"));
	json_t *patterns = json_object_get(pol, "mx");

	/* Coverage of every used MX host (§4.1). */
	json_t *uncovered = json_array();
	for (size_t i = 0; i < mx->n_hosts; i++) {
		const char *h = mx->hosts[i].name;
		bool ok = false;
		size_t k;
		json_t *p;
		json_array_foreach(patterns, k, p)
		{
			if (mta_sts_mx_match(json_string_value(p), h)) {
				ok = true;
				break;
			}
		}
		json_t *st = result_subtest_msg(out, "mta_sts_mx", ok ? VERDICT_PASS : VERDICT_FAIL,
						ok ? MSG("mta_sts.mx.covered")
						   : MSG("mta_sts.mx.not_covered"),
						ok ? "covered by the policy's mx patterns"
						   : "not covered by any mx pattern of the policy",
						NULL);
		json_object_set_new(st, "server", json_str(h));
		if (!ok) {
			json_array_append_new(uncovered, json_str(h));
			v = verdict_worst(v, VERDICT_FAIL);
		}
	}
	if (json_array_size(uncovered) > 0)
		json_object_set_new(det, "uncovered_mx", uncovered);
	else
		json_decref(uncovered);

	if (mode && strcmp(mode, "enforce") == 0) {
		result_subtest_msg(out, "mta_sts_mode", VERDICT_PASS, MSG("mta_sts.mode.enforce"),
				   "mode: enforce", NULL);
	} else if (mode && strcmp(mode, "none") == 0) {
		result_subtest_msg(out, "mta_sts_mode", VERDICT_WARNING, MSG("mta_sts.mode.none"),
				   "mode: none (the policy is being withdrawn)", NULL);
		v = verdict_worst(v, VERDICT_WARNING);
	} else {
		result_subtest_msg(out, "mta_sts_mode", VERDICT_WARNING,
				   MSG("mta_sts.mode.testing"),
				   "mode: testing (failures are reported, not enforced)", NULL);
		v = verdict_worst(v, VERDICT_WARNING);
	}
	if (max_age < MAX_AGE_WARN) {
		result_subtest_msg(out, "mta_sts_max_age", VERDICT_WARNING,
				   MSG("mta_sts.max_age.short"),
				   "max_age {max_age} is under one day (86400)",
				   msg_args("max_age", json_integer(max_age), NULL));
		v = verdict_worst(v, VERDICT_WARNING);
	} else {
		result_subtest_msg(out, "mta_sts_max_age", VERDICT_PASS,
				   MSG("mta_sts.max_age.pass"), "max_age {max_age}",
				   msg_args("max_age", json_integer(max_age), NULL));
	}
	finish(out, v);
done:
	json_decref(res);
	free(host);
}

static void run(struct scan *s, struct check_result *out)
{
	if (!out->detail)
		out->detail = json_object();
	const struct mx_set *mx = scan_mx(s);
	switch (mx->status) {
	case MX_NULL:
		result_subtest_msg(out, "mta_sts_record", VERDICT_NOT_TESTED, MSG("mx.null"),
				   "null MX", NULL);
		finish(out, VERDICT_NOT_TESTED);
		return;
	case MX_NONE:
		result_subtest_msg(out, "mta_sts_record", VERDICT_NOT_TESTED, MSG("mx.none"),
				   "no MX", NULL);
		finish(out, VERDICT_NOT_TESTED);
		return;
	case MX_ERROR: {
		json_t *a = msg_args("detail", json_str(mx->error ? mx->error : "error"), NULL);
		result_set_error_msg(out, MSG("mx.lookup_failed"), "MX lookup failed: {detail}",
				     json_deep_copy(a));
		result_subtest_msg(out, "mta_sts_record", VERDICT_ERROR, MSG("mx.lookup_failed"),
				   "MX lookup failed: {detail}", a);
		finish(out, VERDICT_ERROR);
		return;
	}
	case MX_OK:
		break;
	}
	if (check_record(s, out))
		check_policy(s, mx, out);
}

const struct check check_mta_sts = {
	.name = "mta_sts",
	.title = "MTA-STS",
	.run = run,
};
