/*
 * The progress line on stderr: rows written, domains scanned per second, and an ETA when the
 * total is known. Shown when stderr is a terminal (mode -1) or when asked (mode 1).
 * Main-thread only; the struct is owned by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct progress {
	bool on;
	bool tty;
	double start, last;
};

void progress_init(struct progress *p, int mode);
/** total = 0 while the number of rows is not known yet. */
void progress_update(struct progress *p, size_t written, size_t scanned, size_t total);
void progress_finish(struct progress *p, size_t written);
