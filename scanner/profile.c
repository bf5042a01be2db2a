/* The platform compliance profile: see profile.h and docs/profile.md. */
#include "scanner/profile.h"
#include "scanner/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ITEM_MAX 1024

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool sep_char(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r';
}

/* Parse one line (NUL-terminated, no newline, comment stripped); 0 or -1 with *err. */
static int parse_line(json_t *prof, char *line, size_t lineno, size_t *n_items, char **err)
{
	char *p = str_trim(line);
	if (*p == '\0')
		return 0;
	char *k = p;
	while (key_char(*p))
		p++;
	size_t klen = (size_t)(p - k);
	if (klen == 0 || klen > 64) {
		*err = xasprintf("line %zu: expected `key: value`", lineno);
		return -1;
	}
	if (*p != '\0' && *p != ':' && *p != '=' && *p != ' ' && *p != '\t') {
		*err = xasprintf("line %zu: invalid character in key", lineno);
		return -1;
	}
	char save = *p;
	*p = '\0';
	char *key = str_lower(k);
	*p = save;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == ':' || *p == '=')
		p++;
	json_t *arr = json_object_get(prof, key);
	size_t added = 0;
	while (*p) {
		while (sep_char(*p))
			p++;
		if (*p == '\0')
			break;
		char *start = p;
		while (*p && !sep_char(*p))
			p++;
		size_t ilen = (size_t)(p - start);
		if (ilen > ITEM_MAX) {
			*err = xasprintf("line %zu: value longer than %d bytes", lineno, ITEM_MAX);
			free(key);
			return -1;
		}
		if (++*n_items > PROFILE_MAX_ITEMS) {
			*err = xasprintf("line %zu: more than %d values", lineno,
					 PROFILE_MAX_ITEMS);
			free(key);
			return -1;
		}
		if (!arr) {
			arr = json_array();
			json_object_set_new(prof, key, arr);
		}
		json_t *item = json_stringn(start, ilen);
		if (!item) { /* not UTF-8 */
			*err = xasprintf("line %zu: value is not UTF-8", lineno);
			free(key);
			return -1;
		}
		json_array_append_new(arr, item);
		added++;
	}
	if (added == 0) {
		*err = xasprintf("line %zu: key `%s` has no value", lineno, key);
		free(key);
		return -1;
	}
	free(key);
	return 0;
}

json_t *profile_parse(const char *text, size_t len, char **err)
{
	*err = NULL;
	json_t *prof = json_object();
	size_t lineno = 0, n_items = 0, pos = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		char *line = xmalloc(end - pos + 1);
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		if (strlen(line) != end - pos) {
			free(line);
			*err = xasprintf("line %zu: NUL byte", lineno);
			json_decref(prof);
			return NULL;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		int rc = parse_line(prof, line, lineno, &n_items, err);
		free(line);
		if (rc != 0) {
			json_decref(prof);
			return NULL;
		}
		pos = end + 1;
	}
	return prof;
}

json_t *profile_load(const char *path, char **err)
{
	*err = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = xasprintf("profile %s: %s", path, strerror(errno));
		return NULL;
	}
	char *data = xmalloc(PROFILE_MAX_BYTES + 1);
	size_t n = fread(data, 1, PROFILE_MAX_BYTES + 1, f);
	bool bad = ferror(f);
	fclose(f);
	if (bad || n > PROFILE_MAX_BYTES) {
		*err = xasprintf("profile %s: %s", path, bad ? "read error" : "larger than 1 MiB");
		free(data);
		return NULL;
	}
	char *perr = NULL;
	json_t *p = profile_parse(data, n, &perr);
	free(data);
	if (!p) {
		*err = xasprintf("profile %s: %s", path, perr);
		free(perr);
	}
	return p;
}

const json_t *profile_items(const json_t *profile, const char *key)
{
	if (!profile)
		return NULL;
	const json_t *a = json_object_get(profile, key);
	return json_array_size(a) ? a : NULL;
}
