/* NCSC TLS classification tables; see tls_class.h. */
#include "scanner/tls_class.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const class_names[] = { "good", "sufficient", "phase_out", "insufficient" };

const char *tls_class_name(enum tls_class c)
{
	if ((unsigned)c > TLS_CLASS_INSUFFICIENT)
		return "insufficient";
	return class_names[c];
}

int tls_class_parse(const char *word)
{
	for (int i = 0; i <= TLS_CLASS_INSUFFICIENT; i++)
		if (strcmp(word, class_names[i]) == 0)
			return i;
	return -1;
}

enum tls_class tls_class_worst(enum tls_class a, enum tls_class b)
{
	return a > b ? a : b;
}

void tls_table_clear(struct tls_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (int c = 0; c < t->rows[i].ncols; c++)
			free(t->rows[i].col[c]);
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

int tls_table_parse(const char *text, size_t len, int ncols, struct tls_table *out, char **err)
{
	out->rows = NULL;
	out->n = 0;
	if (ncols < 2 || ncols > 4) {
		*err = xstrdup("bad column count");
		return -1;
	}
	size_t cap = 0, pos = 0;
	int lineno = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		const char *line = text + pos;
		size_t ll = end - pos;
		pos = end + 1;
		if (ll && line[ll - 1] == '\r')
			ll--;
		size_t i = 0;
		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == ll || line[i] == '#')
			continue;
		struct tls_table_row row = { .ncols = 0 };
		bool bad = false;
		while (i < ll) {
			size_t s = i;
			while (i < ll && line[i] != ' ' && line[i] != '\t')
				i++;
			if (row.ncols == ncols) {
				bad = true;
				break;
			}
			for (size_t k = s; k < i; k++)
				if (line[k] == '\0' || (unsigned char)line[k] < 0x20)
					bad = true;
			row.col[row.ncols++] = xstrndup(line + s, i - s);
			while (i < ll && (line[i] == ' ' || line[i] == '\t'))
				i++;
		}
		if (bad || row.ncols != ncols || tls_class_parse(row.col[ncols - 1]) < 0) {
			for (int c = 0; c < row.ncols; c++)
				free(row.col[c]);
			tls_table_clear(out);
			*err = xasprintf("line %d: expected %d columns ending in a class word",
					 lineno, ncols);
			return -1;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->rows = xrealloc(out->rows, cap * sizeof(*out->rows));
		}
		out->rows[out->n++] = row;
	}
	return 0;
}

static int load_one(const char *dir, const char *file, int ncols, struct tls_table *t, char **err)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct buf b;
	buf_init(&b, 1 << 20);
	char chunk[4096];
	size_t got;
	int rc = 0;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, got) < 0) {
			rc = -1;
			break;
		}
	fclose(f);
	char *perr = NULL;
	if (rc == 0 && tls_table_parse(b.data ? b.data : "", b.len, ncols, t, &perr) < 0)
		rc = -1;
	if (rc < 0)
		*err = xasprintf("%s: %s", path, perr ? perr : "too large");
	free(perr);
	buf_free(&b);
	free(path);
	return rc;
}

struct tls_tables *tls_tables_load(const char *dir, char **err)
{
	struct tls_tables *t = xcalloc(1, sizeof(*t));
	if (load_one(dir, "tls-versions.tsv", 2, &t->versions, err) < 0 ||
	    load_one(dir, "tls-ciphers.tsv", 2, &t->ciphers, err) < 0 ||
	    load_one(dir, "tls-groups.tsv", 2, &t->groups, err) < 0 ||
	    load_one(dir, "tls-certkeys.tsv", 4, &t->certkeys, err) < 0 ||
	    load_one(dir, "tls-sigalgs.tsv", 3, &t->sigalgs, err) < 0) {
		tls_tables_free(t);
		return NULL;
	}
	return t;
}

void tls_tables_free(struct tls_tables *t)
{
	if (!t)
		return;
	tls_table_clear(&t->versions);
	tls_table_clear(&t->ciphers);
	tls_table_clear(&t->groups);
	tls_table_clear(&t->certkeys);
	tls_table_clear(&t->sigalgs);
	free(t);
}

static enum tls_class lookup2(const struct tls_table *t, const char *key)
{
	if (!key)
		return TLS_CLASS_INSUFFICIENT;
	for (size_t i = 0; i < t->n; i++)
		if (strcasecmp(t->rows[i].col[0], key) == 0)
			return (enum tls_class)tls_class_parse(t->rows[i].col[1]);
	return TLS_CLASS_INSUFFICIENT;
}

enum tls_class tls_class_version(const struct tls_tables *t, const char *name)
{
	return lookup2(&t->versions, name);
}

enum tls_class tls_class_cipher(const struct tls_tables *t, const char *iana)
{
	return lookup2(&t->ciphers, iana);
}

enum tls_class tls_class_group(const struct tls_tables *t, const char *name)
{
	return lookup2(&t->groups, name);
}

enum tls_class tls_class_dh(const struct tls_tables *t, const char *rfc7919_name, int bits)
{
	(void)bits;
	if (!rfc7919_name || strncasecmp(rfc7919_name, "ffdhe", 5) != 0)
		return TLS_CLASS_INSUFFICIENT;
	return lookup2(&t->groups, rfc7919_name);
}

enum tls_class tls_class_certkey(const struct tls_tables *t, const char *type, const char *curve,
				 int bits)
{
	if (!type)
		return TLS_CLASS_INSUFFICIENT;
	for (size_t i = 0; i < t->certkeys.n; i++) {
		const struct tls_table_row *r = &t->certkeys.rows[i];
		if (strcasecmp(r->col[0], type) != 0)
			continue;
		if (strcmp(r->col[1], "-") != 0 && (!curve || strcasecmp(r->col[1], curve) != 0))
			continue;
		char *endp;
		long min = strtol(r->col[2], &endp, 10);
		if (*endp || bits < min)
			continue;
		return (enum tls_class)tls_class_parse(r->col[3]);
	}
	return TLS_CLASS_INSUFFICIENT;
}

static enum tls_class lookup_kind(const struct tls_table *t, const char *kind, const char *name)
{
	if (!name)
		return TLS_CLASS_INSUFFICIENT;
	for (size_t i = 0; i < t->n; i++)
		if (strcasecmp(t->rows[i].col[0], kind) == 0 &&
		    strcasecmp(t->rows[i].col[1], name) == 0)
			return (enum tls_class)tls_class_parse(t->rows[i].col[2]);
	return TLS_CLASS_INSUFFICIENT;
}

enum tls_class tls_class_sigalg(const struct tls_tables *t, const char *alg)
{
	return lookup_kind(&t->sigalgs, "alg", alg);
}

enum tls_class tls_class_hash(const struct tls_tables *t, const char *hash)
{
	return lookup_kind(&t->sigalgs, "hash", hash);
}
