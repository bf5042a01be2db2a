/* Domain list reader; see input.h. */
#include "scanner/input.h"
#include "scanner/domain.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS   64
#define MAX_FIELD     4096
#define MAX_SELECTORS 32

struct input {
	FILE *f;
	bool own;
	char *name;
	size_t line;   /* physical lines read */
	bool first;    /* before the first line (BOM) */
	bool detected; /* mode known */
	bool csv;
	char *pending; /* a plain-text first line read during detection */
	size_t pending_line;
	bool pending_long;
	/* CSV */
	struct csv_parser parser;
	char *header[MAX_COLUMNS];
	size_t n_header;
	int domain_col, sel_col;
	const char *carry[MAX_COLUMNS + 1];
	/* fields of the record being parsed */
	char *fields[MAX_COLUMNS];
	size_t n_fields;
	bool too_many;
	bool record_done;
	size_t record_line;
	bool in_record;
	bool header_done;
	bool header_ok;
};

static void *capped_realloc(void *p, size_t n)
{
	if (n > MAX_FIELD + 64)
		return NULL; /* libcsv reports CSV_ENOMEM: the field is too long */
	return realloc(p, n);
}

static struct input *input_new(FILE *f, const char *name, bool own)
{
	struct input *in = xcalloc(1, sizeof(*in));
	in->f = f;
	in->own = own;
	in->name = xstrdup(name);
	in->first = true;
	in->domain_col = in->sel_col = -1;
	csv_init(&in->parser, CSV_STRICT | CSV_APPEND_NULL);
	csv_set_realloc_func(&in->parser, capped_realloc);
	return in;
}

struct input *input_open(const char *path, char **err)
{
	*err = NULL;
	if (strcmp(path, "-") == 0)
		return input_new(stdin, "stdin", false);
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = xasprintf("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	return input_new(f, path, true);
}

struct input *input_from_stream(FILE *f, const char *name)
{
	return input_new(f, name, false);
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->own)
		fclose(in->f);
	csv_free(&in->parser);
	for (size_t i = 0; i < in->n_header; i++)
		free(in->header[i]);
	for (size_t i = 0; i < in->n_fields; i++)
		free(in->fields[i]);
	free(in->pending);
	free(in->name);
	free(in);
}

const char *const *input_carry_columns(struct input *in)
{
	return in->csv ? in->carry : NULL;
}

void input_row_clear(struct input_row *row)
{
	free(row->input);
	free(row->domain);
	free(row->error);
	json_decref(row->carry);
	for (size_t i = 0; i < row->n_selectors; i++)
		free(row->selectors[i]);
	free(row->selectors);
	memset(row, 0, sizeof(*row));
}

/*
 * Read one physical line, at most INPUT_MAX_LINE bytes kept (the rest is discarded and *too_long
 * set). Returns NULL at EOF. The line keeps its '\n' if it had one.
 */
static char *read_line(struct input *in, bool *too_long, size_t *len, int *rerr)
{
	*too_long = false;
	*rerr = 0;
	struct buf b;
	buf_init(&b, INPUT_MAX_LINE);
	int c;
	bool any = false;
	while ((c = getc(in->f)) != EOF) {
		any = true;
		char ch = (char)c;
		if (buf_add(&b, &ch, 1) < 0)
			*too_long = true;
		if (c == '\n')
			break;
	}
	if (ferror(in->f))
		*rerr = errno ? errno : EIO;
	if (!any) {
		buf_free(&b);
		return NULL;
	}
	in->line++;
	*len = b.len;
	char *s = buf_steal(&b);
	if (in->first) {
		in->first = false;
		if (*len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			memmove(s, s + 3, *len - 2);
			*len -= 3;
		}
	}
	return s;
}

static bool blank_or_comment(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s == '\0' || *s == '#';
}

/* ---- CSV ---- */

static void cb_field(void *data, size_t len, void *ud)
{
	struct input *in = ud;
	if (in->n_fields >= MAX_COLUMNS) {
		in->too_many = true;
		return;
	}
	in->fields[in->n_fields++] = data ? xstrndup(data, len) : xstrdup("");
}

static void cb_row(int term, void *ud)
{
	struct input *in = ud;
	(void)term;
	in->record_done = true;
}

static void clear_fields(struct input *in)
{
	for (size_t i = 0; i < in->n_fields; i++)
		free(in->fields[i]);
	in->n_fields = 0;
	in->too_many = false;
}

/* Try to read `line` as a CSV header with a domain column. */
static bool parse_header(struct input *in, const char *line, size_t len)
{
	struct csv_parser p;
	csv_init(&p, CSV_APPEND_NULL);
	csv_set_realloc_func(&p, capped_realloc);
	clear_fields(in);
	in->record_done = false;
	size_t used = csv_parse(&p, line, len, cb_field, cb_row, in);
	csv_fini(&p, cb_field, cb_row, in);
	csv_free(&p);
	bool ok = used == len && !in->too_many;
	int dcol = -1;
	for (size_t i = 0; ok && i < in->n_fields; i++) {
		char *h = str_trim(in->fields[i]);
		if (strcasecmp(h, "domain") == 0 && dcol < 0)
			dcol = (int)i;
	}
	if (!ok || dcol < 0 || in->n_fields < 1) {
		clear_fields(in);
		return false;
	}
	/* a lone "domain" line is a header too (one-column CSV) */
	in->domain_col = dcol;
	size_t nc = 0;
	for (size_t i = 0; i < in->n_fields; i++) {
		char *h = xstrdup(str_trim(in->fields[i]));
		char *safe = text_sanitize(h, strlen(h), 128);
		free(h);
		in->header[i] = safe;
		if ((int)i == dcol)
			continue;
		if (strcasecmp(safe, "dkim_selectors") == 0)
			in->sel_col = (int)i;
		in->carry[nc++] = safe;
	}
	in->carry[nc] = NULL;
	in->n_header = in->n_fields;
	clear_fields(in);
	return true;
}

static void split_selectors(struct input_row *row, const char *s)
{
	char *copy = xstrdup(s), *save = NULL;
	for (char *tok = strtok_r(copy, " \t,", &save); tok && row->n_selectors < MAX_SELECTORS;
	     tok = strtok_r(NULL, " \t,", &save)) {
		row->selectors = xrealloc(row->selectors, (row->n_selectors + 1) * sizeof(char *));
		row->selectors[row->n_selectors++] = str_lower(tok);
	}
	free(copy);
}

static void fill_entry(struct input_row *row, const char *entry, size_t len, bool too_long)
{
	row->input = text_sanitize(entry, len, 300);
	if (too_long) {
		row->error = xasprintf("line longer than %d bytes", INPUT_MAX_LINE);
		return;
	}
	char *why = NULL;
	if (domain_normalize(entry, len, &row->domain, &why) != 0)
		row->error = why;
}

static int next_csv(struct input *in, struct input_row *row, char **err)
{
	for (;;) {
		bool too_long;
		size_t len;
		int rerr;
		char *line = read_line(in, &too_long, &len, &rerr);
		if (rerr) {
			free(line);
			*err = xasprintf("error reading %s: %s", in->name, strerror(rerr));
			return -1;
		}
		if (!line) {
			if (!in->in_record)
				return 0;
			/* unterminated quoted field at the end */
			in->in_record = false;
			row->line = in->record_line;
			row->input = xstrdup("");
			row->error = xstrdup("unterminated quoted field at the end of the input");
			clear_fields(in);
			csv_free(&in->parser);
			csv_init(&in->parser, CSV_STRICT | CSV_APPEND_NULL);
			return 1;
		}
		if (!in->in_record && blank_or_comment(line)) {
			free(line);
			continue;
		}
		if (!in->in_record) {
			in->record_line = in->line;
			in->in_record = true;
		}
		in->record_done = false;
		size_t used =
			too_long ? 0 : csv_parse(&in->parser, line, len, cb_field, cb_row, in);
		bool bad = too_long || used != len || in->too_many;
		free(line);
		if (!in->record_done && !bad)
			continue; /* a quoted field spans lines */
		in->in_record = false;
		row->line = in->record_line;
		if (bad) {
			row->input = xstrdup("");
			row->error =
				too_long ? xasprintf("line longer than %d bytes", INPUT_MAX_LINE)
				: in->too_many ? xasprintf("more than %d columns", MAX_COLUMNS)
					       : xasprintf("CSV syntax error (%s)",
							   csv_strerror(csv_error(&in->parser)));
			clear_fields(in);
			csv_free(&in->parser);
			csv_init(&in->parser, CSV_STRICT | CSV_APPEND_NULL);
			csv_set_realloc_func(&in->parser, capped_realloc);
			return 1;
		}
		const char *dom =
			(size_t)in->domain_col < in->n_fields ? in->fields[in->domain_col] : "";
		fill_entry(row, dom, strlen(dom), false);
		if ((size_t)in->domain_col >= in->n_fields && !row->error) {
			free(row->domain);
			row->domain = NULL;
			row->error = xstrdup("no domain column in this row");
		}
		row->carry = json_object();
		for (size_t i = 0; i < in->n_header; i++) {
			if ((int)i == in->domain_col)
				continue;
			const char *v = i < in->n_fields ? in->fields[i] : "";
			json_object_set_new(row->carry, in->header[i],
					    json_text(v, strlen(v), 1024));
		}
		if (in->sel_col >= 0 && (size_t)in->sel_col < in->n_fields)
			split_selectors(row, in->fields[in->sel_col]);
		clear_fields(in);
		return 1;
	}
}

/* ---- plain text ---- */

static int next_plain(struct input *in, struct input_row *row, char **err)
{
	for (;;) {
		char *line;
		bool too_long;
		size_t len, lineno;
		if (in->pending) {
			line = in->pending;
			too_long = in->pending_long;
			lineno = in->pending_line;
			len = strlen(line);
			in->pending = NULL;
		} else {
			int rerr;
			line = read_line(in, &too_long, &len, &rerr);
			if (rerr) {
				free(line);
				*err = xasprintf("error reading %s: %s", in->name, strerror(rerr));
				return -1;
			}
			if (!line)
				return 0;
			lineno = in->line;
		}
		if (!too_long && blank_or_comment(line)) {
			free(line);
			continue;
		}
		row->line = lineno;
		/* strip the line end, keep everything else for the validator */
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		fill_entry(row, line, len, too_long);
		free(line);
		return 1;
	}
}

int input_next(struct input *in, struct input_row *row, char **err)
{
	memset(row, 0, sizeof(*row));
	*err = NULL;
	if (!in->detected) {
		/* The first significant line decides: a CSV header with a domain column, or text.
		 */
		for (;;) {
			bool too_long;
			size_t len;
			int rerr;
			char *line = read_line(in, &too_long, &len, &rerr);
			if (rerr) {
				free(line);
				*err = xasprintf("error reading %s: %s", in->name, strerror(rerr));
				return -1;
			}
			if (!line) {
				in->detected = true;
				return 0;
			}
			if (!too_long && blank_or_comment(line)) {
				free(line);
				continue;
			}
			in->detected = true;
			if (!too_long && parse_header(in, line, len)) {
				in->csv = true;
				free(line);
			} else {
				in->pending = line;
				in->pending_line = in->line;
				in->pending_long = too_long;
			}
			break;
		}
	}
	return in->csv ? next_csv(in, row, err) : next_plain(in, row, err);
}
