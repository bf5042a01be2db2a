/*
 * libFuzzer target for the baseline CSV parser (reports/baseline.c) and the diff built on it.
 * The input is parsed as a whole (A) and, from its first line break after the middle, as a
 * second report (B) with A's header line in front; every entry of B is compared with A's
 * entry of the same domain. Invariants: an entry compared with itself is unchanged, the
 * changes text stays within its bound, and the JSON object names the same status.
 */
#include "reports/baseline.h"
#include "scanner/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const checks[] = { "dnssec", "spf",  "dkim",    "dmarc",  "caa", "starttls",
				      "dane",   "ipv6", "mta_sts", "tlsrpt", NULL };

static void check_diff(const struct baseline *b, const struct baseline_entry *old,
		       const struct baseline_entry *now)
{
	struct baseline_diff d;
	baseline_diff(b, old, now, &d);
	if (old == now && (d.status != BASELINE_UNCHANGED || d.regression || d.n))
		abort();
	char *text = baseline_changes_text(&d);
	if (strlen(text) > 4096 + 8)
		abort();
	json_t *j = baseline_changes_json(&d);
	if (strcmp(json_string_value(json_object_get(j, "status")),
		   baseline_status_name(d.status)) != 0)
		abort();
	for (const char *const *c = baseline_columns; *c; c++)
		json_decref(baseline_cell(&d, *c));
	json_decref(j);
	free(text);
	baseline_diff_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *err = NULL;
	struct baseline *a = baseline_parse(s, size, checks, &err);
	free(err);
	if (!a)
		return 0;
	for (size_t i = 0; i < a->n && i < 64; i++)
		check_diff(a, &a->entries[i], &a->entries[i]);

	const char *nl = memchr(s, '\n', size);
	const char *mid = size > 2 ? memchr(s + size / 2, '\n', size - size / 2) : NULL;
	if (nl && mid && mid > nl) {
		size_t hlen = (size_t)(nl - s) + 1, rest = size - (size_t)(mid + 1 - s);
		char *two = xmalloc(hlen + rest + 1);
		memcpy(two, s, hlen);
		memcpy(two + hlen, mid + 1, rest);
		struct baseline *b = baseline_parse(two, hlen + rest, checks, &err);
		free(err);
		for (size_t i = 0; b && i < b->n && i < 64; i++)
			check_diff(a, baseline_find(a, b->entries[i].domain), &b->entries[i]);
		baseline_free(b);
		free(two);
	}
	baseline_free(a);
	return 0;
}
