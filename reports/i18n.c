/* Message catalogues and their rendering: see i18n.h and docs/i18n.md. */
#include "reports/i18n.h"
#include "reports/html.h"
#include "scanner/msg.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest catalogue file read. */
#define CATALOG_MAX (4u << 20)

struct entry {
	char *id, *text;
};

struct catalog {
	struct entry *e; /* file order */
	size_t n, cap;
	size_t *sorted; /* indices into e, sorted by id */
};

void catalog_free(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].id);
		free(c->e[i].text);
	}
	free(c->e);
	free(c->sorted);
	free(c);
}

static bool id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
	       ch == '-';
}

/* Whether s[0..n) is valid UTF-8 without NUL (overlong forms and surrogates rejected). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k;
		unsigned cp, min;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 2, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (k > n - i)
			return false;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k;
	}
	return true;
}

static int cmp_id(const void *a, const void *b, void *ctx)
{
	const struct catalog *c = ctx;
	return strcmp(c->e[*(const size_t *)a].id, c->e[*(const size_t *)b].id);
}

/* Append text to the last entry's text, joined by one space. */
static void append_text(struct entry *e, const char *s, size_t n)
{
	size_t old = strlen(e->text);
	e->text = xrealloc(e->text, old + n + 2);
	if (old)
		e->text[old++] = ' ';
	memcpy(e->text + old, s, n);
	e->text[old + n] = '\0';
}

static char *trim(const char *s, size_t n, size_t *out_len)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*out_len = n;
	return (char *)s;
}

struct catalog *catalog_parse(const char *text, size_t len, char **err)
{
	*err = NULL;
	struct catalog *c = xcalloc(1, sizeof(*c));
	size_t line = 0;
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + 1;
		line++;
		if (!utf8_valid((const unsigned char *)s, n)) {
			*err = xasprintf("line %zu: not valid UTF-8 text", line);
			goto fail;
		}
		size_t tl;
		const char *t = trim(s, n, &tl);
		if (tl == 0 || t[0] == '#')
			continue;
		if (s[0] == ' ' || s[0] == '\t') {
			if (!c->n) {
				*err = xasprintf("line %zu: continuation line before any message",
						 line);
				goto fail;
			}
			append_text(&c->e[c->n - 1], t, tl);
			continue;
		}
		const char *eq = memchr(t, '=', tl);
		if (!eq) {
			*err = xasprintf("line %zu: expected \"id = text\"", line);
			goto fail;
		}
		size_t il, vl;
		const char *id = trim(t, (size_t)(eq - t), &il);
		const char *val = trim(eq + 1, tl - (size_t)(eq - t) - 1, &vl);
		if (il == 0 || il > 200) {
			*err = xasprintf("line %zu: missing or too long identifier", line);
			goto fail;
		}
		for (size_t i = 0; i < il; i++)
			if (!id_char(id[i])) {
				*err = xasprintf("line %zu: invalid character in the identifier",
						 line);
				goto fail;
			}
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
		}
		c->e[c->n].id = xstrndup(id, il);
		c->e[c->n].text = xstrndup(val, vl);
		c->n++;
	}
	c->sorted = xmalloc((c->n ? c->n : 1) * sizeof(size_t));
	for (size_t i = 0; i < c->n; i++)
		c->sorted[i] = i;
	qsort_r(c->sorted, c->n, sizeof(size_t), cmp_id, c);
	for (size_t i = 1; i < c->n; i++)
		if (strcmp(c->e[c->sorted[i]].id, c->e[c->sorted[i - 1]].id) == 0) {
			*err = xasprintf("duplicate identifier %s", c->e[c->sorted[i]].id);
			goto fail;
		}
	return c;
fail:
	catalog_free(c);
	return NULL;
}

struct catalog *catalog_load(const char *path, char **err)
{
	*err = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b, CATALOG_MAX);
	char chunk[65536];
	size_t n;
	bool too_big = false;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			too_big = true;
			break;
		}
	bool bad = ferror(fp);
	fclose(fp);
	if (bad || too_big) {
		*err = xasprintf("%s: %s", path, too_big ? "file too large" : "read error");
		buf_free(&b);
		return NULL;
	}
	char *e = NULL;
	struct catalog *c = catalog_parse(b.data ? b.data : "", b.len, &e);
	buf_free(&b);
	if (!c) {
		*err = xasprintf("%s: %s", path, e);
		free(e);
	}
	return c;
}

/* The data directory when the configuration names none (as scanner/cli.c chooses it). */
static const char *default_data_dir(void)
{
	const char *env = getenv("DOMSCAN_DATADIR");
	if (env && *env)
		return env;
	struct stat st;
	if (stat(DOMSCAN_SRC_DATADIR, &st) == 0 && S_ISDIR(st.st_mode))
		return DOMSCAN_SRC_DATADIR;
	return DOMSCAN_DATADIR;
}

struct catalog *catalog_load_lang(const char *data_dir, const char *lang, char **err)
{
	char *path = xasprintf("%s/messages/%s.txt", data_dir ? data_dir : default_data_dir(),
			       lang && *lang ? lang : "en");
	struct catalog *c = catalog_load(path, err);
	free(path);
	return c;
}

const char *catalog_get(const struct catalog *c, const char *id)
{
	if (!c || !id)
		return NULL;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, c->e[c->sorted[mid]].id);
		if (r == 0)
			return c->e[c->sorted[mid]].text;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t catalog_count(const struct catalog *c)
{
	return c ? c->n : 0;
}

const char *catalog_id(const struct catalog *c, size_t i)
{
	return c && i < c->n ? c->e[i].id : NULL;
}

/*
 * `args` with every nested message (an object with "msg", see msg_nested()) replaced by its
 * text in this catalogue; a new reference (args itself when nothing is nested).
 */
static json_t *resolve_args(const struct catalog *c, const json_t *args, int depth);

/* A nested message as {"text": its text in this catalogue} (msg_expand() uses "text"). */
static json_t *resolve_nested(const struct catalog *c, const json_t *v, int depth)
{
	const char *id = json_string_value(json_object_get(v, "msg"));
	if (!id || depth > 4)
		return json_incref((json_t *)v);
	const char *t = catalog_get(c, id);
	char *text;
	if (t) {
		json_t *inner = resolve_args(c, json_object_get(v, "args"), depth + 1);
		text = msg_format(t, inner);
		json_decref(inner);
	} else {
		text = xasprintf(MSG_MISSING_OPEN "%s" MSG_MISSING_CLOSE, id);
	}
	json_t *o = json_pack("{so}", "text", json_str(text));
	free(text);
	return o;
}

static json_t *resolve_args(const struct catalog *c, const json_t *args, int depth)
{
	const char *k;
	const json_t *v;
	bool nested = false;
	json_object_foreach((json_t *)args, k, v) if (json_is_object(v) || json_is_array(v))
		nested = true;
	if (!nested)
		return json_incref((json_t *)args);
	json_t *out = json_object();
	json_object_foreach((json_t *)args, k, v)
	{
		if (json_is_object(v)) {
			json_object_set_new(out, k, resolve_nested(c, v, depth));
		} else if (json_is_array(v)) {
			json_t *arr = json_array();
			size_t i;
			const json_t *e;
			json_array_foreach(v, i, e) json_array_append_new(
				arr, json_is_object(e) ? resolve_nested(c, e, depth)
						       : json_incref((json_t *)e));
			json_object_set_new(out, k, arr);
		} else {
			json_object_set(out, k, (json_t *)v);
		}
	}
	return out;
}

static void text_emit(void *ctx, const char *s, size_t len, const char *param)
{
	(void)param;
	buf_add(ctx, s, len);
}

char *i18n_text(const struct catalog *c, const char *id, const json_t *args)
{
	const char *t = catalog_get(c, id);
	if (!t)
		return xasprintf(MSG_MISSING_OPEN "%s" MSG_MISSING_CLOSE, id ? id : "");
	struct buf b;
	buf_init(&b, 1u << 20);
	json_t *a = resolve_args(c, args, 0);
	msg_expand(t, a, text_emit, &b);
	json_decref(a);
	return buf_steal(&b);
}

static void html_emit(void *ctx, const char *s, size_t len, const char *param)
{
	FILE *fp = ctx;
	bool code = param && (strncmp(param, "record", 6) == 0 || strcmp(param, "host") == 0);
	bool detail = param && strcmp(param, "detail") == 0;
	if (code)
		fputs("<code>", fp);
	else if (detail)
		fputs("<span class=\"detail\">", fp);
	html_text(fp, s, len);
	if (code)
		fputs("</code>", fp);
	else if (detail)
		fputs("</span>", fp);
}

void i18n_html(FILE *fp, const struct catalog *c, const char *id, const json_t *args)
{
	const char *t = catalog_get(c, id);
	if (!t) {
		fputs(MSG_MISSING_OPEN, fp);
		html_text(fp, id ? id : "", id ? strlen(id) : 0);
		fputs(MSG_MISSING_CLOSE, fp);
		return;
	}
	json_t *a = resolve_args(c, args, 0);
	msg_expand(t, a, html_emit, fp);
	json_decref(a);
}

void i18n_html_key(FILE *fp, const struct catalog *c, const char *prefix, const char *name)
{
	char *id = xasprintf("%s%s", prefix, name ? name : "");
	i18n_html(fp, c, id, NULL);
	free(id);
}
