/*
 * dmarc — the DMARC policy (RFC 7489, DMARCbis tags accepted); rules in
 * ../shared/spec/verdicts.md ("dmarc") and Internet.nl §2.4 for the subtests and points.
 *
 * Discovery: TXT `_dmarc.<domain>`, records starting `v=DMARC1`; none (NXDOMAIN, NODATA or
 * only other TXT) → `_dmarc.<organisational domain>` (Public Suffix List), whose `sp=` (else
 * `p=`) applies. More than one record where records were found is a failure, with no
 * fallback. A failed lookup is `error` and stops discovery.
 *
 * Detail keys (the dkim check reads "record" and "found_at"):
 *   "queried": [names], "org_domain", "found_at": "domain"|"organizational",
 *   "policy_domain", "records": [raw...], "record": raw (exactly one), "tags": {...},
 *   "syntax_error", "effective_policy", "destinations": [{uri, host, external, authorized,
 *   reason}], "subtests".
 * Column: dmarc_policy = the effective policy, null where there is no valid record.
 */
#include "checks/dmarc_parse.h"
#include "scanner/check.h"
#include "scanner/psl.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_MAX     4096 /* bytes of a record kept in the detail */
#define MAX_DEST_HOSTS 16

static const char *const dmarc_columns[] = { "dmarc_policy", NULL };

enum found { FOUND_FAILURE, FOUND_NONE, FOUND_ONE, FOUND_MANY };

/* The DMARC candidate records at one name. */
struct place {
	char *name;
	struct dns_txt *txt; /* all TXT records (owned) */
	size_t n_txt;
	size_t *idx; /* indexes of DMARC candidates in txt */
	size_t n;
	char *error; /* lookup failure reason */
};

static void place_free(struct place *p)
{
	free(p->name);
	dns_txt_free(p->txt, p->n_txt);
	free(p->idx);
	free(p->error);
	memset(p, 0, sizeof(*p));
}

static enum found look(struct dns_client *dns, const char *name, struct place *p)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	struct dns_reply *r = dns_query(dns, name, LDNS_RR_TYPE_TXT);
	enum dns_outcome o = dns_reply_outcome(r);
	if (o == DNS_FAILURE) {
		p->error = xasprintf("TXT %s: %s", name, dns_reply_error(r));
		dns_reply_release(r);
		return FOUND_FAILURE;
	}
	if (o == DNS_ANSWER)
		p->n_txt = dns_reply_txt(r, &p->txt);
	dns_reply_release(r);
	p->idx = xcalloc(p->n_txt ? p->n_txt : 1, sizeof(*p->idx));
	for (size_t i = 0; i < p->n_txt; i++)
		if (dmarc_is_candidate(p->txt[i].data, p->txt[i].len))
			p->idx[p->n++] = i;
	return p->n == 0 ? FOUND_NONE : p->n == 1 ? FOUND_ONE : FOUND_MANY;
}

static void add_points(json_t *st, int points, int max)
{
	json_object_set_new(st, "points", json_integer(points));
	json_object_set_new(st, "max", json_integer(max));
}

/* A scored subtest with message `msg`: its English text `tmpl` with `args` (stolen). */
static void subtest_points(struct check_result *out, const char *name, enum verdict v, int points,
			   const char *msg, const char *tmpl, json_t *args)
{
	json_t *st = result_subtest_msg(out, name, v, msg, tmpl, args);
	add_points(st, points, 10);
	result_merge(out, v);
}

/* One external report destination host and its authorisation. */
struct dest {
	char *host;
	bool external;
	enum verdict v; /* pass = authorised or internal, warning = not, error = lookup */
	json_t *reason; /* a nested message (msg_nested()), owned */
};

/* A host name we may put into a query: LDH labels and dots, at most 253 bytes. */
static bool plain_host(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 253 || h[0] == '.' || strstr(h, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') || h[i] == '-' ||
		      h[i] == '_' || h[i] == '.'))
			return false;
	return true;
}

/* Authorised when exactly one TXT record at the name is a valid DMARC record (§7.1). */
static void authorise(struct dns_reply *r, const char *qname, struct dest *d)
{
	if (r->status == DNS_BADNAME) {
		d->v = VERDICT_WARNING;
		d->reason = msg_nested(MSG("dmarc.dest.bad_name"),
				       "{name} cannot be a DNS name: not authorised",
				       msg_args("name", json_str(qname), NULL));
		return;
	}
	enum dns_outcome o = dns_reply_outcome(r);
	if (o == DNS_FAILURE) {
		d->v = VERDICT_ERROR;
		d->reason = msg_nested(MSG("dns.txt_lookup_failed"), "TXT {name}: {detail}",
				       msg_args("name", json_str(qname), "detail",
						json_str(dns_reply_error(r)), NULL));
		return;
	}
	struct dns_txt *txt = NULL;
	size_t n = o == DNS_ANSWER ? dns_reply_txt(r, &txt) : 0, valid = 0;
	for (size_t i = 0; i < n; i++) {
		struct dmarc_record rec;
		if (dmarc_is_candidate(txt[i].data, txt[i].len) &&
		    dmarc_parse(txt[i].data, txt[i].len, &rec, NULL) == 0) {
			valid++;
			dmarc_record_free(&rec);
		}
	}
	dns_txt_free(txt, n);
	if (valid == 1) {
		d->v = VERDICT_PASS;
		d->reason = msg_nested(MSG("dmarc.dest.authorised"), "authorised by {name}",
				       msg_args("name", json_str(qname), NULL));
	} else {
		d->v = VERDICT_WARNING;
		d->reason = valid ? msg_nested(MSG("dmarc.dest.several"),
					       "{count} DMARC records at {name}: not authorised",
					       msg_args("count", json_integer((json_int_t)valid),
							"name", json_str(qname), NULL))
				  : msg_nested(MSG("dmarc.dest.none"),
					       "no DMARC record at {name}: not authorised",
					       msg_args("name", json_str(qname), NULL));
	}
}

/*
 * Check the mailto destinations of rua/ruf outside the organisational domain for their
 * `<policy_domain>._report._dmarc.<host>` record. Returns the worst verdict (pass when none
 * is external) and fills the "destinations" array.
 */
static enum verdict check_destinations(struct scan *s, const struct psl_db *psl,
				       const char *domain_org, const char *policy_domain,
				       const struct dmarc_record *rec, json_t *dests, json_t *why,
				       bool *unauth)
{
	struct dest d[MAX_DEST_HOSTS];
	size_t nd = 0;
	const struct dmarc_uri *lists[2] = { rec->rua, rec->ruf };
	size_t counts[2] = { rec->n_rua, rec->n_ruf };
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < counts[l]; i++) {
			const char *host = lists[l][i].mailto_host;
			if (!host)
				continue;
			bool dup = false;
			for (size_t k = 0; k < nd && !dup; k++)
				dup = strcmp(d[k].host, host) == 0;
			if (dup || nd == MAX_DEST_HOSTS)
				continue;
			char *horg = psl_db_org_domain(psl, host);
			bool ext = !horg || strcmp(horg, domain_org) != 0;
			free(horg);
			d[nd++] = (struct dest){ xstrdup(host), ext, VERDICT_PASS, NULL };
		}
	}
	const char *names[MAX_DEST_HOSTS];
	ldns_rr_type types[MAX_DEST_HOSTS];
	struct dns_reply *replies[MAX_DEST_HOSTS];
	size_t map[MAX_DEST_HOSTS], nq = 0;
	char *qnames[MAX_DEST_HOSTS];
	for (size_t k = 0; k < nd; k++) {
		if (!d[k].external)
			continue;
		if (!plain_host(d[k].host)) {
			d[k].v = VERDICT_WARNING;
			d[k].reason = msg_nested(MSG("dmarc.dest.not_host"),
						 "not a host name: not authorised", NULL);
			continue;
		}
		qnames[nq] = xasprintf("%s._report._dmarc.%s", policy_domain, d[k].host);
		names[nq] = qnames[nq];
		types[nq] = LDNS_RR_TYPE_TXT;
		map[nq++] = k;
	}
	if (nq)
		dns_query_many(scan_dns(s), nq, names, types, replies);
	for (size_t q = 0; q < nq; q++) {
		authorise(replies[q], qnames[q], &d[map[q]]);
		dns_reply_release(replies[q]);
		free(qnames[q]);
	}
	enum verdict worst = VERDICT_PASS;
	for (size_t k = 0; k < nd; k++) {
		json_t *o = json_object();
		json_object_set_new(o, "host", json_str(d[k].host));
		json_object_set_new(o, "external", json_boolean(d[k].external));
		if (d[k].external) {
			json_object_set_new(o, "authorized",
					    d[k].v == VERDICT_ERROR
						    ? json_null()
						    : json_boolean(d[k].v == VERDICT_PASS));
			json_object_set(o, "reason", json_object_get(d[k].reason, "text"));
			if (d[k].v != VERDICT_PASS)
				json_array_append(why, d[k].reason);
		}
		json_array_append_new(dests, o);
		worst = verdict_worst(worst, d[k].v);
		if (d[k].v == VERDICT_WARNING)
			*unauth = true;
		free(d[k].host);
		json_decref(d[k].reason);
	}
	return worst;
}

static json_t *raw_json(const struct dns_txt *t)
{
	return json_text(t->data, t->len, RECORD_MAX);
}

static void run(struct scan *s, struct check_result *out)
{
	const char *domain = scan_domain(s);
	if (!out->detail)
		out->detail = json_object();
	json_t *det = out->detail;
	scan_set_column(s, "dmarc_policy", json_null());

	const struct psl_db *psl = scan_psl(s);
	if (!psl) {
		const char *perr = "the Public Suffix List could not be loaded";
		result_set_error_msg(out, MSG("dmarc.no_psl"), perr, NULL);
		subtest_points(out, "dmarc", VERDICT_ERROR, 0, MSG("dmarc.no_psl"), perr, NULL);
		subtest_points(out, "dmarc_policy", VERDICT_ERROR, 0, MSG("dmarc.no_psl"), perr,
			       NULL);
		return;
	}
	char *org = psl_db_org_domain(psl, domain);
	json_object_set_new(det, "org_domain", org ? json_str(org) : json_null());
	json_t *queried = json_array();
	json_object_set_new(det, "queried", queried);

	struct place at = { 0 };
	char *qname = xasprintf("_dmarc.%s", domain);
	json_array_append_new(queried, json_str(qname));
	enum found f = look(scan_dns(s), qname, &at);
	free(qname);
	const char *found_at = "domain";
	const char *policy_domain = domain;
	if (f == FOUND_NONE && org && strcmp(org, domain) != 0) {
		place_free(&at);
		qname = xasprintf("_dmarc.%s", org);
		json_array_append_new(queried, json_str(qname));
		f = look(scan_dns(s), qname, &at);
		free(qname);
		found_at = "organizational";
		policy_domain = org;
	}

	switch (f) {
	case FOUND_FAILURE:
		result_set_error_msg(out, MSG("dmarc.lookup_failed"), "{detail}",
				     msg_args("detail", json_str(at.error), NULL));
		subtest_points(out, "dmarc", VERDICT_ERROR, 0, MSG("dmarc.lookup_failed"),
			       "{detail}", msg_args("detail", json_str(at.error), NULL));
		subtest_points(out, "dmarc_policy", VERDICT_ERROR, 0, MSG("dmarc.lookup_failed"),
			       "{detail}", msg_args("detail", json_str(at.error), NULL));
		goto done;
	case FOUND_NONE:
		if (org && strcmp(org, domain) != 0)
			subtest_points(out, "dmarc", VERDICT_FAIL, 0, MSG("dmarc.none_org"),
				       "no DMARC record at the domain or its organisational domain",
				       NULL);
		else
			subtest_points(out, "dmarc", VERDICT_FAIL, 0, MSG("dmarc.none"),
				       "no DMARC record", NULL);
		subtest_points(out, "dmarc_policy", VERDICT_NOT_TESTED, 0, MSG("dmarc.none"),
			       "no DMARC record", NULL);
		goto done;
	case FOUND_MANY:
	case FOUND_ONE:
		break;
	}

	json_object_set_new(det, "found_at", json_string(found_at));
	json_object_set_new(det, "policy_domain", json_str(policy_domain));
	json_t *records = json_array();
	for (size_t i = 0; i < at.n; i++)
		json_array_append_new(records, raw_json(&at.txt[at.idx[i]]));
	json_object_set_new(det, "records", records);
	if (f == FOUND_MANY) {
		if (found_at[0] == 'd')
			subtest_points(out, "dmarc", VERDICT_FAIL, 0, MSG("dmarc.several"),
				       "more than one DMARC record at the domain", NULL);
		else
			subtest_points(out, "dmarc", VERDICT_FAIL, 0, MSG("dmarc.several_org"),
				       "more than one DMARC record at the organisational domain",
				       NULL);
		subtest_points(out, "dmarc_policy", VERDICT_NOT_TESTED, 0,
			       MSG("dmarc.policy.several"), "more than one DMARC record", NULL);
		goto done;
	}

	const struct dns_txt *raw = &at.txt[at.idx[0]];
	json_object_set_new(det, "record", raw_json(raw));
	if (found_at[0] == 'd')
		subtest_points(out, "dmarc", VERDICT_PASS, 10, MSG("dmarc.pass"),
			       "DMARC record found at the domain", NULL);
	else
		subtest_points(out, "dmarc", VERDICT_PASS, 10, MSG("dmarc.pass_org"),
			       "DMARC record found at the organisational domain", NULL);

	struct dmarc_record rec;
	char *err = NULL;
	if (dmarc_parse(raw->data, raw->len, &rec, &err) != 0) {
		json_object_set_new(det, "syntax_error", json_str(err));
		json_t *st = result_subtest_msg(
			out, "dmarc_policy", VERDICT_FAIL, MSG("dmarc.policy.syntax"),
			"invalid syntax: {detail}", msg_args("detail", json_str(err), NULL));
		add_points(st, 0, 10);
		result_merge(out, VERDICT_FAIL);
		free(err);
		goto done;
	}
	json_object_set_new(det, "tags", dmarc_record_json(&rec));
	if (rec.p_not_second)
		json_object_set_new(det, "note",
				    json_string("p= is not directly after v= "
						"(required by RFC 7489, not by DMARCbis)"));

	/* The effective policy (RFC 7489 §6.6.3 step 6 for a missing p=). */
	enum dmarc_policy eff = found_at[0] == 'd' ? rec.p : (rec.sp ? rec.sp : rec.p);
	bool missing = eff == DMARC_POLICY_UNSET;
	if (missing && rec.n_rua > 0)
		eff = DMARC_POLICY_NONE;
	if (eff != DMARC_POLICY_UNSET) {
		scan_set_column(s, "dmarc_policy", json_string(dmarc_policy_name(eff)));
		json_object_set_new(det, "effective_policy", json_string(dmarc_policy_name(eff)));
	}

	if (missing) {
		if (found_at[0] == 'd')
			subtest_points(out, "dmarc_policy", VERDICT_FAIL, 2,
				       MSG("dmarc.policy.no_p"), "no p= policy", NULL);
		else
			subtest_points(out, "dmarc_policy", VERDICT_FAIL, 2,
				       MSG("dmarc.policy.no_sp_p"),
				       "no sp= or p= policy at the organisational domain", NULL);
	} else if (eff == DMARC_POLICY_NONE) {
		subtest_points(out, "dmarc_policy", VERDICT_FAIL, 2, MSG("dmarc.policy.none"),
			       "the policy is none (monitoring only)", NULL);
	} else if (eff == DMARC_POLICY_QUARANTINE && rec.t == 'y') {
		subtest_points(out, "dmarc_policy", VERDICT_FAIL, 2, MSG("dmarc.policy.testing"),
			       "t=y (testing mode) with quarantine", NULL);
	} else {
		json_t *dests = json_array();
		json_object_set_new(det, "destinations", dests);
		json_t *why = json_array();
		bool unauth = false;
		enum verdict dv = check_destinations(s, psl, org ? org : domain, policy_domain,
						     &rec, dests, why, &unauth);
		if (unauth)
			subtest_points(out, "dmarc_policy", VERDICT_WARNING, 10,
				       MSG("dmarc.policy.unauthorised"),
				       "the policy is good, but an external report destination is "
				       "not authorised",
				       NULL);
		else
			subtest_points(
				out, "dmarc_policy", VERDICT_PASS, 10, MSG("dmarc.policy.pass"),
				"{policy}",
				msg_args("policy", json_string(dmarc_policy_name(eff)), NULL));
		if (json_array_size(dests) > 0) {
			if (dv == VERDICT_ERROR)
				result_set_error_msg(
					out, MSG("dmarc.external.problems"), "{problems}",
					msg_args("problems", json_deep_copy(why), NULL));
			if (dv == VERDICT_PASS)
				result_subtest_msg(out, "dmarc_external", dv,
						   MSG("dmarc.external.pass"),
						   "every external report destination is "
						   "authorised (or none is external)",
						   NULL);
			else
				result_subtest_msg(out, "dmarc_external", dv,
						   MSG("dmarc.external.problems"), "{problems}",
						   msg_args("problems", json_incref(why), NULL));
			result_merge(out, dv);
		}
		json_decref(why);
		if (rec.has_pct && rec.pct < 100) {
			result_subtest_msg(out, "dmarc_pct", VERDICT_WARNING, MSG("dmarc.pct"),
					   "pct={pct}: the policy applies to part of the mail only",
					   msg_args("pct", json_integer(rec.pct), NULL));
			result_merge(out, VERDICT_WARNING);
		}
	}
	dmarc_record_free(&rec);

done:
	place_free(&at);
	free(org);
}

const struct check check_dmarc = {
	.name = "dmarc",
	.title = "DMARC",
	.columns = dmarc_columns,
	.run = run,
};
