/* Internet.nl-style category and overall scores: see score.h and docs/scoring.md. */
#include "reports/score.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *title;
	const char *checks[3];
} categories[SCORE_N_CATEGORIES] = {
	[SCORE_IPV6] = { "ipv6", "IPv6", { "ipv6" } },
	[SCORE_DNSSEC] = { "dnssec", "DNSSEC", { "dnssec" } },
	[SCORE_AUTH] = { "auth", "Authentication", { "dmarc", "dkim", "spf" } },
	[SCORE_STARTTLS] = { "starttls", "STARTTLS", { "starttls", "dane" } },
};

const char *score_category_name(enum score_category c)
{
	return (unsigned)c < SCORE_N_CATEGORIES ? categories[c].name : "";
}

const char *score_category_title(enum score_category c)
{
	return (unsigned)c < SCORE_N_CATEGORIES ? categories[c].title : "";
}

int score_category_of(const char *check_name)
{
	for (int c = 0; c < SCORE_N_CATEGORIES; c++)
		for (size_t k = 0; k < 3 && categories[c].checks[k]; k++)
			if (strcmp(check_name, categories[c].checks[k]) == 0)
				return c;
	return -1;
}

/* Per-server sums of one category. */
struct server_sum {
	const char *server; /* borrowed from the subtest; "" = the domain itself */
	long points, max;
};

struct sums {
	struct server_sum *v;
	size_t n, cap;
};

static struct server_sum *sum_for(struct sums *s, const char *server)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].server, server) == 0)
			return &s->v[i];
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n] = (struct server_sum){ server, 0, 0 };
	return &s->v[s->n++];
}

/* Add the counted subtests of one check; returns how many counted. */
static size_t add_subtests(struct sums *s, const json_t *detail)
{
	const json_t *subtests = json_object_get(detail, "subtests");
	size_t i, counted = 0;
	const json_t *st;
	json_array_foreach(subtests, i, st)
	{
		const json_t *max = json_object_get(st, "max");
		if (!json_is_integer(max) || json_integer_value(max) <= 0)
			continue;
		const json_t *pts = json_object_get(st, "points");
		const char *server = json_string_value(json_object_get(st, "server"));
		json_int_t m = json_integer_value(max);
		json_int_t p = json_is_integer(pts) ? json_integer_value(pts) : 0;
		if (m > 1000)
			m = 1000; /* hostile or buggy input must not overflow the sums */
		if (p < 0)
			p = 0;
		if (p > m)
			p = m;
		struct server_sum *sum = sum_for(s, server ? server : "");
		sum->points += p;
		sum->max += m;
		counted++;
	}
	return counted;
}

static void score_category(const struct domain_result *res, const struct check_table *table,
			   enum score_category c, struct score_part *out)
{
	struct sums s = { 0 };
	size_t counted = 0;
	bool errored = false;
	*out = (struct score_part){ -1, 0, 0 };
	for (size_t i = 0; i < table->n && i < res->n_checks; i++) {
		if (score_category_of(table->checks[i]->name) != (int)c)
			continue;
		counted += add_subtests(&s, res->checks[i].detail);
		if (res->checks[i].verdict == VERDICT_ERROR)
			errored = true;
	}
	if (counted > 0) {
		long total = s.v[0].points, max = s.v[0].max;
		for (size_t k = 1; k < s.n; k++) {
			if (s.v[k].points < total)
				total = s.v[k].points;
			if (s.v[k].max > max)
				max = s.v[k].max;
		}
		out->points = (int)total;
		out->max = (int)max;
		out->pct = (int)(100.0 / (double)max * (double)total);
		if (out->pct > 100)
			out->pct = 100;
	} else if (errored) {
		/* Nothing could be found out: the category counts, with 0. */
		out->pct = 0;
	}
	free(s.v);
}

int score_mean(const int *pct, size_t n)
{
	long sum = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (pct[i] >= 0) {
			sum += pct[i];
			k++;
		}
	if (k == 0)
		return -1;
	int r = (int)((double)sum / (double)k);
	return r < 0 ? 0 : r > 100 ? 100 : r;
}

void score_compute(const struct domain_result *res, const struct check_table *table,
		   struct score *out)
{
	int pct[SCORE_N_CATEGORIES];
	for (int c = 0; c < SCORE_N_CATEGORIES; c++) {
		out->cat[c] = (struct score_part){ -1, 0, 0 };
		if (res && !res->error && table)
			score_category(res, table, (enum score_category)c, &out->cat[c]);
		pct[c] = out->cat[c].pct;
	}
	out->overall = score_mean(pct, SCORE_N_CATEGORIES);
}
