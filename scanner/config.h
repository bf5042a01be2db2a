/*
 * Run configuration, filled from the command line (scanner/cli.c).
 * Ownership: a struct config owns all its strings and arrays; config_free() releases them.
 */
#pragma once

#include "scanner/dns.h"
#include <stdbool.h>
#include <stddef.h>

struct output_spec {
	char *format; /* "csv", "json", "html" */
	char *path;   /* "-" = stdout */
};

struct config {
	char **inputs; /* files; "-" = stdin; none = stdin */
	size_t n_inputs;
	struct output_spec *outputs;
	size_t n_outputs;

	struct dns_server *resolvers;
	size_t n_resolvers;
	char *trust_anchor;   /* file path */
	char *ca_file;        /* NULL = system store */
	char *selectors_spec; /* --selectors as given (LIST or @FILE); NULL = the default file */
	char **selectors;     /* DKIM selectors to probe, in order */
	size_t n_selectors;
	char *profile;  /* NULL or path */
	char *baseline; /* NULL or path */
	bool fail_on_regression;
	char *psl_file; /* NULL = libpsl built-in/latest */
	char *data_dir; /* where data/ files are read from */

	int concurrency;
	double timeout;          /* seconds per network exchange */
	double domain_timeout;   /* seconds per domain (deadline); 0 = none; default 12 x timeout */
	int attempts;            /* DNS tries per query */
	double qps;              /* DNS queries per second cap, 0 = none */
	int dns_inflight;        /* DNS queries outstanding per resolver at most */
	double dns_cache_mb;     /* bound on the DNS cache's estimated heap use, MiB */
	double smtp_interval_ms; /* minimum gap between two connections to one MX address */
	int smtp_connections;    /* connections to one MX address per run at most */
	char *ehlo;
	bool no_smtp;
	int progress; /* -1 auto, 0 quiet, 1 on */
	char *lang;   /* "en" or "nl" */
	/* --shard I/N: scan only the rows of shard shard_index (1-based) of shard_count; 0 = all */
	unsigned shard_index, shard_count;
	bool resume;         /* --resume: continue the report files of an interrupted run */
	char **merge_inputs; /* merge --input: the scan's input files, to check the parts against */
	size_t n_merge_inputs;

	/* check-host */
	char *ip, *mailfrom, *helo;
};

void config_defaults(struct config *c);
void config_free(struct config *c);
/** Path of a file in the data directory; malloc'd. */
char *config_data_path(const struct config *c, const char *name);
