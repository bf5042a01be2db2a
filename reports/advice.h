/*
 * Short advice a person can act on, for a check whose verdict is not `pass` (HTML report).
 * Ownership: advice_for() returns a malloc'd plain-text string (the caller HTML-escapes it and
 * frees it), or NULL when there is nothing to advise.
 */
#pragma once

#include "scanner/result.h"

char *advice_for(const char *check, enum verdict v, const struct domain_result *res);
