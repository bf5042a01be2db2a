/*
 * RFC 7208 evaluation: check_host() (§4–§5, macros §7, limits §4.6.4) and the structural
 * judgement of a domain's SPF tree without a client IP (for the scan's `spf` verdict).
 *
 * Both take a small DNS interface so that tests can serve recorded answers without a network;
 * spf_dns_from_client() wraps the real dns_client.
 *
 * Ownership: results own their strings/JSON; free with the matching *_free(). Replies returned
 * by the interface's query() are released with its release(). Thread-safe (no global state).
 */
#pragma once

#include "checks/spf_parse.h"
#include "scanner/dns.h"

#include <jansson.h>
#include <stdbool.h>

struct spf_dns {
	void *ctx;
	/** Never NULL; the reply is released with release(). */
	struct dns_reply *(*query)(void *ctx, const char *name, ldns_rr_type type);
	void (*release)(void *ctx, struct dns_reply *r);
};

/** The interface over a dns_client (ctx = the client). */
struct spf_dns spf_dns_from_client(struct dns_client *c);

enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};
const char *spf_result_name(enum spf_result r);

struct spf_request {
	const char *ip;       /* client IP, v4 or v6 text */
	const char *mailfrom; /* MAIL FROM; "" = null reverse-path (HELO is checked) */
	const char *helo;     /* HELO/EHLO name; may be NULL */
	const char *receiver; /* %{r}; NULL = "unknown" */
};

struct spf_answer {
	enum spf_result result;
	char *explanation; /* malloc'd exp= text for fail, or NULL */
	char *reason;      /* malloc'd, why (for permerror/temperror), or NULL */
	int lookups;       /* DNS-querying terms evaluated */
	int voids;         /* void lookups */
};

/** check_host() for the request. */
void spf_check_host(const struct spf_dns *dns, const struct spf_request *req,
		    struct spf_answer *out);
void spf_answer_free(struct spf_answer *a);

/* ---- structural evaluation (no client IP) ---- */

/** Limits on following a tree: nodes visited and depth. */
#define SPF_TREE_MAX_NODES 64
#define SPF_TREE_MAX_DEPTH 12
/** Address/MX lookups made for counting void lookups in one tree (beyond: not probed). */
#define SPF_TREE_MAX_PROBES 64

/*
 * A tree node as JSON (stable keys, used in the scan's detail and shared through the memo):
 *   "domain": str, "status": "ok"|"none"|"nodata"|"multiple"|"nxdomain"|"syntax"|"loop"|"error"|
 *             "limit"|"macro",
 *   "record": str (when one was found), "reason": str (for non-ok),
 *   "lookups": int  (DNS-querying terms of this record and below, excluding the term that
 *                     refers to this node),
 *   "voids": int, "ptr": bool (ptr used at or below), "permerrors": [str...] (problems at or
 *   below that make evaluation a permerror), "temperrors": [str...] (lookups that failed),
 *   "all": str|null (the qualifier+"all" that ends this record, through its redirect chain;
 *          null when none), "redirect_macro": bool,
 *   "children": [ { "term": str, node... } ... ]
 */
/**
 * Build the tree rooted at `domain` (its TXT looked up through dns). Never NULL (new ref).
 * `resolve` when not NULL is asked for the subtree of each include/redirect target at depth 1
 * (so callers may share subtrees through a memo); it returns a new reference or NULL to let the
 * tree be built inline.
 */
json_t *spf_tree_build(const struct spf_dns *dns, const char *domain,
		       json_t *(*resolve)(void *arg, const char *target), void *arg);

/** The same for an already fetched top-level record text (status "ok" if it parses). */
json_t *spf_tree_build_record(const struct spf_dns *dns, const char *domain, const char *record,
			      json_t *(*resolve)(void *arg, const char *target), void *arg);
