/*
 * Shared fixture of the reporter unit tests (test_csv, test_json, test_html, test_score): a
 * small check table of stand-in checks, domain results built by hand, and a reporter run into
 * a temporary file. Header-only: each test is one executable.
 */
#pragma once

#include "reports/registry.h"
#include "scanner/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const fx_mx_columns[] = { "mx", NULL };
static const char *const fx_extra_columns[] = { "extra_value", "error", "score_auth", NULL };

static const struct check fx_mx = {
	.name = "mx", .title = "MX", .columns = fx_mx_columns, .no_verdict_column = true
};
static const struct check fx_dnssec = { .name = "dnssec", .title = "DNSSEC" };
static const struct check fx_spf = { .name = "spf", .title = "SPF" };
static const struct check fx_dmarc = { .name = "dmarc", .title = "DMARC" };
static const struct check fx_dkim = { .name = "dkim", .title = "DKIM" };
static const struct check fx_starttls = { .name = "starttls", .title = "STARTTLS" };
static const struct check fx_dane = { .name = "dane", .title = "DANE" };
static const struct check fx_ipv6 = { .name = "ipv6", .title = "IPv6" };
static const struct check fx_extra = { .name = "extra",
				       .title = "Extra",
				       .columns = fx_extra_columns };

/* caa, mta_sts and tlsrpt are left out on purpose: their columns must still be there. */
static const struct check *const fx_checks[] = {
	&fx_mx,       &fx_dnssec, &fx_spf,  &fx_dmarc, &fx_dkim,
	&fx_starttls, &fx_dane,   &fx_ipv6, &fx_extra,
};
static const struct check_table fx_table = { .checks = fx_checks,
					     .n = sizeof(fx_checks) / sizeof(fx_checks[0]) };

enum { FX_MX, FX_DNSSEC, FX_SPF, FX_DMARC, FX_DKIM, FX_STARTTLS, FX_DANE, FX_IPV6, FX_EXTRA };

static inline struct domain_result *fx_result(const char *domain)
{
	struct domain_result *r = domain_result_new(domain, fx_table.n);
	for (size_t i = 0; i < fx_table.n; i++)
		r->checks[i].verdict = VERDICT_PASS;
	r->checks[FX_MX].verdict = VERDICT_NOT_TESTED;
	return r;
}

/* A counted subtest: points of max, optionally for a server. */
static inline void fx_sub(struct domain_result *r, int check, const char *name, enum verdict st,
			  int points, int max, const char *server)
{
	json_t *o = result_subtest_obj(&r->checks[check], name, st, "reason of %s", name);
	if (max >= 0) {
		json_object_set_new(o, "points", json_integer(points));
		json_object_set_new(o, "max", json_integer(max));
	}
	if (server)
		json_object_set_new(o, "server", json_string(server));
}

static inline struct input_row fx_row(size_t line, const char *input, const char *domain,
				      const char *error)
{
	struct input_row row = { 0 };
	row.line = line;
	row.index = line - 1;
	row.input = xstrdup(input);
	row.domain = domain ? xstrdup(domain) : NULL;
	row.error = error ? xstrdup(error) : NULL;
	return row;
}

static inline void fx_row_free(struct input_row *row)
{
	free(row->input);
	free(row->domain);
	free(row->error);
	json_decref(row->carry);
}

/* Run `rep` over n rows into a temporary file and return the file's contents (malloc'd). */
static inline char *fx_run(const struct reporter *rep, const char *const *carry,
			   const struct input_row *rows, struct domain_result *const *results,
			   size_t n)
{
	char path[] = "/tmp/domscan-report-test-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	close(fd);
	struct config cfg = { 0 };
	cfg.data_dir = (char *)(getenv("DOMSCAN_DATADIR") ? getenv("DOMSCAN_DATADIR") : "data");
	struct report_meta meta = { .checks = &fx_table, .cfg = &cfg, .carry_columns = carry };
	char *err = NULL;
	void *h = rep->open(path, &meta, &err);
	if (!h)
		die("open: %s", err ? err : "?");
	for (size_t i = 0; i < n; i++)
		if (rep->row(h, &rows[i], results[i]) != 0)
			die("row %zu failed", i);
	if (rep->close(h) != 0)
		die("close failed");
	FILE *fp = fopen(path, "r");
	struct buf b;
	buf_init(&b, 1u << 30);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, k);
	fclose(fp);
	unlink(path);
	return buf_steal(&b);
}
