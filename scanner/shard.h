/*
 * Deterministic partition of the input for `domscan scan --shard I/N` (docs/sharding.md).
 *
 * A row's shard key is its normalised domain (lower-case A-label, no trailing dot); an invalid
 * entry's key is the entry as read. The key is hashed with 64-bit FNV-1a over its bytes
 * (offset basis 0xcbf29ce484222325, prime 0x100000001b3) and the row belongs to shard
 * I (1-based) of N when hash % N == I - 1. Any machine computes the same split, duplicates of
 * a domain land in the same shard, and every input row lands in exactly one shard.
 *
 * Pure functions, no state; nothing is allocated.
 */
#pragma once

#include "scanner/report.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The largest N accepted by --shard. */
#define SHARD_MAX 1000000

/** 64-bit FNV-1a of the bytes of `s` (NUL-terminated). */
uint64_t shard_fnv1a64(const char *s);

/**
 * Parse "I/N" (1 <= I <= N <= SHARD_MAX, decimal, nothing else). 0 on success with *index and
 * *count set; -1 when malformed.
 */
int shard_parse(const char *spec, unsigned *index, unsigned *count);

/** The 1-based shard of a row among `count` shards (its domain, else its input as read). */
unsigned shard_of_row(const struct input_row *row, unsigned count);

/** Whether the row belongs to shard `index` of `count`; count 0 = no sharding (always true). */
bool shard_owns(const struct input_row *row, unsigned index, unsigned count);
