/*
 * DANE for SMTP (RFC 7672), shared by the starttls check (a DANE-TA record turns certificate
 * trust and name-match problems into failures) and the dane check.
 * Ownership: dane_mx_tlsa() returns a new JSON reference (memoised run-wide per MX name).
 */
#pragma once

#include "scanner/check.h"
#include <jansson.h>

/**
 * The TLSA RRset for an MX host: `_25._tcp.<mx>`, or first `_25._tcp.<target>` when the MX
 * name is a DNSSEC-secure CNAME (RFC 7672 §2.2.2). Keys: "status" ("found", "none", "error"),
 * "dnssec" (secure/insecure/bogus/error), "name" (the TLSA owner used), "records"
 * [{usage, selector, mtype, data (hex)}], "usable" (records with usage 2 or 3), "reason".
 */
json_t *dane_mx_tlsa(struct scan *s, const char *mx, bool is_cname);
/** True when `t` (from dane_mx_tlsa) is DNSSEC-secure and holds a DANE-TA (usage 2) record. */
bool dane_has_secure_ta(const json_t *t);
