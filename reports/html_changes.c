/*
 * The "Changes since <baseline>" section of the HTML report; see html_changes.h and
 * docs/columns.md. Rows are streamed to temporary files (got worse / other changes / new) so
 * memory does not grow with the number of changed domains; close() assembles them. The text
 * comes from the message catalogue (html.changes.*, docs/i18n.md); every string from the
 * baseline or the scan goes through html_text() or is a (escaped) message parameter.
 */
#include "reports/html_changes.h"
#include "reports/baseline.h"
#include "reports/html.h"
#include "reports/i18n.h"
#include "scanner/msg.h"
#include "scanner/shard.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>

enum { LIST_WORSE, LIST_OTHER, LIST_NEW, LIST_N };

struct html_changes {
	const struct catalog *cat; /* borrowed */
	struct baseline *base;     /* shared */
	char *path;                /* the baseline file as given */
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
		      const struct catalog *cat, struct html_changes **out, char **err)
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
	c->cat = cat;
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

/* Message `id` with parameters (stolen) as HTML. */
static void TA(const struct html_changes *c, FILE *fp, const char *id, json_t *args)
{
	i18n_html(fp, c->cat, id, args);
	json_decref(args);
}

static const char *value_msg(const char *column)
{
	if (strcmp(column, "dnssec_status") == 0)
		return MSG("html.changes.value.dnssec_status");
	if (strcmp(column, "spf_lookups") == 0)
		return MSG("html.changes.value.spf_lookups");
	if (strcmp(column, "dmarc_policy") == 0)
		return MSG("html.changes.value.dmarc_policy");
	if (strcmp(column, "dkim_selectors") == 0)
		return MSG("html.changes.value.dkim_selectors");
	if (strcmp(column, "mx") == 0)
		return MSG("html.changes.value.mx");
	return NULL;
}

/* One value of a change: a verdict word in the report's language, else the text. */
static void change_value(const struct html_changes *c, FILE *fp, const struct baseline_change *ch,
			 const char *v)
{
	if (!*v)
		TA(c, fp, MSG("html.changes.empty"), NULL);
	else if (ch->verdict)
		i18n_html_key(fp, c->cat, "verdict.", v);
	else
		esc(fp, v);
}

static void change_item(const struct html_changes *c, FILE *fp, const struct baseline_change *ch)
{
	if (ch->worse)
		fprintf(fp, "<span class=\"v-%s\">", ch->worse > 0 ? "fail" : "pass");
	const char *vm = value_msg(ch->name);
	if (ch->verdict)
		i18n_html_key(fp, c->cat, "check.", ch->name);
	else if (strcmp(ch->name, "score") == 0)
		TA(c, fp, MSG("html.changes.score"), NULL);
	else if (vm)
		TA(c, fp, vm, NULL);
	else
		esc(fp, ch->name);
	fputs(": ", fp);
	change_value(c, fp, ch, ch->from);
	fputs(" &rarr; ", fp);
	change_value(c, fp, ch, ch->to);
	if (ch->worse)
		fputs("</span>", fp);
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
			fputs(i ? "; " : "", fp);
			change_item(c, fp, &d.changes[i]);
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

static int table(const struct html_changes *c, FILE *fp, FILE *rows, const char *heading,
		 const char *id, size_t n)
{
	fprintf(fp, "<h3 id=\"%s\">", id);
	TA(c, fp, heading, msg_args("count", json_integer((json_int_t)n), NULL));
	fputs("</h3>", fp);
	if (!n) {
		fputs("<p class=\"small\">", fp);
		TA(c, fp, MSG("html.changes.none"), NULL);
		fputs("</p>", fp);
		return 0;
	}
	fputs("<table><tr><th>", fp);
	TA(c, fp, MSG("html.changes.col.domain"), NULL);
	fputs("</th><th>", fp);
	TA(c, fp, MSG("html.changes.col.score"), NULL);
	fputs("</th><th>", fp);
	TA(c, fp, MSG("html.changes.col.what"), NULL);
	fputs("</th></tr>\n", fp);
	int rc = copy_tmp(rows, fp);
	fputs("</table>", fp);
	return rc;
}

static void card(const struct html_changes *c, FILE *fp, size_t n, const char *label)
{
	fprintf(fp, "<div class=\"card\"><b>%zu</b>", n);
	TA(c, fp, label, NULL);
	fputs("</div>", fp);
}

static json_t *count(size_t n)
{
	return msg_args("count", json_integer((json_int_t)n), NULL);
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
	fputs("<section id=\"changes\"><h2>", fp);
	TA(c, fp, MSG("html.changes.heading"), msg_args("baseline", json_str(c->path), NULL));
	fputs("</h2><div class=\"cards\">", fp);
	card(c, fp, c->count[LIST_WORSE], MSG("html.changes.worse"));
	card(c, fp, c->improved, MSG("html.changes.improved"));
	card(c, fp, c->count[LIST_OTHER] - c->improved, MSG("html.changes.changed"));
	card(c, fp, c->unchanged, MSG("html.changes.unchanged"));
	card(c, fp, c->count[LIST_NEW], MSG("html.changes.new"));
	card(c, fp, missing, MSG("html.changes.missing"));
	fputs("</div><p class=\"small\">", fp);
	TA(c, fp, MSG("html.changes.explain"), count(b->n));
	if (b->bad || b->invalid || b->ignored) {
		fputs(" ", fp);
		TA(c, fp, MSG("html.changes.skipped"),
		   msg_args("bad", json_integer((json_int_t)b->bad), "invalid",
			    json_integer((json_int_t)b->invalid), "ignored",
			    json_integer((json_int_t)b->ignored), NULL));
	}
	fputs("</p>", fp);
	if (table(c, fp, c->tmp[LIST_WORSE], MSG("html.changes.worse_heading"), "changes-worse",
		  c->count[LIST_WORSE]) < 0)
		rc = -1;
	if (table(c, fp, c->tmp[LIST_OTHER], MSG("html.changes.other_heading"), "changes-other",
		  c->count[LIST_OTHER]) < 0)
		rc = -1;
	fputs("<h3 id=\"changes-new\">", fp);
	TA(c, fp, MSG("html.changes.new_heading"), count(c->count[LIST_NEW]));
	fputs("</h3><p>", fp);
	if (!c->count[LIST_NEW])
		TA(c, fp, MSG("html.changes.none"), NULL);
	else if (copy_tmp(c->tmp[LIST_NEW], fp) < 0)
		rc = -1;
	fputs("</p><h3 id=\"changes-missing\">", fp);
	TA(c, fp, MSG("html.changes.missing_heading"), count(missing));
	fputs("</h3><p>", fp);
	if (!missing)
		TA(c, fp, MSG("html.changes.none"), NULL);
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
