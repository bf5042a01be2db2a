/*
 * The caa check: the relevant CAA RRset of the domain (RFC 8659 §3) and its properties
 * (RFC 8659 §4), judged per ../shared/spec/verdicts.md "caa".
 *
 * Tree climbing: query CAA at the domain, then at each parent, stopping before the TLD; the
 * resolver follows CNAMEs (their chain is recorded) and the climb continues from the parent
 * of the name asked, not of the CNAME target (§3). The first non-empty RRset is used. A
 * lookup failure on the way stops the climb with `error`.
 *
 * Detail keys: "climb": [{name, outcome, cname?}], "found_at" (the name whose query gave the
 * RRset), "owner" (its owner after CNAMEs), "records": [{flags, tag, value, critical, issuer?,
 * verdict, finding?}], "records_not_examined", "reason".
 */
#include "checks/caa_parse.h"
#include "scanner/check.h"
#include "scanner/profile.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Records judged per RRset (as Internet.nl: the first 100). */
#define CAA_MAX_RECORDS 100

static size_t count_labels(const char *name)
{
	size_t n = 1;
	for (const char *p = name; *p; p++)
		if (*p == '.')
			n++;
	return *name ? n : 0;
}

/* Judge the RRset; fills det["records"]; returns the set's verdict. */
static enum verdict judge_rrset(const ldns_rr_list *rrs, json_t *det, const char **reason)
{
	size_t n = ldns_rr_list_rr_count(rrs);
	size_t m = n < CAA_MAX_RECORDS ? n : CAA_MAX_RECORDS;
	struct caa_property *props = xcalloc(m ? m : 1, sizeof(*props));
	json_t *recs = json_array();
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_rd_count(rr) < 3)
			continue;
		const ldns_rdf *f = ldns_rr_rdf(rr, 0), *t = ldns_rr_rdf(rr, 1),
			       *v = ldns_rr_rdf(rr, 2);
		uint8_t flags = ldns_rdf_size(f) >= 1 ? ldns_rdf_data(f)[0] : 0;
		/* TAG rdf: a length byte, then the tag; LONG_STR: the raw value. */
		const char *tag = "";
		size_t tag_len = 0;
		if (ldns_rdf_size(t) >= 1) {
			tag_len = ldns_rdf_data(t)[0];
			if (tag_len > ldns_rdf_size(t) - 1)
				tag_len = ldns_rdf_size(t) - 1;
			tag = (const char *)ldns_rdf_data(t) + 1;
		}
		const char *val = (const char *)ldns_rdf_data(v);
		size_t val_len = ldns_rdf_size(v);
		struct caa_property *p = &props[k++];
		caa_parse_property(flags, tag, tag_len, val, val_len, p);

		json_t *o = json_object();
		json_object_set_new(o, "flags", json_integer(flags));
		json_object_set_new(o, "tag", json_text(tag, tag_len, 64));
		json_object_set_new(o, "value", json_text(val ? val : "", val_len, 1024));
		json_object_set_new(o, "critical", json_boolean(p->critical));
		if (p->tag == CAA_TAG_ISSUE || p->tag == CAA_TAG_ISSUEWILD ||
		    p->tag == CAA_TAG_ISSUEMAIL || p->tag == CAA_TAG_ISSUEVMC) {
			if (p->verdict != VERDICT_FAIL) {
				json_object_set_new(o, "issuer", json_str(p->issuer));
				json_object_set_new(o, "parameters",
						    json_integer((json_int_t)p->n_params));
			}
		}
		json_object_set_new(o, "verdict", json_string(verdict_name(p->verdict)));
		if (p->finding[0])
			json_object_set_new(o, "finding", json_str(p->finding));
		json_array_append_new(recs, o);
	}
	json_object_set_new(det, "records", recs);
	if (n > m)
		json_object_set_new(det, "records_not_examined", json_integer((json_int_t)(n - m)));
	enum verdict v = caa_judge_set(props, k, reason);
	free(props);
	return v;
}

/* ---- the profile's CAA part (--profile FILE, docs/profile.md) ----
 * caa_issuer (aliases caa_issuers, ca): the issuer-domain-name(s) of the CA(s) the platform
 * uses, e.g. letsencrypt.org. */
static const char *const caa_profile_keys[] = { "caa_issuer", "caa_issuers", "ca", NULL };

static bool known_tag(const char *tag)
{
	static const char *const known[] = { "issue",        "issuewild",
					     "iodef",        "contactemail",
					     "contactphone", "issuemail",
					     "issuevmc",     NULL };
	for (const char *const *k = known; *k; k++)
		if (strcasecmp(*k, tag) == 0)
			return true;
	return false;
}

/* May `ca` issue under the judged records for property `tag` ("issue" or "issuewild")?
 * Returns -1 when the set has no such property (then it does not restrict). */
static int allowed_by(const json_t *recs, const char *tag, const char *ca)
{
	int seen = -1;
	size_t i;
	const json_t *r;
	json_array_foreach(recs, i, r)
	{
		const char *t = json_string_value(json_object_get(r, "tag"));
		if (!t || strcasecmp(t, tag) != 0)
			continue;
		if (seen < 0)
			seen = 0;
		const char *issuer = json_string_value(json_object_get(r, "issuer"));
		if (issuer && *issuer && strcasecmp(issuer, ca) == 0)
			seen = 1;
	}
	return seen;
}

/*
 * The caa_platform column (RFC 8659 §4): `pass` when each profile CA may issue for the domain —
 * no CAA RRset, or one whose `issue` properties name the CA (or has none), with no critical
 * property of an unknown tag; `fail` otherwise; `error` when the CAA lookup failed.
 * Wildcard issuance (issuewild, else issue) is reported in the detail only.
 */
static void platform_check(struct scan *s, enum verdict v, json_t *det)
{
	json_t *cas = json_array();
	for (const char *const *k = caa_profile_keys; *k; k++) {
		const json_t *items = profile_items(scan_profile(s), *k);
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
		{
			char *l = str_lower(json_string_value(it));
			size_t n = strlen(l);
			if (n && l[n - 1] == '.')
				l[n - 1] = '\0';
			json_array_append_new(cas, json_string(l));
			free(l);
		}
	}
	if (!json_array_size(cas)) {
		json_decref(cas);
		return;
	}
	const json_t *recs = json_object_get(det, "records");
	const char *blocker = NULL;
	size_t i;
	const json_t *r;
	json_array_foreach(recs, i, r)
	{
		const char *t = json_string_value(json_object_get(r, "tag"));
		if (json_is_true(json_object_get(r, "critical")) && t && !known_tag(t))
			blocker = t;
	}
	json_t *pl = json_object();
	json_t *per = json_array();
	enum verdict pv = VERDICT_PASS;
	json_t *ca;
	json_array_foreach(cas, i, ca)
	{
		const char *name = json_string_value(ca);
		json_t *o = json_object();
		json_object_set_new(o, "ca", json_str(name));
		enum verdict cv;
		const char *why;
		if (v == VERDICT_ERROR) {
			cv = VERDICT_ERROR;
			why = "the CAA lookup failed";
		} else if (!recs) {
			cv = VERDICT_PASS;
			why = "no CAA record: every CA may issue";
			json_object_set_new(o, "wildcard", json_true());
		} else if (blocker) {
			cv = VERDICT_FAIL;
			why = "a critical property with an unknown tag forbids all issuance";
			json_object_set_new(o, "wildcard", json_false());
		} else {
			int issue = allowed_by(recs, "issue", name);
			int wild = allowed_by(recs, "issuewild", name);
			cv = issue != 0 ? VERDICT_PASS : VERDICT_FAIL;
			why = issue < 0    ? "no issue property: issuance is not restricted"
			      : issue == 1 ? "an issue property names this CA"
					   : "no issue property names this CA";
			json_object_set_new(o, "wildcard",
					    json_boolean(wild >= 0 ? wild == 1 : issue != 0));
		}
		json_object_set_new(o, "result", json_string(verdict_name(cv)));
		json_object_set_new(o, "reason", json_string(why));
		json_array_append_new(per, o);
		pv = verdict_worst(pv, cv);
	}
	json_object_set_new(pl, "cas", per);
	json_object_set_new(pl, "result", json_string(verdict_name(pv)));
	json_object_set_new(det, "platform", pl);
	scan_set_column(s, "caa_platform", json_string(verdict_name(pv)));
	json_decref(cas);
}

/* The message of caa_judge_set()'s reasons (fixed English texts). */
static const struct {
	const char *reason, *msg;
} reason_msgs[] = {
	{ "no CAA record found", MSG("caa.none") },
	{ "a CAA lookup failed", MSG("caa.lookup_failed") },
	{ "CAA records found and valid", MSG("caa.pass") },
	{ "a record does not parse or blocks all issuance", MSG("caa.record_invalid") },
	{ "an iodef is neither mailto: nor https:", MSG("caa.iodef_invalid") },
	{ "no issue record", MSG("caa.no_issue") },
	{ "no issue record; an iodef is neither mailto: nor https:",
	  MSG("caa.no_issue_iodef_invalid") },
};

static void caa_run(struct scan *s, struct check_result *out)
{
	const char *domain = scan_domain(s);
	struct dns_client *dns = scan_dns(s);
	json_t *det = out->detail;
	json_t *climb = json_array();
	json_object_set_new(det, "climb", climb);

	enum verdict v = VERDICT_WARNING;
	const char *reason = "no CAA record found";
	const char *name = domain;
	while (count_labels(name) >= 2) {
		struct dns_reply *r = dns_query(dns, name, LDNS_RR_TYPE_CAA);
		enum dns_outcome oc = dns_reply_outcome(r);
		json_t *step = json_object();
		json_object_set_new(step, "name", json_str(name));
		json_object_set_new(step, "outcome", json_string(dns_outcome_name(oc)));
		json_t *cname = dns_reply_cname_json(r); /* owned by step below */
		if (cname)
			json_object_set_new(step, "cname", cname);
		json_array_append_new(climb, step);

		if (oc == DNS_FAILURE) {
			json_object_set_new(step, "error", json_str(dns_reply_error(r)));
			result_set_error_msg(out, MSG("caa.lookup_of_failed"),
					     "caa: lookup of {name} failed: {detail}",
					     msg_args("name", json_str(name), "detail",
						      json_str(dns_reply_error(r)), NULL));
			v = VERDICT_ERROR;
			reason = "a CAA lookup failed";
			dns_reply_release(r);
			break;
		}
		ldns_rr_list *rrs = oc == DNS_ANSWER ? dns_reply_rrs(r, LDNS_RR_TYPE_CAA) : NULL;
		if (rrs && ldns_rr_list_rr_count(rrs) > 0) {
			json_object_set_new(det, "found_at", json_str(name));
			const json_t *last =
				cname ? json_array_get(cname, json_array_size(cname) - 1) : NULL;
			json_object_set_new(det, "owner",
					    last ? json_copy((json_t *)last) : json_str(name));
			const char *why = NULL;
			v = judge_rrset(rrs, det, &why);
			reason = v == VERDICT_PASS ? "CAA records found and valid" : why;
			ldns_rr_list_deep_free(rrs);
			dns_reply_release(r);
			break;
		}
		ldns_rr_list_deep_free(rrs);
		dns_reply_release(r);
		const char *dot = strchr(name, '.');
		name = dot + 1;
	}
	out->verdict = v;
	json_object_set_new(det, "reason", json_str(reason));
	const char *msg = NULL;
	for (size_t i = 0; reason && i < sizeof(reason_msgs) / sizeof(reason_msgs[0]); i++)
		if (strcmp(reason, reason_msgs[i].reason) == 0)
			msg = reason_msgs[i].msg;
	if (msg)
		result_subtest_msg(out, "caa", v, msg, reason, NULL);
	else
		result_subtest_msg(out, "caa", v, MSG("caa.other"), "{detail}",
				   msg_args("detail", json_str(reason ? reason : ""), NULL));
	platform_check(s, v, det);
}

static const char *const caa_columns[] = { "caa_platform", NULL };

const struct check check_caa = {
	.name = "caa",
	.title = "CAA",
	.columns = caa_columns,
	.profile_keys = caa_profile_keys,
	.run = caa_run,
};
