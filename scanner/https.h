/*
 * HTTPS fetches with libcurl (MTA-STS policies): the scanner's own DNS results are handed to
 * curl (CURLOPT_RESOLVE), no redirects, a body cap enforced in the write callback, results
 * cached per URL for the run.
 *
 * Thread safety: https_* functions may be called from any thread.
 * Ownership: results are cached and borrowed, valid until https_fetcher_free().
 */
#pragma once

#include "scanner/config.h"
#include "scanner/dns.h"
#include <jansson.h>

struct https_fetcher;

struct https_fetcher *https_fetcher_new(const struct config *cfg, struct dns_client *dns,
					char **err);
void https_fetcher_free(struct https_fetcher *f);

/**
 * GET https://host/path (port 443 unless cfg says otherwise in tests), at most max_bytes.
 * Returns an object (borrowed): {"ok": bool, "status": int, "content_type": str,
 * "body": str, "error": str}.
 */
const json_t *https_get(struct https_fetcher *f, const char *host, const char *path,
			size_t max_bytes);
