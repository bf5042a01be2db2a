/*
 * The JSON Lines report (../shared/spec/cli.md "The JSON Lines report", docs/columns.md): one
 * compact, ASCII-only object per input row, in input order. Keys: every CSV column (numbers
 * for the score and count columns, null where the CSV cell is empty), then "line", "input",
 * "input_columns" (the carried input columns under their input names), "scores" (per category:
 * pct, points, max) and "checks" (per check: verdict, error and the check's full detail).
 */
#include "reports/layout.h"
#include "reports/registry.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

struct json_out {
	FILE *fp;
	struct layout *layout;
};

static void *json_open(const char *path, const struct report_meta *meta, char **err)
{
	FILE *fp = report_fopen(path, err);
	if (!fp)
		return NULL;
	struct json_out *h = xcalloc(1, sizeof(*h));
	h->fp = fp;
	h->layout = layout_new(meta);
	return h;
}

/* The "checks" member of one check. */
static json_t *check_object(const struct check_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "verdict", json_string(verdict_name(r->verdict)));
	json_object_set_new(o, "error", json_str(r->error));
	const char *k;
	json_t *v;
	json_object_foreach(r->detail, k, v)
	{
		if (strcmp(k, "verdict") != 0 && strcmp(k, "error") != 0)
			json_object_set(o, k, v);
	}
	return o;
}

static json_t *checks_object(const struct layout *l, const struct input_row *row,
			     const struct domain_result *res)
{
	json_t *checks = json_object();
	const struct check_table *t = l->checks;
	bool failed = layout_row_failed(row, res);
	char *row_error = failed ? layout_row_error(l, row, res) : NULL;
	for (size_t i = 0; t && i < t->n; i++) {
		const char *name = t->checks[i]->name;
		json_t *o;
		if (failed) {
			o = json_object();
			json_object_set_new(o, "verdict", json_string(verdict_name(VERDICT_ERROR)));
			json_object_set_new(o, "error", json_str(row_error));
		} else if (i < res->n_checks) {
			o = check_object(&res->checks[i]);
		} else {
			continue;
		}
		json_object_set_new(checks, name, o);
	}
	free(row_error);
	/* The contract's checks are always there, even when not built in. */
	for (const char *const *n = layout_contract_verdicts; *n; n++) {
		if (json_object_get(checks, *n))
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "verdict", json_string(verdict_name(VERDICT_NOT_TESTED)));
		json_object_set_new(o, "error", json_null());
		json_object_set_new(checks, *n, o);
	}
	return checks;
}

static json_t *carry_object(const json_t *carry)
{
	json_t *o = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)carry, k, v)
	{
		json_object_set_new(o, k,
				    json_is_string(v) ? json_text(json_string_value(v),
								  json_string_length(v), 65536)
						      : json_deep_copy(v));
	}
	return o;
}

static json_t *scores_object(const struct score *sc)
{
	json_t *o = json_object();
	for (int c = 0; c < SCORE_N_CATEGORIES; c++) {
		const struct score_part *p = &sc->cat[c];
		json_t *cat = json_object();
		json_object_set_new(cat, "pct", p->pct >= 0 ? json_integer(p->pct) : json_null());
		json_object_set_new(cat, "points", json_integer(p->points));
		json_object_set_new(cat, "max", json_integer(p->max));
		json_object_set_new(o, score_category_name((enum score_category)c), cat);
	}
	return o;
}

/* The whole JSON object of one row (new reference). */
static json_t *report_row(const struct layout *l, const struct input_row *row,
			  const struct domain_result *res)
{
	struct score sc;
	score_compute(res, l->checks, &sc);
	json_t *o = json_object();
	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(o, l->cols[i].name, layout_cell(l, &l->cols[i], row, res, &sc));
	json_object_set_new(o, "line", json_integer((json_int_t)row->line));
	json_object_set_new(o, "input", json_str(row->input));
	json_object_set_new(o, "input_columns", carry_object(row->carry));
	json_object_set_new(o, "scores", scores_object(&sc));
	json_object_set_new(o, "checks", checks_object(l, row, res));
	return o;
}

static int json_row(void *handle, const struct input_row *row, const struct domain_result *res)
{
	struct json_out *h = handle;
	json_t *o = report_row(h->layout, row, res);
	int rc = json_dumpf(o, h->fp, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	fputc('\n', h->fp);
	return rc < 0 || ferror(h->fp) ? -1 : 0;
}

static int json_close(void *handle)
{
	struct json_out *h = handle;
	if (!h)
		return 0;
	int rc = report_fclose(h->fp);
	layout_free(h->layout);
	free(h);
	return rc;
}

const struct reporter reporter_json = {
	.format = "json",
	.open = json_open,
	.row = json_row,
	.close = json_close,
};
