/*
 * The engine's per-domain deadline (--domain-timeout) with a fake check table: a check still
 * running at the deadline reports error "deadline exceeded", the checks after it too, columns
 * it set are dropped, and the row is written at the deadline (by the main thread) while the
 * worker is still inside the slow check. No network: the resolver is never asked.
 */
#include "scanner/config.h"
#include "scanner/engine.h"
#include "scanner/msg.h"
#include "scanner/report.h"
#include "scanner/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define SLOW_SECONDS 1.5

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	nanosleep(&ts, NULL);
}

static void run_fast(struct scan *s, struct check_result *out)
{
	scan_set_column(s, "col_fast", json_string("x"));
	out->verdict = VERDICT_PASS;
}

static void run_slow(struct scan *s, struct check_result *out)
{
	nap(SLOW_SECONDS);
	scan_set_column(s, "col_slow", json_string("late"));
	/* an error with its message form, made after the deadline: dropped without a leak */
	result_set_error_msg(out, "test.late", "late {what}",
			     msg_args("what", json_string("x"), NULL));
	out->verdict = VERDICT_PASS;
}

static void run_after(struct scan *s, struct check_result *out)
{
	(void)s;
	out->verdict = VERDICT_PASS;
}

static const struct check c_fast = { .name = "fast", .title = "Fast", .run = run_fast };
static const struct check c_slow = { .name = "slow", .title = "Slow", .run = run_slow };
static const struct check c_after = { .name = "after", .title = "After", .run = run_after };
static const struct check *const table_checks[] = { &c_fast, &c_slow, &c_after };
static const struct check_table table = { .checks = table_checks, .n = 3 };

/* A reporter that records each row's verdicts, errors, columns and when it was written. */
struct seen {
	double t0, written_at[4];
	size_t n;
	int verdict[4][3];
	char error[4][3][128];
	bool has_fast[4], has_slow[4];
};
static struct seen *seen_sink; /* test fixture: set by each test before engine_run */

static void *rep_open(const char *path, const struct report_meta *meta, char **err)
{
	(void)path;
	(void)meta;
	(void)err;
	return seen_sink;
}

static int rep_row(void *h, const struct input_row *row, const struct domain_result *res)
{
	(void)row;
	struct seen *s = h;
	if (s->n >= 4 || !res)
		return -1;
	s->written_at[s->n] = now_mono() - s->t0;
	for (size_t i = 0; i < 3; i++) {
		s->verdict[s->n][i] = (int)res->checks[i].verdict;
		snprintf(s->error[s->n][i], sizeof(s->error[0][0]), "%s",
			 res->checks[i].error ? res->checks[i].error : "");
	}
	s->has_fast[s->n] = json_object_get(res->columns, "col_fast") != NULL;
	s->has_slow[s->n] = json_object_get(res->columns, "col_slow") != NULL;
	s->n++;
	return 0;
}

static int rep_close(void *h)
{
	(void)h;
	return 0;
}

static const struct reporter rep = {
	.format = "test", .open = rep_open, .row = rep_row, .close = rep_close
};

static void scan_two(double domain_timeout, struct seen *s)
{
	char in[] = "/tmp/domscan-test-engine-XXXXXX";
	int fd = mkstemp(in);
	assert_true(fd >= 0);
	const char domains[] = "a.test\nb.test\n";
	assert_int_equal(write(fd, domains, sizeof(domains) - 1), (ssize_t)(sizeof(domains) - 1));
	close(fd);

	struct config cfg;
	config_defaults(&cfg);
	cfg.inputs = xcalloc(1, sizeof(char *));
	cfg.inputs[0] = xstrdup(in);
	cfg.n_inputs = 1;
	cfg.outputs = xcalloc(1, sizeof(*cfg.outputs));
	cfg.outputs[0].format = xstrdup("test");
	cfg.outputs[0].path = xstrdup("-");
	cfg.n_outputs = 1;
	cfg.resolvers = xcalloc(1, sizeof(*cfg.resolvers));
	assert_int_equal(dns_server_parse("127.0.0.1@9", &cfg.resolvers[0]), 0);
	cfg.n_resolvers = 1;
	const char *dd = getenv("DOMSCAN_DATADIR");
	assert_non_null(dd);
	cfg.data_dir = xstrdup(dd);
	cfg.trust_anchor = xasprintf("%s/root-anchors.txt", dd);
	cfg.no_smtp = true;
	cfg.progress = 0;
	cfg.concurrency = 2;
	cfg.domain_timeout = domain_timeout;

	memset(s, 0, sizeof(*s));
	seen_sink = s;
	const struct reporter *reps[] = { &rep };
	s->t0 = now_mono();
	assert_int_equal(engine_run(&cfg, &table, reps, 1), 0);
	seen_sink = NULL;
	config_free(&cfg);
	unlink(in);
}

static void test_deadline(void **state)
{
	(void)state;
	struct seen s;
	scan_two(0.5, &s);
	assert_int_equal(s.n, 2);
	for (size_t r = 0; r < 2; r++) {
		assert_int_equal(s.verdict[r][0], VERDICT_PASS);
		assert_true(s.has_fast[r]);
		for (size_t i = 1; i < 3; i++) {
			assert_int_equal(s.verdict[r][i], VERDICT_ERROR);
			assert_string_equal(s.error[r][i], "deadline exceeded (0.5 s per domain)");
		}
		/* the slow check's column is dropped with its late result */
		assert_false(s.has_slow[r]);
		/* written at the deadline (+ the main thread's 0.25 s polling), while the worker
		 * was still in the slow check */
		if (s.written_at[r] >= SLOW_SECONDS - 0.2)
			fail_msg("row %zu written after %.2f s", r, s.written_at[r]);
	}
}

static void test_no_deadline(void **state)
{
	(void)state;
	struct seen s;
	scan_two(0, &s);
	assert_int_equal(s.n, 2);
	for (size_t r = 0; r < 2; r++) {
		for (size_t i = 0; i < 3; i++) {
			assert_int_equal(s.verdict[r][i], VERDICT_PASS);
			/* the slow check's own error (with its message form) is kept */
			assert_string_equal(s.error[r][i], i == 1 ? "late x" : "");
		}
		assert_true(s.has_fast[r]);
		assert_true(s.has_slow[r]);
		assert_true(s.written_at[r] >= SLOW_SECONDS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_no_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
