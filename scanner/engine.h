/*
 * The scan engine: reads the input lists, schedules domains over `concurrency` worker threads,
 * runs the check table on each, and writes rows in input order to the reporters as they
 * complete, in bounded memory (a window of rows in flight, an LRU of recent results so that
 * duplicates are scanned once).
 */
#pragma once

#include "scanner/check.h"
#include "scanner/config.h"
#include "scanner/report.h"

/** Exit status per the contract: 0 all rows written, 1 fatal. */
int engine_run(const struct config *cfg, const struct check_table *checks,
	       const struct reporter *const *reporters, size_t n_reporters);
