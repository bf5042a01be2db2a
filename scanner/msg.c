/* Message templates with named parameters: see msg.h. */
#include "scanner/msg.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *msg_args(const char *name, ...)
{
	json_t *o = json_object();
	va_list ap;
	va_start(ap, name);
	for (const char *k = name; k; k = va_arg(ap, const char *)) {
		json_t *v = va_arg(ap, json_t *);
		json_object_set_new(o, k, v ? v : json_string(""));
	}
	va_end(ap);
	return o;
}

json_t *msg_nested(const char *msg, const char *tmpl, json_t *args)
{
	if (!args)
		args = json_object();
	char *text = msg_format(tmpl, args);
	json_t *o = json_pack("{sssoso}", "msg", msg, "args", args, "text", json_str(text));
	free(text);
	return o;
}

static void emit_value(const json_t *v, const char *param, msg_emit_fn emit, void *ctx)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_STRING:
		emit(ctx, json_string_value(v), json_string_length(v), param);
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		emit(ctx, num, strlen(num), param);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		emit(ctx, num, strlen(num), param);
		break;
	case JSON_TRUE:
		emit(ctx, "true", 4, param);
		break;
	case JSON_FALSE:
		emit(ctx, "false", 5, param);
		break;
	case JSON_ARRAY: {
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e)
		{
			/* Nested messages are sentences: joined by "; ". */
			if (i)
				emit(ctx, json_is_object(e) ? "; " : ", ", 2, NULL);
			if (!json_is_array(e))
				emit_value(e, param, emit, ctx);
		}
		break;
	}
	case JSON_OBJECT: {
		const json_t *t = json_object_get(v, "text");
		if (json_is_string(t))
			emit(ctx, json_string_value(t), json_string_length(t), param);
		break;
	}
	default: /* null: nothing */
		break;
	}
}

/* The length of a placeholder name at p (up to '}'), 0 when p does not start one. */
static size_t placeholder(const char *p)
{
	size_t n = 0;
	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		n++;
	return n > 0 && n < 64 && p[n] == '}' ? n : 0;
}

void msg_expand(const char *tmpl, const json_t *args, msg_emit_fn emit, void *ctx)
{
	const char *p = tmpl ? tmpl : "";
	const char *run = p;
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			emit(ctx, run, (size_t)(p - run) + 1, NULL);
			p += 2;
			run = p;
			continue;
		}
		size_t n = p[0] == '{' ? placeholder(p + 1) : 0;
		if (!n) {
			p++;
			continue;
		}
		if (p > run)
			emit(ctx, run, (size_t)(p - run), NULL);
		char name[64];
		memcpy(name, p + 1, n);
		name[n] = '\0';
		const json_t *v = json_object_get(args, name);
		if (v) {
			emit_value(v, name, emit, ctx);
		} else {
			emit(ctx, MSG_MISSING_OPEN "?", 3, NULL);
			emit(ctx, name, n, NULL);
			emit(ctx, MSG_MISSING_CLOSE, 2, NULL);
		}
		p += n + 2;
		run = p;
	}
	if (p > run)
		emit(ctx, run, (size_t)(p - run), NULL);
}

static void to_buf(void *ctx, const char *s, size_t len, const char *param)
{
	(void)param;
	buf_add(ctx, s, len);
}

char *msg_format(const char *tmpl, const json_t *args)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	msg_expand(tmpl, args, to_buf, &b);
	return buf_steal(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *msg_params(const char *tmpl)
{
	const char *names[64];
	char store[64][64];
	size_t n = 0;
	for (const char *p = tmpl ? tmpl : ""; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		size_t k = p[0] == '{' ? placeholder(p + 1) : 0;
		if (!k || n == 64)
			continue;
		memcpy(store[n], p + 1, k);
		store[n][k] = '\0';
		names[n] = store[n];
		n++;
		p += k + 1;
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			json_array_append_new(arr, json_string(names[i]));
	return arr;
}
