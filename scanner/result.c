/* The result model: verdict words and order, subtests, safe text. See result.h. */
#include "scanner/result.h"
#include "scanner/msg.h"
#include "scanner/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_words[] = {
	[VERDICT_NOT_TESTED] = "not_tested", [VERDICT_PASS] = "pass",   [VERDICT_INFO] = "info",
	[VERDICT_WARNING] = "warning",       [VERDICT_ERROR] = "error", [VERDICT_FAIL] = "fail",
};

const char *verdict_name(enum verdict v)
{
	if ((unsigned)v >= sizeof(verdict_words) / sizeof(verdict_words[0]))
		return "error";
	return verdict_words[v];
}

int verdict_parse(const char *word)
{
	for (size_t i = 0; word && i < sizeof(verdict_words) / sizeof(verdict_words[0]); i++)
		if (strcmp(word, verdict_words[i]) == 0)
			return (int)i;
	return -1;
}

enum verdict verdict_worst(enum verdict a, enum verdict b)
{
	/* The enum is declared in increasing badness, with not_tested at 0: ignored. */
	return a > b ? a : b;
}

void result_merge(struct check_result *r, enum verdict v)
{
	r->verdict = verdict_worst(r->verdict, v);
}

static json_t *subtest_v(struct check_result *r, const char *name, enum verdict status,
			 const char *fmt, va_list ap)
{
	if (!r->detail)
		r->detail = json_object();
	json_t *arr = json_object_get(r->detail, "subtests");
	if (!arr) {
		arr = json_array();
		json_object_set_new(r->detail, "subtests", arr);
	}
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "status", json_string(verdict_name(status)));
	if (fmt) {
		char *s = xvasprintf(fmt, ap);
		json_object_set_new(o, "reason", json_text(s, strlen(s), 4096));
		free(s);
	}
	json_array_append_new(arr, o);
	return o;
}

void result_subtest(struct check_result *r, const char *name, enum verdict status,
		    const char *reason_fmt, ...)
{
	va_list ap;
	va_start(ap, reason_fmt);
	subtest_v(r, name, status, reason_fmt, ap);
	va_end(ap);
}

json_t *result_subtest_obj(struct check_result *r, const char *name, enum verdict status,
			   const char *reason_fmt, ...)
{
	va_list ap;
	va_start(ap, reason_fmt);
	json_t *o = subtest_v(r, name, status, reason_fmt, ap);
	va_end(ap);
	return o;
}

json_t *result_subtest_msg(struct check_result *r, const char *name, enum verdict status,
			   const char *msg, const char *reason_tmpl, json_t *args)
{
	if (!args)
		args = json_object();
	char *reason = msg_format(reason_tmpl, args);
	json_t *o = result_subtest_obj(r, name, status, "%s", reason);
	free(reason);
	json_object_set_new(o, "msg", json_string(msg));
	json_object_set_new(o, "args", args);
	return o;
}

void result_set_error_msg(struct check_result *r, const char *msg, const char *tmpl, json_t *args)
{
	if (!args)
		args = json_object();
	char *s = msg_format(tmpl, args);
	free(r->error);
	r->error = text_sanitize(s, strlen(s), 1024);
	free(s);
	json_decref(r->error_msg);
	r->error_msg = json_pack("{ssso}", "msg", msg, "args", args);
}

void result_set_error(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = text_sanitize(s, strlen(s), 1024);
	free(s);
	json_decref(r->error_msg);
	r->error_msg = NULL;
}

/* Length of a valid UTF-8 sequence at s (n bytes available), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned min;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *text_sanitize(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t cap = (len < max ? len : max) * 4 + 16;
	char *out = xmalloc(cap);
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		if (o + 8 >= cap || o >= max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		size_t k = utf8_seq(u + i, len - i);
		if (k == 1 && (u[i] < 0x20 || u[i] == 0x7f)) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", u[i]);
			i++;
		} else if (k == 0) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", u[i]);
			i++;
		} else {
			memcpy(out + o, u + i, k);
			o += k;
			i += k;
		}
	}
	out[o] = '\0';
	return out;
}

json_t *json_text(const char *s, size_t len, size_t max)
{
	char *t = text_sanitize(s, len, max);
	json_t *j = json_string(t);
	free(t);
	if (!j)
		die("out of memory");
	return j;
}

json_t *json_str(const char *s)
{
	return s ? json_text(s, strlen(s), 4096) : json_null();
}

struct domain_result *domain_result_new(const char *domain, size_t n_checks)
{
	struct domain_result *r = xcalloc(1, sizeof(*r));
	r->domain = xstrdup(domain ? domain : "");
	r->n_checks = n_checks;
	r->checks = xcalloc(n_checks ? n_checks : 1, sizeof(*r->checks));
	for (size_t i = 0; i < n_checks; i++)
		r->checks[i].detail = json_object();
	r->columns = json_object();
	r->refs = 1;
	return r;
}

void domain_result_ref(struct domain_result *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_SEQ_CST);
}

void domain_result_unref(struct domain_result *r)
{
	if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	for (size_t i = 0; i < r->n_checks; i++) {
		json_decref(r->checks[i].detail);
		free(r->checks[i].error);
		json_decref(r->checks[i].error_msg);
	}
	free(r->checks);
	json_decref(r->columns);
	free(r->domain);
	free(r->error);
	free(r->frozen);
	free(r);
}

/* The frozen form: [columns, detail 0, error_msg 0, detail 1, error_msg 1, ...], JSON null for
 * a missing part. Strings may hold NUL (JSON_ALLOW_NUL when parsing back). */
void domain_result_freeze(struct domain_result *r)
{
	if (!r || r->frozen)
		return;
	json_t *a = json_array();
	json_array_append_new(a, r->columns ? r->columns : json_null());
	r->columns = NULL;
	for (size_t i = 0; i < r->n_checks; i++) {
		struct check_result *c = &r->checks[i];
		json_array_append_new(a, c->detail ? c->detail : json_null());
		json_array_append_new(a, c->error_msg ? c->error_msg : json_null());
		c->detail = NULL;
		c->error_msg = NULL;
	}
	r->frozen = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!r->frozen)
		die("out of memory");
	json_decref(a);
}

static json_t *thawed_part(json_t *a, size_t i)
{
	json_t *v = json_array_get(a, i);
	return json_is_null(v) ? NULL : json_incref(v);
}

struct domain_result *domain_result_thaw(struct domain_result *r)
{
	if (!r)
		return NULL;
	if (!r->frozen) {
		domain_result_ref(r);
		return r;
	}
	json_error_t jerr;
	json_t *a = json_loads(r->frozen, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
	if (!a || json_array_size(a) != 1 + 2 * r->n_checks)
		die("a frozen result does not parse back: %s", a ? "wrong shape" : jerr.text);
	struct domain_result *t = xcalloc(1, sizeof(*t));
	t->domain = xstrdup(r->domain);
	t->error = r->error ? xstrdup(r->error) : NULL;
	t->n_checks = r->n_checks;
	t->checks = xcalloc(r->n_checks ? r->n_checks : 1, sizeof(*t->checks));
	t->columns = thawed_part(a, 0);
	for (size_t i = 0; i < r->n_checks; i++) {
		t->checks[i].verdict = r->checks[i].verdict;
		t->checks[i].error = r->checks[i].error ? xstrdup(r->checks[i].error) : NULL;
		t->checks[i].detail = thawed_part(a, 1 + 2 * i);
		t->checks[i].error_msg = thawed_part(a, 2 + 2 * i);
	}
	json_decref(a);
	t->refs = 1;
	return t;
}
