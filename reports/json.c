/*
 * The JSON Lines report (../shared/spec/cli.md "The JSON Lines report", docs/columns.md): one
 * compact, ASCII-only object per input row, in input order. Keys: every CSV column (numbers
 * for the score and count columns, null where the CSV cell is empty), then "line", "input",
 * "input_error" (why an invalid entry has no result; null otherwise), "input_columns" (the carried
 * input columns under their input names), "scores" (per category: pct, points, max) and "checks"
 * (per check: verdict, error and the check's full detail).
 * A check that did not pass carries "advice" ({"msg", "args", "text", "lang"}: the HTML
 * report's advice, its text in the --lang language; reports/advice.h, docs/i18n.md).
 * With --baseline the change columns are keys too, except that "changes" is an object
 * (baseline_changes_json()) instead of the CSV's compact text; close() returns 3 when a row
 * got worse.
 */
#include "reports/advice.h"
#include "reports/baseline.h"
#include "reports/i18n.h"
#include "reports/layout.h"
#include "reports/registry.h"
#include "reports/reread.h"
#include "scanner/input.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct json_out {
	FILE *fp;
	struct layout *layout;
	struct reread_kept *kept; /* --resume: the rows already in the file */
	size_t n_kept;
	struct baseline *base; /* shared (baseline_acquire), NULL without --baseline */
	bool regression;
	struct catalog *cat; /* the --lang catalogue for the advice text; NULL: none readable */
	const char *lang;    /* borrowed from the configuration */
};

/* The advice's language (not fatal: without a catalogue the advice has no "text"). */
static void load_catalog(struct json_out *h, const struct report_meta *meta)
{
	const struct config *cfg = meta ? meta->cfg : NULL;
	char *err = NULL;
	h->lang = cfg && cfg->lang ? cfg->lang : "en";
	h->cat = catalog_load_lang(cfg ? cfg->data_dir : NULL, h->lang, &err);
	free(err);
}

/* With --baseline: acquire the run's baseline for h (0), or -1 with *err. */
static int use_baseline(struct json_out *h, const struct report_meta *meta, char **err)
{
	if (!meta->cfg || !meta->cfg->baseline)
		return 0;
	h->base = baseline_acquire(meta->cfg->baseline, h->layout, err);
	return h->base ? 0 : -1;
}

static void *json_open(const char *path, const struct report_meta *meta, char **err)
{
	struct json_out *h = xcalloc(1, sizeof(*h));
	h->layout = layout_new(meta);
	/* the baseline first: an unusable one leaves no empty report behind */
	if (use_baseline(h, meta, err) != 0 || !(h->fp = report_fopen(path, err))) {
		baseline_release(h->base);
		layout_free(h->layout);
		free(h);
		return NULL;
	}
	load_catalog(h, meta);
	return h;
}

/* The "checks" member of one check. */
static json_t *check_object(const struct json_out *h, const struct check *ch,
			    const struct check_result *r, const struct domain_result *res)
{
	json_t *o = json_object();
	json_object_set_new(o, "verdict", json_string(verdict_name(r->verdict)));
	json_object_set_new(o, "error", json_str(r->error));
	/* The error as a message for people (docs/i18n.md), when the check gave one. */
	if (r->error_msg)
		json_object_set(o, "error_msg", r->error_msg);
	const char *k;
	json_t *v;
	json_object_foreach(r->detail, k, v)
	{
		if (strcmp(k, "verdict") != 0 && strcmp(k, "error") != 0)
			json_object_set(o, k, v);
	}
	json_t *a = ch->no_verdict_column ? NULL : advice_for(ch->name, r->verdict, res);
	if (a) {
		if (h->cat) {
			char *t = i18n_text(h->cat, json_string_value(json_object_get(a, "msg")),
					    json_object_get(a, "args"));
			json_object_set_new(a, "text", json_str(t));
			json_object_set_new(a, "lang", json_string(h->lang));
			free(t);
		}
		json_object_set_new(o, "advice", a);
	}
	return o;
}

static json_t *checks_object(const struct json_out *h, const struct layout *l,
			     const struct input_row *row, const struct domain_result *res)
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
			o = check_object(h, t->checks[i], &res->checks[i], res);
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
static json_t *report_row(struct json_out *h, const struct input_row *row,
			  const struct domain_result *res)
{
	const struct layout *l = h->layout;
	struct score sc;
	score_compute(res, l->checks, &sc);
	struct baseline_diff diff = { 0 };
	if (h->base) {
		baseline_compare_row(h->base, l, row, res, &sc, &diff);
		h->regression |= diff.regression;
	}
	json_t *o = json_object();
	for (size_t i = 0; i < l->n; i++) {
		const struct column *c = &l->cols[i];
		json_t *v;
		if (c->kind != COLUMN_CHANGE)
			v = layout_cell(l, c, row, res, &sc);
		else if (strcmp(c->name, "changes") == 0)
			v = baseline_changes_json(&diff);
		else
			v = baseline_cell(&diff, c->name);
		json_object_set_new(o, c->name, v);
	}
	baseline_diff_clear(&diff);
	json_object_set_new(o, "line", json_integer((json_int_t)row->line));
	json_object_set_new(o, "input", json_str(row->input));
	json_object_set_new(o, "input_error",
			    row->error && !res ? json_str(row->error) : json_null());
	json_object_set_new(o, "input_columns", carry_object(row->carry));
	json_object_set_new(o, "scores", scores_object(&sc));
	json_object_set_new(o, "checks", checks_object(h, l, row, res));
	return o;
}

static int json_row(void *handle, const struct input_row *row, const struct domain_result *res)
{
	struct json_out *h = handle;
	json_t *o = report_row(h, row, res);
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
	free(h->kept);
	baseline_release(h->base);
	catalog_free(h->cat);
	if (rc == 0 && h->regression)
		rc = 3; /* the engine exits 3 with --fail-on-regression */
	free(h);
	return rc;
}

/* --resume ------------------------------------------------------------------------------- */

/* Parse one line of a report; NULL with *err when it is not a row object. */
static json_t *parse_line(const char *path, const struct reread *r, size_t n, char **err)
{
	json_error_t je;
	json_t *o = json_loadb(r->line, r->len, 0, &je);
	if (!json_is_object(o)) {
		*err = xasprintf("%s: line %zu is not a JSON object: %s", path, n + 1,
				 o ? "other value" : je.text);
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * Read up to `max` complete lines of an existing report; with `h`, parse them and remember
 * the rows' identities. The number of lines, or -1 with *err.
 */
static long json_reread(const char *path, size_t max, struct json_out *h, off_t *end, char **err)
{
	struct reread r;
	*end = 0;
	int rc = reread_open(&r, path, err);
	if (rc <= 0)
		return rc;
	long n = 0;
	while ((size_t)n < max && (rc = reread_line(&r)) == 1) {
		if (h) {
			json_t *o = parse_line(path, &r, (size_t)n, err);
			if (!o) {
				reread_close(&r);
				return -1;
			}
			const json_t *ir = json_object_get(o, "input_row");
			const char *d = json_string_value(json_object_get(o, "domain"));
			if (!json_is_integer(ir) || json_integer_value(ir) < 1 || !d) {
				*err = xasprintf("%s: line %ld is not a row of a domscan report",
						 path, n + 1);
				json_decref(o);
				reread_close(&r);
				return -1;
			}
			for (size_t i = 0; i < h->layout->n; i++)
				if (!json_object_get(o, h->layout->cols[i].name)) {
					*err = xasprintf(
						"%s: its columns are not this run's (no %s; a "
						"report of another input or build)",
						path, h->layout->cols[i].name);
					json_decref(o);
					reread_close(&r);
					return -1;
				}
			h->kept = xrealloc(h->kept, ((size_t)n + 1) * sizeof(*h->kept));
			h->kept[n] = (struct reread_kept){ (size_t)json_integer_value(ir),
							   reread_hash(d) };
			json_decref(o);
		}
		n++;
		*end = r.offset;
	}
	if (rc < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		n = -1;
	}
	reread_close(&r);
	return n;
}

static long json_resume_count(const char *path, const struct report_meta *meta, char **err)
{
	(void)meta;
	off_t end;
	return json_reread(path, SIZE_MAX, NULL, &end, err);
}

static void *json_resume_open(const char *path, const struct report_meta *meta, size_t keep,
			      char **err)
{
	struct json_out *h = xcalloc(1, sizeof(*h));
	h->layout = layout_new(meta);
	if (use_baseline(h, meta, err) != 0) {
		layout_free(h->layout);
		free(h);
		return NULL;
	}
	off_t end;
	long n = json_reread(path, keep, h, &end, err);
	if (n >= 0 && (size_t)n < keep) {
		*err = xasprintf("%s: shorter than when it was counted", path);
		n = -1;
	}
	if (n < 0)
		goto fail;
	h->n_kept = (size_t)n;
	/* cut off whatever follows the kept rows (a torn line, rows of other reports) */
	if (truncate(path, end) != 0 || !(h->fp = fopen(path, "a"))) {
		if (errno == ENOENT && n == 0 && (h->fp = report_fopen(path, err))) {
			load_catalog(h, meta);
			return h;
		}
		if (!*err)
			*err = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	load_catalog(h, meta);
	return h;
fail:
	baseline_release(h->base);
	layout_free(h->layout);
	free(h->kept);
	free(h);
	return NULL;
}

static int json_resume_check(void *handle, size_t n, const struct input_row *row, char **err)
{
	struct json_out *h = handle;
	return reread_kept_check(h->kept, h->n_kept, n, row, h->layout, false, "JSON", err);
}

static int json_replay(const char *path, const struct report_meta *meta, size_t keep,
		       int (*sink)(void *arg, const struct input_row *row,
				   const struct domain_result *res),
		       void *arg, char **err)
{
	struct reread r;
	int rc = reread_open(&r, path, err);
	if (rc <= 0) {
		if (rc == 0 && keep > 0)
			*err = xasprintf("%s: missing", path);
		return rc == 0 && keep == 0 ? 0 : -1;
	}
	struct layout *l = layout_new(meta);
	int status = 0;
	for (size_t n = 0; n < keep && status == 0; n++) {
		if (reread_line(&r) != 1) {
			*err = xasprintf("%s: ends before row %zu", path, n + 1);
			status = -1;
			break;
		}
		json_t *o = parse_line(path, &r, n, err);
		struct input_row row;
		struct domain_result *res;
		if (!o || report_rebuild(o, l, &row, &res, err) != 0) {
			json_decref(o);
			status = -1;
			break;
		}
		if (sink(arg, &row, res) != 0) {
			*err = xasprintf("cannot write row %zu", n + 1);
			status = -1;
		}
		input_row_clear(&row);
		if (res)
			domain_result_unref(res);
		json_decref(o);
	}
	layout_free(l);
	reread_close(&r);
	return status;
}

const struct reporter reporter_json = {
	.format = "json",
	.open = json_open,
	.row = json_row,
	.close = json_close,
	.resume_count = json_resume_count,
	.resume_open = json_resume_open,
	.resume_check = json_resume_check,
	.replay = json_replay,
};
