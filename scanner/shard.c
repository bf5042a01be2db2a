/* Input partition for --shard; see shard.h and docs/sharding.md. */
#include "scanner/shard.h"

#include <stdlib.h>

uint64_t shard_fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int parse_uint(const char *s, const char *end, unsigned *out)
{
	if (s == end || end - s > 7)
		return -1;
	unsigned v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = v;
	return 0;
}

int shard_parse(const char *spec, unsigned *index, unsigned *count)
{
	if (!spec)
		return -1;
	const char *slash = spec;
	while (*slash && *slash != '/')
		slash++;
	if (*slash != '/')
		return -1;
	const char *end = slash + 1;
	while (*end)
		end++;
	unsigned i, n;
	if (parse_uint(spec, slash, &i) != 0 || parse_uint(slash + 1, end, &n) != 0)
		return -1;
	if (n < 1 || n > SHARD_MAX || i < 1 || i > n)
		return -1;
	*index = i;
	*count = n;
	return 0;
}

unsigned shard_of_row(const struct input_row *row, unsigned count)
{
	if (count <= 1)
		return 1;
	const char *key = row->domain ? row->domain : row->input ? row->input : "";
	return (unsigned)(shard_fnv1a64(key) % count) + 1;
}

bool shard_owns(const struct input_row *row, unsigned index, unsigned count)
{
	return count == 0 || shard_of_row(row, count) == index;
}
