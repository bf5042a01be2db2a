/*
 * The HTML report's shared-infrastructure roll-up (reports/html_rollup.c): hosts counted once
 * per domain whichever checks name them, sorted by the number of dependent domains, bounded to
 * HTML_ROLLUP_TOP rows, findings worded from the checks' detail, network text escaped; and the
 * section appears in a full HTML report.
 */
#include "reports/html_rollup.h"
#include "reports_fixture.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* starttls servers[] entry: verdict, certificate days left (INT_MIN = none), TLS versions. */
static void add_starttls_server(struct domain_result *r, const char *host, const char *verdict,
				long long days, const char *version, const char *vclass)
{
	json_t *d = r->checks[FX_STARTTLS].detail;
	json_t *servers = json_object_get(d, "servers");
	if (!servers) {
		servers = json_array();
		json_object_set_new(d, "servers", servers);
	}
	json_t *addr = json_pack("{s:s,s:[{s:s,s:s}],s:{s:b}}", "ip", "192.0.2.1", "versions",
				 "name", version, "class", vclass, "cert", "trusted", 1);
	json_t *so =
		json_pack("{s:s,s:s,s:[o]}", "server", host, "verdict", verdict, "addresses", addr);
	if (days != INT_MIN) {
		json_object_set_new(so, "cert_days_left", json_integer(days));
		json_object_set_new(so, "cert_not_after", json_string("2030-01-02T03:04:05Z"));
	}
	json_array_append_new(servers, so);
}

/* The other checks' mentions of the same MX host, and name servers in the ipv6 detail. */
static void add_other_mentions(struct domain_result *r, const char *host, const char *dnssec,
			       int v6_addrs, int v6_points)
{
	json_object_set_new(r->checks[FX_DANE].detail, "servers",
			    json_pack("[{s:s,s:s}]", "server", host, "verdict", "fail"));
	json_object_set_new(r->checks[FX_DNSSEC].detail, "mx",
			    json_pack("[{s:s,s:s}]", "server", host, "status", dnssec));
	json_t *v6 = json_array();
	for (int i = 0; i < v6_addrs; i++)
		json_array_append_new(v6, json_pack("{s:s,s:b}", "address", "2001:db8::1",
						    "reachable", v6_points > 0));
	json_t *ipv6 = r->checks[FX_IPV6].detail;
	json_object_set_new(
		ipv6, "mx_hosts",
		json_pack("[{s:s,s:o,s:i}]", "name", host, "ipv6", v6, "points", v6_points));
	json_object_set_new(ipv6, "name_servers",
			    json_pack("[{s:s,s:[],s:i},{s:s,s:[{s:s}],s:i}]", "name",
				      "ns-v4only.example", "ipv6", "points", 0, "name",
				      "ns1.example", "ipv6", "address", "2001:db8::53", "points",
				      10));
}

/* noinline: GCC 12 at -O2 otherwise mistakes pointers into the result for pointers to the
 * inlined local `out` (-Wdangling-pointer). */
static __attribute__((noinline)) char *render(const struct html_rollup *r)
{
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	html_rollup_write(r, fp);
	fclose(fp);
	return out;
}

static void test_counts_and_findings(void **state)
{
	(void)state;
	struct html_rollup *ru = html_rollup_new(&fx_table);
	char name[32];
	for (int i = 0; i < 1240; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		struct domain_result *r = fx_result(name);
		add_starttls_server(r, "mx1.example.net", "pass", 9, "TLSv1.2", "sufficient");
		add_other_mentions(r, "mx1.example.net", "insecure", 0, 0);
		html_rollup_add(ru, r);
		domain_result_unref(r);
	}
	struct domain_result *r = fx_result("other.example");
	add_starttls_server(r, "mx.other.example", "fail", -3, "TLSv1", "insufficient");
	html_rollup_add(ru, r);
	html_rollup_add(ru, NULL);
	domain_result_unref(r);
	assert_int_equal(html_rollup_mx_count(ru), 2);
	assert_int_equal(html_rollup_ns_count(ru), 2);
	char *out = render(ru);
	/* The starttls, dane, dnssec and ipv6 mentions count one domain once. */
	assert_non_null(strstr(out,
			       "1,240 domains use <code>mx1.example.net</code>: its "
			       "certificate expires in 9 days; no valid DANE (TLSA) record; its "
			       "host name is DNSSEC-insecure; it has no IPv6 address</li>"));
	assert_non_null(strstr(out, "1,240 domains use <code>ns-v4only.example</code>: it has no "
				    "IPv6 address"));
	/* A host of one domain only is in the table but not among the shared findings. */
	assert_null(strstr(out, "domain uses <code>mx.other.example"));
	assert_non_null(strstr(out, "<code>mx.other.example</code><td class=\"num\" data-v=\"1\">1"
				    "<td class=\"v-fail\">fail<td class=\"v-fail\">TLSv1"
				    "<td class=\"v-fail\">expired 3 days ago (2030-01-02)"));
	assert_null(strstr(out, "<code>ns1.example</code>: ")); /* fine name server: no finding */
	assert_non_null(strstr(out,
			       "<code>ns1.example</code><td class=\"num\" data-v=\"1240\">1,240"
			       "<td class=\"num\">1<td class=\"v-pass\">reachable"));
	/* Most used first. */
	assert_true(strstr(out, "<code>mx1.example.net</code><td") <
		    strstr(out, "<code>mx.other.example</code><td"));
	free(out);
	html_rollup_free(ru);
}

static void test_bounded_and_escaped(void **state)
{
	(void)state;
	struct html_rollup *ru = html_rollup_new(&fx_table);
	char name[64];
	for (int i = 0; i < HTML_ROLLUP_TOP + 50; i++) {
		struct domain_result *r = fx_result("x.example");
		snprintf(name, sizeof(name), "mx%03d.example", i);
		add_starttls_server(r, name, "pass", INT_MIN, "TLSv1.3", "good");
		/* every host used by two domains, the hostile one by three */
		html_rollup_add(ru, r);
		html_rollup_add(ru, r);
		domain_result_unref(r);
	}
	for (int i = 0; i < 3; i++) {
		struct domain_result *r = fx_result("y.example");
		add_starttls_server(r, "<script>alert(1)</script>\"'&", "error", 5, "TLSv1.3",
				    "good");
		html_rollup_add(ru, r);
		domain_result_unref(r);
	}
	assert_int_equal(html_rollup_mx_count(ru), HTML_ROLLUP_TOP + 51);
	char *out = render(ru);
	assert_null(strstr(out, "<script>"));
	assert_non_null(strstr(out, "3 domains use <code>&lt;script&gt;alert(1)&lt;/script&gt;"
				    "&quot;&#39;&amp;</code>: its certificate expires in 5 days; "
				    "STARTTLS could not be tested</li>"));
	/* The hostile host (3 domains) heads the table; 100 rows, the other 51 counted. */
	const char *mx_table = strstr(out, "id=\"rollup-mx\""),
		   *ns_table = strstr(out, "rollup-ns");
	assert_non_null(mx_table);
	assert_non_null(ns_table);
	size_t rows = 0, at = (size_t)(mx_table - out), end = (size_t)(ns_table - out);
	for (const char *p; (p = strstr(out + at, "<tr><td>")) && (size_t)(p - out) < end;
	     at = (size_t)(p - out) + 1)
		rows++;
	assert_int_equal(rows, HTML_ROLLUP_TOP);
	assert_non_null(strstr(out, "and 51 more MX hosts, each used by 2 domains or fewer."));
	assert_non_null(strstr(out, "<code>mx098.example</code>"));
	assert_null(strstr(out, "<code>mx099.example</code>"));
	free(out);
	html_rollup_free(ru);
}

static void test_one_day(void **state)
{
	(void)state;
	struct html_rollup *ru = html_rollup_new(&fx_table);
	for (int i = 0; i < 4; i++) {
		struct domain_result *r = fx_result("z.example");
		add_starttls_server(r, i < 2 ? "soon.example" : "gone.example", "pass",
				    i < 2 ? 1 : -1, "TLSv1.3", "good");
		html_rollup_add(ru, r);
		domain_result_unref(r);
	}
	char *out = render(ru);
	assert_non_null(strstr(out, "2 domains use <code>gone.example</code>: its certificate "
				    "expired 1 day ago</li>"));
	assert_non_null(strstr(out, "2 domains use <code>soon.example</code>: its certificate "
				    "expires in 1 day</li>"));
	assert_non_null(strstr(out, ">1 day left (2030-01-02)"));
	assert_non_null(strstr(out, ">expired 1 day ago (2030-01-02)"));
	free(out);
	html_rollup_free(ru);
}

static void test_empty(void **state)
{
	(void)state;
	struct html_rollup *ru = html_rollup_new(&fx_table);
	struct domain_result *r = fx_result("nothing.example");
	html_rollup_add(ru, r);
	domain_result_unref(r);
	char *out = render(ru);
	assert_non_null(strstr(out, "None found"));
	free(out);
	html_rollup_free(ru);
}

/* The section is part of the full report, after the overview and before the domain table. */
static void test_in_report(void **state)
{
	(void)state;
	struct domain_result *r = fx_result("a.example");
	add_starttls_server(r, "mx.shared.example", "pass", 400, "TLSv1.3", "good");
	struct input_row rows[2] = { fx_row(1, "a.example", "a.example", NULL),
				     fx_row(2, "a.example", "a.example", NULL) };
	struct domain_result *results[2] = { r, r };
	char *out = fx_run(&reporter_html, NULL, rows, results, 2);
	const char *sec = strstr(out, "<h2 id=\"infrastructure\">");
	assert_non_null(sec);
	assert_true(strstr(out, "<h2>Overview</h2>") < sec);
	assert_true(sec < strstr(out, "<table id=\"domains\">"));
	/* A duplicate input line is one domain. */
	assert_non_null(strstr(sec, "<code>mx.shared.example</code><td class=\"num\" "
				    "data-v=\"1\">1<td class=\"v-pass\">pass<td class=\"v-pass\">"
				    "TLSv1.3<td class=\"v-pass\">400 days left (2030-01-02)"));
	free(out);
	fx_row_free(&rows[0]);
	fx_row_free(&rows[1]);
	domain_result_unref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_findings),
		cmocka_unit_test(test_bounded_and_escaped),
		cmocka_unit_test(test_one_day),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_in_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
