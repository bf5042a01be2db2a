/* The baseline CSV and the per-domain changes; see baseline.h. */
#include "reports/baseline.h"
#include "scanner/domain.h"
#include "scanner/util.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_MAX 4096

const char *const baseline_value_names[BV_N] = {
	"dnssec_status", "spf_lookups", "dmarc_policy", "dkim_selectors", "mx",
};

const char *const baseline_columns[] = {
	"baseline_status", "baseline_score", "score_change", "changes", "regression", NULL,
};

bool baseline_column_name(const char *name)
{
	for (const char *const *c = baseline_columns; *c; c++)
		if (strcmp(*c, name) == 0)
			return true;
	return false;
}

const char *baseline_status_name(enum baseline_status s)
{
	switch (s) {
	case BASELINE_NEW:
		return "new";
	case BASELINE_UNCHANGED:
		return "unchanged";
	case BASELINE_CHANGED:
		return "changed";
	case BASELINE_NOT_COMPARED:
		break;
	}
	return "not_compared";
}

/* ---- the entry table ---- */

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	/* FNV-1a's low bits are weak and the table is indexed by them: mix the high bits in */
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93u;
	h ^= h >> 32;
	return h;
}

static size_t *slot_of(const struct baseline *b, const char *domain)
{
	size_t i = hash(domain) & (b->n_slots - 1);
	while (b->slots[i] && strcmp(b->entries[b->slots[i] - 1].domain, domain) != 0)
		i = (i + 1) & (b->n_slots - 1);
	return &b->slots[i];
}

struct baseline_entry *baseline_find(const struct baseline *b, const char *domain)
{
	if (!b || !domain || !b->n_slots)
		return NULL;
	size_t *s = slot_of(b, domain);
	return *s ? &b->entries[*s - 1] : NULL;
}

static void grow_slots(struct baseline *b)
{
	size_t *old = b->slots, old_n = b->n_slots;
	b->n_slots = old_n ? 2 * old_n : 1024;
	b->slots = xcalloc(b->n_slots, sizeof(*b->slots));
	for (size_t i = 0; i < old_n; i++)
		if (old[i])
			*slot_of(b, b->entries[old[i] - 1].domain) = old[i];
	free(old);
}

static void entry_clear(struct baseline_entry *e)
{
	free(e->domain);
	for (int v = 0; v < BV_N; v++)
		free(e->value[v]);
	memset(e, 0, sizeof(*e));
}

void baseline_free(struct baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		entry_clear(&b->entries[i]);
	free(b->entries);
	free(b->slots);
	for (size_t i = 0; i < b->n_checks; i++)
		free(b->checks[i]);
	free(b);
}

/* ---- parsing ---- */

struct parser {
	struct baseline *b;
	struct csv_parser csv;
	bool header_done;
	/* column index -> what it is: -1 ignored, 0 domain, 1 score, 2+i verdict i, 100+v value v
	 */
	int *role;
	size_t n_role;
	bool have_domain;
	/* the record being parsed */
	char **fields;
	size_t n_fields;
	bool too_many, too_long;
	bool record_done;
	bool in_record;
	size_t record_bytes;
};

#define ROLE_IGNORED -1
#define ROLE_DOMAIN  0
#define ROLE_SCORE   1
#define ROLE_VERDICT 2
#define ROLE_VALUE   100

static void *capped_realloc(void *p, size_t n)
{
	if (n > BASELINE_MAX_FIELD + 64)
		return NULL; /* libcsv reports CSV_ENOMEM: the field is too long */
	return realloc(p, n);
}

static void cb_field(void *data, size_t len, void *ud)
{
	struct parser *p = ud;
	if (p->n_fields >= BASELINE_MAX_COLUMNS) {
		p->too_many = true;
		return;
	}
	if (!p->fields)
		p->fields = xcalloc(BASELINE_MAX_COLUMNS, sizeof(*p->fields));
	/* sanitised at once: a NUL byte or a control character becomes \xNN */
	p->fields[p->n_fields++] =
		text_sanitize(data ? data : "", data ? len : 0, BASELINE_MAX_FIELD);
}

static void cb_row(int term, void *ud)
{
	(void)term;
	((struct parser *)ud)->record_done = true;
}

static void clear_fields(struct parser *p)
{
	for (size_t i = 0; i < p->n_fields; i++)
		free(p->fields[i]);
	p->n_fields = 0;
	p->too_many = false;
	p->too_long = false;
	p->record_bytes = 0;
}

static void reset_csv(struct parser *p)
{
	csv_free(&p->csv);
	csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_realloc_func(&p->csv, capped_realloc);
}

/* The text of a cell with the formula guard removed; sanitised and bounded, malloc'd. */
static char *cell(const char *s, size_t max)
{
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@\t\r", s[1]))
		s++;
	return text_sanitize(s, strlen(s), max);
}

static bool header(struct parser *p)
{
	struct baseline *b = p->b;
	p->role = xcalloc(p->n_fields ? p->n_fields : 1, sizeof(*p->role));
	p->n_role = p->n_fields;
	bool taken[2 + BASELINE_MAX_CHECKS + BV_N] = { false };
	for (size_t i = 0; i < p->n_fields; i++) {
		char *name = cell(p->fields[i], 128);
		char *t = str_trim(name);
		int role = ROLE_IGNORED, slot = -1;
		if (strcasecmp(t, "domain") == 0) {
			role = ROLE_DOMAIN;
			slot = 0;
		} else if (strcasecmp(t, "score") == 0) {
			role = ROLE_SCORE;
			slot = 1;
		} else {
			for (size_t c = 0; c < b->n_checks && role == ROLE_IGNORED; c++)
				if (strcasecmp(t, b->checks[c]) == 0) {
					role = ROLE_VERDICT + (int)c;
					slot = 2 + (int)c;
				}
			for (int v = 0; v < BV_N && role == ROLE_IGNORED; v++)
				if (strcasecmp(t, baseline_value_names[v]) == 0) {
					role = ROLE_VALUE + v;
					slot = 2 + BASELINE_MAX_CHECKS + v;
				}
		}
		free(name);
		/* the first column of a name counts (later ones are carried input columns) */
		if (slot >= 0 && taken[slot])
			role = ROLE_IGNORED;
		else if (slot >= 0)
			taken[slot] = true;
		p->role[i] = role;
	}
	p->have_domain = taken[0];
	b->has_score = taken[1];
	return p->have_domain;
}

static int parse_score(const char *s)
{
	int v = 0;
	if (!*s || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 100 ? v : -1;
}

static void record(struct parser *p)
{
	struct baseline *b = p->b;
	b->rows++;
	struct baseline_entry e;
	memset(&e, 0, sizeof(e));
	e.score = -1;
	memset(e.verdict, -1, sizeof(e.verdict));
	char *why = NULL;
	for (size_t i = 0; i < p->n_fields && i < p->n_role; i++) {
		int role = p->role[i];
		const char *f = p->fields[i];
		if (role == ROLE_DOMAIN) {
			char *d = cell(f, 1024);
			if (domain_normalize(d, strlen(d), &e.domain, &why) != 0) {
				free(why);
				why = NULL;
				e.domain = NULL;
			}
			free(d);
		} else if (role == ROLE_SCORE) {
			e.score = parse_score(f);
		} else if (role >= ROLE_VERDICT && role < ROLE_VALUE) {
			e.verdict[role - ROLE_VERDICT] = (signed char)verdict_parse(f);
		} else if (role >= ROLE_VALUE && role < ROLE_VALUE + BV_N) {
			e.value[role - ROLE_VALUE] = cell(f, BASELINE_VALUE_MAX);
		}
	}
	/* value columns the header has but this (short) row lacks: empty */
	for (size_t i = p->n_fields; i < p->n_role; i++)
		if (p->role[i] >= ROLE_VALUE && p->role[i] < ROLE_VALUE + BV_N &&
		    !e.value[p->role[i] - ROLE_VALUE])
			e.value[p->role[i] - ROLE_VALUE] = xstrdup("");
	if (!e.domain) {
		b->invalid++;
		entry_clear(&e);
		return;
	}
	if (baseline_find(b, e.domain)) {
		b->duplicates++;
		entry_clear(&e);
		return;
	}
	if (b->n >= BASELINE_MAX_ENTRIES) {
		b->ignored++;
		entry_clear(&e);
		return;
	}
	if (2 * (b->n + 1) > b->n_slots)
		grow_slots(b);
	if ((b->n & (b->n - 1)) == 0) /* capacity doubles at powers of two */
		b->entries = xrealloc(b->entries, (b->n ? 2 * b->n : 1) * sizeof(*b->entries));
	b->entries[b->n] = e;
	b->n++;
	*slot_of(b, e.domain) = b->n;
}

/* One physical line (with its line end, if any); `too_long` when it was cut. */
static void feed_line(struct parser *p, const char *line, size_t len, bool too_long)
{
	if (!p->in_record) {
		/* blank lines between records are skipped */
		size_t k = 0;
		while (k < len && (line[k] == '\r' || line[k] == '\n' || line[k] == ' '))
			k++;
		if (k == len && !too_long)
			return;
		p->in_record = true;
	}
	p->record_done = false;
	p->record_bytes += len;
	bool bad = too_long || p->record_bytes > BASELINE_MAX_RECORD;
	size_t used = bad ? 0 : csv_parse(&p->csv, line, len, cb_field, cb_row, p);
	bad = bad || used != len || p->too_many;
	if (!bad && !p->record_done)
		return; /* a quoted field continues on the next line */
	p->in_record = false;
	if (bad) {
		if (p->header_done)
			p->b->bad++;
		clear_fields(p);
		reset_csv(p);
		return;
	}
	if (!p->header_done) {
		p->header_done = true;
		if (!header(p)) {
			free(p->role);
			p->role = NULL;
			p->n_role = 0;
		}
	} else if (p->have_domain) {
		record(p);
	}
	clear_fields(p);
}

static struct parser *parser_new(const char *const *checks)
{
	struct parser *p = xcalloc(1, sizeof(*p));
	p->b = xcalloc(1, sizeof(*p->b));
	for (const char *const *c = checks; c && *c && p->b->n_checks < BASELINE_MAX_CHECKS; c++)
		p->b->checks[p->b->n_checks++] = xstrdup(*c);
	csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_realloc_func(&p->csv, capped_realloc);
	return p;
}

/* Finish: the baseline, or NULL with *err; frees the parser. */
static struct baseline *parser_finish(struct parser *p, const char *name, char **err)
{
	if (p->in_record) {
		/* the last record has no line end, or a quoted field is unterminated */
		p->record_done = false;
		int rc = csv_fini(&p->csv, cb_field, cb_row, p);
		bool bad = rc != 0 || !p->record_done || p->too_many;
		if (bad) {
			if (p->header_done)
				p->b->bad++;
		} else if (!p->header_done) {
			p->header_done = true;
			header(p);
		} else if (p->have_domain) {
			record(p);
		}
	}
	clear_fields(p);
	csv_free(&p->csv);
	struct baseline *b = p->b;
	bool ok = p->header_done && p->have_domain;
	free(p->role);
	free(p->fields);
	free(p);
	if (!ok) {
		if (err)
			*err = xasprintf("the baseline %s has no header row with a domain column "
					 "(is it a CSV report of domscan?)",
					 name);
		baseline_free(b);
		return NULL;
	}
	return b;
}

struct baseline *baseline_parse(const char *data, size_t len, const char *const *checks, char **err)
{
	if (err)
		*err = NULL;
	struct parser *p = parser_new(checks);
	size_t off = 0;
	/* a UTF-8 byte order mark is accepted */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
		if (n > BASELINE_MAX_LINE)
			feed_line(p, data + off, BASELINE_MAX_LINE, true);
		else
			feed_line(p, data + off, n, false);
		off += n;
	}
	return parser_finish(p, "data", err);
}

struct baseline *baseline_load(const char *path, const char *const *checks, char **err)
{
	if (err)
		*err = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (err)
			*err = xasprintf("cannot read the baseline %s: %s", path, strerror(errno));
		return NULL;
	}
	struct parser *p = parser_new(checks);
	char *line = xmalloc(BASELINE_MAX_LINE);
	bool first = true;
	for (;;) {
		size_t n = 0;
		bool too_long = false;
		int c = EOF;
		while ((c = getc_unlocked(f)) != EOF) {
			if (n < BASELINE_MAX_LINE)
				line[n++] = (char)c;
			else
				too_long = true;
			if (c == '\n')
				break;
		}
		if (n == 0 && c == EOF)
			break;
		size_t off = 0;
		if (first && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
			off = 3;
		first = false;
		feed_line(p, line + off, n - off, too_long);
		if (c == EOF)
			break;
	}
	free(line);
	bool rerr = ferror(f);
	fclose(f);
	if (rerr) {
		if (err)
			*err = xasprintf("error reading the baseline %s", path);
		struct baseline *b = parser_finish(p, path, NULL);
		baseline_free(b);
		return NULL;
	}
	return parser_finish(p, path, err);
}

/* ---- comparing ---- */

/* Rank in the order fail > error > warning > info > pass; -1 for not_tested or unknown. */
static int rank(int v)
{
	switch (v) {
	case VERDICT_PASS:
		return 0;
	case VERDICT_INFO:
		return 1;
	case VERDICT_WARNING:
		return 2;
	case VERDICT_ERROR:
		return 3;
	case VERDICT_FAIL:
		return 4;
	default:
		return -1;
	}
}

static void add_change(struct baseline_diff *d, const char *name, bool verdict, char *from,
		       char *to, int worse)
{
	d->changes = xrealloc(d->changes, (d->n + 1) * sizeof(*d->changes));
	d->changes[d->n++] = (struct baseline_change){
		.name = name, .verdict = verdict, .from = from, .to = to, .worse = worse
	};
	if (worse > 0)
		d->regression = true;
	if (worse < 0)
		d->improved = true;
}

static char *score_text(int s)
{
	return s >= 0 ? xasprintf("%d", s) : xstrdup("");
}

void baseline_diff(const struct baseline *b, const struct baseline_entry *old,
		   const struct baseline_entry *now, struct baseline_diff *out)
{
	memset(out, 0, sizeof(*out));
	out->old_score = old ? old->score : -1;
	out->new_score = now ? now->score : -1;
	if (!now) {
		out->status = BASELINE_NOT_COMPARED;
		return;
	}
	if (!old) {
		out->status = BASELINE_NEW;
		return;
	}
	for (size_t c = 0; c < b->n_checks; c++) {
		int o = old->verdict[c], n = now->verdict[c];
		if (o < 0 || n < 0 || o == n)
			continue; /* absent in one of the two reports, or unchanged */
		int ro = rank(o), rn = rank(n);
		int worse = ro < 0 || rn < 0 ? 0 : rn > ro ? 1 : -1;
		add_change(out, b->checks[c], true, xstrdup(verdict_name((enum verdict)o)),
			   xstrdup(verdict_name((enum verdict)n)), worse);
	}
	if (b->has_score && old->score != now->score) {
		int worse = now->score < old->score ? 1 : -1; /* empty (-1) is below every score */
		add_change(out, "score", false, score_text(old->score), score_text(now->score),
			   worse);
	}
	for (int v = 0; v < BV_N; v++) {
		const char *o = old->value[v], *n = now->value[v];
		if (!o || !n || strcmp(o, n) == 0)
			continue;
		add_change(out, baseline_value_names[v], false, xstrdup(o), xstrdup(n), 0);
	}
	out->status = out->n ? BASELINE_CHANGED : BASELINE_UNCHANGED;
}

void baseline_diff_clear(struct baseline_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->changes[i].from);
		free(d->changes[i].to);
	}
	free(d->changes);
	memset(d, 0, sizeof(*d));
}

/* Whether `word` is in the space-separated list `list`. */
static bool in_words(const char *list, const char *word, size_t wlen)
{
	for (const char *p = list; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == wlen && n && memcmp(p, word, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* `+a,-b` for two space-separated lists: added then removed words; `order` when only the
 * order differs. -1 when the buffer's bound was hit. */
static int list_change(struct buf *t, const char *from, const char *to)
{
	size_t before = t->len;
	const char *lists[2] = { to, from };
	const char *sign = "+-";
	int rc = 0;
	for (int k = 0; k < 2; k++) {
		for (const char *p = lists[k]; *p;) {
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, " ");
			if (n && !in_words(lists[1 - k], p, n))
				rc |= buf_printf(t, "%s%c%.*s", t->len > before ? "," : "", sign[k],
						 (int)n, p);
			p += n;
		}
	}
	if (t->len == before)
		rc |= buf_add(t, "order", 5);
	return rc;
}

static int value_text(struct buf *t, const char *s)
{
	if (!*s)
		return buf_add(t, "(none)", 6);
	int rc = 0;
	/* a space would split the item */
	for (; *s; s++)
		rc |= buf_add(t, *s == ' ' ? "_" : s, 1);
	return rc;
}

char *baseline_changes_text(const struct baseline_diff *d)
{
	struct buf t;
	buf_init(&t, TEXT_MAX + 8);
	for (size_t i = 0; i < d->n; i++) {
		const struct baseline_change *c = &d->changes[i];
		struct buf item;
		buf_init(&item, TEXT_MAX);
		int rc = buf_printf(&item, "%s:", c->name);
		if (strcmp(c->name, "mx") == 0 || strcmp(c->name, "dkim_selectors") == 0) {
			rc |= list_change(&item, c->from, c->to);
		} else {
			rc |= value_text(&item, c->from);
			rc |= buf_add(&item, ">", 1);
			rc |= value_text(&item, c->to);
		}
		if (rc != 0 || t.len + 1 + item.len > TEXT_MAX) {
			/* only whole items: the rest is cut */
			buf_add(&t, t.len ? " ..." : "...", t.len ? 4 : 3);
			buf_free(&item);
			break;
		}
		if (t.len)
			buf_add(&t, " ", 1);
		buf_add(&t, item.data, item.len);
		buf_free(&item);
	}
	return buf_steal(&t);
}

json_t *baseline_changes_json(const struct baseline_diff *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "status", json_string(baseline_status_name(d->status)));
	bool compared = d->status == BASELINE_CHANGED || d->status == BASELINE_UNCHANGED;
	bool none = d->status == BASELINE_NOT_COMPARED;
	json_object_set_new(o, "regression", none ? json_null() : json_boolean(d->regression));
	json_object_set_new(o, "improved", none ? json_null() : json_boolean(d->improved));
	json_object_set_new(o, "baseline_score",
			    compared && d->old_score >= 0 ? json_integer(d->old_score)
							  : json_null());
	json_object_set_new(o, "score_change",
			    compared && d->old_score >= 0 && d->new_score >= 0
				    ? json_integer(d->new_score - d->old_score)
				    : json_null());
	json_t *checks = json_object(), *cols = json_object();
	for (size_t i = 0; i < d->n; i++) {
		const struct baseline_change *c = &d->changes[i];
		json_t *e = json_object();
		json_object_set_new(e, "from", json_text(c->from, strlen(c->from), TEXT_MAX));
		json_object_set_new(e, "to", json_text(c->to, strlen(c->to), TEXT_MAX));
		json_object_set_new(e, "worse", json_boolean(c->worse > 0));
		json_object_set_new(c->verdict ? checks : cols, c->name, e);
	}
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "columns", cols);
	return o;
}

json_t *baseline_cell(const struct baseline_diff *d, const char *column)
{
	bool compared = d->status == BASELINE_CHANGED || d->status == BASELINE_UNCHANGED;
	if (strcmp(column, "baseline_status") == 0)
		return json_string(baseline_status_name(d->status));
	if (strcmp(column, "baseline_score") == 0)
		return compared && d->old_score >= 0 ? json_integer(d->old_score) : json_null();
	if (strcmp(column, "score_change") == 0)
		return compared && d->old_score >= 0 && d->new_score >= 0
			       ? json_integer(d->new_score - d->old_score)
			       : json_null();
	if (strcmp(column, "changes") == 0) {
		if (!compared)
			return json_null();
		char *t = baseline_changes_text(d);
		json_t *v = json_text(t, strlen(t), TEXT_MAX + 8);
		free(t);
		return v;
	}
	if (strcmp(column, "regression") == 0) {
		if (d->status == BASELINE_NOT_COMPARED)
			return json_null();
		return json_string(d->regression ? "yes" : "no");
	}
	return json_null();
}

/* ---- the rows of this run ---- */

const char **baseline_layout_checks(const struct layout *l)
{
	const char **names = xcalloc(l->n + 1, sizeof(*names));
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->cols[i].kind == COLUMN_VERDICT)
			names[k++] = l->cols[i].name;
	names[k] = NULL;
	return names;
}

/* The text of a layout cell as the CSV has it (before the formula guard), malloc'd. */
static char *cell_string(const json_t *v)
{
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_string(v))
		return text_sanitize(json_string_value(v), json_string_length(v),
				     BASELINE_VALUE_MAX);
	return xstrdup("");
}

void baseline_compare_row(struct baseline *b, const struct layout *l, const struct input_row *row,
			  const struct domain_result *res, const struct score *sc,
			  struct baseline_diff *out)
{
	if (!row->domain || row->error) {
		baseline_diff(b, NULL, NULL, out);
		return;
	}
	struct baseline_entry now;
	memset(&now, 0, sizeof(now));
	memset(now.verdict, -1, sizeof(now.verdict));
	now.domain = row->domain;
	now.score = sc && sc->overall >= 0 ? sc->overall : -1;
	for (size_t i = 0; i < l->n; i++) {
		const struct column *c = &l->cols[i];
		if (c->kind == COLUMN_VERDICT) {
			for (size_t k = 0; k < b->n_checks; k++)
				if (strcmp(b->checks[k], c->name) == 0) {
					json_t *v = layout_cell(l, c, row, res, sc);
					now.verdict[k] = (signed char)verdict_parse(
						json_string_value(v) ? json_string_value(v) : "");
					json_decref(v);
				}
		} else if (c->kind == COLUMN_VALUE) {
			for (int v = 0; v < BV_N; v++)
				if (strcmp(baseline_value_names[v], c->key) == 0 && !now.value[v]) {
					json_t *j = layout_cell(l, c, row, res, sc);
					now.value[v] = cell_string(j);
					json_decref(j);
				}
		}
	}
	struct baseline_entry *old = baseline_find(b, row->domain);
	if (old)
		old->seen = true;
	baseline_diff(b, old, &now, out);
	for (int v = 0; v < BV_N; v++)
		free(now.value[v]);
}

/* ---- one baseline per run, shared by the reporters ---- */

static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static struct baseline *shared;
static size_t shared_refs;

struct baseline *baseline_acquire(const char *path, const struct layout *l, char **err)
{
	*err = NULL;
	pthread_mutex_lock(&shared_mu);
	if (!shared) {
		const char **checks = baseline_layout_checks(l);
		shared = baseline_load(path, checks, err);
		free(checks);
		if (shared && (shared->bad || shared->ignored))
			fprintf(stderr,
				"domscan: warning: baseline %s: %zu malformed record(s) skipped, "
				"%zu row(s) beyond %d domains ignored\n",
				path, shared->bad, shared->ignored, BASELINE_MAX_ENTRIES);
	}
	struct baseline *b = shared;
	if (b)
		shared_refs++;
	pthread_mutex_unlock(&shared_mu);
	return b;
}

void baseline_release(struct baseline *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&shared_mu);
	if (b == shared && --shared_refs == 0) {
		baseline_free(shared);
		shared = NULL;
	}
	pthread_mutex_unlock(&shared_mu);
}
