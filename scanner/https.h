/*
 * HTTPS fetches with libcurl (MTA-STS policies, RFC 8461 §3.3).
 *
 * The host's addresses come from the scanner's own DNS client (A and AAAA through dns_query,
 * so cached and rate-limited like every other query) and are handed to curl with
 * CURLOPT_RESOLVE: curl never resolves names itself. HTTPS only, no redirects followed, no
 * proxy from the environment, the certificate verified for the host name against
 * cfg->ca_file (or the system store when NULL), the body capped in the write callback
 * (CURLOPT_MAXFILESIZE does not stop a chunked body), cfg->timeout for the connection and
 * twice that for the whole transfer (at most cfg->domain_timeout).
 *
 * Caching: the fetcher does not cache; callers cache what they derive from a response in the
 * run-wide memo (scanner/memo.h), e.g. the MTA-STS check per policy host.
 *
 * curl_global_init() must have been called once before threads start (main.c does).
 * Thread safety: https_* functions may be called from any thread (one easy handle per fetch).
 * Ownership: a response owns its strings; https_response_clear() releases them.
 */
#pragma once

#include "scanner/config.h"
#include "scanner/dns.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct https_fetcher;

/** Keeps `cfg` and `dns` borrowed: both must outlive the fetcher. NULL with *err on failure. */
struct https_fetcher *https_fetcher_new(const struct config *cfg, struct dns_client *dns,
					char **err);
void https_fetcher_free(struct https_fetcher *f);

struct https_response {
	bool ok;            /* HTTP 200 with the whole body within max_bytes */
	bool dns_failure;   /* the host's addresses could not be looked up (timeout, SERVFAIL):
			       "could not find out", as opposed to a failed fetch */
	bool too_big;       /* the body exceeded max_bytes */
	long status;        /* HTTP status; 0 when no response was had */
	char *content_type; /* owned, as sent (untrusted), or NULL */
	char *body;         /* owned, NUL-terminated, body_len bytes (may hold NULs), or NULL */
	size_t body_len;
	char *error; /* owned, why !ok (person-readable), or NULL */
	char *ip;    /* owned, the address used, or NULL */
};

/**
 * GET https://host/path on port 443 (the port may be overridden for tests by the environment
 * variable DOMSCAN_HTTPS_PORT: the URL keeps the implicit :443, curl is pointed at the other
 * port with CURLOPT_CONNECT_TO). At most max_bytes of body. Fills *out (always; check ok).
 */
void https_fetch(struct https_fetcher *f, const char *host, const char *path, size_t max_bytes,
		 struct https_response *out);
void https_response_clear(struct https_response *r);

/**
 * The same as JSON, a new reference the caller json_decref()s:
 * {"ok": bool, "status": int, "content_type": str|null, "body": str (sanitised), "error":
 * str|null, "ip": str|null, "dns_failure": bool}.
 */
json_t *https_get(struct https_fetcher *f, const char *host, const char *path, size_t max_bytes);
