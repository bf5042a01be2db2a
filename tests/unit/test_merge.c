/*
 * domscan merge and --resume on the report side: parts written by the real reporters for the
 * rows of each shard merge into exactly the report one unsharded run writes (CSV, JSON Lines,
 * and HTML rebuilt from the JSON); broken sets of parts are refused; a report cut off
 * mid-line is continued into the same bytes; CSV record splitting.
 */
#include "reports/merge.h"
#include "reports/reread.h"
#include "reports_fixture.h"
#include "scanner/shard.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

enum { ROWS = 12, SHARDS = 3 };

static const char *const carry_names[] = { "customer", NULL };

static struct input_row rows[ROWS];
static struct domain_result *results[ROWS];
static char dir[] = "/tmp/domscan-merge-test-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	for (size_t i = 0; i < ROWS; i++) {
		char name[64], cust[64];
		snprintf(name, sizeof(name), "d%zu.example", i % 9); /* duplicates at 9.. */
		snprintf(cust, sizeof(cust), i == 4 ? "=cmd%zu" : "Customer, \"%zu\"", i);
		bool invalid = i == 5 || i == 10;
		rows[i] = fx_row(i + 2, invalid ? "bad..example" : name, invalid ? NULL : name,
				 invalid ? "empty label" : NULL);
		rows[i].index = i; /* line i + 2: a CSV input with a header */
		rows[i].carry = json_object();
		json_object_set_new(rows[i].carry, "customer", json_string(cust));
		if (invalid)
			continue;
		struct domain_result *r = fx_result(name);
		json_object_set_new(r->columns, "dnssec_status",
				    json_string(i % 2 ? "secure" : "insecure"));
		json_object_set_new(r->columns, "spf_lookups", json_integer((json_int_t)i));
		json_object_set_new(r->columns, "mx", json_string("mx.example"));
		json_object_set_new(r->columns, "extra_value", json_string("-all"));
		r->checks[FX_DKIM].verdict = i % 3 ? VERDICT_WARNING : VERDICT_FAIL;
		r->checks[FX_SPF].error = i == 7 ? xstrdup("SERVFAIL") : NULL;
		if (i == 7)
			r->checks[FX_SPF].verdict = VERDICT_ERROR;
		fx_sub(r, FX_DNSSEC, "dnssec_valid", VERDICT_PASS, 10, 10, NULL);
		fx_sub(r, FX_IPV6, "mx_reach", i % 2 ? VERDICT_PASS : VERDICT_FAIL, i % 2 ? 10 : 0,
		       10, "mx.example");
		json_object_set_new(r->checks[FX_DMARC].detail, "elapsed_ms", json_integer(3));
		json_object_set_new(r->checks[FX_DMARC].detail, "ratio", json_real(0.1));
		results[i] = r;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROWS; i++) {
		fx_row_free(&rows[i]);
		if (results[i])
			domain_result_unref(results[i]);
	}
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return 0;
}

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static char *read_file(const char *name)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "r");
	free(p);
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, 1u << 30);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, k);
	fclose(f);
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* The report of the rows of shard `i` of `n` (0 = all rows) by `rep`. */
static char *shard_report(const struct reporter *rep, unsigned i, unsigned n)
{
	struct input_row sel[ROWS];
	struct domain_result *res[ROWS];
	size_t k = 0;
	for (size_t r = 0; r < ROWS; r++)
		if (shard_owns(&rows[r], i, n)) {
			sel[k] = rows[r];
			res[k++] = results[r];
		}
	return fx_run(rep, carry_names, sel, res, k);
}

/* merge --input for the next merge() (a file name in the test directory), or NULL. */
static const char *merge_input;

/* Run merge_run over the named parts into out.csv/out.json/out.html as asked. */
static int merge(const char *const *parts, size_t n_parts, bool csv, bool json, bool html)
{
	struct config cfg = { 0 };
	char *input = merge_input ? path_of(merge_input) : NULL;
	cfg.merge_inputs = input ? &input : NULL;
	cfg.n_merge_inputs = input ? 1 : 0;
	cfg.data_dir = (char *)(getenv("DOMSCAN_DATADIR") ? getenv("DOMSCAN_DATADIR") : "data");
	cfg.lang = (char *)"en";
	char *in[16];
	for (size_t i = 0; i < n_parts; i++)
		in[i] = path_of(parts[i]);
	cfg.inputs = in;
	cfg.n_inputs = n_parts;
	struct output_spec out[3];
	char *paths[3] = { path_of("out.csv"), path_of("out.json"), path_of("out.html") };
	const char *fmt[3] = { "csv", "json", "html" };
	bool want[3] = { csv, json, html };
	for (size_t i = 0; i < 3; i++) {
		unlink(paths[i]);
		if (want[i])
			out[cfg.n_outputs++] = (struct output_spec){ (char *)fmt[i], paths[i] };
	}
	cfg.outputs = out;
	int rc = merge_run(&cfg, &fx_table);
	for (size_t i = 0; i < n_parts; i++)
		free(in[i]);
	for (size_t i = 0; i < 3; i++)
		free(paths[i]);
	free(input);
	return rc;
}

static void write_parts(void)
{
	for (unsigned i = 1; i <= SHARDS; i++) {
		char name[32];
		char *csv = shard_report(&reporter_csv, i, SHARDS);
		char *json = shard_report(&reporter_json, i, SHARDS);
		snprintf(name, sizeof(name), "p%u.csv", i);
		write_file(name, csv);
		snprintf(name, sizeof(name), "p%u.json", i);
		write_file(name, json);
		free(csv);
		free(json);
	}
}

static void test_merge_equals_one_run(void **state)
{
	(void)state;
	write_parts();
	char *want_csv = shard_report(&reporter_csv, 0, 0);
	char *want_json = shard_report(&reporter_json, 0, 0);
	char *want_html = shard_report(&reporter_html, 0, 0);
	/* every shard got some rows, so the merge really interleaves */
	for (unsigned i = 1; i <= SHARDS; i++) {
		char *j = shard_report(&reporter_json, i, SHARDS);
		assert_true(strlen(j) > 0);
		free(j);
	}
	/* parts given in any order, CSV and JSON mixed */
	static const char *const parts[] = { "p3.json", "p2.csv", "p1.json",
					     "p1.csv",  "p3.csv", "p2.json" };
	assert_int_equal(merge(parts, 6, true, true, true), 0);
	char *csv = read_file("out.csv"), *json = read_file("out.json"),
	     *html = read_file("out.html");
	assert_string_equal(csv, want_csv);
	assert_string_equal(json, want_json);
	assert_string_equal(html, want_html);
	free(csv);
	free(json);
	free(html);
	/* without CSV parts, the CSV is rebuilt from the JSON Lines parts: the same bytes */
	static const char *const json_parts[] = { "p2.json", "p1.json", "p3.json" };
	assert_int_equal(merge(json_parts, 3, true, false, false), 0);
	csv = read_file("out.csv");
	assert_string_equal(csv, want_csv);
	free(csv);
	free(want_csv);
	free(want_json);
	free(want_html);
}

static void test_merge_refuses_broken_sets(void **state)
{
	(void)state;
	write_parts();
	static const char *const missing[] = { "p1.csv", "p3.csv" };
	assert_int_equal(merge(missing, 2, true, false, false), 1);
	char *p = path_of("out.csv");
	assert_int_equal(access(p, F_OK), -1); /* nothing written */
	free(p);
	static const char *const twice[] = { "p1.csv", "p2.csv", "p3.csv", "p2.csv" };
	assert_int_equal(merge(twice, 4, true, false, false), 1);
	static const char *const json_only[] = { "p1.csv", "p2.csv", "p3.csv" };
	assert_int_equal(merge(json_only, 3, false, false, true), 1); /* HTML needs JSON */
	/* a torn last line: an unfinished part */
	char *c = read_file("p2.csv");
	c[strlen(c) - 3] = '\0';
	write_file("torn.csv", c);
	free(c);
	static const char *const torn[] = { "p1.csv", "torn.csv", "p3.csv" };
	assert_int_equal(merge(torn, 3, true, false, false), 1);
	/* different columns */
	c = read_file("p2.csv");
	c[0] = 'D';
	write_file("other.csv", c);
	free(c);
	static const char *const other[] = { "p1.csv", "other.csv", "p3.csv" };
	assert_int_equal(merge(other, 3, true, false, false), 1);
	/* CSV and JSON parts that disagree on the row count */
	static const char *const uneven[] = { "p1.csv", "p2.csv", "p3.csv", "p1.json", "p2.json" };
	assert_int_equal(merge(uneven, 5, true, true, false), 1);
	/* not a report at all */
	write_file("junk.txt", "hello\nworld\n");
	static const char *const junk[] = { "junk.txt" };
	assert_int_equal(merge(junk, 1, true, false, false), 1);
}

/* The rows' input as a plain-text list, optionally changed. */
static void write_input(const char *name, size_t n_rows, const char *extra, int change)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	buf_printf(&b, "# the input\n");
	for (size_t i = 0; i < n_rows; i++)
		buf_printf(&b, "%s\n", (int)i == change ? "other.example" : rows[i].input);
	if (extra)
		buf_printf(&b, "%s\n", extra);
	char *t = buf_steal(&b);
	write_file(name, t);
	free(t);
}

static void test_merge_checks_the_input(void **state)
{
	(void)state;
	write_parts();
	static const char *const csv_parts[] = { "p1.csv", "p2.csv", "p3.csv" };
	static const char *const json_parts[] = { "p1.json", "p2.json", "p3.json" };
	write_input("in.txt", ROWS, NULL, -1);
	merge_input = "in.txt";
	assert_int_equal(merge(csv_parts, 3, true, false, false), 0);
	assert_int_equal(merge(json_parts, 3, true, true, true), 0);
	/* the input has a row more than the parts (the end of a part lost between two rows) */
	write_input("longer.txt", ROWS, "last.example", -1);
	merge_input = "longer.txt";
	assert_int_equal(merge(csv_parts, 3, true, false, false), 1);
	assert_int_equal(merge(json_parts, 3, false, true, false), 1);
	/* fewer rows, or another domain at some row: parts of another input */
	write_input("shorter.txt", ROWS - 1, NULL, -1);
	merge_input = "shorter.txt";
	assert_int_equal(merge(csv_parts, 3, true, false, false), 1);
	write_input("changed.txt", ROWS, NULL, 6);
	merge_input = "changed.txt";
	assert_int_equal(merge(csv_parts, 3, true, false, false), 1);
	assert_int_equal(merge(json_parts, 3, false, true, false), 1);
	merge_input = NULL;
}

/* Resume a report cut at byte `cut` of the full one: same bytes at the end. */
static void resume_case(const struct reporter *rep, const char *name, size_t cut)
{
	char *full = shard_report(rep, 0, 0);
	char *part = xstrdup(full);
	part[cut] = '\0';
	write_file(name, part);
	char *p = path_of(name);
	struct config cfg = { 0 };
	cfg.data_dir = (char *)(getenv("DOMSCAN_DATADIR") ? getenv("DOMSCAN_DATADIR") : "data");
	struct report_meta meta = { .checks = &fx_table,
				    .cfg = &cfg,
				    .carry_columns = carry_names };
	char *err = NULL;
	long keep = rep->resume_count(p, &meta, &err);
	assert_true(keep >= 0);
	void *h = rep->resume_open(p, &meta, (size_t)keep, &err);
	assert_non_null(h);
	for (size_t i = 0; i < (size_t)keep; i++)
		assert_int_equal(rep->resume_check(h, i, &rows[i], &err), 0);
	/* a different input row is refused */
	if (keep > 1) {
		assert_int_equal(rep->resume_check(h, 0, &rows[1], &err), -1);
		free(err);
		err = NULL;
	}
	for (size_t i = (size_t)keep; i < ROWS; i++)
		assert_int_equal(rep->row(h, &rows[i], results[i]), 0);
	assert_int_equal(rep->close(h), 0);
	char *got = read_file(name);
	assert_string_equal(got, full);
	free(got);
	free(p);
	free(part);
	free(full);
}

static void test_resume_continues(void **state)
{
	(void)state;
	char *csv = shard_report(&reporter_csv, 0, 0);
	char *json = shard_report(&reporter_json, 0, 0);
	size_t cl = strlen(csv), jl = strlen(json);
	size_t cuts[] = { 0, 5, cl / 3, cl / 2, cl - 1, cl };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		resume_case(&reporter_csv, "r.csv", cuts[i]);
	size_t jcuts[] = { 0, 5, jl / 3, jl / 2, jl - 1, jl };
	for (size_t i = 0; i < sizeof(jcuts) / sizeof(jcuts[0]); i++)
		resume_case(&reporter_json, "r.json", jcuts[i]);
	/* a missing file starts from the beginning */
	char *p = path_of("none.csv");
	struct config cfg = { 0 };
	struct report_meta meta = { .checks = &fx_table,
				    .cfg = &cfg,
				    .carry_columns = carry_names };
	char *err = NULL;
	assert_int_equal(reporter_csv.resume_count(p, &meta, &err), 0);
	/* a CSV of other columns is refused */
	write_file("cols.csv", "domain,score\nx.example,1\n");
	free(p);
	p = path_of("cols.csv");
	assert_int_equal(reporter_csv.resume_count(p, &meta, &err), -1);
	free(err);
	free(p);
	free(csv);
	free(json);
}

/* The HTML report of a resumed run is rebuilt from the JSON Lines rows: the same bytes. */
static int to_html(void *arg, const struct input_row *row, const struct domain_result *res)
{
	return reporter_html.row(arg, row, res);
}

static void test_replay_rebuilds_html(void **state)
{
	(void)state;
	char *all = shard_report(&reporter_json, 0, 0);
	write_file("all.json", all);
	free(all);
	char *want = shard_report(&reporter_html, 0, 0);
	char *jp = path_of("all.json"), *hp = path_of("all.html");
	struct config cfg = { 0 };
	cfg.data_dir = (char *)(getenv("DOMSCAN_DATADIR") ? getenv("DOMSCAN_DATADIR") : "data");
	struct report_meta meta = { .checks = &fx_table,
				    .cfg = &cfg,
				    .carry_columns = carry_names };
	char *err = NULL;
	void *h = reporter_html.open(hp, &meta, &err);
	assert_non_null(h);
	size_t keep = 7;
	assert_int_equal(reporter_json.replay(jp, &meta, keep, to_html, h, &err), 0);
	for (size_t i = keep; i < ROWS; i++)
		assert_int_equal(reporter_html.row(h, &rows[i], results[i]), 0);
	assert_int_equal(reporter_html.close(h), 0);
	char *got = read_file("all.html");
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(jp);
	free(hp);
}

static void test_csv_split(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int n; /* -1 = malformed */
		const char *f[4];
	} t[] = {
		{ "a,b,c", 3, { "a", "b", "c" } },
		{ "", 1, { "" } },
		{ ",", 2, { "", "" } },
		{ "\"a,b\",\"c\"\"d\",", 3, { "a,b", "c\"d", "" } },
		{ "'=x,\"\"", 2, { "'=x", "" } },
		{ "\"open", -1, { NULL } },
		{ "\"a\"b", -1, { NULL } },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		char **f;
		size_t n;
		int rc = csv_split(t[k].line, strlen(t[k].line), &f, &n);
		if (t[k].n < 0) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(n, (size_t)t[k].n);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(f[i], t[k].f[i]);
		csv_fields_free(f, n);
	}
	size_t v;
	assert_int_equal(parse_row_number("12", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(parse_row_number("0", &v), -1);
	assert_int_equal(parse_row_number("1x", &v), -1);
	assert_int_equal(parse_row_number("", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_equals_one_run),
		cmocka_unit_test(test_merge_refuses_broken_sets),
		cmocka_unit_test(test_merge_checks_the_input),
		cmocka_unit_test(test_resume_continues),
		cmocka_unit_test(test_replay_rebuilds_html),
		cmocka_unit_test(test_csv_split),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
