/*
 * synth_report: a large synthetic report through the real reporters, for the browser test.
 *
 *   synth_report ROWS OUT.html TEMPLATE.jsonl...
 *
 * Reads the JSON Lines reports of real scans (the test network), rebuilds each row's
 * domain_result (verdicts, errors, the checks' full detail, the check columns) and writes ROWS
 * rows through the real HTML reporter, cycling through the templates; row k gets the domain
 * "s<k>-<template domain>" so that every row is a distinct domain with its own detail section.
 * Invalid input rows of the templates stay invalid rows. Prints the row count and the seconds
 * the reporter took to stderr.
 *
 * Ownership: everything built here is freed before exit (ASan/LSan clean).
 */
#include "checks/registry.h"
#include "reports/registry.h"
#include "scanner/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct template
{
	json_t *row; /* one parsed JSON Lines object (owned) */
	bool invalid;
};

static bool row_invalid(json_t *o)
{
	const json_t *checks = json_object_get(o, "checks");
	const char *err = json_string_value(json_object_get(o, "error"));
	const char *k;
	json_t *c;
	if (!err || !json_is_null(json_object_get(o, "score")))
		return false;
	json_object_foreach((json_t *)checks, k, c)
	{
		const char *v = json_string_value(json_object_get(c, "verdict"));
		const char *e = json_string_value(json_object_get(c, "error"));
		if (!v || strcmp(v, "error") != 0 || !e || strcmp(e, err) != 0)
			return false;
	}
	return true;
}

/* Row keys that are not check columns. */
static bool meta_key(const char *k)
{
	static const char *const keys[] = { "line",   "input", "input_columns", "scores",
					    "checks", "score", "error",         NULL };
	for (const char *const *p = keys; *p; p++)
		if (strcmp(k, *p) == 0)
			return true;
	return false;
}

static struct domain_result *rebuild(const struct check_table *t, const json_t *o,
				     const char *domain)
{
	struct domain_result *r = domain_result_new(domain, t->n);
	const json_t *checks = json_object_get(o, "checks");
	for (size_t i = 0; i < t->n; i++) {
		const json_t *c = json_object_get(checks, t->checks[i]->name);
		struct check_result *cr = &r->checks[i];
		int v = verdict_parse(json_string_value(json_object_get(c, "verdict")));
		cr->verdict = v < 0 ? VERDICT_NOT_TESTED : (enum verdict)v;
		const char *e = json_string_value(json_object_get(c, "error"));
		if (e)
			result_set_error(cr, "%s", e);
		const char *k;
		json_t *v2;
		json_object_foreach((json_t *)c, k, v2)
		{
			if (strcmp(k, "verdict") != 0 && strcmp(k, "error") != 0)
				json_object_set(cr->detail, k, v2);
		}
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		if (!meta_key(k) && (json_is_string(v) || json_is_integer(v) || json_is_null(v)))
			json_object_set(r->columns, k, v);
	}
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: synth_report ROWS OUT.html TEMPLATE.jsonl...\n");
		return 2;
	}
	size_t rows = strtoul(argv[1], NULL, 10);
	struct template *tpl = NULL;
	size_t n_tpl = 0;
	for (int a = 3; a < argc; a++) {
		FILE *fp = fopen(argv[a], "r");
		if (!fp)
			die("cannot open %s", argv[a]);
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, fp) > 0) {
			json_error_t jerr;
			json_t *o = json_loads(line, 0, &jerr);
			if (!json_is_object(o))
				die("%s: not JSON Lines: %s", argv[a], jerr.text);
			tpl = xrealloc(tpl, (n_tpl + 1) * sizeof(*tpl));
			tpl[n_tpl].row = o;
			tpl[n_tpl].invalid = row_invalid(o);
			n_tpl++;
		}
		free(line);
		fclose(fp);
	}
	if (!n_tpl || !rows)
		die("no templates or no rows");

	/* The carried input columns: those of the first template. */
	const json_t *carry0 = json_object_get(tpl[0].row, "input_columns");
	size_t n_carry = json_object_size(carry0);
	const char **carry = xcalloc(n_carry + 1, sizeof(*carry));
	{
		size_t i = 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)carry0, k, v)
		{
			carry[i++] = k;
		}
	}

	const struct check_table *t = checks_table();
	struct config cfg = { 0 };
	cfg.data_dir = (char *)(getenv("DOMSCAN_DATADIR") ? getenv("DOMSCAN_DATADIR") : "data");
	struct report_meta meta = { .checks = t, .cfg = &cfg, .carry_columns = carry };
	const struct reporter *rep = reporter_find("html");
	char *err = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	void *h = rep->open(argv[2], &meta, &err);
	if (!h)
		die("%s: %s", argv[2], err ? err : "cannot open");
	for (size_t k = 0; k < rows; k++) {
		const struct template *tp = &tpl[k % n_tpl];
		const char *dom = json_string_value(json_object_get(tp->row, "domain"));
		const char *input = json_string_value(json_object_get(tp->row, "input"));
		char *name = xasprintf("s%zu-%s", k, dom ? dom : "");
		struct input_row row = { 0 };
		row.line = k + 2;
		row.index = k;
		row.input = tp->invalid ? xstrdup(input ? input : "") : xstrdup(name);
		row.carry = json_deep_copy(json_object_get(tp->row, "input_columns"));
		struct domain_result *res = NULL;
		if (tp->invalid) {
			row.error = xstrdup(json_string_value(json_object_get(tp->row, "error")));
		} else {
			row.domain = xstrdup(name);
			res = rebuild(t, tp->row, name);
		}
		if (rep->row(h, &row, res) != 0)
			die("writing row %zu failed", k);
		if (res)
			domain_result_unref(res);
		free(row.input);
		free(row.domain);
		free(row.error);
		json_decref(row.carry);
		free(name);
	}
	if (rep->close(h) != 0)
		die("closing %s failed", argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "synth_report: %zu rows from %zu templates in %.2f s\n", rows, n_tpl,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(carry);
	for (size_t i = 0; i < n_tpl; i++)
		json_decref(tpl[i].row);
	free(tpl);
	return 0;
}
