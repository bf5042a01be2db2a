/*
 * Internet.nl-style scores (../shared/reference/internetnl-mail-test.md §3, docs/scoring.md).
 *
 * A pure function over the subtests the checks put in their detail: a subtest counts when it
 * carries an integer "max"; its "points" (absent = 0) are summed per "server" (absent = the
 * domain itself); a category's total is the minimum over its servers, its maximum the largest
 * per-server maximum, and its percentage (int)(100.0 / max * total). The overall score is the
 * truncated mean of the categories that could be scored.
 *
 * Ownership: score_compute() only reads its arguments; struct score holds no pointers.
 */
#pragma once

#include "scanner/check.h"
#include "scanner/result.h"

enum score_category {
	SCORE_IPV6,
	SCORE_DNSSEC,
	SCORE_AUTH,
	SCORE_STARTTLS,
	SCORE_N_CATEGORIES,
};

struct score_part {
	int pct;    /* 0-100, or -1 when the category could not be scored */
	int points; /* total: minimum over servers of the per-server sums */
	int max;    /* largest per-server maximum */
};

struct score {
	struct score_part cat[SCORE_N_CATEGORIES];
	int overall; /* 0-100, or -1 when no category could be scored */
};

/** Short name of a category ("ipv6", "dnssec", "auth", "starttls"): the CSV column suffix. */
const char *score_category_name(enum score_category c);
/** A title for people ("IPv6", "DNSSEC", "Authentication", "STARTTLS"). */
const char *score_category_title(enum score_category c);
/** The category a check belongs to, or -1 (the check does not count in the score). */
int score_category_of(const char *check_name);

/** Truncated mean of the n category percentages that are >= 0, clamped to 0-100; -1 if none. */
int score_mean(const int *pct, size_t n);

/**
 * Compute the scores of one domain. `res` may be NULL (an invalid entry: nothing scored).
 * The check table gives the names of res->checks[i].
 */
void score_compute(const struct domain_result *res, const struct check_table *table,
		   struct score *out);
