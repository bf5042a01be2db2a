/*
 * The STARTTLS prober (verdicts.md "starttls"): per MX address, SMTP banner, EHLO, STARTTLS,
 * then TLS enumeration with OpenSSL (versions, suites, groups, certificate chain), classified by
 * the NCSC tables in data/. Each address is probed once per run, however many domains share it;
 * concurrent requests for the same address wait for the one probe in flight.
 *
 * Thread safety: smtp_* functions may be called from any thread.
 * Ownership: probe results are owned by the prober's cache (immutable once done) and live
 * until smtp_prober_free(); callers borrow them.
 */
#pragma once

#include "scanner/config.h"
#include <jansson.h>

struct smtp_prober;

struct smtp_prober *smtp_prober_new(const struct config *cfg, char **err);
void smtp_prober_free(struct smtp_prober *p);

/**
 * Probe `ip` (textual v4 or v6) on port 25 presenting SNI `mx_name`; returns the cached
 * result for that address as a JSON object (borrowed), see docs/checks.md for its keys.
 */
const json_t *smtp_probe(struct smtp_prober *p, const char *mx_name, const char *ip);
/** Number of TCP connections opened to `ip` so far (for politeness tests and bench). */
unsigned smtp_connections(struct smtp_prober *p, const char *ip);
