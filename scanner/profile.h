/*
 * The platform compliance profile (--profile FILE, docs/profile.md): what a hosting platform
 * expects of every customer domain. The format is generic: `key: value` lines ('=' or white
 * space also separate the key), '#' starts a comment, blank lines are skipped; a value is a list
 * of items separated by commas and/or white space; a key may repeat (its items accumulate).
 * The scanner does not interpret the keys: each check declares the keys it reads
 * (struct check.profile_keys), and the engine refuses a profile with a key no check reads, so a
 * typo cannot silently switch a compliance check off.
 *
 * Ownership: profile_parse() and profile_load() return a new JSON object (key -> array of
 * strings, keys lower-cased) owned by the caller; *err is a malloc'd message owned by the
 * caller. profile_items() returns a borrowed array.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>

/** Largest profile file read (bytes). */
#define PROFILE_MAX_BYTES (1024 * 1024)
/** Most items kept per key; more is an error. */
#define PROFILE_MAX_ITEMS 4096

/**
 * Parse profile text (pure). Returns NULL and sets *err ("line N: ...") on a line without a
 * value, a key that is not [a-z0-9_-] (case-insensitive), an item longer than 1024 bytes or
 * too many items.
 */
json_t *profile_parse(const char *text, size_t len, char **err);
/** Read and parse a file; NULL and *err when unreadable or invalid. */
json_t *profile_load(const char *path, char **err);
/** The items of `key` (lower case), or NULL when the profile has none. */
const json_t *profile_items(const json_t *profile, const char *key);
