/* The report's column layout and cell values: see layout.h and docs/columns.md. */
#include "reports/layout.h"
#include "reports/baseline.h"
#include "scanner/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest text kept in one cell (values are already bounded by the checks). */
#define CELL_MAX 65536
/* Longest `error` cell. */
#define ERROR_MAX 4096

const char *const layout_contract_verdicts[] = {
	"dnssec", "spf",  "dkim",    "dmarc",  "caa", "starttls",
	"dane",   "ipv6", "mta_sts", "tlsrpt", NULL,
};

/* Columns the checks fill that the contract requires, always present. */
static const char *const contract_values[] = {
	"dnssec_status", "spf_lookups", "dmarc_policy", "dkim_selectors", "mx", NULL,
};

/* Count columns: never defused (their values never start like a formula). */
static const char *const count_values[] = { "spf_lookups", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool has_column(const struct layout *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->cols[i].name, name) == 0)
			return true;
	return false;
}

/* Names added after the check columns, which a check must not take. */
static bool reserved(const char *name)
{
	if (strcmp(name, "error") == 0)
		return true;
	for (int c = 0; c < SCORE_N_CATEGORIES; c++) {
		char *n = xasprintf("score_%s", score_category_name((enum score_category)c));
		bool r = strcmp(n, name) == 0;
		free(n);
		if (r)
			return true;
	}
	return false;
}

static struct column *add(struct layout *l, char *name, enum column_kind kind, bool defuse)
{
	l->cols = xrealloc(l->cols, (l->n + 1) * sizeof(*l->cols));
	struct column *c = &l->cols[l->n++];
	*c = (struct column){ .name = name, .kind = kind, .check = -1, .defuse = defuse };
	return c;
}

static long check_index(const struct check_table *t, const char *name)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (!t->checks[i]->no_verdict_column && strcmp(t->checks[i]->name, name) == 0)
			return (long)i;
	return -1;
}

struct layout *layout_new(const struct report_meta *meta)
{
	struct layout *l = xcalloc(1, sizeof(*l));
	const struct check_table *t = meta->checks;
	l->checks = t;

	add(l, xstrdup("domain"), COLUMN_DOMAIN, true);
	add(l, xstrdup("score"), COLUMN_SCORE, false);
	for (const char *const *v = layout_contract_verdicts; *v; v++)
		add(l, xstrdup(*v), COLUMN_VERDICT, false)->check = check_index(t, *v);
	for (size_t i = 0; t && i < t->n; i++) {
		const struct check *ch = t->checks[i];
		if (ch->no_verdict_column || has_column(l, ch->name) || reserved(ch->name) ||
		    in_list(contract_values, ch->name))
			continue;
		add(l, xstrdup(ch->name), COLUMN_VERDICT, false)->check = (long)i;
	}
	for (const char *const *v = contract_values; *v; v++)
		add(l, xstrdup(*v), COLUMN_VALUE, !in_list(count_values, *v))->key = xstrdup(*v);
	for (size_t i = 0; t && i < t->n; i++)
		for (const char *const *c = t->checks[i]->columns; c && *c; c++)
			if (!has_column(l, *c) && !reserved(*c))
				add(l, xstrdup(*c), COLUMN_VALUE, true)->key = xstrdup(*c);
	for (int c = 0; c < SCORE_N_CATEGORIES; c++)
		add(l, xasprintf("score_%s", score_category_name((enum score_category)c)),
		    COLUMN_CATEGORY, false)
			->category = c;
	add(l, xstrdup("error"), COLUMN_ERROR, true);
	bool baseline = meta->cfg && meta->cfg->baseline;
	for (const char *const *c = meta->carry_columns; c && *c; c++) {
		char *name = xstrdup(*c);
		while (has_column(l, name) || strcmp(name, "input_row") == 0 ||
		       (baseline && baseline_column_name(name))) {
			char *n = xasprintf("input_%s", name);
			free(name);
			name = n;
		}
		add(l, name, COLUMN_CARRY, true)->key = xstrdup(*c);
	}
	add(l, xstrdup("input_row"), COLUMN_INPUT_ROW, false);
	for (const char *const *c = baseline_columns; baseline && *c; c++)
		add(l, xstrdup(*c), COLUMN_CHANGE, true)->key = xstrdup(*c);
	return l;
}

void layout_free(struct layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->cols[i].name);
		free(l->cols[i].key);
	}
	free(l->cols);
	free(l);
}

bool layout_row_failed(const struct input_row *row, const struct domain_result *res)
{
	return !res || res->error;
}

/* A sanitised copy of a JSON value as a cell: string, integer or null. */
static json_t *cell_value(const json_t *v)
{
	if (!v)
		return json_null();
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_text(json_string_value(v), json_string_length(v), CELL_MAX);
	case JSON_INTEGER:
		return json_integer(json_integer_value(v));
	case JSON_REAL:
		return json_integer((json_int_t)json_real_value(v));
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	case JSON_ARRAY: {
		/* A list of words: joined with spaces. */
		struct buf b;
		size_t i;
		const json_t *e;
		buf_init(&b, CELL_MAX);
		json_array_foreach(v, i, e)
		{
			json_t *s = cell_value(e);
			if (json_is_string(s) && json_string_length(s) > 0) {
				if (b.len && buf_add(&b, " ", 1) < 0) {
					json_decref(s);
					break;
				}
				if (buf_add(&b, json_string_value(s), json_string_length(s)) < 0) {
					json_decref(s);
					break;
				}
			} else if (json_is_integer(s)) {
				buf_printf(&b, "%s%" JSON_INTEGER_FORMAT, b.len ? " " : "",
					   json_integer_value(s));
			}
			json_decref(s);
		}
		char *d = buf_steal(&b);
		json_t *r = json_string(d);
		free(d);
		return r;
	}
	default:
		return json_null();
	}
}

static json_t *text_or_null(const char *s)
{
	return s ? json_text(s, strlen(s), CELL_MAX) : json_null();
}

static void join(struct buf *b, const char *prefix, const char *text)
{
	if (!text || !*text)
		return;
	if (b->len)
		buf_add(b, "; ", 2);
	if (prefix)
		buf_printf(b, "%s: ", prefix);
	buf_add(b, text, strlen(text));
}

char *layout_row_error(const struct layout *l, const struct input_row *row,
		       const struct domain_result *res)
{
	struct buf b;
	buf_init(&b, SIZE_MAX / 2);
	if (!res) {
		join(&b, NULL, row->error ? row->error : "not scanned");
	} else {
		join(&b, NULL, res->error);
		for (size_t i = 0; l->checks && i < l->checks->n && i < res->n_checks; i++)
			join(&b, l->checks->checks[i]->name, res->checks[i].error);
	}
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	char *s = text_sanitize(b.data, b.len, ERROR_MAX);
	buf_free(&b);
	return s;
}

char *layout_csv_text(const json_t *v, bool defuse)
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

char *layout_domain_cell(const struct layout *l, const struct input_row *row, bool csv)
{
	struct domain_result known = { .domain = row->domain };
	json_t *v = layout_cell(l, &l->cols[0], row, row->domain ? &known : NULL, NULL);
	char *t = layout_csv_text(v, csv && l->cols[0].defuse);
	json_decref(v);
	return t;
}

json_t *layout_cell(const struct layout *l, const struct column *c, const struct input_row *row,
		    const struct domain_result *res, const struct score *sc)
{
	bool failed = layout_row_failed(row, res);
	switch (c->kind) {
	case COLUMN_DOMAIN:
		if (res && res->domain && *res->domain)
			return text_or_null(res->domain);
		return text_or_null(row->input ? row->input : row->domain);
	case COLUMN_SCORE:
		return sc && sc->overall >= 0 ? json_integer(sc->overall) : json_null();
	case COLUMN_VERDICT:
		if (failed)
			return json_string(verdict_name(VERDICT_ERROR));
		if (c->check < 0 || (size_t)c->check >= res->n_checks)
			return json_string(verdict_name(VERDICT_NOT_TESTED));
		return json_string(verdict_name(res->checks[c->check].verdict));
	case COLUMN_VALUE: {
		json_t *v = res ? cell_value(json_object_get(res->columns, c->key)) : json_null();
		/* dnssec_status is one of secure/insecure/bogus/error (cli.md): a row that could
		 * not be scanned, or whose dnssec check did not finish, could not find out. */
		if (json_is_null(v) && strcmp(c->key, "dnssec_status") == 0) {
			json_decref(v);
			v = json_string("error");
		}
		return v;
	}
	case COLUMN_CATEGORY:
		return sc && sc->cat[c->category].pct >= 0 ? json_integer(sc->cat[c->category].pct)
							   : json_null();
	case COLUMN_ERROR: {
		char *e = layout_row_error(l, row, res);
		json_t *v = text_or_null(e);
		free(e);
		return v;
	}
	case COLUMN_CARRY:
		return cell_value(json_object_get(row->carry, c->key));
	case COLUMN_INPUT_ROW:
		return json_integer((json_int_t)row->index + 1);
	case COLUMN_CHANGE:
		break;
	}
	return json_null();
}
