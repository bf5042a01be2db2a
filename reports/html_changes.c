/*
 * The "Changes since <baseline>" section of the HTML report; see html_changes.h and
 * docs/columns.md. Rows are streamed to temporary files (got worse / other changes / new) so
 * memory does not grow with the number of changed domains; close() assembles them. Every
 * string goes through html_text().
 */
#include "reports/html_changes.h"
#include "reports/baseline.h"
#include "reports/html.h"
#include "scanner/shard.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

enum { LIST_WORSE, LIST_OTHER, LIST_NEW, LIST_N };

struct html_changes {
	struct baseline *base; /* shared */
	char *path;            /* the baseline file as given */
	FILE *tmp[LIST_N];
	size_t count[LIST_N];
	size_t improved, unchanged;
	bool regression;
	unsigned shard_index, shard_count; /* --shard: only this shard's domains can be missing */
};

/* Whether baseline entry e could have been in this run (its shard, with --shard). */
static bool expected_here(const struct html_changes *c, const struct baseline_entry *e)
{
	return !c->shard_count || shard_fnv1a64(e->domain) % c->shard_count == c->shard_index - 1;
}

static void esc(FILE *fp, const char *s)
{
	if (s)
		html_text(fp, s, strlen(s));
}

int html_changes_open(const struct report_meta *meta, const struct layout *l,
		      struct html_changes **out, char **err)
{
	*out = NULL;
	*err = NULL;
	if (!meta->cfg || !meta->cfg->baseline)
		return 0;
	struct html_changes *c = xcalloc(1, sizeof(*c));
	c->base = baseline_acquire(meta->cfg->baseline, l, err);
	if (!c->base) {
		free(c);
		return -1;
	}
	c->path = xstrdup(meta->cfg->baseline);
	c->shard_index = meta->cfg->shard_index;
	c->shard_count = meta->cfg->shard_count;
	for (int i = 0; i < LIST_N; i++) {
		c->tmp[i] = tmpfile();
		if (!c->tmp[i]) {
			html_changes_free(c);
			*err = xstrdup("cannot create a temporary file for the HTML report");
			return -1;
		}
	}
	*out = c;
	return 0;
}

static void domain_link(FILE *fp, const char *domain, size_t anchor)
{
	fprintf(fp, "<a href=\"#d%zu\">", anchor);
	esc(fp, domain);
	fputs("</a>", fp);
}

static void score_text(FILE *fp, int s)
{
	if (s >= 0)
		fprintf(fp, "%d", s);
	else
		fputs("&mdash;", fp);
}

void html_changes_row(struct html_changes *c, const struct layout *l, const struct input_row *row,
		      const struct domain_result *res, const struct score *sc, size_t anchor,
		      bool first)
{
	if (!c)
		return;
	struct baseline_diff d;
	baseline_compare_row(c->base, l, row, res, sc, &d);
	c->regression |= d.regression;
	if (!first || d.status == BASELINE_NOT_COMPARED) {
		baseline_diff_clear(&d);
		return;
	}
	if (d.status == BASELINE_UNCHANGED) {
		c->unchanged++;
	} else if (d.status == BASELINE_NEW) {
		FILE *fp = c->tmp[LIST_NEW];
		fputs(c->count[LIST_NEW] ? ", " : "", fp);
		domain_link(fp, row->domain, anchor);
		c->count[LIST_NEW]++;
	} else {
		int list = d.regression ? LIST_WORSE : LIST_OTHER;
		if (!d.regression && d.improved)
			c->improved++;
		FILE *fp = c->tmp[list];
		fputs("<tr><td>", fp);
		domain_link(fp, row->domain, anchor);
		fputs("</td><td class=\"num\">", fp);
		score_text(fp, d.old_score);
		fputs(" &rarr; ", fp);
		score_text(fp, d.new_score);
		fputs("</td><td>", fp);
		for (size_t i = 0; i < d.n; i++) {
			const struct baseline_change *ch = &d.changes[i];
			fputs(i ? "; " : "", fp);
			if (ch->worse)
				fprintf(fp, "<span class=\"v-%s\">",
					ch->worse > 0 ? "fail" : "pass");
			esc(fp, ch->name);
			fputs(": ", fp);
			esc(fp, *ch->from ? ch->from : "(none)");
			fputs(" &rarr; ", fp);
			esc(fp, *ch->to ? ch->to : "(none)");
			if (ch->worse)
				fputs("</span>", fp);
		}
		fputs("</td></tr>\n", fp);
		c->count[list]++;
	}
	baseline_diff_clear(&d);
}

static int copy_tmp(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			return -1;
	return ferror(from) ? -1 : 0;
}

static int table(FILE *fp, FILE *rows, const char *title, const char *id, size_t n)
{
	fprintf(fp, "<h3 id=\"%s\">%s (%zu)</h3>", id, title, n);
	if (!n) {
		fputs("<p class=\"small\">none</p>", fp);
		return 0;
	}
	fputs("<table><tr><th>domain</th><th>score then &rarr; now</th><th>what changed</th></tr>\n",
	      fp);
	int rc = copy_tmp(rows, fp);
	fputs("</table>", fp);
	return rc;
}

int html_changes_write(struct html_changes *c, FILE *fp)
{
	if (!c)
		return 0;
	const struct baseline *b = c->base;
	size_t missing = 0;
	for (size_t i = 0; i < b->n; i++)
		missing += !b->entries[i].seen && expected_here(c, &b->entries[i]);
	int rc = 0;
	fputs("<section id=\"changes\"><h2>Changes since ", fp);
	esc(fp, c->path);
	fputs("</h2><div class=\"cards\">", fp);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>got worse</div>", c->count[LIST_WORSE]);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>improved</div>", c->improved);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>changed otherwise</div>",
		c->count[LIST_OTHER] - c->improved);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>unchanged</div>", c->unchanged);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>new</div>", c->count[LIST_NEW]);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>not in this run</div>", missing);
	fputs("</div><p class=\"small\">Compared per domain with the baseline report. A domain "
	      "<em>got worse</em> when a verdict moved to a worse one (fail &gt; error &gt; "
	      "warning &gt; info &gt; pass) or its score dropped; changes of the DNSSEC status, "
	      "SPF lookups, DMARC policy, DKIM selectors and MX hosts are listed too. ",
	      fp);
	fprintf(fp, "The baseline held %zu domains", b->n);
	if (b->bad || b->invalid || b->ignored)
		fprintf(fp,
			" (%zu malformed records skipped, %zu invalid entries, %zu rows ignored)",
			b->bad, b->invalid, b->ignored);
	fputs(".</p>", fp);
	if (table(fp, c->tmp[LIST_WORSE], "Got worse", "changes-worse", c->count[LIST_WORSE]) < 0)
		rc = -1;
	if (table(fp, c->tmp[LIST_OTHER], "Improved or changed otherwise", "changes-other",
		  c->count[LIST_OTHER]) < 0)
		rc = -1;
	fprintf(fp, "<h3 id=\"changes-new\">New since the baseline (%zu)</h3><p>",
		c->count[LIST_NEW]);
	if (!c->count[LIST_NEW])
		fputs("<span class=\"small\">none</span>", fp);
	else if (copy_tmp(c->tmp[LIST_NEW], fp) < 0)
		rc = -1;
	fprintf(fp,
		"</p><h3 id=\"changes-missing\">In the baseline but not in this run (%zu)</h3><p>",
		missing);
	if (!missing)
		fputs("<span class=\"small\">none</span>", fp);
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->entries[i].seen || !expected_here(c, &b->entries[i]))
			continue;
		fputs(k++ ? ", " : "", fp);
		esc(fp, b->entries[i].domain);
	}
	fputs("</p></section>\n", fp);
	return rc;
}

bool html_changes_regression(const struct html_changes *c)
{
	return c && c->regression;
}

void html_changes_free(struct html_changes *c)
{
	if (!c)
		return;
	for (int i = 0; i < LIST_N; i++)
		if (c->tmp[i])
			fclose(c->tmp[i]);
	baseline_release(c->base);
	free(c->path);
	free(c);
}
