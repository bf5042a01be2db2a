/*
 * Short advice a person can act on, for a check whose verdict is not `pass` (HTML report).
 * The advice is a message (scanner/msg.h): an identifier of the catalogues in data/messages/
 * and its parameters; proposed DNS records are parameters named "record..." (language-free
 * DNS syntax, set in <code> by the HTML writer).
 * Ownership: advice_for() returns a new JSON object {"msg": id, "args": {...}} the caller
 * releases with json_decref(), or NULL when there is nothing to advise.
 */
#pragma once

#include "scanner/result.h"

json_t *advice_for(const char *check, enum verdict v, const struct domain_result *res);
