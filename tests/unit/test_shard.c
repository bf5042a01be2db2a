/* The --shard partition: FNV-1a 64 vectors, I/N parsing, every row in exactly one shard. */
#include "scanner/shard.h"
#include "scanner/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static void test_fnv1a64_vectors(void **state)
{
	(void)state;
	/* published FNV-1a 64-bit test vectors */
	static const struct {
		const char *in;
		uint64_t out;
	} v[] = {
		{ "", 0xcbf29ce484222325ULL },
		{ "a", 0xaf63dc4c8601ec8cULL },
		{ "foobar", 0x85944171f73967e8ULL },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(shard_fnv1a64(v[i].in) == v[i].out);
}

static void test_parse(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		int rc;
		unsigned i, n;
	} t[] = {
		{ "1/1", 0, 1, 1 },
		{ "3/4", 0, 3, 4 },
		{ "1000000/1000000", 0, 1000000, 1000000 },
		{ "0/4", -1, 0, 0 },
		{ "5/4", -1, 0, 0 },
		{ "1/0", -1, 0, 0 },
		{ "1/1000001", -1, 0, 0 },
		{ "1", -1, 0, 0 },
		{ "/4", -1, 0, 0 },
		{ "1/", -1, 0, 0 },
		{ "1/4x", -1, 0, 0 },
		{ " 1/4", -1, 0, 0 },
		{ "-1/4", -1, 0, 0 },
		{ "1/2/3", -1, 0, 0 },
		{ "", -1, 0, 0 },
		{ "99999999/99999999", -1, 0, 0 },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		unsigned i = 0, n = 0;
		int rc = shard_parse(t[k].spec, &i, &n);
		if (rc != t[k].rc)
			fail_msg("%s: rc %d", t[k].spec, rc);
		if (rc == 0) {
			assert_int_equal(i, t[k].i);
			assert_int_equal(n, t[k].n);
		}
	}
	unsigned i, n;
	assert_int_equal(shard_parse(NULL, &i, &n), -1);
}

static void test_partition(void **state)
{
	(void)state;
	enum { ROWS = 10000, N = 4 };
	size_t per[N + 1] = { 0 };
	for (size_t k = 0; k < ROWS; k++) {
		char name[64];
		snprintf(name, sizeof(name), "d%zu.example", k);
		struct input_row row = { .domain = name, .input = name };
		unsigned s = shard_of_row(&row, N);
		assert_true(s >= 1 && s <= N);
		/* exactly one shard owns it */
		int owners = 0;
		for (unsigned i = 1; i <= N; i++)
			owners += shard_owns(&row, i, N);
		assert_int_equal(owners, 1);
		assert_true(shard_owns(&row, s, N));
		/* the documented rule */
		assert_int_equal(s, (unsigned)(shard_fnv1a64(name) % N) + 1);
		per[s]++;
	}
	/* a usable spread: each shard within 10% of ROWS / N */
	for (unsigned i = 1; i <= N; i++)
		assert_true(per[i] > ROWS / N * 9 / 10 && per[i] < ROWS / N * 11 / 10);
	/* no sharding: every row */
	struct input_row any = { .domain = "x.example", .input = "x.example" };
	assert_true(shard_owns(&any, 0, 0));
	assert_int_equal(shard_of_row(&any, 1), 1);
}

static void test_invalid_rows_by_input(void **state)
{
	(void)state;
	/* an invalid entry has no domain: its key is the entry as read */
	struct input_row bad = { .domain = NULL, .input = "not a domain!", .error = "invalid" };
	assert_int_equal(shard_of_row(&bad, 7), (unsigned)(shard_fnv1a64("not a domain!") % 7) + 1);
	/* the key of a valid entry is the normalised domain, not the input as written */
	struct input_row a = { .domain = "example.nl", .input = "Example.NL." };
	struct input_row b = { .domain = "example.nl", .input = "example.nl" };
	for (unsigned n = 2; n < 50; n++)
		assert_int_equal(shard_of_row(&a, n), shard_of_row(&b, n));
	struct input_row empty = { 0 };
	assert_int_equal(shard_of_row(&empty, 5), (unsigned)(shard_fnv1a64("") % 5) + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a64_vectors),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_invalid_rows_by_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
