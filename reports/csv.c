/*
 * The CSV report (../shared/spec/cli.md "The CSV report", docs/columns.md): UTF-8, a header row,
 * then one row per input row in input order. Fields are quoted as RFC 4180 says, only where
 * needed (a comma, a double quote, CR or LF; quotes doubled); lines end in LF. Text cells that a
 * spreadsheet would read as a formula get a leading `'`; control characters never reach a cell
 * (text_sanitize() writes them as \xNN). With --baseline the change columns come last
 * (reports/baseline.h) and close() returns 3 when a row got worse.
 */
#include "reports/baseline.h"
#include "reports/layout.h"
#include "reports/registry.h"
#include "reports/reread.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct csv_out {
	FILE *fp;
	struct layout *layout;
	struct reread_kept *kept; /* --resume: the rows already in the file */
	size_t n_kept;
	struct baseline *base; /* shared (baseline_acquire), NULL without --baseline */
	bool regression;
};

/* With --baseline: acquire the run's baseline for h (0), or -1 with *err. */
static int use_baseline(struct csv_out *h, const struct report_meta *meta, char **err)
{
	if (!meta->cfg || !meta->cfg->baseline)
		return 0;
	h->base = baseline_acquire(meta->cfg->baseline, h->layout, err);
	return h->base ? 0 : -1;
}

/* Write one field, quoting only where needed. */
static void put_field(FILE *fp, const char *s, size_t len, bool first)
{
	if (!first)
		fputc(',', fp);
	if (strcspn(s, ",\"\r\n") >= len) {
		fwrite(s, 1, len, fp);
		return;
	}
	fputc('"', fp);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', fp);
		fputc(s[i], fp);
	}
	fputc('"', fp);
}

static void write_header(FILE *fp, const struct layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		/* Carried names come from the input: sanitise and defuse them like any text. */
		json_t *n = json_str(l->cols[i].name);
		char *t = layout_csv_text(n, true);
		put_field(fp, t, strlen(t), i == 0);
		free(t);
		json_decref(n);
	}
	fputc('\n', fp);
}

static void *csv_open(const char *path, const struct report_meta *meta, char **err)
{
	struct csv_out *h = xcalloc(1, sizeof(*h));
	h->layout = layout_new(meta);
	/* the baseline first: an unusable one leaves no empty report behind */
	if (use_baseline(h, meta, err) != 0 || !(h->fp = report_fopen(path, err))) {
		baseline_release(h->base);
		layout_free(h->layout);
		free(h);
		return NULL;
	}
	write_header(h->fp, h->layout);
	return h;
}

/* The header line this run writes, without its LF; malloc'd. */
static char *header_line(const struct layout *l)
{
	char *s = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&s, &n);
	if (!m)
		die("open_memstream");
	write_header(m, l);
	fclose(m);
	if (n && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

/*
 * Read the header and up to `max` rows of an existing report; remember the rows' identities
 * when `h` is given. Returns the number of complete rows (header_ok false when the file has no
 * complete header), or -1 with *err.
 */
static long csv_reread(const char *path, struct layout *l, size_t max, struct csv_out *h,
		       off_t *end, bool *header_ok, char **err)
{
	struct reread r;
	*header_ok = false;
	*end = 0;
	int rc = reread_open(&r, path, err);
	if (rc <= 0)
		return rc;
	long n = 0;
	if (reread_line(&r) != 1) {
		reread_close(&r);
		return 0;
	}
	char *want = header_line(l);
	bool same = strcmp(r.line, want) == 0;
	free(want);
	if (!same) {
		*err = xasprintf("%s: its columns are not this run's (a report of another input, "
				 "options or domscan build)",
				 path);
		reread_close(&r);
		return -1;
	}
	*header_ok = true;
	*end = r.offset;
	size_t idx = l->n - 1; /* input_row is the last column */
	while ((size_t)n < max && (rc = reread_line(&r)) == 1) {
		if (h) {
			char **f;
			size_t nf, num;
			bool split = csv_split(r.line, r.len, &f, &nf) == 0;
			if (!split || nf != l->n || parse_row_number(f[idx], &num) != 0) {
				if (split)
					csv_fields_free(f, nf);
				*err = xasprintf("%s: row %ld is not a row of this report", path,
						 n + 1);
				reread_close(&r);
				return -1;
			}
			h->kept = xrealloc(h->kept, ((size_t)n + 1) * sizeof(*h->kept));
			h->kept[n] = (struct reread_kept){ num, reread_hash(f[0]) };
			csv_fields_free(f, nf);
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

static long csv_resume_count(const char *path, const struct report_meta *meta, char **err)
{
	struct layout *l = layout_new(meta);
	off_t end;
	bool header_ok;
	long n = csv_reread(path, l, SIZE_MAX, NULL, &end, &header_ok, err);
	layout_free(l);
	return n;
}

static void *csv_resume_open(const char *path, const struct report_meta *meta, size_t keep,
			     char **err)
{
	struct csv_out *h = xcalloc(1, sizeof(*h));
	h->layout = layout_new(meta);
	if (use_baseline(h, meta, err) != 0) {
		layout_free(h->layout);
		free(h);
		return NULL;
	}
	off_t end;
	bool header_ok;
	long n = csv_reread(path, h->layout, keep, h, &end, &header_ok, err);
	if (n >= 0 && (size_t)n < keep) {
		*err = xasprintf("%s: shorter than when it was counted", path);
		n = -1;
	}
	if (n < 0)
		goto fail;
	h->n_kept = (size_t)n;
	if (!header_ok) {
		h->fp = report_fopen(path, err);
		if (!h->fp)
			goto fail;
		write_header(h->fp, h->layout);
		return h;
	}
	/* cut off whatever follows the kept rows (a torn line, rows of other reports) */
	if (truncate(path, end) != 0 || !(h->fp = fopen(path, "a"))) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	return h;
fail:
	baseline_release(h->base);
	layout_free(h->layout);
	free(h->kept);
	free(h);
	return NULL;
}

static int csv_resume_check(void *handle, size_t n, const struct input_row *row, char **err)
{
	struct csv_out *h = handle;
	return reread_kept_check(h->kept, h->n_kept, n, row, h->layout, true, "CSV", err);
}

static int csv_row(void *handle, const struct input_row *row, const struct domain_result *res)
{
	struct csv_out *h = handle;
	struct score sc;
	score_compute(res, h->layout->checks, &sc);
	struct baseline_diff diff = { 0 };
	if (h->base) {
		baseline_compare_row(h->base, h->layout, row, res, &sc, &diff);
		h->regression |= diff.regression;
	}
	for (size_t i = 0; i < h->layout->n; i++) {
		const struct column *c = &h->layout->cols[i];
		json_t *v = c->kind == COLUMN_CHANGE ? baseline_cell(&diff, c->name)
						     : layout_cell(h->layout, c, row, res, &sc);
		char *t = layout_csv_text(v, c->defuse);
		put_field(h->fp, t, strlen(t), i == 0);
		free(t);
		json_decref(v);
	}
	baseline_diff_clear(&diff);
	fputc('\n', h->fp);
	return ferror(h->fp) ? -1 : 0;
}

static int csv_close(void *handle)
{
	struct csv_out *h = handle;
	if (!h)
		return 0;
	int rc = report_fclose(h->fp);
	layout_free(h->layout);
	free(h->kept);
	baseline_release(h->base);
	if (rc == 0 && h->regression)
		rc = 3; /* the engine exits 3 with --fail-on-regression */
	free(h);
	return rc;
}

const struct reporter reporter_csv = {
	.format = "csv",
	.open = csv_open,
	.row = csv_row,
	.close = csv_close,
	.resume_count = csv_resume_count,
	.resume_open = csv_resume_open,
	.resume_check = csv_resume_check,
};
