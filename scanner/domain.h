/*
 * Domain name normalisation for input entries: trimming, a trailing dot, IDN to A-label
 * (libidn2, IDNA2008 non-transitional), lower case, and validation (LDH labels of 1-63 octets,
 * no leading or trailing hyphen, at most 253 octets, at least two labels, not an IP address).
 * Pure function: no state, thread-safe.
 */
#pragma once

#include <stddef.h>

/**
 * Normalise `in` (len bytes, need not be NUL-terminated). On success returns 0 and *out is the
 * malloc'd A-label form; on failure returns -1 and *why is a malloc'd reason.
 */
int domain_normalize(const char *in, size_t len, char **out, char **why);
