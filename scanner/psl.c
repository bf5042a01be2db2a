/* Organisational domains over libpsl; see psl.h. */
#include "scanner/psl.h"
#include "scanner/util.h"

#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

struct psl_db {
	psl_ctx_t *owned;     /* loaded here, freed on close */
	const psl_ctx_t *ctx; /* what lookups use (owned or libpsl's built-in) */
};

struct psl_db *psl_db_open(const struct config *cfg, char **err)
{
	psl_ctx_t *ctx;
	const char *file = cfg ? cfg->psl_file : NULL;
	if (file && *file) {
		ctx = psl_load_file(file);
		if (!ctx) {
			if (err)
				*err = xasprintf("cannot load the Public Suffix List %s", file);
			return NULL;
		}
	} else if (psl_builtin() && !psl_builtin_outdated()) {
		ctx = NULL; /* the built-in list is current: no loading, nothing to free */
	} else {
		ctx = psl_latest(NULL);
	}
	struct psl_db *db = xcalloc(1, sizeof(*db));
	db->owned = ctx;
	db->ctx = ctx ? ctx : psl_builtin();
	if (!db->ctx) {
		free(db);
		if (err)
			*err = xstrdup("no Public Suffix List available");
		return NULL;
	}
	return db;
}

void psl_db_close(struct psl_db *db)
{
	if (!db)
		return;
	if (db->owned)
		psl_free(db->owned);
	free(db);
}

/* Lower-case copy without a trailing dot; NULL when empty. */
static char *norm(const char *domain)
{
	if (!domain)
		return NULL;
	char *d = str_lower(domain);
	size_t n = strlen(d);
	while (n && d[n - 1] == '.')
		d[--n] = '\0';
	if (n == 0) {
		free(d);
		return NULL;
	}
	return d;
}

char *psl_db_org_domain(const struct psl_db *db, const char *domain)
{
	char *d = norm(domain);
	if (!d)
		return NULL;
	const char *r = psl_registrable_domain(db->ctx, d);
	char *out = r ? xstrdup(r) : NULL;
	free(d);
	return out;
}

int psl_db_is_public_suffix(const struct psl_db *db, const char *domain)
{
	char *d = norm(domain);
	if (!d)
		return 0;
	int r = psl_is_public_suffix(db->ctx, d);
	free(d);
	return r;
}

char *psl_org_domain(const struct config *cfg, const char *domain, char **err)
{
	struct psl_db *db = psl_db_open(cfg, err);
	if (!db)
		return NULL;
	char *r = psl_db_org_domain(db, domain);
	psl_db_close(db);
	return r;
}
