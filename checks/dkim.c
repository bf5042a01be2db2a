/*
 * The dkim check: find DKIM selectors by probing, and judge their keys
 * (../shared/spec/verdicts.md "dkim"; RFC 6376 §3.6.2, RFC 8301, RFC 8463, RFC 8020).
 *
 * 1. TXT `_domainkey.<domain>`: NXDOMAIN proves that no selector exists below (RFC 8020), so
 *    nothing more is asked; otherwise
 * 2. TXT `<selector>._domainkey.<domain>` for every selector of the run (--selectors or
 *    data/dkim-selectors.txt) and of the row (CSV column dkim_selectors), concurrently, CNAMEs
 *    followed by the resolver and their chain recorded (it shows which provider signs).
 *
 * Detail keys: "domainkey": {name, outcome}, "probes" (queries sent for this domain),
 * "selectors": [{selector, name, outcome, cname, records: [{key_type, key_bits, revoked,
 * testing, flags, verdict, ...}], found, verdict}], "found": [selectors], "non_sending".
 * Column: dkim_selectors = found selectors, space-separated, in probe order.
 */
#include "checks/dkim_parse.h"
#include "scanner/check.h"
#include "scanner/profile.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const dkim_columns[] = { "dkim_selectors", "dkim_platform", NULL };

/* At most this many selectors are probed per domain (run list + row list). */
#define MAX_SELECTORS 256
/* At most this many TXT records per selector are examined. */
#define MAX_TXT 8

/* Add `sel` (lower-cased) to the list unless present or invalid; invalid ones go to `bad`. */
static void add_selector(char **list, size_t *n, const char *sel, json_t *bad)
{
	if (*n >= MAX_SELECTORS)
		return;
	char *l = str_lower(sel);
	char *t = str_trim(l);
	if (*t == '\0') {
		free(l);
		return;
	}
	if (!dkim_selector_valid(t)) {
		json_array_append_new(bad, json_str(t));
		free(l);
		return;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i], t) == 0) {
			free(l);
			return;
		}
	list[(*n)++] = xstrdup(t);
	free(l);
}

/* Does the spf check's record read exactly "v=spf1 -all"? */
static bool spf_is_null(const struct scan *s)
{
	const struct check_result *spf = scan_result_of(s, "spf");
	if (!spf || !spf->detail)
		return false;
	const char *rec = json_string_value(json_object_get(spf->detail, "record"));
	if (!rec)
		return false;
	while (*rec == ' ' || *rec == '\t')
		rec++;
	size_t n = strlen(rec);
	while (n > 0 && (rec[n - 1] == ' ' || rec[n - 1] == '\t'))
		n--;
	return n == 11 && strncasecmp(rec, "v=spf1 -all", 11) == 0;
}

/* Whether the SPF record is exactly "v=spf1 -all": 1 yes, 0 no, -1 could not find out (the spf
 * check's lookup of the record failed). */
static int spf_null_state(const struct scan *s)
{
	const struct check_result *spf = scan_result_of(s, "spf");
	if (spf && spf->verdict == VERDICT_ERROR && spf->detail &&
	    !json_is_string(json_object_get(spf->detail, "record")))
		return -1;
	return spf_is_null(s) ? 1 : 0;
}

/* DMARC effective policy reject (the dmarc check's column and detail). */
static bool dmarc_is_reject(const struct scan *s, json_t *info)
{
	const char *pol = json_string_value(scan_get_column(s, "dmarc_policy"));
	const struct check_result *dm = scan_result_of(s, "dmarc");
	const char *at = dm && dm->detail
				 ? json_string_value(json_object_get(dm->detail, "found_at"))
				 : NULL;
	json_object_set_new(info, "dmarc_policy", json_str(pol));
	json_object_set_new(info, "dmarc_found_at", json_str(at));
	return pol && strcmp(pol, "reject") == 0;
}

/* ---- the profile's DKIM part (--profile FILE, docs/profile.md) ----
 * dkim_selectors (alias dkim_selector): selectors every domain must publish; dkim_cname:
 * `selector=target` (the CNAME target the selector must lead to); dkim_key: `selector=p-value`
 * (the key it must carry). */
static const char *const dkim_profile_keys[] = { "dkim_selectors", "dkim_selector", "dkim_cname",
						 "dkim_key", NULL };

/* The value for `sel` in a `selector=value` item list (borrowed), or NULL. */
static const char *profile_expect(const struct scan *s, const char *key, const char *sel)
{
	const json_t *items = profile_items(scan_profile(s), key);
	size_t i;
	const json_t *it;
	size_t n = strlen(sel);
	json_array_foreach(items, i, it)
	{
		const char *v = json_string_value(it);
		if (strncasecmp(v, sel, n) == 0 && v[n] == '=')
			return v + n + 1;
	}
	return NULL;
}

/* Two base64 key strings equal, ignoring white space (p= values are stored without it). */
static bool key_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '\t')
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++, b++;
	}
}

/* Two host names equal, ignoring case and a trailing dot. */
static bool name_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na && a[na - 1] == '.')
		na--;
	if (nb && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* The probe result of `sel` in the "selectors" array (borrowed), or NULL. */
static const json_t *probe_of(const json_t *arr, const char *sel)
{
	size_t i;
	const json_t *o;
	json_array_foreach(arr, i, o)
	{
		const char *x = json_string_value(json_object_get(o, "selector"));
		if (x && strcmp(x, sel) == 0)
			return o;
	}
	return NULL;
}

/*
 * The dkim_platform column: `pass` when every expected selector is found (a live key) with the
 * expected CNAME target and key where the profile names them; `fail` when one is missing or
 * different; `error` when that could not be found out (a failed lookup) and nothing failed.
 */
static void platform_check(struct scan *s, const json_t *arr, enum dns_outcome o0, json_t *det)
{
	json_t *expected = json_array();
	for (const char *const *k = dkim_profile_keys; k < dkim_profile_keys + 2; k++) {
		const json_t *items = profile_items(scan_profile(s), *k);
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
		{
			char *l = str_lower(json_string_value(it));
			if (dkim_selector_valid(l))
				json_array_append_new(expected, json_string(l));
			free(l);
		}
	}
	if (!json_array_size(expected)) {
		json_decref(expected);
		return;
	}
	json_t *pl = json_object();
	json_t *per = json_array();
	enum verdict v = VERDICT_PASS;
	size_t i;
	json_t *e;
	json_array_foreach(expected, i, e)
	{
		const char *sel = json_string_value(e);
		const json_t *pr = probe_of(arr, sel);
		const char *want_target = profile_expect(s, "dkim_cname", sel);
		const char *want_key = profile_expect(s, "dkim_key", sel);
		json_t *o = json_object();
		json_object_set_new(o, "selector", json_string(sel));
		if (want_target)
			json_object_set_new(o, "expected_cname", json_str(want_target));
		const char *st = "found";
		enum verdict sv = VERDICT_PASS;
		const char *oc = pr ? json_string_value(json_object_get(pr, "outcome")) : NULL;
		if (o0 == DNS_NXDOMAIN || (oc && strcmp(oc, "skipped") == 0)) {
			st = "missing";
			sv = VERDICT_FAIL;
		} else if (o0 == DNS_FAILURE || !pr || !oc || strcmp(oc, "error") == 0) {
			st = "lookup_failed";
			sv = VERDICT_ERROR;
		} else if (!json_is_true(json_object_get(pr, "found"))) {
			st = "missing";
			sv = VERDICT_FAIL;
		} else {
			const json_t *chain = json_object_get(pr, "cname");
			size_t nc = json_array_size(chain);
			const char *target =
				nc ? json_string_value(json_array_get(chain, nc - 1)) : NULL;
			if (target)
				json_object_set_new(o, "cname", json_str(target));
			if (want_target && (!target || !name_equal(target, want_target))) {
				st = "wrong_cname";
				sv = VERDICT_FAIL;
			} else if (want_key) {
				bool match = false;
				size_t j;
				const json_t *rec;
				json_array_foreach(json_object_get(pr, "records"), j, rec)
				{
					if (json_is_true(json_object_get(rec, "profile_key_match")))
						match = true;
				}
				if (!match) {
					st = "wrong_key";
					sv = VERDICT_FAIL;
				}
			}
		}
		json_object_set_new(o, "status", json_string(st));
		json_array_append_new(per, o);
		v = verdict_worst(v, sv);
	}
	json_object_set_new(pl, "selectors", per);
	json_object_set_new(pl, "result", json_string(verdict_name(v)));
	json_object_set_new(det, "platform", pl);
	scan_set_column(s, "dkim_platform", json_string(verdict_name(v)));
	json_decref(expected);
}

struct tally {
	size_t n_found;
	size_t n_with_record;  /* selectors holding a parseable DKIM key record */
	size_t n_revoked_only; /* ... of which every record is revoked */
	size_t n_errors;       /* selector lookups that failed */
	enum verdict keys;     /* worst over found keys (not_tested when none) */
};

/* Examine one selector's reply; returns its JSON and updates the tally. */
static json_t *examine(const char *sel, const char *name, struct dns_reply *r, struct tally *t,
		       struct buf *found, const char *expect_key)
{
	json_t *o = json_object();
	json_object_set_new(o, "selector", json_str(sel));
	json_object_set_new(o, "name", json_str(name));
	enum dns_outcome oc = dns_reply_outcome(r);
	json_object_set_new(o, "outcome", json_string(dns_outcome_name(oc)));

	json_t *cname = dns_reply_cname_json(r);
	if (cname)
		json_object_set_new(o, "cname", cname);

	if (oc == DNS_FAILURE) {
		json_object_set_new(o, "error", json_str(dns_reply_error(r)));
		json_object_set_new(o, "verdict", json_string("error"));
		t->n_errors++;
		return o;
	}
	if (oc != DNS_ANSWER) {
		json_object_set_new(o, "found", json_false());
		return o;
	}

	struct dns_txt *txt = NULL;
	size_t n_txt = dns_reply_txt(r, &txt);
	json_t *recs = json_array();
	bool any_record = false, any_live = false;
	enum verdict worst = VERDICT_NOT_TESTED;
	for (size_t i = 0; i < n_txt && i < MAX_TXT; i++) {
		json_t *ro = json_object();
		json_object_set_new(ro, "txt", json_text(txt[i].data, txt[i].len, 1024));
		struct dkim_key_record rec;
		dkim_key_parse(txt[i].data, txt[i].len, &rec);
		if (!rec.ok) {
			json_object_set_new(ro, "valid", json_false());
			json_object_set_new(ro, "error", json_str(rec.error));
			json_array_append_new(recs, ro);
			dkim_key_record_fini(&rec);
			continue;
		}
		any_record = true;
		json_object_set_new(ro, "valid", json_true());
		if (rec.k[0])
			json_object_set_new(ro, "k", json_str(rec.k));
		json_object_set_new(ro, "revoked", json_boolean(rec.revoked));
		if (rec.testing)
			json_object_set_new(ro, "testing", json_true());
		if (rec.strict)
			json_object_set_new(ro, "strict", json_true());
		if (rec.h_present) {
			json_t *h = json_array();
			if (rec.h_sha1)
				json_array_append_new(h, json_string("sha1"));
			if (rec.h_sha256)
				json_array_append_new(h, json_string("sha256"));
			if (rec.h_other)
				json_array_append_new(h, json_string("other"));
			json_object_set_new(ro, "h", h);
		}
		if (rec.revoked) {
			json_object_set_new(ro, "reason", json_string("revoked key (empty p=)"));
			json_array_append_new(recs, ro);
			dkim_key_record_fini(&rec);
			continue;
		}
		any_live = true;
		if (expect_key)
			json_object_set_new(ro, "profile_key_match",
					    json_boolean(key_equal(rec.p, expect_key)));
		struct dkim_key_info key;
		dkim_key_measure(rec.p, rec.p_len, rec.type, &key);
		struct dkim_judgement j;
		dkim_key_judge(&rec, &key, &j);
		json_object_set_new(ro, "key_type", json_string(key.type_name));
		json_object_set_new(ro, "key_bits",
				    key.bits ? json_integer(key.bits) : json_null());
		if (key.status != DKIM_KEY_OK)
			json_object_set_new(ro, "key_error", json_str(key.error));
		json_t *fl = json_array();
		for (size_t k = 0; k < j.n_flags; k++)
			json_array_append_new(fl, json_string(j.flags[k]));
		json_object_set_new(ro, "flags", fl);
		json_object_set_new(ro, "verdict", json_string(verdict_name(j.verdict)));
		worst = verdict_worst(worst, j.verdict);
		json_array_append_new(recs, ro);
		dkim_key_record_fini(&rec);
	}
	if (n_txt > MAX_TXT)
		json_object_set_new(o, "txt_not_examined",
				    json_integer((json_int_t)(n_txt - MAX_TXT)));
	dns_txt_free(txt, n_txt);
	json_object_set_new(o, "records", recs);
	json_object_set_new(o, "found", json_boolean(any_live));
	if (any_record)
		t->n_with_record++;
	if (any_record && !any_live)
		t->n_revoked_only++;
	if (any_live) {
		t->n_found++;
		t->keys = verdict_worst(t->keys, worst);
		json_object_set_new(o, "verdict", json_string(verdict_name(worst)));
		if (found->len)
			buf_add(found, " ", 1);
		buf_add(found, sel, strlen(sel));
	}
	return o;
}

static void subtest_dkim(struct check_result *out, enum verdict v, const char *msg,
			 const char *reason)
{
	json_t *st = result_subtest_msg(out, "dkim", v, msg, reason, NULL);
	if (v == VERDICT_NOT_TESTED)
		return; /* exempt (non-sending domain): not counted */
	bool ok = v == VERDICT_PASS || v == VERDICT_WARNING || v == VERDICT_INFO;
	json_object_set_new(st, "points", json_integer(ok ? 10 : 0));
	json_object_set_new(st, "max", json_integer(10));
}

static void dkim_run(struct scan *s, struct check_result *out)
{
	const char *domain = scan_domain(s);
	const struct config *cfg = scan_config(s);
	struct dns_client *dns = scan_dns(s);
	json_t *det = out->detail;

	/* The selectors: the run's, then the row's. */
	char **sels = xcalloc(MAX_SELECTORS, sizeof(char *));
	size_t n_sel = 0;
	json_t *bad = json_array();
	for (size_t i = 0; i < cfg->n_selectors; i++)
		add_selector(sels, &n_sel, cfg->selectors[i], bad);
	const char *const *row = NULL;
	size_t n_row = scan_row_selectors(s, &row);
	for (size_t i = 0; i < n_row; i++)
		add_selector(sels, &n_sel, row[i], bad);
	for (const char *const *k = dkim_profile_keys; k < dkim_profile_keys + 2; k++) {
		const json_t *items = profile_items(scan_profile(s), *k);
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
		{
			add_selector(sels, &n_sel, json_string_value(it), bad);
		}
	}
	if (json_array_size(bad))
		json_object_set_new(det, "invalid_selectors", bad);
	else
		json_decref(bad);

	/* Step 1: _domainkey.<domain> */
	char *base = xasprintf("_domainkey.%s", domain);
	struct dns_reply *r0 = dns_query(dns, base, LDNS_RR_TYPE_TXT);
	enum dns_outcome o0 = dns_reply_outcome(r0);
	json_t *dk = json_object();
	json_object_set_new(dk, "name", json_str(base));
	json_object_set_new(dk, "outcome", json_string(dns_outcome_name(o0)));
	if (o0 == DNS_FAILURE)
		json_object_set_new(dk, "error", json_str(dns_reply_error(r0)));
	json_object_set_new(det, "domainkey", dk);
	size_t probes = 1;

	struct tally t = { 0 };
	t.keys = VERDICT_NOT_TESTED;
	struct buf found;
	buf_init(&found, 64 * 1024);
	json_t *arr = json_array();
	char **names = NULL;
	const char **qnames = NULL;
	ldns_rr_type *types = NULL;
	struct dns_reply **replies = NULL;
	size_t n_q = 0;

	if (o0 == DNS_FAILURE)
		json_object_set_new(
			det, "selectors_skipped",
			json_string("the _domainkey lookup failed: the names below it are "
				    "not probed (a dead or broken server would cost a "
				    "timeout per selector)"));
	if (o0 != DNS_NXDOMAIN && o0 != DNS_FAILURE && n_sel > 0) {
		/* Step 2: every selector, concurrently. Names too long for DNS are skipped. */
		names = xcalloc(n_sel, sizeof(char *));
		qnames = xcalloc(n_sel, sizeof(char *));
		types = xcalloc(n_sel, sizeof(ldns_rr_type));
		replies = xcalloc(n_sel, sizeof(struct dns_reply *));
		size_t *idx = xcalloc(n_sel, sizeof(size_t));
		for (size_t i = 0; i < n_sel; i++) {
			char *nm = xasprintf("%s.%s", sels[i], base);
			if (strlen(nm) > 253) {
				json_t *o = json_object();
				json_object_set_new(o, "selector", json_str(sels[i]));
				json_object_set_new(o, "outcome", json_string("skipped"));
				json_object_set_new(o, "reason", json_string("name too long"));
				json_array_append_new(arr, o);
				free(nm);
				continue;
			}
			names[n_q] = nm;
			qnames[n_q] = nm;
			types[n_q] = LDNS_RR_TYPE_TXT;
			idx[n_q] = i;
			n_q++;
		}
		/* DO=0: only the TXT data is read here, and NXDOMAIN proofs (most replies) with
		 * their NSEC3 records and signatures are several times the size of the answer. */
		if (n_q)
			dns_query_many_opts(dns, n_q, qnames, types, DNS_Q_NO_DNSSEC, replies);
		probes += n_q;
		for (size_t q = 0; q < n_q; q++)
			json_array_append_new(
				arr, examine(sels[idx[q]], names[q], replies[q], &t, &found,
					     profile_expect(s, "dkim_key", sels[idx[q]])));
		free(idx);
	}
	json_object_set_new(det, "probes", json_integer((json_int_t)probes));
	json_object_set_new(det, "selectors_probed", json_integer((json_int_t)n_q));
	json_object_set_new(det, "selectors", arr);
	platform_check(s, arr, o0, det);
	json_t *found_list = json_array();
	if (found.len) {
		char *f = buf_steal(&found);
		scan_set_column(s, "dkim_selectors", json_string(f));
		char *save = NULL;
		for (char *tok = strtok_r(f, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			json_array_append_new(found_list, json_string(tok));
		free(f);
	} else {
		scan_set_column(s, "dkim_selectors", json_string(""));
	}
	json_object_set_new(det, "found", found_list);

	/* The verdict (verdicts.md "dkim"). */
	enum verdict v;
	const char *reason, *msg;
	if (t.n_found > 0) {
		v = t.keys;
		if (v == VERDICT_PASS)
			reason = "DKIM key found", msg = MSG("dkim.pass");
		else if (v == VERDICT_WARNING)
			reason = "the weakest DKIM key is weak or in testing mode",
			msg = MSG("dkim.weak");
		else
			reason = "the weakest DKIM key is insufficient",
			msg = MSG("dkim.insufficient");
		if (t.n_errors) {
			v = verdict_worst(v, VERDICT_ERROR);
			if (v == VERDICT_ERROR)
				reason = "a selector lookup failed",
				msg = MSG("dkim.selector_lookup_failed");
		}
	} else if (o0 == DNS_NXDOMAIN) {
		json_t *ns = json_object();
		/* Non-sending needs both facts; a failed DMARC or SPF lookup leaves it unknown
		 * ("error" = could not find out), unless the other one already rules it out. */
		const struct check_result *dm = scan_result_of(s, "dmarc");
		int dmarc = dmarc_is_reject(s, ns) ? 1
			    : !json_is_string(scan_get_column(s, "dmarc_policy")) && dm &&
					    dm->verdict == VERDICT_ERROR
				    ? -1
				    : 0;
		int spf = spf_null_state(s);
		bool exempt = dmarc == 1 && spf == 1;
		bool unknown = !exempt && dmarc != 0 && spf != 0;
		json_object_set_new(ns, "exempt", unknown ? json_null() : json_boolean(exempt));
		json_object_set_new(det, "non_sending", ns);
		if (unknown) {
			v = VERDICT_ERROR;
			reason =
				"_domainkey does not exist (NXDOMAIN), and whether the domain sends "
				"mail could not be found out (the DMARC or SPF lookup failed)";
			msg = MSG("dkim.exempt_unknown");
			result_set_error_msg(out, msg, reason, NULL);
		} else if (exempt) {
			v = VERDICT_NOT_TESTED;
			reason =
				"non-sending domain (DMARC p=reject and SPF v=spf1 -all): no DKIM needed";
			msg = MSG("dkim.non_sending");
		} else {
			v = VERDICT_FAIL;
			reason = "no DKIM key: _domainkey does not exist (NXDOMAIN)";
			msg = MSG("dkim.none");
		}
	} else if (t.n_revoked_only > 0 && t.n_revoked_only == t.n_with_record) {
		v = VERDICT_FAIL;
		reason = "only revoked keys";
		msg = MSG("dkim.revoked");
		if (t.n_errors)
			v = verdict_worst(v, VERDICT_ERROR);
	} else if (t.n_errors || o0 == DNS_FAILURE) {
		v = VERDICT_ERROR;
		reason = t.n_errors ? "a selector lookup failed" : "the _domainkey lookup failed";
		msg = t.n_errors ? MSG("dkim.selector_lookup_failed")
				 : MSG("dkim.domainkey_lookup_failed");
		result_set_error_msg(
			out, MSG("dkim.lookup_error"), "dkim: {what} ({detail})",
			msg_args("what", msg_nested(msg, reason, NULL), "detail",
				 json_str(t.n_errors ? "see detail" : dns_reply_error(r0)), NULL));
	} else {
		v = VERDICT_INFO;
		reason = "keys exist, selector unknown";
		msg = MSG("dkim.unknown_selector");
	}
	out->verdict = v;
	json_object_set_new(det, "reason", json_string(reason));
	subtest_dkim(out, v, msg, reason);

	for (size_t q = 0; q < n_q; q++) {
		dns_reply_release(replies[q]);
		free(names[q]);
	}
	free(names);
	free(qnames);
	free(types);
	free(replies);
	buf_free(&found);
	dns_reply_release(r0);
	free(base);
	for (size_t i = 0; i < n_sel; i++)
		free(sels[i]);
	free(sels);
}

const struct check check_dkim = {
	.name = "dkim",
	.title = "DKIM",
	.columns = dkim_columns,
	.profile_keys = dkim_profile_keys,
	.run = dkim_run,
};
