/*
 * dnssec — the domain's own zone and its MX hosts (verdicts.md "dnssec";
 * ../shared/reference/internetnl-mail-test.md §2.2).
 *
 * The SOA of the domain (any answer, a signed NODATA included) is validated by domscan's own
 * validator (scanner/dnssec.h) and decides `dnssec_status` and the verdict:
 *   secure -> pass (warning with an RFC 8624 deprecated algorithm or NSEC3 iterations > 0,
 *   RFC 9276), insecure -> fail, bogus -> fail, error -> error.
 * Each used MX host name is validated the same way; those results are subtests
 * (dnssec_mx_exists, dnssec_mx_valid with "server") that count in the score but leave the
 * column verdict to the domain's own zone. An MX host's result is memoised for the run
 * (scan_memo(), key "dnssec-mx:<host>"): a shared platform MX is validated once, not once per
 * customer domain.
 *
 * Subtests and points (Internet.nl): dnssec_exists (secure pass, insecure fail, bogus pass,
 * error error), dnssec_valid (secure pass 10, insecure not_tested 2, bogus fail 0, error error
 * 0; max 10); the same per MX with the dnssec_mx_ prefix.
 */
#include "scanner/dnssec.h"
#include "scanner/check.h"
#include "scanner/memo.h"
#include "scanner/util.h"

#include <string.h>

static const char *const dnssec_columns[] = { "dnssec_status", NULL };

static int points_of(enum dnssec_status s)
{
	return s == DNSSEC_SECURE ? 10 : s == DNSSEC_INSECURE ? 2 : 0;
}

static enum verdict exists_verdict(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
	case DNSSEC_BOGUS:
		return VERDICT_PASS;
	case DNSSEC_INSECURE:
		return VERDICT_FAIL;
	case DNSSEC_ERROR:
	default:
		return VERDICT_ERROR;
	}
}

static enum verdict valid_verdict(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return VERDICT_PASS;
	case DNSSEC_INSECURE:
		return VERDICT_NOT_TESTED;
	case DNSSEC_BOGUS:
		return VERDICT_FAIL;
	case DNSSEC_ERROR:
	default:
		return VERDICT_ERROR;
	}
}

/* The existence subtest's message (id and English text) for a status other than error. */
static void exists_msg(enum dnssec_status s, const char **id, const char **text)
{
	switch (s) {
	case DNSSEC_SECURE:
		*id = MSG("dnssec.exists.signed"), *text = "signed";
		break;
	case DNSSEC_BOGUS:
		*id = MSG("dnssec.exists.bogus"), *text = "signed, but validation fails";
		break;
	case DNSSEC_INSECURE:
		*id = MSG("dnssec.exists.unsigned"), *text = "not signed";
		break;
	default:
		*id = MSG("dnssec.exists.unknown"), *text = "could not find out";
		break;
	}
}

/*
 * Warnings that make a secure zone `warning` (RFC 8624, RFC 9276) as a nested message
 * (msg_nested()), NULL when none.
 */
static json_t *secure_findings(const struct dnssec_result *r)
{
	if (r->status != DNSSEC_SECURE)
		return NULL;
	json_t *it = msg_args("iterations", json_integer(r->nsec3_iterations), NULL);
	if (r->deprecated_alg && r->nsec3_iterations > 0)
		return msg_nested(MSG("dnssec.finding.alg_and_iterations"),
				  "deprecated signing algorithm (RFC 8624) and NSEC3 with "
				  "{iterations} iterations (RFC 9276 recommends 0)",
				  it);
	if (r->nsec3_iterations > 0)
		return msg_nested(MSG("dnssec.finding.iterations"),
				  "NSEC3 with {iterations} iterations (RFC 9276 recommends 0)", it);
	json_decref(it);
	if (r->deprecated_alg)
		return msg_nested(MSG("dnssec.finding.alg"),
				  "deprecated signing algorithm (RSAMD5, DSA, RSASHA1 or "
				  "RSASHA1-NSEC3-SHA1; RFC 8624)",
				  NULL);
	return NULL;
}

/* The validity subtest's message for a status (the validator's reason as detail). */
static const char *valid_msg(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return MSG("dnssec.valid.secure");
	case DNSSEC_INSECURE:
		return MSG("dnssec.valid.insecure");
	case DNSSEC_BOGUS:
		return MSG("dnssec.valid.bogus");
	default:
		return MSG("dnssec.valid.error");
	}
}

static void add_pair(struct check_result *out, const char *prefix, const char *server,
		     const struct dnssec_result *r)
{
	char name[64];
	snprintf(name, sizeof(name), "%s_exists", prefix);
	json_t *o;
	if (r->status == DNSSEC_ERROR) {
		o = result_subtest_msg(out, name, exists_verdict(r->status),
				       MSG("dnssec.exists.error"), "{detail}",
				       msg_args("detail", json_str(r->reason), NULL));
	} else {
		const char *id, *text;
		exists_msg(r->status, &id, &text);
		o = result_subtest_msg(out, name, exists_verdict(r->status), id, text, NULL);
	}
	if (server)
		json_object_set_new(o, "server", json_str(server));
	snprintf(name, sizeof(name), "%s_valid", prefix);
	json_t *finding = secure_findings(r);
	enum verdict vv = valid_verdict(r->status);
	if (finding) {
		vv = VERDICT_WARNING;
		o = result_subtest_msg(out, name, vv, MSG("dnssec.valid.finding"),
				       "{status}: {finding}",
				       msg_args("status", json_str(dnssec_status_name(r->status)),
						"finding", finding, NULL));
	} else {
		o = result_subtest_msg(out, name, vv, valid_msg(r->status), "{status}: {detail}",
				       msg_args("status", json_str(dnssec_status_name(r->status)),
						"detail", json_str(r->reason), NULL));
	}
	if (server)
		json_object_set_new(o, "server", json_str(server));
	json_object_set_new(o, "points", json_integer(points_of(r->status)));
	json_object_set_new(o, "max", json_integer(10));
}

struct mx_arg {
	struct validator *v;
	const char *host;
};

static json_t *mx_compute(void *argp)
{
	const struct mx_arg *a = argp;
	struct dnssec_result r;
	validator_check(a->v, a->host, LDNS_RR_TYPE_SOA, &r);
	json_t *o = json_pack("{s:i, s:o, s:b, s:i}", "status", (int)r.status, "reason",
			      json_str(r.reason), "deprecated", r.deprecated_alg,
			      "nsec3_iterations", r.nsec3_iterations);
	dnssec_result_clear(&r);
	return o;
}

/* The validation of an MX host (memoised); clear *r with dnssec_result_clear(). */
static void mx_result(struct scan *s, const char *host, struct dnssec_result *r)
{
	struct mx_arg a = { scan_validator(s), host };
	char *key = xasprintf("dnssec-mx:%s", host);
	json_t *o = memo_get(scan_memo(s), key, mx_compute, &a);
	free(key);
	memset(r, 0, sizeof(*r));
	if (!json_is_integer(json_object_get(o, "status"))) {
		r->status = DNSSEC_ERROR;
		r->reason = xstrdup("internal error: no validation result");
		json_decref(o);
		return;
	}
	r->status = (enum dnssec_status)json_integer_value(json_object_get(o, "status"));
	const char *reason = json_string_value(json_object_get(o, "reason"));
	r->reason = xstrdup(reason ? reason : "");
	r->deprecated_alg = json_is_true(json_object_get(o, "deprecated"));
	r->nsec3_iterations = (int)json_integer_value(json_object_get(o, "nsec3_iterations"));
	json_decref(o);
}

static void dnssec_run(struct scan *s, struct check_result *out)
{
	const char *domain = scan_domain(s);
	struct validator *v = scan_validator(s);
	struct dnssec_result r;

	validator_check(v, domain, LDNS_RR_TYPE_SOA, &r);
	scan_set_column(s, "dnssec_status", json_string(dnssec_status_name(r.status)));
	enum verdict verdict;
	switch (r.status) {
	case DNSSEC_SECURE:
		verdict = (r.deprecated_alg || r.nsec3_iterations > 0) ? VERDICT_WARNING
								       : VERDICT_PASS;
		break;
	case DNSSEC_INSECURE:
	case DNSSEC_BOGUS:
		verdict = VERDICT_FAIL;
		break;
	case DNSSEC_ERROR:
	default:
		verdict = VERDICT_ERROR;
		result_set_error_msg(out, MSG("dnssec.error"), "dnssec: {detail}",
				     msg_args("detail", json_str(r.reason), NULL));
		break;
	}
	result_merge(out, verdict);
	json_object_set_new(out->detail, "status", json_string(dnssec_status_name(r.status)));
	json_object_set_new(out->detail, "reason", json_str(r.reason));
	if (r.detail)
		json_object_set(out->detail, "domain", r.detail);
	add_pair(out, "dnssec", NULL, &r);
	dnssec_result_clear(&r);

	const struct mx_set *mx = scan_mx(s);
	json_t *mxd = json_array();
	if (!mx || mx->status == MX_ERROR) {
		result_subtest_msg(out, "dnssec_mx_exists", VERDICT_ERROR, MSG("mx.lookup_failed"),
				   "MX lookup failed: {detail}",
				   msg_args("detail",
					    json_str(mx && mx->error ? mx->error : "unknown"),
					    NULL));
	} else if (mx->status == MX_NONE) {
		result_subtest_msg(out, "dnssec_mx_exists", VERDICT_NOT_TESTED, MSG("mx.none"),
				   "no MX", NULL);
	} else if (mx->status == MX_NULL) {
		result_subtest_msg(out, "dnssec_mx_exists", VERDICT_NOT_TESTED, MSG("mx.null"),
				   "null MX", NULL);
	} else {
		for (size_t i = 0; i < mx->n_hosts; i++) {
			const char *host = mx->hosts[i].name;
			if (!host || !*host || mx->hosts[i].is_ip_literal)
				continue;
			struct dnssec_result mr;
			mx_result(s, host, &mr);
			add_pair(out, "dnssec_mx", host, &mr);
			json_t *o = json_pack("{s:o, s:s, s:o}", "server", json_str(host), "status",
					      dnssec_status_name(mr.status), "reason",
					      json_str(mr.reason));
			json_array_append_new(mxd, o);
			dnssec_result_clear(&mr);
		}
	}
	json_object_set_new(out->detail, "mx", mxd);
}

const struct check check_dnssec = {
	.name = "dnssec",
	.title = "DNSSEC",
	.columns = dnssec_columns,
	.run = dnssec_run,
};
