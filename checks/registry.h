/*
 * The check table: every check, in the order the engine runs them for a domain (a check may
 * read the results of those before it). Adding a check = one line in registry.c.
 */
#pragma once

#include "scanner/check.h"

const struct check_table *checks_table(void);
