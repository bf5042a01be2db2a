/*
 * The HTML report: ONE self-contained file (no external fetches). The CSS and the few lines of
 * JavaScript are embedded below as C strings; only the message catalogue is read at run time.
 *
 * Layout: the portfolio overview (counts, mean and median score, an SVG score distribution,
 * adoption of the Dutch "pas-toe-of-leg-uit" mail standards as a table and an SVG bar chart),
 * the shared-infrastructure roll-up (html_rollup.c, fed from html_row()), then a table of every row
 * (score and verdict per check; rendered here, so usable without JavaScript; paged, sorted and
 * filtered in the browser by the script js[]), then one <details> section per row with every
 * subtest, the records found, the MX hosts and advice, in <noscript> chunks that the script
 * parses on demand (see js[]).
 *
 * The overview must come first but is only known at the end: row() streams the table rows and
 * the detail sections to two temporary files and keeps only counters; close() writes the
 * overview and copies the two files behind it. Memory stays bounded whatever the row count.
 *
 * Every string that comes from a result or the input goes through html_text().
 *
 * Every text for people comes from the message catalogue of the chosen language (--lang,
 * data/messages/<lang>.txt, reports/i18n.h): headings, verdict names, the explanation of each
 * subtest (its "msg" and "args"), check errors and advice. Message parameters are escaped.
 */
#include "reports/html.h"
#include "reports/advice.h"
#include "reports/html_changes.h"
#include "reports/html_rollup.h"
#include "reports/i18n.h"
#include "reports/layout.h"
#include "reports/registry.h"
#include "scanner/msg.h"
#include "scanner/util.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* The standards of the compliance overview ("pas-toe-of-leg-uit" list). */
enum standard { STD_DNSSEC, STD_SPF, STD_DKIM, STD_DMARC, STD_STARTTLS_DANE, STD_IPV6, STD_N };

static const char *const standard_msgs[STD_N] = {
	MSG("standard.dnssec"), MSG("standard.spf"),           MSG("standard.dkim"),
	MSG("standard.dmarc"),  MSG("standard.starttls_dane"), MSG("standard.ipv6"),
};

struct std_count {
	size_t comply, fail, other; /* other: not tested or error */
};

struct html_out {
	FILE *fp;
	FILE *rows, *details; /* temporary files */
	struct layout *layout;
	struct catalog *cat; /* the messages of the report's language */
	char *lang;
	size_t n_rows, n_invalid, n_scored;
	size_t hist[101]; /* rows per overall score */
	/* Domains that have their detail section: duplicates link to the first one. */
	struct seen {
		char *domain; /* owned, NULL = free slot */
		size_t index; /* the row index of its <details> */
	} * seen;
	size_t seen_n, seen_cap;
	struct std_count std[STD_N];
	size_t n_details;             /* detail sections written */
	struct html_changes *changes; /* --baseline: reports/html_changes.c */
	struct html_rollup *rollup;   /* shared-infrastructure roll-up (html_rollup.c) */
};

/*
 * Whether the code point is one that changes the direction of the text around it or is
 * invisible (bidi embeddings, overrides, isolates and marks; zero-width spaces and joiners;
 * the BOM): shown as \uXXXX so that network text cannot disguise itself or what follows it.
 */
static bool invisible(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

void html_text(FILE *fp, const char *s, size_t len)
{
	size_t cut = len > HTML_TEXT_MAX ? HTML_TEXT_MAX : len;
	char *safe = text_sanitize(s ? s : "", s ? cut : 0, HTML_TEXT_MAX);
	for (const unsigned char *p = (const unsigned char *)safe; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			/* text_sanitize() left valid UTF-8: these code points have 2 or 3 bytes. */
			if ((p[0] == 0xd8 && p[1] == 0x9c) || p[0] == 0xe2 || p[0] == 0xef) {
				unsigned cp = p[0] == 0xd8 ? 0x061c
							   : (unsigned)(p[0] & 0x0f) << 12 |
								     (unsigned)(p[1] & 0x3f) << 6 |
								     (p[2] & 0x3f);
				if (invisible(cp)) {
					fprintf(fp, "\\u%04x", cp);
					p += p[0] == 0xd8 ? 1 : 2;
					break;
				}
			}
			fputc(*p, fp);
		}
	}
	if (len > cut)
		fputs("...", fp);
	free(safe);
}

static void esc(FILE *fp, const char *s)
{
	if (s)
		html_text(fp, s, strlen(s));
}

/* Message `id` (without parameters) as HTML. */
static void T(const struct html_out *h, FILE *fp, const char *id)
{
	i18n_html(fp, h->cat, id, NULL);
}

/* Message `id` with parameters (stolen) as HTML. */
static void TA(const struct html_out *h, FILE *fp, const char *id, json_t *args)
{
	i18n_html(fp, h->cat, id, args);
	json_decref(args);
}

/* A message object {"msg", "args"} (from a result) as HTML; `fallback` when it has none. */
static void T_obj(const struct html_out *h, FILE *fp, const json_t *m, const char *fallback)
{
	const char *id = json_string_value(json_object_get(m, "msg"));
	if (id) {
		i18n_html(fp, h->cat, id, json_object_get(m, "args"));
		return;
	}
	/* Text without a message identifier: shown in English, marked as untranslated. */
	fputs(MSG_MISSING_OPEN "untranslated" MSG_MISSING_CLOSE " ", fp);
	esc(fp, fallback);
}

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;"
	"max-width:1200px;padding:1em 2em;color:#1a1a1a;background:#fff}"
	"h1{font-size:1.6em;border-bottom:3px solid #154273;padding-bottom:.3em;color:#154273}"
	"h2{color:#154273;margin-top:1.6em}h3{margin:.8em 0 .3em}"
	".cards{display:flex;flex-wrap:wrap;gap:1em}.card{border:1px solid #ccd;border-radius:6px;"
	"padding:.6em 1.2em;min-width:9em}.card b{display:block;font-size:1.8em;color:#154273}"
	"table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccd;padding:.2em .5em;"
	"text-align:left;vertical-align:top}th{background:#eef2f7}"
	"#domains th{cursor:pointer;position:sticky;top:0}#domains td{white-space:nowrap}"
	".js #domains:not(.ready) tbody{display:none}#domains th[aria-sort=ascending]::after{content:' \\25B2'}"
	"#domains th[aria-sort=descending]::after{content:' \\25BC'}#pager button{margin-left:.5em}"
	".v-pass{background:#d9f2d9}.v-fail{background:#f8d0d0}.v-warning{background:#fde9c4}"
	".v-info{background:#dde8f6}.v-error{background:#e8d0f0}.v-not_tested{color:#777}"
	".num{text-align:right}.bar-ok{fill:#2e7d32}.bar-bad{fill:#c62828}.bar{fill:#154273}"
	"svg text{font-size:12px;fill:#1a1a1a}details{border:1px solid #ccd;border-radius:4px;"
	"margin:.3em 0;padding:.2em .6em}summary{cursor:pointer;font-weight:600}"
	".advice{background:#fff8e1;border-left:4px solid #f9a825;padding:.3em .6em;margin:.3em 0}"
	"code,.rec{font-family:ui-monospace,monospace;word-break:break-all}"
	".err{color:#6a1b9a}#filter{padding:.3em;width:20em}.small{color:#555;font-size:.9em}";

/*
 * The page's script (kept in a C string so that the report stays one file). Without JavaScript
 * the page is complete: every table row and every detail section is in the static HTML. With
 * it, a line in <head> marks the document "js", the CSS then keeps the big tbody out of layout
 * until the script below has taken the rows out of the document: it shows PAGE rows at a time
 * (sorting and filtering work on arrays of row indexes; the keys and the lower-cased row texts
 * are read from the DOM once), and the detail sections, which sit in <noscript> chunks (raw
 * text for the parser when scripting is on, so 50,000 of them cost no DOM), are parsed when
 * a domain is opened, or all at once when the report is small.
 */
/* Detail sections per <noscript> chunk. */
#define DETAIL_CHUNK 1000

static const char head_js[] = "document.documentElement.className+=' js'";

static const char js[] =
	"(function(){'use strict';var PAGE=500,ALL_DETAILS=4000000;"
	"var t=document.getElementById('domains'),f=document.getElementById('filter'),"
	"pager=document.getElementById('pager');if(!t)return;"
	"var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows),n=rows.length,"
	"ths=t.tHead.rows[0].cells,keys=[],txt=null,order=[],view,shown=PAGE,col=-1,dir=1;"
	"for(var k=0;k<n;k++)order.push(k);view=order;"
	/* the pager's texts come from the catalogue (data-* attributes, {param} filled in here) */
	"function tr(k,o){return(pager.getAttribute('data-'+k)||'').replace(/\\{(\\w+)\\}/g,"
	"function(x,p){return p in o?o[p]:x})}"
	"tb.textContent='';"
	/* the sort key of every row in column i: numbers where the heading says data-num */
	"function colKeys(i){if(keys[i])return keys[i];"
	"var num=ths[i].hasAttribute('data-num'),a=num?new Float64Array(n):new Array(n);"
	"for(var k=0;k<n;k++){var c=rows[k].cells[i],v=c?c.getAttribute('data-v'):'';"
	"if(v===null)v=c.textContent;a[k]=num?(v===''?-1:+v):v.toLowerCase()}"
	"return keys[i]=a}"
	"function render(){var fr=document.createDocumentFragment(),m=Math.min(shown,view.length);"
	"for(var k=0;k<m;k++)fr.appendChild(rows[view[k]]);tb.textContent='';tb.appendChild(fr);"
	"pager.textContent='';var s=document.createElement('span');"
	"s.textContent=view.length<n?tr('matching',{shown:m,matching:view.length,total:n}):tr('showing',{shown:m,total:n});"
	"pager.appendChild(s);if(m<view.length){"
	"button(tr('more',{count:Math.min(PAGE,view.length-m)}),shown+PAGE);"
	"button(tr('all',{}),view.length)}}"
	"function button(label,upto){var e=document.createElement('button');e.type='button';"
	"e.textContent=label;e.addEventListener('click',function(){shown=upto;render()});"
	"pager.appendChild(e)}"
	"function filter(){var q=f?f.value.toLowerCase().trim().split(/\\s+/).filter(Boolean):[];"
	"if(!q.length){view=order}else{if(!txt){txt=new Array(n);"
	"for(var k=0;k<n;k++)txt[k]=rows[k].textContent.toLowerCase()}"
	"view=order.filter(function(k){for(var j=0;j<q.length;j++)if(txt[k].indexOf(q[j])<0)return false;"
	"return true})}shown=PAGE;render()}"
	"Array.prototype.forEach.call(ths,function(th,i){th.tabIndex=0;"
	"function sort(){dir=col===i?-dir:1;col=i;var a=colKeys(i),d=dir;"
	"order.sort(function(x,y){return a[x]<a[y]?-d:a[x]>a[y]?d:x-y});"
	"Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort')});"
	"th.setAttribute('aria-sort',d>0?'ascending':'descending');filter()}"
	"th.addEventListener('click',sort);"
	"th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort()}})});"
	"var timer;if(f)f.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(filter,150)});"
	/* the detail sections */
	"var box=document.getElementById('details'),chunks=box?Array.prototype.slice.call(box.querySelectorAll('noscript')):[],"
	"texts=chunks.map(function(c){return c.textContent}),total=texts.reduce(function(s,x){return s+x.length},0);"
	"function parse(html){var tp=document.createElement('template');tp.innerHTML=html;return tp.content}"
	"if(total<=ALL_DETAILS){chunks.forEach(function(c,j){c.parentNode.replaceChild(parse(texts[j]),c)});chunks=[]}"
	"else{var note=document.createElement('p');note.className='small';"
	"note.textContent=tr('large',{});"
	"box.insertBefore(note,box.firstChild);var shownBox=document.createElement('div');box.insertBefore(shownBox,note.nextSibling)}"
	"function show(){var m=/^#d(\\d+)$/.exec(location.hash);if(!m)return;var id='d'+m[1],e=document.getElementById(id);"
	"if(!e&&chunks.length){var no=+m[1],j=chunks.length-1;"
	"while(j>0&&+chunks[j].getAttribute('data-first')>no)j--;"
	"var s=texts[j],a=s.indexOf('<details\\x20id=\"'+id+'\"'),b=a<0?-1:s.indexOf('</details>',a);"
	"if(b>=0){shownBox.insertBefore(parse(s.slice(a,b+10)),shownBox.firstChild);e=document.getElementById(id)}}"
	"if(e){e.open=true;e.scrollIntoView()}}"
	"window.addEventListener('hashchange',show);"
	/* a link to the hash already current fires no hashchange: open the section anyway */
	"document.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest('a');"
	"if(a&&a.getAttribute('href')===location.hash)show()});"
	"render();t.classList.add('ready');show()})();";

static void *html_open(const char *path, const struct report_meta *meta, char **err)
{
	FILE *fp = report_fopen(path, err);
	if (!fp)
		return NULL;
	const struct config *cfg = meta ? meta->cfg : NULL;
	char *cerr = NULL;
	struct catalog *cat = catalog_load_lang(cfg && cfg->data_dir ? cfg->data_dir : NULL,
						cfg && cfg->lang ? cfg->lang : "en", &cerr);
	if (!cat) {
		if (err)
			*err = xasprintf("HTML report: %s", cerr);
		free(cerr);
		report_fclose(fp);
		return NULL;
	}
	struct html_out *h = xcalloc(1, sizeof(*h));
	h->fp = fp;
	h->cat = cat;
	h->lang = xstrdup(cfg && cfg->lang ? cfg->lang : "en");
	h->rows = tmpfile();
	h->details = tmpfile();
	if (!h->rows || !h->details) {
		if (err)
			*err = xstrdup("cannot create a temporary file for the HTML report");
		if (h->rows)
			fclose(h->rows);
		if (h->details)
			fclose(h->details);
		report_fclose(fp);
		catalog_free(h->cat);
		free(h->lang);
		free(h);
		return NULL;
	}
	h->layout = layout_new(meta);
	if (html_changes_open(meta, h->layout, h->cat, &h->changes, err) != 0) {
		fclose(h->rows);
		fclose(h->details);
		report_fclose(fp);
		layout_free(h->layout);
		catalog_free(h->cat);
		free(h->lang);
		free(h);
		return NULL;
	}
	h->rollup = html_rollup_new(h->layout->checks);
	return h;
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of `domain` in the seen set (its own, or the free one where it belongs). */
static struct seen *seen_slot(struct html_out *h, const char *domain)
{
	size_t i = hash(domain) & (h->seen_cap - 1);
	while (h->seen[i].domain && strcmp(h->seen[i].domain, domain) != 0)
		i = (i + 1) & (h->seen_cap - 1);
	return &h->seen[i];
}

/* The row index whose details describe `domain`: `index` itself for the first occurrence. */
static size_t detail_index(struct html_out *h, const char *domain, size_t index, bool *first)
{
	if (2 * (h->seen_n + 1) > h->seen_cap) {
		struct seen *old = h->seen;
		size_t old_cap = h->seen_cap;
		h->seen_cap = old_cap ? 2 * old_cap : 1024;
		h->seen = xcalloc(h->seen_cap, sizeof(*h->seen));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].domain)
				*seen_slot(h, old[i].domain) = old[i];
		free(old);
	}
	struct seen *slot = seen_slot(h, domain);
	*first = slot->domain == NULL;
	if (*first) {
		slot->domain = xstrdup(domain);
		slot->index = index;
		h->seen_n++;
	}
	return slot->index;
}

static enum verdict verdict_of(const struct layout *l, const struct domain_result *res,
			       const char *check)
{
	for (size_t i = 0; i < l->checks->n && i < res->n_checks; i++)
		if (strcmp(l->checks->checks[i]->name, check) == 0)
			return res->checks[i].verdict;
	return VERDICT_NOT_TESTED;
}

static void count_standards(struct html_out *h, const struct domain_result *res)
{
	static const char *const checks[STD_N] = { "dnssec", "spf",      "dkim",
						   "dmarc",  "starttls", "ipv6" };
	for (int s = 0; s < STD_N; s++) {
		enum verdict v = verdict_of(h->layout, res, checks[s]);
		if (s == STD_STARTTLS_DANE && (v == VERDICT_PASS || v == VERDICT_WARNING)) {
			/* STARTTLS complies with phase-out items; DANE must pass as well. */
			enum verdict d = verdict_of(h->layout, res, "dane");
			v = d == VERDICT_PASS ? VERDICT_PASS : d;
		}
		if (v == VERDICT_PASS)
			h->std[s].comply++;
		else if (v == VERDICT_FAIL || v == VERDICT_WARNING || v == VERDICT_INFO)
			h->std[s].fail++;
		else
			h->std[s].other++;
	}
}

/* Longest rendering of one detail value (compact JSON) in the details. */
#define VALUE_MAX 1024

/* A detail value: a string as text, anything else as compact JSON, at most VALUE_MAX bytes. */
static void render_value(FILE *fp, const json_t *v)
{
	if (json_is_string(v)) {
		size_t n = json_string_length(v);
		html_text(fp, json_string_value(v), n > VALUE_MAX ? VALUE_MAX : n);
		if (n > VALUE_MAX)
			fputs("...", fp);
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return;
	size_t n = strlen(s);
	html_text(fp, s, n > VALUE_MAX ? VALUE_MAX : n);
	if (n > VALUE_MAX)
		fputs("...", fp);
	free(s);
}

/* A verdict word's class and its name in the report's language. */
static void verdict_cell(const struct html_out *h, FILE *fp, const char *word)
{
	int v = verdict_parse(word);
	word = verdict_name(v < 0 ? VERDICT_ERROR : (enum verdict)v); /* a static word */
	fprintf(fp, "<td class=\"v-%s\">", word);
	i18n_html_key(fp, h->cat, "verdict.", word);
	fputs("</td>", fp);
}

static void subtests_table(const struct html_out *h, FILE *fp, const json_t *subtests)
{
	size_t i;
	const json_t *st;
	if (json_array_size(subtests) == 0)
		return;
	/* End tags of cells and rows are implied (HTML), which keeps large reports smaller. */
	fputs("<table><tr><th>", fp);
	T(h, fp, MSG("html.subtests.subtest"));
	fputs("<th>", fp);
	T(h, fp, MSG("html.subtests.server"));
	fputs("<th>", fp);
	T(h, fp, MSG("html.subtests.status"));
	fputs("<th>", fp);
	T(h, fp, MSG("html.subtests.points"));
	fputs("<th>", fp);
	T(h, fp, MSG("html.subtests.explanation"));
	json_array_foreach(subtests, i, st)
	{
		const json_t *status = json_object_get(st, "status");
		const json_t *max = json_object_get(st, "max");
		const json_t *pts = json_object_get(st, "points");
		const char *word =
			json_is_string(status) && verdict_parse(json_string_value(status)) >= 0
				? json_string_value(status)
				: "error";
		const char *name = json_string_value(json_object_get(st, "name"));
		fputs("<tr><td title=\"", fp);
		esc(fp, name);
		fputs("\">", fp);
		i18n_html_key(fp, h->cat, "subtest.", name);
		fputs("<td>", fp);
		esc(fp, json_string_value(json_object_get(st, "server")));
		word = verdict_name((enum verdict)verdict_parse(word)); /* a static word */
		fprintf(fp, "<td class=\"v-%s\">", word);
		i18n_html_key(fp, h->cat, "verdict.", word);
		fputs("<td class=\"num\">", fp);
		if (json_is_integer(max))
			fprintf(fp, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
				json_is_integer(pts) ? json_integer_value(pts) : 0,
				json_integer_value(max));
		fputs("<td>", fp);
		const json_t *reason = json_object_get(st, "reason");
		if (json_is_string(json_object_get(st, "msg")) || json_is_string(reason))
			T_obj(h, fp, st, json_string_value(reason));
	}
	fputs("</table>", fp);
}

static void detail_section(struct html_out *h, const struct input_row *row,
			   const struct domain_result *res, const struct score *sc)
{
	FILE *fp = h->details;
	const struct check_table *t = h->layout->checks;
	fprintf(fp, "<details id=\"d%zu\"><summary>", row->index);
	esc(fp, res ? res->domain : row->input);
	if (sc->overall >= 0) {
		fputs(" &mdash; ", fp);
		TA(h, fp, MSG("html.detail.score"),
		   msg_args("score", json_integer(sc->overall), NULL));
	}
	fputs("</summary>", fp);
	if (layout_row_failed(row, res)) {
		char *e = layout_row_error(h->layout, row, res);
		fputs("<p class=\"err\">", fp);
		TA(h, fp, MSG("html.detail.line_error"),
		   msg_args("line", json_integer((json_int_t)row->line), "detail", json_str(e),
			    NULL));
		fputs("</p></details>\n", fp);
		free(e);
		return;
	}
	const char *mx = json_string_value(json_object_get(res->columns, "mx"));
	fputs("<p>", fp);
	if (mx && *mx)
		TA(h, fp, MSG("html.detail.mx_hosts"), msg_args("hosts", json_str(mx), NULL));
	else
		T(h, fp, MSG("html.detail.mx_none"));
	fputs("</p><p class=\"small\">", fp);
	T(h, fp, MSG("html.detail.category_scores"));
	for (int c = 0; c < SCORE_N_CATEGORIES; c++) {
		const char *cname = score_category_name((enum score_category)c);
		fputs(" ", fp);
		i18n_html_key(fp, h->cat, "category.", cname);
		fputs(" ", fp);
		if (sc->cat[c].pct >= 0)
			TA(h, fp, MSG("html.detail.category_score"),
			   msg_args("pct", json_integer(sc->cat[c].pct), "points",
				    json_integer(sc->cat[c].points), "max",
				    json_integer(sc->cat[c].max), NULL));
		else
			T(h, fp, MSG("html.detail.category_not_scored"));
		fputs(";", fp);
	}
	fputs("</p>", fp);
	for (size_t i = 0; t && i < t->n && i < res->n_checks; i++) {
		const struct check *ch = t->checks[i];
		const struct check_result *r = &res->checks[i];
		fputs("<h3>", fp);
		i18n_html_key(fp, h->cat, "check.", ch->name);
		if (!ch->no_verdict_column) {
			fprintf(fp, " <span class=\"v-%s\">", verdict_name(r->verdict));
			i18n_html_key(fp, h->cat, "verdict.", verdict_name(r->verdict));
			fputs("</span>", fp);
		}
		fputs("</h3>", fp);
		if (r->error) {
			fputs("<p class=\"err\">", fp);
			T(h, fp, MSG("html.detail.could_not_complete"));
			fputs(" ", fp);
			T_obj(h, fp, r->error_msg, r->error);
			fputs("</p>", fp);
		}
		if (!ch->no_verdict_column) {
			json_t *a = advice_for(ch->name, r->verdict, res);
			if (a) {
				fputs("<p class=\"advice\">", fp);
				T_obj(h, fp, a, "");
				fputs("</p>", fp);
				json_decref(a);
			}
		}
		subtests_table(h, fp, json_object_get(r->detail, "subtests"));
		/* The records found always; the rest of the detail where something is wrong. */
		const char *k;
		const json_t *v;
		bool any = false;
		json_object_foreach(r->detail, k, v)
		{
			bool record = strcmp(k, "record") == 0 || strcmp(k, "records") == 0;
			if (strcmp(k, "subtests") == 0 || strcmp(k, "elapsed_ms") == 0 ||
			    (r->verdict == VERDICT_PASS && !record))
				continue;
			if (!any) {
				fputs("<p class=\"small\">", fp);
				T(h, fp, MSG("html.detail.technical"));
				fputs("</p><ul class=\"rec\">", fp);
			}
			any = true;
			fputs("<li><b><code>", fp);
			esc(fp, k);
			fputs("</code></b>: ", fp);
			render_value(fp, v);
		}
		if (any)
			fputs("</ul>", fp);
	}
	fputs("</details>\n", fp);
}

static void table_row(struct html_out *h, const struct input_row *row,
		      const struct domain_result *res, const struct score *sc, size_t anchor)
{
	FILE *fp = h->rows;
	fprintf(fp, "<tr><td><a href=\"#d%zu\">", anchor);
	esc(fp, res ? res->domain : row->input);
	fputs("</a></td>", fp);
	if (sc->overall >= 0)
		fprintf(fp, "<td class=\"num\">%d</td>", sc->overall);
	else
		fputs("<td class=\"num\" data-v=\"\"></td>", fp);
	for (size_t i = 0; i < h->layout->n; i++) {
		const struct column *c = &h->layout->cols[i];
		if (c->kind != COLUMN_VERDICT)
			continue;
		json_t *v = layout_cell(h->layout, c, row, res, sc);
		verdict_cell(h, fp, json_string_value(v));
		json_decref(v);
	}
	fputs("</tr>\n", fp);
}

static int html_row(void *handle, const struct input_row *row, const struct domain_result *res)
{
	struct html_out *h = handle;
	struct score sc;
	score_compute(res, h->layout->checks, &sc);
	h->n_rows++;
	if (layout_row_failed(row, res))
		h->n_invalid++;
	else
		count_standards(h, res);
	if (sc.overall >= 0) {
		h->n_scored++;
		h->hist[sc.overall]++;
	}
	bool first = true;
	size_t anchor = row->index;
	if (!layout_row_failed(row, res))
		anchor = detail_index(h, res->domain, row->index, &first);
	table_row(h, row, res, &sc, anchor);
	html_changes_row(h->changes, h->layout, row, res, &sc, anchor, first);
	if (first) {
		/* Detail sections go in <noscript> chunks (see js[] above). */
		if (h->n_details % DETAIL_CHUNK == 0)
			fprintf(h->details, "%s<noscript data-first=\"%zu\">",
				h->n_details ? "</noscript>\n" : "", row->index);
		h->n_details++;
		detail_section(h, row, res, &sc);
	}
	if (first && !layout_row_failed(row, res))
		html_rollup_add(h->rollup, res);
	return ferror(h->rows) || ferror(h->details) ? -1 : 0;
}

/* The score at rank k (0-based) of the sorted scores. */
static int rank_score(const struct html_out *h, size_t k)
{
	size_t seen = 0;
	for (int s = 0; s <= 100; s++) {
		seen += h->hist[s];
		if (seen > k)
			return s;
	}
	return 100;
}

static void overview(struct html_out *h)
{
	FILE *fp = h->fp;
	double sum = 0;
	for (int s = 0; s <= 100; s++)
		sum += (double)s * (double)h->hist[s];
	fputs("<h2>", fp);
	T(h, fp, MSG("html.overview.heading"));
	fputs("</h2><div class=\"cards\">", fp);
	fprintf(fp, "<div class=\"card\"><b>%zu</b>", h->n_rows);
	T(h, fp, MSG("html.overview.rows"));
	fprintf(fp, "</div><div class=\"card\"><b>%zu</b>", h->n_invalid);
	T(h, fp, MSG("html.overview.invalid"));
	fputs("</div>", fp);
	if (h->n_scored) {
		double median = h->n_scored % 2 ? rank_score(h, h->n_scored / 2)
						: (rank_score(h, h->n_scored / 2 - 1) +
						   rank_score(h, h->n_scored / 2)) /
							  2.0;
		/* Numbers in the language's notation: 50.0 or 50,0. */
		char mean_s[32], median_s[32];
		snprintf(mean_s, sizeof(mean_s), "%.1f", sum / (double)h->n_scored);
		snprintf(median_s, sizeof(median_s), "%.1f", median);
		const char *dec = catalog_get(h->cat, MSG("format.decimal_separator"));
		if (dec && strlen(dec) == 1) {
			*strchr(mean_s, '.') = *dec;
			*strchr(median_s, '.') = *dec;
		}
		fprintf(fp, "<div class=\"card\"><b>%s</b>", mean_s);
		T(h, fp, MSG("html.overview.mean"));
		fprintf(fp, "</div><div class=\"card\"><b>%s</b>", median_s);
		T(h, fp, MSG("html.overview.median"));
		fputs("</div>", fp);
	} else {
		fputs("<div class=\"card\"><b>&mdash;</b>", fp);
		T(h, fp, MSG("html.overview.no_scores"));
		fputs("</div>", fp);
	}
	fputs("</div>", fp);

	/* Score distribution: ten buckets, 90-100 in the last. */
	size_t bucket[10] = { 0 }, top = 1;
	for (int s = 0; s <= 100; s++)
		bucket[s == 100 ? 9 : s / 10] += h->hist[s];
	for (int b = 0; b < 10; b++)
		if (bucket[b] > top)
			top = bucket[b];
	fputs("<h2>", fp);
	T(h, fp, MSG("html.distribution.heading"));
	fputs("</h2><svg role=\"img\" aria-label=\"", fp);
	T(h, fp, MSG("html.distribution.heading"));
	fputs("\" width=\"620\" height=\"230\" viewBox=\"0 0 620 230\">", fp);
	for (int b = 0; b < 10; b++) {
		int bh = (int)(180.0 * (double)bucket[b] / (double)top);
		int x = 20 + b * 60;
		fprintf(fp,
			"<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"50\" height=\"%d\">"
			"<title>%d-%d: %zu</title></rect>",
			x, 200 - bh, bh, b * 10, b == 9 ? 100 : b * 10 + 9, bucket[b]);
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%zu</text>", x + 25,
			195 - bh, bucket[b]);
		fprintf(fp, "<text x=\"%d\" y=\"218\" text-anchor=\"middle\">%d-%d</text>", x + 25,
			b * 10, b == 9 ? 100 : b * 10 + 9);
	}
	fputs("</svg>", fp);

	/* Adoption of the mandatory ("pas toe of leg uit") standards. */
	fputs("<h2>", fp);
	T(h, fp, MSG("html.adoption.heading"));
	fputs("</h2><p class=\"small\">", fp);
	T(h, fp, MSG("html.adoption.explanation"));
	fputs("</p><table><tr><th>", fp);
	T(h, fp, MSG("html.adoption.standard"));
	fputs("</th><th>", fp);
	T(h, fp, MSG("html.adoption.comply"));
	fputs("</th><th>", fp);
	T(h, fp, MSG("html.adoption.not_comply"));
	fputs("</th><th>", fp);
	T(h, fp, MSG("html.adoption.other"));
	fputs("</th><th>", fp);
	T(h, fp, MSG("html.adoption.share"));
	fputs("</th></tr>", fp);
	int pct[STD_N];
	for (int s = 0; s < STD_N; s++) {
		size_t base = h->std[s].comply + h->std[s].fail;
		pct[s] = base ? (int)(100.0 * (double)h->std[s].comply / (double)base) : -1;
		fputs("<tr><td>", fp);
		T(h, fp, standard_msgs[s]);
		fprintf(fp,
			"</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
			"<td class=\"num\">%zu</td><td class=\"num\">",
			h->std[s].comply, h->std[s].fail, h->std[s].other);
		if (pct[s] >= 0)
			fprintf(fp, "%d%%", pct[s]);
		else
			fputs("&mdash;", fp);
		fputs("</td></tr>", fp);
	}
	fputs("</table><svg role=\"img\" aria-label=\"", fp);
	T(h, fp, MSG("html.adoption.heading"));
	fputs("\" width=\"620\" height=\"", fp);
	fprintf(fp, "%d\" viewBox=\"0 0 620 %d\">", STD_N * 30 + 10, STD_N * 30 + 10);
	for (int s = 0; s < STD_N; s++) {
		int y = 5 + s * 30, w = pct[s] > 0 ? pct[s] * 4 : 0;
		fprintf(fp, "<text x=\"0\" y=\"%d\">", y + 16);
		T(h, fp, standard_msgs[s]);
		fputs("</text>", fp);
		fprintf(fp,
			"<rect class=\"bar-bad\" x=\"150\" y=\"%d\" width=\"400\" height=\"20\"/>",
			y);
		fprintf(fp,
			"<rect class=\"bar-ok\" x=\"150\" y=\"%d\" width=\"%d\" height=\"20\"/>", y,
			w);
		if (pct[s] >= 0)
			fprintf(fp, "<text x=\"560\" y=\"%d\">%d%%</text>", y + 16, pct[s]);
		else {
			fprintf(fp, "<text x=\"560\" y=\"%d\">", y + 16);
			T(h, fp, MSG("html.adoption.not_applicable"));
			fputs("</text>", fp);
		}
	}
	fputs("</svg>", fp);
}

static int copy_file(FILE *from, FILE *to)
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

/*
 * A message for the page's script as attribute data-NAME: the text in the report's language
 * with its parameters (up to three) left as "{param}" for the script to fill in.
 */
static void js_template(const struct html_out *h, FILE *fp, const char *name, const char *id,
			const char *p1, const char *p2, const char *p3)
{
	const char *params[] = { p1, p2, p3 };
	json_t *args = json_object();
	for (size_t i = 0; i < 3; i++)
		if (params[i]) {
			char *v = xasprintf("{%s}", params[i]);
			json_object_set_new(args, params[i], json_string(v));
			free(v);
		}
	char *text = i18n_text(h->cat, id, args);
	fprintf(fp, " data-%s=\"", name);
	esc(fp, text);
	fputc('"', fp);
	free(text);
	json_decref(args);
}

/* `'sha256-...'` of an inline script, for the Content-Security-Policy. */
static void csp_hash(FILE *fp, const char *script)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int n = 0;
	if (!EVP_Digest(script, strlen(script), md, &n, EVP_sha256(), NULL))
		die("SHA-256 failed");
	EVP_EncodeBlock(b64, md, (int)n);
	fprintf(fp, " 'sha256-%s'", b64);
}

static int html_close(void *handle)
{
	struct html_out *h = handle;
	if (!h)
		return 0;
	FILE *fp = h->fp;
	int rc = 0;
	fputs("<!DOCTYPE html>\n<html lang=\"", fp);
	esc(fp, h->lang);
	fputs("\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
	      fp);
	T(h, fp, MSG("html.title"));
	fputs("</title>", fp);
	/*
	 * Defence in depth behind the escaping: no fetches at all, no inline event handlers, only
	 * the report's own two scripts (by hash), styles only from the report itself.
	 */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
	      "script-src",
	      fp);
	csp_hash(fp, head_js);
	csp_hash(fp, js);
	fputs("\"><script>", fp);
	fputs(head_js, fp);
	fputs("</script><style>", fp);
	fputs(css, fp);
	fputs("</style></head><body><h1>", fp);
	T(h, fp, MSG("html.heading"));
	fputs("</h1><p class=\"small\">", fp);
	TA(h, fp, MSG("html.subtitle"), msg_args("version", json_string(DOMSCAN_VERSION), NULL));
	fputs("</p>", fp);
	if (html_changes_write(h->changes, fp) < 0)
		rc = -1;
	overview(h);
	html_rollup_write_lang(h->rollup, h->cat, fp);
	fputs("<h2>", fp);
	T(h, fp, MSG("html.domains.heading"));
	fputs("</h2><p><input id=\"filter\" type=\"search\" placeholder=\"", fp);
	T(h, fp, MSG("html.domains.filter_placeholder"));
	fputs("\" aria-label=\"", fp);
	T(h, fp, MSG("html.domains.filter_label"));
	fputs("\"> <span class=\"small\">", fp);
	T(h, fp, MSG("html.domains.sort_hint"));
	fputs("</span></p><table id=\"domains\"><thead><tr><th>", fp);
	T(h, fp, MSG("html.domains.domain"));
	fputs("</th><th data-num>", fp);
	T(h, fp, MSG("html.domains.score"));
	fputs("</th>", fp);
	for (size_t i = 0; i < h->layout->n; i++)
		if (h->layout->cols[i].kind == COLUMN_VERDICT) {
			fputs("<th title=\"", fp);
			esc(fp, h->layout->cols[i].name);
			fputs("\">", fp);
			i18n_html_key(fp, h->cat, "check.", h->layout->cols[i].name);
			fputs("</th>", fp);
		}
	fputs("</tr></thead><tbody>\n", fp);
	if (copy_file(h->rows, fp) < 0)
		rc = -1;
	fputs("</tbody></table><p id=\"pager\" class=\"small\"", fp);
	js_template(h, fp, "showing", MSG("html.pager.showing"), "shown", "total", NULL);
	js_template(h, fp, "matching", MSG("html.pager.matching"), "shown", "matching", "total");
	js_template(h, fp, "more", MSG("html.pager.more"), "count", NULL, NULL);
	js_template(h, fp, "all", MSG("html.pager.all"), NULL, NULL, NULL);
	js_template(h, fp, "large", MSG("html.details.large_report"), NULL, NULL, NULL);
	fputs("></p><h2>", fp);
	T(h, fp, MSG("html.details.heading"));
	fputs("</h2><div id=\"details\">\n", fp);
	if (copy_file(h->details, fp) < 0)
		rc = -1;
	if (h->n_details)
		fputs("</noscript>", fp);
	fputs("</div>\n", fp);
	fputs("<script>", fp);
	fputs(js, fp);
	fputs("</script></body></html>\n", fp);
	fclose(h->rows);
	fclose(h->details);
	if (report_fclose(fp) < 0)
		rc = -1;
	if (rc == 0 && html_changes_regression(h->changes))
		rc = 3; /* the engine exits 3 with --fail-on-regression */
	html_changes_free(h->changes);
	layout_free(h->layout);
	html_rollup_free(h->rollup);
	catalog_free(h->cat);
	free(h->lang);
	for (size_t i = 0; i < h->seen_cap; i++)
		free(h->seen[i].domain);
	free(h->seen);
	free(h);
	return rc;
}

const struct reporter reporter_html = {
	.format = "html",
	.open = html_open,
	.row = html_row,
	.close = html_close,
};
