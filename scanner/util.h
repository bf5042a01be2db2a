/*
 * Small helpers used everywhere: allocation that never returns NULL (out of memory is fatal,
 * as in OpenSMTPD), string building, monotonic time, logging to stderr.
 * Ownership: every returned pointer is malloc'd and owned by the caller.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warnx_(const char *fmt, ...);

/**
 * The error path of the record parsers: when err is not NULL, set *err to a malloc'd message.
 * Returns -1.
 */
__attribute__((format(printf, 2, 3))) int parse_fail(char **err, const char *fmt, ...);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
char *xvasprintf(const char *fmt, va_list ap);

/** Seconds on the monotonic clock. */
double now_mono(void);
/** Seconds since the epoch (wall clock). */
double now_wall(void);

/**
 * The calling thread's deadline on the now_mono() clock, 0 = none. The engine sets it per
 * domain (--domain-timeout) on its worker threads; services that make a caller wait for work
 * done on behalf of others (the SMTP prober's per-address probe in flight) stop waiting then.
 */
void thread_deadline_set(double deadline);
double thread_deadline(void);

/** Lower-case ASCII copy of s; malloc'd. */
char *str_lower(const char *s);
/** Case-insensitive ASCII prefix test. */
bool str_iprefix(const char *s, const char *prefix);
/** Trim ASCII whitespace in place; returns s advanced past leading spaces. */
char *str_trim(char *s);

/** A growable byte buffer with an upper bound (like curl's dynbuf). */
struct buf {
	char *data;
	size_t len, cap, max;
};
void buf_init(struct buf *b, size_t max);
/** Append; returns -1 (and appends nothing) when the bound would be exceeded. */
int buf_add(struct buf *b, const void *p, size_t n);
__attribute__((format(printf, 2, 3))) int buf_printf(struct buf *b, const char *fmt, ...);
void buf_free(struct buf *b);
/** Hand over the NUL-terminated data (the buffer is reset). */
char *buf_steal(struct buf *b);
