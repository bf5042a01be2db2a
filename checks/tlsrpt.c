/*
 * tlsrpt — SMTP TLS reporting (RFC 8460); rules in ../shared/spec/verdicts.md ("tlsrpt").
 *
 * TXT `_smtp._tls.<domain>`, records starting `v=TLSRPTv1`: `pass` when exactly one and it
 * parses (rua= of mailto:/https: URIs); `fail` when it is malformed or there is more than one;
 * `info` when there is none (NXDOMAIN, NODATA or only other TXT); `error` when the lookup
 * failed.
 *
 * Detail keys: "queried", "records": [raw...], "record": raw (exactly one), "rua": [...],
 * "extensions": {...}, "syntax_error", "subtests" (one, "tlsrpt", not counted in the score).
 */
#include "checks/tlsrpt_parse.h"
#include "scanner/check.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_MAX 4096

static void verdict(struct check_result *out, enum verdict v, const char *msg, const char *reason)
{
	result_subtest_msg(out, "tlsrpt", v, msg, reason, NULL);
	out->verdict = v;
}

static void run(struct scan *s, struct check_result *out)
{
	if (!out->detail)
		out->detail = json_object();
	json_t *det = out->detail;
	char *qname = xasprintf("_smtp._tls.%s", scan_domain(s));
	json_object_set_new(det, "queried", json_str(qname));
	struct dns_reply *r = dns_query(scan_dns(s), qname, LDNS_RR_TYPE_TXT);
	enum dns_outcome o = dns_reply_outcome(r);
	if (o == DNS_FAILURE) {
		json_t *a = msg_args("name", json_str(qname), "detail",
				     json_str(dns_reply_error(r)), NULL);
		result_set_error_msg(out, MSG("dns.txt_lookup_failed"), "TXT {name}: {detail}",
				     json_deep_copy(a));
		result_subtest_msg(out, "tlsrpt", VERDICT_ERROR, MSG("dns.txt_lookup_failed"),
				   "TXT {name}: {detail}", a);
		out->verdict = VERDICT_ERROR;
		dns_reply_release(r);
		free(qname);
		return;
	}
	struct dns_txt *txt = NULL;
	size_t n = o == DNS_ANSWER ? dns_reply_txt(r, &txt) : 0;
	dns_reply_release(r);

	json_t *records = json_array();
	json_object_set_new(det, "records", records);
	size_t found = 0, which = 0;
	for (size_t i = 0; i < n; i++) {
		if (!tlsrpt_is_candidate(txt[i].data, txt[i].len))
			continue;
		json_array_append_new(records, json_text(txt[i].data, txt[i].len, RECORD_MAX));
		which = i;
		found++;
	}
	if (found == 0) {
		verdict(out, VERDICT_INFO, MSG("tlsrpt.none"), "no TLS-RPT record");
	} else if (found > 1) {
		verdict(out, VERDICT_FAIL, MSG("tlsrpt.several"), "more than one TLS-RPT record");
	} else {
		json_object_set_new(det, "record",
				    json_text(txt[which].data, txt[which].len, RECORD_MAX));
		struct tlsrpt_record rec;
		char *err = NULL;
		if (tlsrpt_parse(txt[which].data, txt[which].len, &rec, &err) != 0) {
			json_object_set_new(det, "syntax_error", json_str(err));
			result_subtest_msg(out, "tlsrpt", VERDICT_FAIL, MSG("tlsrpt.malformed"),
					   "malformed TLS-RPT record: {detail}",
					   msg_args("detail", json_str(err), NULL));
			out->verdict = VERDICT_FAIL;
			free(err);
		} else {
			json_t *j = tlsrpt_record_json(&rec);
			json_object_update(det, j);
			json_decref(j);
			verdict(out, VERDICT_PASS, MSG("tlsrpt.pass"), "one valid TLS-RPT record");
			tlsrpt_record_free(&rec);
		}
	}
	dns_txt_free(txt, n);
	free(qname);
}

const struct check check_tlsrpt = {
	.name = "tlsrpt",
	.title = "TLS-RPT",
	.run = run,
};
