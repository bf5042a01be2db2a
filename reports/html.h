/*
 * HTML helpers of the HTML report (reports/html.c), exposed for the unit tests.
 * Ownership: nothing is kept; the strings are borrowed for the call.
 */
#pragma once

#include <stddef.h>
#include <stdio.h>

/** Longest text written for one value; longer text is cut and ends in "...". */
#define HTML_TEXT_MAX 8192

/**
 * Write text into HTML (element content or a quoted attribute value): `& < > " '` become
 * entities, control characters and invalid UTF-8 become \xNN, bidi controls and invisible
 * characters (U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+2069, U+FEFF) become
 * \uXXXX, at most HTML_TEXT_MAX bytes.
 */
void html_text(FILE *fp, const char *s, size_t len);
