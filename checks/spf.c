/*
 * The `spf` check: the domain's SPF record judged without a client IP (verdicts.md "spf"), the
 * `spf_lookups` column, Internet.nl's `spf` and `spf_policy` subtests; and `domscan
 * check-host`.
 */
#include "checks/spf.h"

#include "checks/spf_eval.h"
#include "scanner/check.h"
#include "scanner/memo.h"
#include "scanner/profile.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct memo_arg {
	const struct spf_dns *dns;
	const char *target;
};

static json_t *memo_build(void *arg)
{
	struct memo_arg *a = arg;
	return spf_tree_build(a->dns, a->target, NULL, NULL);
}

static json_t *resolve_shared(void *arg, const char *target)
{
	struct scan *s = arg;
	struct spf_dns dns = spf_dns_from_client(scan_dns(s));
	struct memo_arg a = { &dns, target };
	char *lt = str_lower(target);
	char *key = xasprintf("spf-tree:%s", lt);
	json_t *v = memo_get(scan_memo(s), key, memo_build, &a);
	free(key);
	free(lt);
	if (v && !json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static void add_reason(json_t *reasons, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_reason(json_t *reasons, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	json_array_append_new(reasons, json_str(m));
	free(m);
}

/* A scored subtest with message `msg`: its English text `tmpl` with `args` (stolen). */
static json_t *subtest_points(struct check_result *out, const char *name, enum verdict v,
			      int points, const char *msg, const char *tmpl, json_t *args)
{
	json_t *st = result_subtest_msg(out, name, v, msg, tmpl, args);
	json_object_set_new(st, "points", json_integer(points));
	json_object_set_new(st, "max", json_integer(10));
	return st;
}

/* Does any node of the tree have a child whose status is one of "none", "nxdomain". */
static bool tree_has_status(const json_t *node, const char *status)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(node, "children"), i, c)
	{
		const char *st = json_string_value(json_object_get(c, "status"));
		if (st && strcmp(st, status) == 0)
			return true;
		if (tree_has_status(c, status))
			return true;
	}
	return false;
}

/* ---- the profile's SPF part (--profile FILE, docs/profile.md) ----
 * spf_ips (aliases spf_ip, sending_ip, sending_ips): the platform's outgoing mail servers. */
static const char *const spf_profile_keys[] = { "spf_ips", "spf_ip", "sending_ips", "sending_ip",
						NULL };

/* The profile's sending IPs (valid addresses only; a new array). */
static json_t *profile_ips(const struct scan *s)
{
	json_t *ips = json_array();
	for (const char *const *k = spf_profile_keys; *k; k++) {
		const json_t *items = profile_items(scan_profile(s), *k);
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
		{
			const char *tok = json_string_value(it);
			unsigned char buf[16];
			if (inet_pton(AF_INET, tok, buf) == 1 || inet_pton(AF_INET6, tok, buf) == 1)
				json_array_append_new(ips, json_string(tok));
		}
	}
	return ips;
}

static int result_rank(enum spf_result r)
{
	switch (r) {
	case SPF_PASS:
		return 0;
	case SPF_NEUTRAL:
		return 2;
	case SPF_NONE:
		return 3;
	case SPF_SOFTFAIL:
		return 4;
	case SPF_FAIL:
		return 5;
	case SPF_TEMPERROR:
		return 6;
	case SPF_PERMERROR:
		return 7;
	}
	return 7;
}

static void platform_check(struct scan *s, struct check_result *out)
{
	json_t *ips = profile_ips(s);
	if (!json_array_size(ips)) {
		json_decref(ips);
		return;
	}
	struct spf_dns dns = spf_dns_from_client(scan_dns(s));
	const char *domain = scan_domain(s);
	char *mailfrom = xasprintf("postmaster@%s", domain);
	json_t *per = json_object();
	enum spf_result worst = SPF_PASS;
	size_t i;
	json_t *ip;
	json_array_foreach(ips, i, ip)
	{
		struct spf_request req = { json_string_value(ip), mailfrom, domain, NULL };
		struct spf_answer a;
		spf_check_host(&dns, &req, &a);
		json_object_set_new(per, json_string_value(ip),
				    json_string(spf_result_name(a.result)));
		if (result_rank(a.result) > result_rank(worst))
			worst = a.result;
		spf_answer_free(&a);
	}
	free(mailfrom);
	json_object_set_new(out->detail, "platform", per);
	scan_set_column(s, "spf_platform", json_string(spf_result_name(worst)));
	json_decref(ips);
}

static void run_spf_structure(struct scan *s, struct check_result *out);

static void run_spf(struct scan *s, struct check_result *out)
{
	run_spf_structure(s, out);
	platform_check(s, out);
}

static void run_spf_structure(struct scan *s, struct check_result *out)
{
	const char *domain = scan_domain(s);
	struct spf_dns dns = spf_dns_from_client(scan_dns(s));
	json_t *tree = spf_tree_build(&dns, domain, resolve_shared, s);
	json_t *d = out->detail;
	json_t *reasons = json_array();
	const char *st = json_string_value(json_object_get(tree, "status"));
	const json_t *rec = json_object_get(tree, "record");
	json_object_set(d, "record", rec ? (json_t *)rec : json_null());
	json_object_set(d, "tree", tree);
	const json_t *terms = json_object_get(tree, "terms");
	json_object_set(d, "terms", terms ? (json_t *)terms : json_null());
	json_object_set_new(d, "reasons", reasons);
	const char *why = json_string_value(json_object_get(tree, "reason"));

	if (strcmp(st, "error") == 0) {
		out->verdict = VERDICT_ERROR;
		const char *w = why ? why : "lookup failed";
		result_set_error_msg(out, MSG("spf.lookup_failed"), "{detail}",
				     msg_args("detail", json_str(w), NULL));
		add_reason(reasons, "%s", w);
		subtest_points(out, "spf", VERDICT_ERROR, 0, MSG("spf.lookup_failed"), "{detail}",
			       msg_args("detail", json_str(w), NULL));
		subtest_points(out, "spf_policy", VERDICT_ERROR, 0, MSG("spf.policy.lookup_failed"),
			       "could not look up the record", NULL);
		scan_set_column(s, "spf_lookups", json_null());
		json_decref(tree);
		return;
	}
	if (strcmp(st, "none") == 0 || strcmp(st, "nodata") == 0 || strcmp(st, "nxdomain") == 0 ||
	    strcmp(st, "multiple") == 0) {
		out->verdict = VERDICT_FAIL;
		bool multiple = strcmp(st, "multiple") == 0;
		const char *r = multiple ? why : "no SPF record";
		add_reason(reasons, "%s", r);
		if (multiple)
			subtest_points(out, "spf", VERDICT_FAIL, 0, MSG("spf.multiple"), "{detail}",
				       msg_args("detail", json_str(r), NULL));
		else
			subtest_points(out, "spf", VERDICT_FAIL, 0, MSG("spf.none"),
				       "no SPF record", NULL);
		subtest_points(out, "spf_policy", VERDICT_NOT_TESTED, 0,
			       MSG("spf.policy.no_record"), "no single SPF record", NULL);
		scan_set_column(s, "spf_lookups", json_null());
		json_decref(tree);
		return;
	}
	subtest_points(out, "spf", VERDICT_PASS, 10, MSG("spf.pass"), "one SPF record", NULL);
	if (strcmp(st, "syntax") == 0) {
		out->verdict = VERDICT_FAIL;
		add_reason(reasons, "%s", why ? why : "syntax error");
		subtest_points(out, "spf_policy", VERDICT_FAIL, 0, MSG("spf.policy.syntax"),
			       "{detail}",
			       msg_args("detail", json_str(why ? why : "syntax error"), NULL));
		scan_set_column(s, "spf_lookups", json_null());
		json_decref(tree);
		return;
	}

	int lookups = (int)json_integer_value(json_object_get(tree, "lookups"));
	int voids = (int)json_integer_value(json_object_get(tree, "voids"));
	scan_set_column(s, "spf_lookups", json_integer(lookups));
	json_object_set_new(d, "lookups", json_integer(lookups));
	json_object_set_new(d, "void_lookups", json_integer(voids));

	enum verdict v = VERDICT_PASS;
	int points = 10;
	const char *policy_reason = "SPF policy is sufficiently strict";
	const char *policy_msg = MSG("spf.policy.pass");
	bool policy_detail = false; /* policy_reason is the {detail} of policy_msg */
	/* the all term, directly or through the redirect chain */
	const json_t *all = json_object_get(tree, "all");
	bool redirect_macro = json_is_true(json_object_get(tree, "redirect_macro"));
	const char *allq = json_string_value(all);
	if (allq && (strcmp(allq, "+all") == 0 || strcmp(allq, "?all") == 0)) {
		v = VERDICT_FAIL;
		points = 2;
		policy_reason = "the record ends in a permissive all";
		policy_msg = MSG("spf.policy.permissive_all");
		add_reason(reasons, "the record ends in '%s'", allq[0] == '+' ? "+all/all" : allq);
	} else if (!allq && !redirect_macro) {
		v = VERDICT_FAIL;
		points = 2;
		policy_reason = "no all and no redirect= that ends in one";
		policy_msg = MSG("spf.policy.no_all");
		add_reason(reasons, "the record has no 'all' mechanism (directly or through its "
				    "redirect)");
	}
	if (lookups > 10) {
		v = VERDICT_FAIL;
		points = points < 2 ? points : 2;
		policy_reason = "too many DNS lookups";
		policy_msg = MSG("spf.policy.too_many_lookups");
		add_reason(reasons, "%d DNS-querying terms (limit 10, RFC 7208 §4.6.4)", lookups);
	}
	if (voids > 2) {
		v = VERDICT_FAIL;
		points = points < 2 ? points : 2;
		policy_reason = "too many void lookups";
		policy_msg = MSG("spf.policy.too_many_voids");
		add_reason(reasons, "%d void lookups (limit 2)", voids);
	}
	const json_t *perm = json_object_get(tree, "permerrors");
	if (json_array_size(perm) > 0) {
		v = VERDICT_FAIL;
		/* Internet.nl: an include/redirect target that does not resolve gives 2 points,
		 * one that exists but holds no usable record gives 0 */
		bool only_missing =
			(tree_has_status(tree, "nxdomain") || tree_has_status(tree, "nodata")) &&
			!tree_has_status(tree, "none") && !tree_has_status(tree, "multiple") &&
			!tree_has_status(tree, "syntax") && !tree_has_status(tree, "loop");
		int p = only_missing ? 2 : 0;
		points = points < p ? points : p;
		policy_reason = json_string_value(json_array_get(perm, 0));
		policy_msg = MSG("spf.policy.permerror");
		policy_detail = true;
		size_t i;
		json_t *m;
		json_array_foreach(perm, i, m)
		{
			json_array_append(reasons, m);
		}
	}
	const json_t *temp = json_object_get(tree, "temperrors");
	if (json_array_size(temp) > 0) {
		v = verdict_worst(v, VERDICT_ERROR);
		if (v == VERDICT_ERROR) {
			points = 0;
			policy_reason = json_string_value(json_array_get(temp, 0));
			policy_msg = MSG("spf.policy.temperror");
			policy_detail = true;
		}
		result_set_error_msg(out, MSG("spf.lookup_failed"), "{detail}",
				     msg_args("detail",
					      json_str(json_string_value(json_array_get(temp, 0))),
					      NULL));
		size_t i;
		json_t *m;
		json_array_foreach(temp, i, m)
		{
			json_array_append(reasons, m);
		}
	}
	if (v == VERDICT_PASS && json_is_true(json_object_get(tree, "ptr"))) {
		v = VERDICT_WARNING;
		policy_reason = "the record uses the deprecated ptr mechanism";
		policy_msg = MSG("spf.policy.ptr");
		add_reason(reasons, "uses 'ptr' (deprecated, RFC 7208 §5.5)");
	}
	out->verdict = v;
	if (policy_detail)
		subtest_points(
			out, "spf_policy", v, points, policy_msg, "{detail}",
			msg_args("detail", json_str(policy_reason ? policy_reason : ""), NULL));
	else
		subtest_points(out, "spf_policy", v, points, policy_msg, policy_reason, NULL);
	json_decref(tree);
}

static const char *const spf_columns[] = { "spf_lookups", "spf_platform", NULL };

const struct check check_spf = {
	.name = "spf",
	.title = "SPF",
	.columns = spf_columns,
	.profile_keys = spf_profile_keys,
	.run = run_spf,
};

int spf_check_host_main(const struct config *cfg)
{
	if (!cfg->ip || !cfg->mailfrom) {
		fprintf(stderr, "domscan check-host: --ip and --mailfrom are required\n");
		return 1;
	}
	struct dns_server fallback[8];
	struct dns_config dc = { 0 };
	dc.servers = cfg->resolvers;
	dc.n_servers = cfg->n_resolvers;
	if (dc.n_servers == 0) {
		dc.n_servers = dns_servers_from_resolv_conf("/etc/resolv.conf", fallback, 8);
		dc.servers = fallback;
	}
	if (dc.n_servers == 0) {
		fprintf(stderr, "domscan check-host: no usable resolver\n");
		return 1;
	}
	dc.timeout = cfg->timeout > 0 ? cfg->timeout : 5;
	dc.attempts = cfg->attempts > 0 ? cfg->attempts : 2;
	dc.qps = cfg->qps;
	char *err = NULL;
	struct dns_client *c = dns_client_new(&dc, &err);
	if (!c) {
		fprintf(stderr, "domscan check-host: %s\n", err ? err : "cannot start DNS client");
		free(err);
		return 1;
	}
	struct spf_dns dns = spf_dns_from_client(c);
	struct spf_request req = { cfg->ip, cfg->mailfrom, cfg->helo, NULL };
	struct spf_answer a;
	spf_check_host(&dns, &req, &a);
	int rc = 0;
	if (a.result == SPF_PERMERROR && a.reason && strcmp(a.reason, "invalid client IP") == 0) {
		fprintf(stderr, "domscan check-host: invalid --ip '%s'\n", cfg->ip);
		rc = 1;
	} else {
		printf("%s\n", spf_result_name(a.result));
		if (a.explanation) {
			char *safe = text_sanitize(a.explanation, strlen(a.explanation), 1024);
			printf("%s\n", safe);
			free(safe);
		}
		if (a.reason && getenv("DOMSCAN_SPF_DEBUG"))
			fprintf(stderr, "reason: %s\n", a.reason);
	}
	fflush(stdout);
	spf_answer_free(&a);
	dns_client_free(c);
	return rc;
}
