/*
 * Organisational domains from the Public Suffix List (RFC 7489 §3.2), over libpsl.
 *
 * A struct psl_db wraps one loaded list: cfg->psl_file (a PSL in text format, for tests) or,
 * when that is NULL, libpsl's latest list: the built-in data when it is not older than the
 * system's list file (nothing is loaded then), else psl_latest(NULL). Lookups on a loaded psl_db
 * are thread-safe (libpsl contexts are read-only once loaded). There is no hidden global state: a
 * caller either opens one per run and shares it (preferred, e.g. held by the engine), or opens
 * one per use (free with the built-in list; ~0.6 ms for the DAFSA file; ~5 ms for a text file).
 *
 * Ownership: psl_db_open() returns an owned db (psl_db_close() frees it); returned strings are
 * malloc'd and owned by the caller.
 */
#pragma once

#include "scanner/config.h"

struct psl_db;

/** Load the list named by cfg->psl_file (cfg may be NULL). NULL with *err (malloc'd) on failure. */
struct psl_db *psl_db_open(const struct config *cfg, char **err);
void psl_db_close(struct psl_db *db);

/**
 * The organisational domain of `domain` (lower-case A-label, trailing dot ignored): the public
 * suffix plus one label. NULL when the domain is itself a public suffix (or empty).
 */
char *psl_db_org_domain(const struct psl_db *db, const char *domain);

/** True when `domain` is itself a public suffix (including the implicit `*` rule). */
int psl_db_is_public_suffix(const struct psl_db *db, const char *domain);

/**
 * One-shot convenience: open, look up, close. NULL when the domain is a public suffix or the
 * list cannot be loaded (then *err, if err is not NULL, says why).
 */
char *psl_org_domain(const struct config *cfg, const char *domain, char **err);
