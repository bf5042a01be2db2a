/*
 * The CSV report (../shared/spec/cli.md "The CSV report", docs/columns.md): UTF-8, a header row,
 * then one row per input row in input order. Fields are quoted as RFC 4180 says, only where
 * needed (a comma, a double quote, CR or LF; quotes doubled); lines end in LF. Text cells that a
 * spreadsheet would read as a formula get a leading `'`; control characters never reach a cell
 * (text_sanitize() writes them as \xNN).
 */
#include "reports/layout.h"
#include "reports/registry.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

struct csv_out {
	FILE *fp;
	struct layout *layout;
};

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

/* The text of a cell, defused; malloc'd. */
static char *cell_text(const json_t *v, bool defuse)
{
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (!json_is_string(v))
		return xstrdup("");
	const char *s = json_string_value(v);
	if (defuse && s[0] != '\0' && strchr("=+-@\t\r", s[0]))
		return xasprintf("'%s", s);
	return xstrdup(s);
}

static void *csv_open(const char *path, const struct report_meta *meta, char **err)
{
	FILE *fp = report_fopen(path, err);
	if (!fp)
		return NULL;
	struct csv_out *h = xcalloc(1, sizeof(*h));
	h->fp = fp;
	h->layout = layout_new(meta);
	for (size_t i = 0; i < h->layout->n; i++) {
		/* Carried names come from the input: sanitise and defuse them like any text. */
		json_t *n = json_str(h->layout->cols[i].name);
		char *t = cell_text(n, true);
		put_field(fp, t, strlen(t), i == 0);
		free(t);
		json_decref(n);
	}
	fputc('\n', fp);
	return h;
}

static int csv_row(void *handle, const struct input_row *row, const struct domain_result *res)
{
	struct csv_out *h = handle;
	struct score sc;
	score_compute(res, h->layout->checks, &sc);
	for (size_t i = 0; i < h->layout->n; i++) {
		const struct column *c = &h->layout->cols[i];
		json_t *v = layout_cell(h->layout, c, row, res, &sc);
		char *t = cell_text(v, c->defuse);
		put_field(h->fp, t, strlen(t), i == 0);
		free(t);
		json_decref(v);
	}
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
	free(h);
	return rc;
}

const struct reporter reporter_csv = {
	.format = "csv",
	.open = csv_open,
	.row = csv_row,
	.close = csv_close,
};
