/*
 * Message catalogues: the text people read, one catalogue per language
 * (data/messages/<lang>.txt; format and conventions in docs/i18n.md), and the rendering of a
 * message (an identifier plus parameters, see scanner/msg.h) in plain text or HTML.
 *
 * Catalogue format: UTF-8 lines "id = text"; '#' starts a comment line; blank lines are
 * skipped; a line that starts with a space or tab continues the previous text (joined by one
 * space). Identifiers are [a-z0-9_.-]; a duplicate identifier is an error.
 *
 * A message that is not in the catalogue renders as "[[id]]", a parameter without a value as
 * "[[?name]]" (msg.h): the report then shows plainly what is missing, and the tests look for
 * the marker.
 *
 * Ownership: catalog_parse()/catalog_load() return a catalogue the caller frees with
 * catalog_free(); strings returned by catalog_get()/catalog_id() are borrowed from it;
 * i18n_text() returns a malloc'd string. A catalogue is read-only once loaded (shareable).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct catalog;

/** Parse catalogue text (pure). NULL with *err (malloc'd, "line N: ...") when invalid. */
struct catalog *catalog_parse(const char *text, size_t len, char **err);
/** Read and parse a catalogue file. NULL with *err (malloc'd) on failure. */
struct catalog *catalog_load(const char *path, char **err);
/**
 * The catalogue of `lang` ("en", "nl") under data_dir/messages/; a NULL data_dir means
 * $DOMSCAN_DATADIR, else the source tree's data/ when it exists, else the installed one.
 */
struct catalog *catalog_load_lang(const char *data_dir, const char *lang, char **err);
void catalog_free(struct catalog *c);

/** The template of `id`, or NULL. */
const char *catalog_get(const struct catalog *c, const char *id);
/** Number of messages, and the i-th identifier in file order (for the tests). */
size_t catalog_count(const struct catalog *c);
const char *catalog_id(const struct catalog *c, size_t i);

/** Message `id` with `args` (object or NULL) as plain text. Never NULL. */
char *i18n_text(const struct catalog *c, const char *id, const json_t *args);
/**
 * Write message `id` with `args` as HTML element content: template text and parameters are
 * HTML-escaped (html_text()); a parameter whose name starts with "record" or is "host" is set
 * in <code>,
 * the parameter "detail" (technical text from the network or a library, not translated) in
 * <span class="detail">.
 */
void i18n_html(FILE *fp, const struct catalog *c, const char *id, const json_t *args);
/** i18n_html() of the message "prefix" + "name" (e.g. "verdict." + "pass"). */
void i18n_html_key(FILE *fp, const struct catalog *c, const char *prefix, const char *name);
