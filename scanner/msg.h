/*
 * Messages: what a check or a reporter says, independent of the language it is shown in.
 *
 * A message is an identifier ("spf.policy.permissive_all") plus a JSON object of named
 * parameters ({"all": "+all"}). The reports render it through a catalogue per language
 * (reports/i18n.h, data/messages/<lang>.txt). A template is text with {name} placeholders;
 * "{{" and "}}" stand for literal braces.
 *
 * Mark every literal identifier in the sources with MSG("..."): tests/i18n/check-messages
 * collects them and fails when one lacks a translation in any catalogue.
 *
 * Ownership: msg_args() steals the JSON values it is given and returns a new object;
 * msg_format() returns a malloc'd string; msg_expand() keeps nothing.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/** A literal message identifier (compile-time string; grepped by the catalogue test). */
#define MSG(id) ("" id "")

/** The marker written for a message or parameter that cannot be rendered: "[[" ... "]]". */
#define MSG_MISSING_OPEN  "[["
#define MSG_MISSING_CLOSE "]]"

/**
 * A parameter object from NULL-terminated (name, value) pairs: msg_args("host", json_str(h),
 * "count", json_integer(n), NULL). Values are stolen; a NULL value becomes "" (json_str(NULL)
 * gives null, which renders as ""). Keep network text bounded and sanitised: use json_str().
 */
json_t *msg_args(const char *name, ...) __attribute__((sentinel));

/**
 * A message used as a parameter of another message: {"msg": id, "args": args, "text": the
 * English text, `tmpl` expanded}. The catalogue renderer renders it in the chosen language;
 * msg_expand() uses its "text". `args` is stolen (NULL = none). Returns a new object.
 */
json_t *msg_nested(const char *msg, const char *tmpl, json_t *args);

/**
 * Called by msg_expand() for each piece of output: template text (param = NULL) or the text
 * of parameter `param`. `s` is not NUL-terminated.
 */
typedef void (*msg_emit_fn)(void *ctx, const char *s, size_t len, const char *param);

/**
 * Expand `tmpl` with `args` (an object or NULL), piece by piece. A parameter's text: a string
 * as is, an integer in decimal, a real with %g, true/false, null as "", a nested message
 * (msg_nested()) as its "text", an array as its elements joined by ", " (nested messages
 * by "; "). A placeholder without a value becomes "[[?name]]".
 */
void msg_expand(const char *tmpl, const json_t *args, msg_emit_fn emit, void *ctx);

/** msg_expand() into a new plain-text string. */
char *msg_format(const char *tmpl, const json_t *args);

/** The names of the placeholders of `tmpl`, sorted and unique, as a JSON array (new ref). */
json_t *msg_params(const char *tmpl);
