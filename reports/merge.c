/* `domscan merge`; see merge.h and docs/sharding.md. */
#include "reports/merge.h"
#include "reports/layout.h"
#include "reports/registry.h"
#include "reports/reread.h"
#include "scanner/input.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct part {
	const char *path;
	struct reread r;
	bool done;
	size_t row;   /* the head row's input_row */
	char *domain; /* the head row's domain cell */
	json_t *obj;  /* JSON parts: the head row, parsed */
	char **head;  /* CSV parts: the header fields */
	size_t n_head;
	long row_col; /* CSV parts: index of input_row */
};

/* An output file written beside its target and renamed at the end. */
struct target {
	const char *path; /* NULL = not wanted */
	char *tmp;        /* the file written; NULL for standard output */
};

static const char *target_file(struct target *t)
{
	if (strcmp(t->path, "-") == 0)
		return "-";
	if (!t->tmp)
		t->tmp = xasprintf("%s.merge-%ld.tmp", t->path, (long)getpid());
	return t->tmp;
}

static int target_finish(struct target *t, bool ok)
{
	if (!t->tmp)
		return 0;
	int rc = 0;
	if (ok && rename(t->tmp, t->path) != 0) {
		fprintf(stderr, "domscan: merge: %s: %s\n", t->path, strerror(errno));
		rc = -1;
	}
	if (!ok || rc != 0)
		unlink(t->tmp);
	free(t->tmp);
	t->tmp = NULL;
	return rc;
}

/* Read the part's next row into its head: 1, 0 at its end, -1 with *err. */
static int part_advance(struct part *p, bool json, char **err)
{
	json_decref(p->obj);
	p->obj = NULL;
	free(p->domain);
	p->domain = NULL;
	int rc = reread_line(&p->r);
	if (rc < 0) {
		*err = xasprintf("%s: %s", p->path, strerror(errno));
		return -1;
	}
	if (rc == 0) {
		if (p->r.torn) {
			*err = xasprintf(
				"%s: its last line is incomplete (the scan of this part did "
				"not finish: rerun it with --resume)",
				p->path);
			return -1;
		}
		p->done = true;
		return 0;
	}
	size_t num = 0;
	if (json) {
		json_error_t je;
		p->obj = json_loadb(p->r.line, p->r.len, 0, &je);
		const json_t *ir = json_object_get(p->obj, "input_row");
		const char *d = json_string_value(json_object_get(p->obj, "domain"));
		if (!json_is_integer(ir) || json_integer_value(ir) < 1 || !d) {
			*err = xasprintf(
				"%s: a line is not a row of a domscan JSON Lines report (%s)",
				p->path, p->obj ? "no input_row" : je.text);
			return -1;
		}
		num = (size_t)json_integer_value(ir);
		p->domain = xstrdup(d);
	} else {
		char **f;
		size_t nf;
		if (csv_split(p->r.line, p->r.len, &f, &nf) != 0) {
			*err = xasprintf("%s: a row is not valid CSV", p->path);
			return -1;
		}
		int bad = nf != p->n_head || parse_row_number(f[p->row_col], &num) != 0;
		if (!bad)
			p->domain = xstrdup(f[0]);
		csv_fields_free(f, nf);
		if (bad) {
			*err = xasprintf("%s: a row does not fit the header (no input_row)",
					 p->path);
			return -1;
		}
	}
	if (p->row && num <= p->row) {
		*err = xasprintf("%s: input row %zu follows input row %zu: not a report in input "
				 "order",
				 p->path, num, p->row);
		return -1;
	}
	p->row = num;
	return 1;
}

/* The part with the smallest head row, or NULL when all are done. */
static struct part *part_min(struct part *const *ps, size_t n)
{
	struct part *m = NULL;
	for (size_t i = 0; i < n; i++)
		if (!ps[i]->done && (!m || ps[i]->row < m->row))
			m = ps[i];
	return m;
}

/* merge --input: the scan's input rows, in order, to check the parts against. */
struct input_seq {
	char *const *files;
	size_t n, next;
	struct input *in;
	const struct layout *layout; /* for the domain cell a row gets */
};

/* The next input row: 1, 0 at the end, -1 with *err. */
static int seq_next(struct input_seq *s, struct input_row *row, char **err)
{
	for (;;) {
		if (!s->in) {
			if (s->next >= s->n)
				return 0;
			s->in = input_open(s->files[s->next++], err);
			if (!s->in)
				return -1;
		}
		int rc = input_next(s->in, row, err);
		if (rc != 0)
			return rc;
		input_close(s->in);
		s->in = NULL;
	}
}

static void seq_close(struct input_seq *s)
{
	if (s->in)
		input_close(s->in);
	s->in = NULL;
}

/*
 * Check the merged row `num` (domain cell `domain`) against the next input row; after the last
 * merged row (domain NULL) check that the input has no more rows. 0 or -1 with *err.
 */
static int seq_check(struct input_seq *s, size_t num, const char *domain, bool csv, char **err)
{
	struct input_row row;
	int rc = seq_next(s, &row, err);
	if (rc < 0)
		return -1;
	if (!domain) {
		if (rc == 0)
			return 0;
		*err = xasprintf(
			"the input has more rows than the parts (%zu): input row %zu (%s) "
			"and after it are in none of the parts: a part is missing or did not "
			"finish",
			num, num + 1, row.input ? row.input : "");
		input_row_clear(&row);
		return -1;
	}
	if (rc == 0) {
		*err = xasprintf(
			"the parts hold input row %zu (%s) but the input has only %zu rows: "
			"parts of another input",
			num, domain, num - 1);
		return -1;
	}
	char *want = layout_domain_cell(s->layout, &row, csv);
	if (strcmp(want, domain) != 0) {
		*err = xasprintf("input row %zu is %s in the parts but %s in the input: parts of "
				 "another input",
				 num, domain, want);
		rc = -1;
	} else {
		rc = 0;
	}
	free(want);
	input_row_clear(&row);
	return rc;
}

/* What a group's rows go to. */
struct sinks {
	FILE *text; /* the rows as written (and the CSV header) */
	const struct reporter *rep[2];
	void *h[2];
	size_t n_rep;
	struct layout *layout; /* for rebuilding JSON rows */
	struct input_seq *seq; /* merge --input, or NULL */
};

/*
 * Merge one group of parts (all CSV or all JSON) in input order into the sinks. Returns the
 * number of rows, or -1 with *err.
 */
static long merge_group(struct part *const *ps, size_t n, bool json, struct sinks *s, char **err)
{
	for (size_t i = 0; i < n; i++)
		if (part_advance(ps[i], json, err) < 0)
			return -1;
	size_t expected = 1;
	const struct part *prev = NULL;
	struct part *p;
	while ((p = part_min(ps, n))) {
		if (p->row < expected) {
			*err = xasprintf(
				"input row %zu is in both %s and %s: overlapping parts (the "
				"same shard twice, or parts of different scans)",
				p->row, prev->path, p->path);
			return -1;
		}
		if (p->row > expected) {
			*err = xasprintf(
				"input rows %zu to %zu are in none of the parts: a part is "
				"missing or did not finish",
				expected, p->row - 1);
			return -1;
		}
		if (s->seq && seq_check(s->seq, p->row, p->domain, !json, err) != 0)
			return -1;
		if (s->text) {
			fwrite(p->r.line, 1, p->r.len, s->text);
			fputc('\n', s->text);
		}
		if (json && s->n_rep) {
			struct input_row row;
			struct domain_result *res;
			char *e = NULL;
			if (report_rebuild(p->obj, s->layout, &row, &res, &e) != 0) {
				*err = xasprintf("%s: %s", p->path, e);
				free(e);
				return -1;
			}
			int rc = 0;
			for (size_t i = 0; i < s->n_rep; i++)
				rc |= s->rep[i]->row(s->h[i], &row, res);
			input_row_clear(&row);
			if (res)
				domain_result_unref(res);
			if (rc != 0) {
				*err = xstrdup("cannot write the merged report");
				return -1;
			}
		}
		if (s->text && ferror(s->text)) {
			*err = xstrdup("cannot write the merged report");
			return -1;
		}
		prev = p;
		expected++;
		if (part_advance(p, json, err) < 0)
			return -1;
	}
	if (s->seq && seq_check(s->seq, expected - 1, NULL, !json, err) != 0)
		return -1;
	return (long)expected - 1;
}

/* Open a part and sort it into a group by its first byte. -1 with *err. */
static int part_open(struct part *p, const char *path, bool *json, char **err)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	int rc = reread_open(&p->r, path, err);
	if (rc <= 0) {
		if (rc == 0)
			*err = xasprintf("%s: no such file", path);
		return -1;
	}
	int c = fgetc(p->r.fp);
	*json = c == EOF || c == '{';
	if (c != EOF)
		ungetc(c, p->r.fp);
	if (*json)
		return 0;
	if (reread_line(&p->r) != 1 || csv_split(p->r.line, p->r.len, &p->head, &p->n_head) != 0) {
		*err = xasprintf("%s: neither a CSV report (no header line) nor JSON Lines", path);
		return -1;
	}
	/* ours is the last column of that name (a carried one would have been renamed) */
	p->row_col = -1;
	for (size_t i = 0; i < p->n_head; i++)
		if (strcmp(p->head[i], "input_row") == 0)
			p->row_col = (long)i;
	if (p->row_col < 0) {
		*err = xasprintf("%s: no input_row column (not a report of this domscan version)",
				 path);
		return -1;
	}
	return 0;
}

static void part_close(struct part *p)
{
	reread_close(&p->r);
	json_decref(p->obj);
	free(p->domain);
	csv_fields_free(p->head, p->n_head);
}

int merge_run(const struct config *cfg, const struct check_table *checks)
{
	struct target csv = { 0 }, json = { 0 }, html = { 0 };
	for (size_t i = 0; i < cfg->n_outputs; i++) {
		const char *f = cfg->outputs[i].format;
		struct target *t = strcmp(f, "csv") == 0    ? &csv
				   : strcmp(f, "json") == 0 ? &json
							    : &html;
		t->path = cfg->outputs[i].path;
	}
	if (!cfg->n_outputs) {
		fprintf(stderr,
			"domscan: merge: nothing to write (give --csv, --json and/or --html)\n");
		return 1;
	}
	if (!cfg->n_inputs) {
		fprintf(stderr, "domscan: merge: no parts given\n");
		return 1;
	}
	size_t n = cfg->n_inputs, n_csv = 0, n_json = 0;
	struct part *parts = xcalloc(n, sizeof(*parts));
	struct part **csv_parts = xcalloc(n, sizeof(*csv_parts));
	struct part **json_parts = xcalloc(n, sizeof(*json_parts));
	char *err = NULL;
	int status = 0;
	size_t opened = 0;
	struct layout *plain_layout = NULL;
	struct input_seq seq_csv = { 0 }, seq_json = { 0 };
	for (; opened < n; opened++) {
		bool is_json;
		if (part_open(&parts[opened], cfg->inputs[opened], &is_json, &err) != 0) {
			opened++;
			status = 1;
			goto out;
		}
		if (is_json)
			json_parts[n_json++] = &parts[opened];
		else
			csv_parts[n_csv++] = &parts[opened];
	}
	for (size_t i = 1; i < n_csv; i++) {
		const struct part *a = csv_parts[0], *b = csv_parts[i];
		bool same = a->n_head == b->n_head;
		for (size_t k = 0; same && k < a->n_head; k++)
			same = strcmp(a->head[k], b->head[k]) == 0;
		if (!same) {
			err = xasprintf("%s and %s have different columns: not parts of one scan",
					a->path, b->path);
			status = 1;
			goto out;
		}
	}
	if ((json.path || html.path) && !n_json) {
		err = xstrdup("--json and --html need the JSON Lines parts (scan the shards with "
			      "--json)");
		status = 1;
		goto out;
	}
	long rows_csv = -1, rows_json = -1;
	/* merge --input: the domain cell is the first column whatever the input columns */
	struct report_meta plain = { .checks = checks, .cfg = cfg };
	plain_layout = layout_new(&plain);
	seq_csv =
		(struct input_seq){ cfg->merge_inputs, cfg->n_merge_inputs, 0, NULL, plain_layout };
	seq_json = seq_csv;
	if (n_csv) {
		struct sinks s = { .seq = cfg->n_merge_inputs ? &seq_csv : NULL };
		if (csv.path) {
			s.text = report_fopen(target_file(&csv), &err);
			if (!s.text) {
				status = 1;
				goto out;
			}
			/* the header as the parts have it */
			struct reread *r = &csv_parts[0]->r;
			fwrite(r->line, 1, r->len, s.text);
			fputc('\n', s.text);
		}
		rows_csv = merge_group(csv_parts, n_csv, false, &s, &err);
		if (s.text && report_fclose(s.text) != 0 && rows_csv >= 0) {
			err = xasprintf("%s: cannot write", csv.path);
			rows_csv = -1;
		}
		if (rows_csv < 0) {
			status = 1;
			goto out;
		}
	}
	if (n_json) {
		struct sinks s = { .seq = cfg->n_merge_inputs ? &seq_json : NULL };
		/* The carried input columns, for the layout of rebuilt rows: from the first row. */
		char **carry = NULL;
		for (size_t i = 0; i < n_json && !carry; i++) {
			struct part *p = json_parts[i];
			if (part_advance(p, true, &err) < 0) {
				status = 1;
				goto out;
			}
			if (!p->done && p->row == 1)
				carry = report_carry_names(p->obj);
			/* start the part again */
			json_decref(p->obj);
			p->obj = NULL;
			p->row = 0;
			p->done = false;
			rewind(p->r.fp);
			p->r.offset = 0;
		}
		if (!carry)
			carry = report_carry_names(NULL);
		struct report_meta meta = { .checks = checks,
					    .cfg = cfg,
					    .carry_columns = (const char *const *)carry };
		s.layout = layout_new(&meta);
		if (json.path) {
			s.text = report_fopen(target_file(&json), &err);
			if (!s.text)
				status = 1;
		}
		struct target *rebuilt[2] = { html.path ? &html : NULL,
					      csv.path && !n_csv ? &csv : NULL };
		for (size_t i = 0; i < 2 && status == 0; i++) {
			if (!rebuilt[i])
				continue;
			const struct reporter *rep =
				reporter_find(rebuilt[i] == &html ? "html" : "csv");
			void *h = rep ? rep->open(target_file(rebuilt[i]), &meta, &err) : NULL;
			if (!h) {
				if (!err)
					err = xstrdup("no such reporter in this build");
				status = 1;
				break;
			}
			s.rep[s.n_rep] = rep;
			s.h[s.n_rep++] = h;
		}
		if (status == 0)
			rows_json = merge_group(json_parts, n_json, true, &s, &err);
		if (rows_json < 0)
			status = 1;
		for (size_t i = 0; i < s.n_rep; i++)
			if (s.rep[i]->close(s.h[i]) != 0 && status == 0) {
				err = xstrdup("cannot finish the merged report");
				status = 1;
			}
		if (s.text && report_fclose(s.text) != 0 && status == 0) {
			err = xasprintf("%s: cannot write", json.path);
			status = 1;
		}
		layout_free(s.layout);
		report_names_free(carry);
		if (status)
			goto out;
	}
	if (rows_csv >= 0 && rows_json >= 0 && rows_csv != rows_json) {
		err = xasprintf(
			"the CSV parts hold %ld rows but the JSON Lines parts %ld: not parts "
			"of one scan",
			rows_csv, rows_json);
		status = 1;
	}
out:
	seq_close(&seq_csv);
	seq_close(&seq_json);
	layout_free(plain_layout);
	if (err)
		fprintf(stderr, "domscan: merge: %s\n", err);
	free(err);
	int fin = target_finish(&csv, status == 0);
	fin |= target_finish(&json, status == 0);
	fin |= target_finish(&html, status == 0);
	if (fin)
		status = 1;
	for (size_t i = 0; i < opened; i++)
		part_close(&parts[i]);
	free(parts);
	free(csv_parts);
	free(json_parts);
	return status;
}
