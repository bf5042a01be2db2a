/*
 * MX discovery (verdicts.md, "MX hosts"): MX records in preference order (ties by name), at
 * most 10 used, null MX (RFC 7505), and each MX host's IPv4/IPv6 addresses.
 * Ownership: an mx_set owns all its strings; it is built by mx_lookup() and freed by
 * mx_set_free(). Checks get a borrowed one from scan_mx().
 */
#pragma once

#include "scanner/dns.h"
#include <stdbool.h>
#include <stddef.h>

#define MX_MAX_USED 10

enum mx_status {
	MX_OK,    /* at least one usable MX host */
	MX_NONE,  /* no MX records at all (NODATA or NXDOMAIN) */
	MX_NULL,  /* "MX 0 ." alone */
	MX_ERROR, /* the MX lookup failed */
};

struct mx_host {
	char *name; /* lower case, no trailing dot */
	int preference;
	bool is_cname;      /* the name is a CNAME (RFC 5321/2181 violation) */
	bool is_ip_literal; /* the name looks like an IP address */
	char **v4, **v6;    /* textual addresses */
	size_t n_v4, n_v6;
	bool addr_error;         /* an A or AAAA lookup failed (v4_error || v6_error) */
	bool v4_error, v6_error; /* which: a family absent after a good lookup is no error */
	char *addr_reason;       /* why, when addr_error */
};

struct mx_set {
	enum mx_status status;
	char *error;           /* when MX_ERROR */
	struct mx_host *hosts; /* the used hosts (at most MX_MAX_USED), in preference order */
	size_t n_hosts;
	size_t n_records;      /* MX records seen in total */
	bool null_with_others; /* a "0 ." next to other MX records */
};

/** Look up MX and the hosts' addresses. Never NULL. */
struct mx_set *mx_lookup(struct dns_client *dns, const char *domain);
void mx_set_free(struct mx_set *m);
/** The `mx` CSV column value: names space-separated, "." for a null MX; malloc'd. */
char *mx_column(const struct mx_set *m);
