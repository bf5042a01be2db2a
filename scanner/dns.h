/*
 * The DNS client: one transport shared by every worker thread.
 *
 * ldns is used only as a wire codec; one I/O thread owns the UDP sockets (connected to each
 * configured resolver), matches replies to queries by source, ID and question, retries with
 * back-off and rotates over the resolvers (never marking one dead for the run), and caps the
 * query rate. Truncated replies are retried over TCP. A run-wide cache coalesces identical
 * concurrent queries, so each (name, type) goes out once per run.
 *
 * Every query through the resolver is sent with RD=1, EDNS0 (1232 bytes), DO=1 and CD=1, so a
 * DNSSEC-bogus zone still yields its records (and their RRSIGs); DNSSEC verdicts come from
 * scanner/dnssec.h, never from the resolver's AD bit. A caller that reads only the data (DKIM
 * selector probes: most of a scan's queries) may ask with DO=0 (DNS_Q_NO_DNSSEC): the reply
 * then carries no RRSIG, NSEC or NSEC3 records, which makes it several times smaller to send,
 * parse and cache; such replies are cached apart from the DO=1 ones.
 *
 * Thread safety: every function here may be called from any thread.
 * Ownership: replies are reference counted and immutable; callers release what they get.
 */
#pragma once

#include <jansson.h>
#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct dns_server {
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

struct dns_config {
	struct dns_server *servers; /* borrowed during dns_client_new(), copied */
	size_t n_servers;
	double timeout;       /* seconds per exchange; default 5 */
	int attempts;         /* tries per query across resolvers; default 2 */
	double qps;           /* global cap on queries per second; 0 = none */
	size_t cache_entries; /* LRU bound on entries; 0 = default (262144) */
	size_t cache_bytes;   /* LRU bound on the replies' estimated heap use; 0 = 16 MiB */
	int inflight;         /* queries outstanding per resolver at most; 0 = default (256) */
};

#define DNS_DEFAULT_INFLIGHT    256
#define DNS_DEFAULT_CACHE_BYTES ((size_t)16 << 20)

enum dns_status {
	DNS_OK = 0,    /* a reply was received; look at rcode */
	DNS_TIMEOUT,   /* no (valid) reply within timeout x attempts */
	DNS_NETERR,    /* could not send (unreachable, refused) */
	DNS_MALFORMED, /* only unparseable or mismatched replies */
	DNS_BADNAME,   /* the name cannot be encoded */
};

struct dns_reply {
	enum dns_status status;
	ldns_pkt_rcode rcode; /* when status == DNS_OK */
	ldns_pkt *pkt;        /* the reply when status == DNS_OK; read-only */
	char *error;          /* why, when the query failed (status != OK or rcode not 0/3) */
	uint16_t qtype;
	char *qname; /* as asked, lower case, no trailing dot */
	int refs;    /* internal */
};

struct dns_stats {
	uint64_t queries;    /* dns_query() calls */
	uint64_t cache_hits; /* answered from cache or coalesced */
	uint64_t sent;       /* datagrams/streams sent (including retries) */
	uint64_t retries;
	uint64_t tcp;
	uint64_t timeouts;
	uint64_t mismatched;                 /* replies dropped for wrong id/question */
	uint64_t evictions;                  /* cache entries dropped to stay within the bounds */
	uint64_t cache_entries, cache_bytes; /* now (estimated heap use of the cached replies) */
	uint64_t cache_bytes_peak;
	uint64_t inflight_peak; /* most queries outstanding to one resolver at once */
};

struct dns_client;

/** Parse "IP", "IP@PORT" (IPv6 as "::1" or "::1@5353"). Port defaults to 53. 0 on success. */
int dns_server_parse(const char *s, struct dns_server *out);
/** The nameserver lines of a resolv.conf file; returns count (0 on error or none). */
size_t dns_servers_from_resolv_conf(const char *path, struct dns_server *out, size_t max);

/** Create the client and start its I/O thread. NULL with *err (malloc'd) on failure. */
struct dns_client *dns_client_new(const struct dns_config *cfg, char **err);
void dns_client_free(struct dns_client *c);
void dns_client_stats(struct dns_client *c, struct dns_stats *out);

/**
 * Query (name, type) through the configured resolvers; blocks until answered or failed.
 * `name` is in presentation format (trailing dot optional). Never returns NULL.
 */
struct dns_reply *dns_query(struct dns_client *c, const char *name, ldns_rr_type type);
/** Same for an ldns dname (for names with odd characters). */
struct dns_reply *dns_query_rdf(struct dns_client *c, const ldns_rdf *name, ldns_rr_type type);
/**
 * Issue n queries concurrently and wait for all: out[i] gets the reply to (names[i], types[i]).
 */
void dns_query_many(struct dns_client *c, size_t n, const char *const names[],
		    const ldns_rr_type types[], struct dns_reply *out[]);
/** Options for dns_query_many_opts(). */
enum {
	DNS_Q_NO_DNSSEC =
		1, /* DO=0 (still CD=1): no RRSIG/NSEC/NSEC3; never fed to the validator */
};
/** dns_query_many() with options (DNS_Q_*). */
void dns_query_many_opts(struct dns_client *c, size_t n, const char *const names[],
			 const ldns_rr_type types[], unsigned opts, struct dns_reply *out[]);
/**
 * Ask one server directly (no cache, no coalescing): RD as given, EDNS0 + DO, CD=1.
 * Used to test a name server's reachability. One attempt, UDP with TCP fallback.
 */
struct dns_reply *dns_query_server(struct dns_client *c, const struct dns_server *srv,
				   const char *name, ldns_rr_type type, bool rd);

void dns_reply_ref(struct dns_reply *r);
void dns_reply_release(struct dns_reply *r);

/**
 * The reply the client would make of `len` bytes received for the query (qname, qtype) sent
 * with `id`: the same checks (ID, QR, one question matching name/type/class) and rcode handling
 * as for a reply from the network. A reply that does not parse or match gives status
 * DNS_MALFORMED with an error text. Pure (no I/O); for tests and the fuzz target. The caller owns
 * the result (dns_reply_release()).
 */
struct dns_reply *dns_reply_from_wire(const uint8_t *buf, size_t len, const char *qname,
				      ldns_rr_type qtype, uint16_t id);

/**
 * The query as sent (pure): ID 0, RD as given, CD=1, one question (qname, qtype, IN), EDNS0 with
 * a 1232-byte payload and DO=dnssec. *wire is malloc'd (the caller frees it). 0, or -1 when
 * qname is not an encodable name.
 */
int dns_query_wire(const ldns_rdf *qname, uint16_t qtype, bool rd, bool dnssec, uint8_t **wire,
		   size_t *len);

enum dns_outcome {
	DNS_ANSWER,   /* NOERROR with at least one RR of the asked type (after CNAMEs) */
	DNS_NODATA,   /* NOERROR, no RR of that type */
	DNS_NXDOMAIN, /* NXDOMAIN (at the end of any CNAME chain) */
	DNS_FAILURE,  /* timeout, SERVFAIL, REFUSED, malformed...: could not find out */
};
enum dns_outcome dns_reply_outcome(const struct dns_reply *r);
/** "answer", "nodata", "nxdomain" or "error" (static string), for reports. */
const char *dns_outcome_name(enum dns_outcome o);
/** A person-readable reason for DNS_FAILURE ("timeout", "SERVFAIL from 127.0.0.1"...). */
const char *dns_reply_error(const struct dns_reply *r);

/**
 * Clones of the answer-section RRs of `type` (any owner; the CNAME chain's target for a
 * recursive answer). NULL when there are none. Caller ldns_rr_list_deep_free()s it.
 */
ldns_rr_list *dns_reply_rrs(const struct dns_reply *r, ldns_rr_type type);

struct dns_txt {
	char *data; /* owned, NUL-terminated copy (may contain NULs inside: use len) */
	size_t len;
};
/**
 * The TXT records of the answer, each with its character-strings concatenated (RFC 7208 §3.3).
 * Returns the count; *out is a malloc'd array (free with dns_txt_free). 0 and NULL when none.
 */
size_t dns_reply_txt(const struct dns_reply *r, struct dns_txt **out);
void dns_txt_free(struct dns_txt *t, size_t n);

/**
 * The CNAME chain in the answer starting at the query name: names (malloc'd strings, no
 * trailing dot) in order, the final target last. Returns the count (0 when no CNAME).
 */
size_t dns_reply_cname_chain(const struct dns_reply *r, char ***out);
void dns_strv_free(char **v, size_t n);
/**
 * The same chain as a new JSON array of sanitised names (for a check's detail), or NULL when
 * the answer has no CNAME. The caller owns the array.
 */
json_t *dns_reply_cname_json(const struct dns_reply *r);

/** Presentation form of a dname without trailing dot, lower case; malloc'd. */
char *dns_name_str(const ldns_rdf *dname);
