/*
 * The MX listing (verdicts.md "MX hosts"): fills the `mx` column (host names in preference
 * order, "." for a null MX) and records the MX set in the detail. It has no verdict column;
 * starttls, dane and ipv6 judge the hosts.
 */
#include "scanner/check.h"
#include "scanner/profile.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const mx_columns[] = { "mx", "mx_platform", NULL };

/* The profile's MX part (--profile FILE, docs/profile.md): mx (alias mx_hosts) lists the
 * platform's mail servers. */
static const char *const mx_profile_keys[] = { "mx", "mx_hosts", NULL };

static bool in_profile(const struct scan *s, const char *host)
{
	size_t nh = strlen(host);
	if (nh && host[nh - 1] == '.')
		nh--;
	for (const char *const *k = mx_profile_keys; *k; k++) {
		const json_t *items = profile_items(scan_profile(s), *k);
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
		{
			const char *v = json_string_value(it);
			size_t nv = strlen(v);
			if (nv && v[nv - 1] == '.')
				nv--;
			if (nv == nh && strncasecmp(v, host, nh) == 0)
				return true;
		}
	}
	return false;
}

/*
 * The mx_platform column: `pass` when the domain's mail is handled by the platform (it has MX
 * hosts and every one is in the profile), `fail` when it has none or another host, `error` when
 * the MX lookup failed.
 */
static void platform_check(struct scan *s, const struct mx_set *m, json_t *d)
{
	if (!profile_items(scan_profile(s), "mx") && !profile_items(scan_profile(s), "mx_hosts"))
		return;
	enum verdict v = VERDICT_PASS;
	json_t *other = json_array();
	const char *why = "every MX host is the platform's";
	if (m->status == MX_ERROR) {
		v = VERDICT_ERROR;
		why = "the MX lookup failed";
	} else if (m->status != MX_OK || m->n_hosts == 0) {
		v = VERDICT_FAIL;
		why = m->status == MX_NULL ? "null MX: the domain receives no mail"
					   : "no MX record";
	} else {
		for (size_t i = 0; i < m->n_hosts; i++)
			if (!in_profile(s, m->hosts[i].name))
				json_array_append_new(other, json_str(m->hosts[i].name));
		if (json_array_size(other)) {
			v = VERDICT_FAIL;
			why = "an MX host is not the platform's";
		}
	}
	json_t *pl = json_object();
	json_object_set_new(pl, "result", json_string(verdict_name(v)));
	json_object_set_new(pl, "reason", json_string(why));
	json_object_set_new(pl, "other_hosts", other);
	json_object_set_new(d, "platform", pl);
	scan_set_column(s, "mx_platform", json_string(verdict_name(v)));
}

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
		result_set_error_msg(out, MSG("mx.error"), "{detail}",
				     msg_args("detail", json_str(m->error), NULL));
		scan_set_column(s, "mx", json_string(""));
		platform_check(s, m, d);
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
	platform_check(s, m, d);
}

const struct check check_mx = {
	.name = "mx",
	.title = "MX hosts",
	.columns = mx_columns,
	.profile_keys = mx_profile_keys,
	.no_verdict_column = true,
	.run = mx_run,
};
