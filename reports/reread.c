/* Reading our own reports back; see reread.h. */
#include "reports/reread.h"
#include "scanner/input.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int reread_open(struct reread *r, const char *path, char **err)
{
	memset(r, 0, sizeof(*r));
	r->fp = fopen(path, "r");
	if (!r->fp) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	return 1;
}

int reread_line(struct reread *r)
{
	errno = 0;
	ssize_t n = getline(&r->line, &r->cap, r->fp);
	if (n < 0) {
		r->len = 0;
		return ferror(r->fp) ? -1 : 0;
	}
	if (r->line[n - 1] != '\n') {
		r->torn = true;
		r->len = 0;
		return 0;
	}
	r->line[n - 1] = '\0';
	r->len = (size_t)n - 1;
	r->offset += n;
	return 1;
}

void reread_close(struct reread *r)
{
	if (r->fp)
		fclose(r->fp);
	free(r->line);
	memset(r, 0, sizeof(*r));
}

int csv_split(const char *line, size_t len, char ***fields, size_t *n)
{
	char **f = NULL;
	size_t nf = 0;
	size_t i = 0;
	for (;;) {
		struct buf b;
		buf_init(&b, SIZE_MAX / 2);
		if (i < len && line[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					buf_free(&b);
					csv_fields_free(f, nf);
					return -1;
				}
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						buf_add(&b, "\"", 1);
						i += 2;
						continue;
					}
					i++;
					break;
				}
				buf_add(&b, &line[i], 1);
				i++;
			}
			if (i < len && line[i] != ',') {
				buf_free(&b);
				csv_fields_free(f, nf);
				return -1;
			}
		} else {
			size_t start = i;
			while (i < len && line[i] != ',')
				i++;
			buf_add(&b, line + start, i - start);
		}
		f = xrealloc(f, (nf + 1) * sizeof(*f));
		f[nf++] = b.data ? buf_steal(&b) : xstrdup("");
		if (i >= len)
			break;
		i++; /* the comma */
	}
	*fields = f;
	*n = nf;
	return 0;
}

void csv_fields_free(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}

long csv_field_index(char *const *fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return (long)i;
	return -1;
}

int parse_row_number(const char *s, size_t *out)
{
	if (!s || !*s || strlen(s) > 15)
		return -1;
	size_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

uint64_t reread_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

static const char *str_member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int report_rebuild(const json_t *o, const struct layout *l, struct input_row *row,
		   struct domain_result **res, char **err)
{
	memset(row, 0, sizeof(*row));
	*res = NULL;
	if (!json_is_object(o)) {
		*err = xstrdup("not a JSON object");
		return -1;
	}
	const json_t *ir = json_object_get(o, "input_row");
	const json_t *line = json_object_get(o, "line");
	const char *domain = str_member(o, "domain");
	const json_t *checks = json_object_get(o, "checks");
	if (!json_is_integer(ir) || json_integer_value(ir) < 1 || !json_is_integer(line) ||
	    json_integer_value(line) < 0 || !domain || !json_is_object(checks)) {
		*err = xstrdup("not a row of a domscan JSON Lines report (input_row, line, domain "
			       "or checks missing)");
		return -1;
	}
	row->index = (size_t)json_integer_value(ir) - 1;
	row->line = (size_t)json_integer_value(line);
	row->input = xstrdup(str_member(o, "input") ? str_member(o, "input") : "");
	const json_t *carry = json_object_get(o, "input_columns");
	if (json_is_object(carry) && json_object_size(carry) > 0)
		row->carry = json_deep_copy(carry);
	const char *input_error = str_member(o, "input_error");
	if (input_error) {
		row->error = xstrdup(input_error);
		return 0;
	}
	row->domain = xstrdup(domain);
	const struct check_table *t = l->checks;
	struct domain_result *r = domain_result_new(domain, t ? t->n : 0);
	for (size_t i = 0; t && i < t->n; i++) {
		const char *name = t->checks[i]->name;
		const json_t *c = json_object_get(checks, name);
		int v = c ? verdict_parse(str_member(c, "verdict")) : -1;
		if (v < 0) {
			*err = xasprintf("row %zu has no result for the check %s (a report of "
					 "another domscan build?)",
					 row->index + 1, name);
			domain_result_unref(r);
			input_row_clear(row);
			return -1;
		}
		struct check_result *cr = &r->checks[i];
		cr->verdict = (enum verdict)v;
		if (str_member(c, "error"))
			cr->error = xstrdup(str_member(c, "error"));
		const json_t *em = json_object_get(c, "error_msg");
		if (cr->error && json_is_string(json_object_get(em, "msg")))
			cr->error_msg = json_deep_copy(em);
		const char *k;
		json_t *val;
		json_object_foreach((json_t *)c, k, val)
		{
			if (strcmp(k, "verdict") != 0 && strcmp(k, "error") != 0 &&
			    strcmp(k, "error_msg") != 0 && strcmp(k, "advice") != 0)
				json_object_set(cr->detail, k, val);
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct column *c = &l->cols[i];
		if (c->kind != COLUMN_VALUE)
			continue;
		const json_t *v = json_object_get(o, c->name);
		if (!v) {
			*err = xasprintf("row %zu has no column %s (a report of another domscan "
					 "build?)",
					 row->index + 1, c->name);
			domain_result_unref(r);
			input_row_clear(row);
			return -1;
		}
		if (!json_is_null(v))
			json_object_set(r->columns, c->key, (json_t *)v);
	}
	*res = r;
	return 0;
}

char **report_carry_names(const json_t *o)
{
	const json_t *carry = json_object_get(o, "input_columns");
	size_t n = json_is_object(carry) ? json_object_size(carry) : 0;
	char **names = xcalloc(n + 1, sizeof(char *));
	size_t i = 0;
	const char *k;
	json_t *v;
	if (n)
		json_object_foreach((json_t *)carry, k, v)
		{
			(void)v;
			names[i++] = xstrdup(k);
		}
	return names;
}

void report_names_free(char **names)
{
	for (char **p = names; p && *p; p++)
		free(*p);
	free(names);
}

int reread_kept_check(const struct reread_kept *kept, size_t n_kept, size_t n,
		      const struct input_row *row, const struct layout *l, bool defuse,
		      const char *report, char **err)
{
	char *d = layout_domain_cell(l, row, defuse);
	int rc = 0;
	if (n >= n_kept || kept[n].input_row != row->index + 1 ||
	    kept[n].domain_hash != reread_hash(d)) {
		*err = xasprintf("the %s report's row %zu is not input row %zu (%s): not a "
				 "report of this input",
				 report, n + 1, row->index + 1, d);
		rc = -1;
	}
	free(d);
	return rc;
}
