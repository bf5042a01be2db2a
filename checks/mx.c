/*
 * The MX listing (verdicts.md "MX hosts"): fills the `mx` column (host names in preference
 * order, "." for a null MX) and records the MX set in the detail. It has no verdict column;
 * starttls, dane and ipv6 judge the hosts.
 */
#include "scanner/check.h"
#include "scanner/util.h"

#include <stdlib.h>

static const char *const mx_columns[] = { "mx", NULL };

static void mx_run(struct scan *s, struct check_result *out)
{
	const struct mx_set *m = scan_mx(s);
	json_t *d = out->detail;
	static const char *const status_words[] = {
		[MX_OK] = "ok", [MX_NONE] = "no_mx", [MX_NULL] = "null_mx", [MX_ERROR] = "error"
	};
	json_object_set_new(d, "status", json_string(status_words[m->status]));
	if (m->status == MX_ERROR) {
		out->verdict = VERDICT_ERROR;
		result_set_error(out, "%s", m->error);
		scan_set_column(s, "mx", json_string(""));
		return;
	}
	out->verdict = VERDICT_PASS;
	char *col = mx_column(m);
	scan_set_column(s, "mx", json_str(col));
	free(col);
	json_object_set_new(d, "records", json_integer((json_int_t)m->n_records));
	if (m->null_with_others)
		json_object_set_new(d, "null_mx_with_other_mx", json_true());
	json_t *hosts = json_array();
	for (size_t i = 0; i < m->n_hosts; i++) {
		const struct mx_host *h = &m->hosts[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_str(h->name));
		json_object_set_new(o, "preference", json_integer(h->preference));
		json_t *a = json_array();
		for (size_t j = 0; j < h->n_v4; j++)
			json_array_append_new(a, json_str(h->v4[j]));
		json_object_set_new(o, "ipv4", a);
		a = json_array();
		for (size_t j = 0; j < h->n_v6; j++)
			json_array_append_new(a, json_str(h->v6[j]));
		json_object_set_new(o, "ipv6", a);
		if (h->is_cname)
			json_object_set_new(o, "is_cname", json_true());
		if (h->is_ip_literal)
			json_object_set_new(o, "is_ip_literal", json_true());
		if (h->addr_error)
			json_object_set_new(o, "address_error", json_str(h->addr_reason));
		json_array_append_new(hosts, o);
	}
	json_object_set_new(d, "hosts", hosts);
}

const struct check check_mx = {
	.name = "mx",
	.title = "MX hosts",
	.columns = mx_columns,
	.no_verdict_column = true,
	.run = mx_run,
};
