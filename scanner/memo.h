/*
 * A run-wide memo cache for results that many domains share (an SPF include tree of a
 * provider, a policy host's MTA-STS policy, ...), with in-flight coalescing: when two workers
 * ask for the same key at once, one computes and the other waits.
 *
 * Values are JSON (immutable once stored). Bounded: least recently used entries are dropped
 * past the configured number of entries.
 * Thread safety: all functions are thread-safe.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>

struct memo;

struct memo *memo_new(size_t max_entries);
void memo_free(struct memo *m);

/**
 * Return the value for `key` (a new reference the caller json_decref()s), computing it with
 * fn(arg) when absent. fn returns a new reference (or NULL, stored as json null).
 */
json_t *memo_get(struct memo *m, const char *key, json_t *(*fn)(void *arg), void *arg);
