/*
 * The "Changes since <baseline>" section at the top of the HTML report (--baseline), kept out
 * of reports/html.c, which calls these hooks. Every function accepts NULL (no baseline): then
 * it does nothing.
 *
 * Ownership: html_changes_open() returns a handle the caller frees with html_changes_free();
 * it holds a shared reference to the run's baseline (baseline_acquire()) and borrows the
 * message catalogue until it is freed. Rows, results and the layout are borrowed for the call.
 */
#pragma once

#include "reports/i18n.h"
#include "reports/layout.h"
#include "scanner/report.h"

#include <stdbool.h>
#include <stdio.h>

struct html_changes;

/**
 * Without --baseline: 0 and *out = NULL. With it: 0 and a handle, or -1 with *err (malloc'd)
 * when the baseline is unusable.
 */
int html_changes_open(const struct report_meta *meta, const struct layout *l,
		      const struct catalog *cat, struct html_changes **out, char **err);
/**
 * One row of the report: `anchor` is the row index of the domain's detail section, `first`
 * whether this is the domain's first row (later duplicates are not listed again).
 */
void html_changes_row(struct html_changes *c, const struct layout *l, const struct input_row *row,
		      const struct domain_result *res, const struct score *sc, size_t anchor,
		      bool first);
/** Write the section into the report; 0, or -1 when a temporary file failed. */
int html_changes_write(struct html_changes *c, FILE *fp);
/** Whether a row got worse (html.c's close() then returns 3). */
bool html_changes_regression(const struct html_changes *c);
void html_changes_free(struct html_changes *c);
