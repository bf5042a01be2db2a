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
 * entities, control characters and invalid UTF-8 become \xNN, at most HTML_TEXT_MAX bytes.
 */
void html_text(FILE *fp, const char *s, size_t len);
