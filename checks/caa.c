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
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

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
		char **chain = NULL;
		size_t n_chain = dns_reply_cname_chain(r, &chain);
		if (n_chain) {
			json_t *c = json_array();
			for (size_t i = 0; i < n_chain; i++)
				json_array_append_new(c, json_str(chain[i]));
			json_object_set_new(step, "cname", c);
		}
		json_array_append_new(climb, step);

		if (oc == DNS_FAILURE) {
			json_object_set_new(step, "error", json_str(dns_reply_error(r)));
			result_set_error(out, "caa: lookup of %s failed: %s", name,
					 dns_reply_error(r));
			v = VERDICT_ERROR;
			reason = "a CAA lookup failed";
			dns_strv_free(chain, n_chain);
			dns_reply_release(r);
			break;
		}
		ldns_rr_list *rrs = oc == DNS_ANSWER ? dns_reply_rrs(r, LDNS_RR_TYPE_CAA) : NULL;
		if (rrs && ldns_rr_list_rr_count(rrs) > 0) {
			json_object_set_new(det, "found_at", json_str(name));
			json_object_set_new(det, "owner",
					    json_str(n_chain ? chain[n_chain - 1] : name));
			const char *why = NULL;
			v = judge_rrset(rrs, det, &why);
			reason = v == VERDICT_PASS ? "CAA records found and valid" : why;
			ldns_rr_list_deep_free(rrs);
			dns_strv_free(chain, n_chain);
			dns_reply_release(r);
			break;
		}
		ldns_rr_list_deep_free(rrs);
		dns_strv_free(chain, n_chain);
		dns_reply_release(r);
		const char *dot = strchr(name, '.');
		name = dot + 1;
	}
	out->verdict = v;
	json_object_set_new(det, "reason", json_str(reason));
	result_subtest(out, "caa", v, "%s", reason ? reason : "");
}

const struct check check_caa = {
	.name = "caa",
	.title = "CAA",
	.run = caa_run,
};
