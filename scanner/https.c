/* HTTPS fetches with libcurl and the scanner's own DNS results. See https.h. */
#include "scanner/https.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define HTTPS_MAX_ADDRS 8 /* addresses handed to curl per family */

struct https_fetcher {
	const struct config *cfg;
	struct dns_client *dns;
	int port; /* where to connect; the URL always says 443 */
};

struct https_fetcher *https_fetcher_new(const struct config *cfg, struct dns_client *dns,
					char **err)
{
	curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	if (!v || !(v->features & CURL_VERSION_SSL)) {
		if (err)
			*err = xstrdup("libcurl has no TLS support");
		return NULL;
	}
	struct https_fetcher *f = xcalloc(1, sizeof(*f));
	f->cfg = cfg;
	f->dns = dns;
	f->port = 443;
	const char *p = getenv("DOMSCAN_HTTPS_PORT");
	if (p && *p) {
		char *end;
		long n = strtol(p, &end, 10);
		if (*end == 0 && n > 0 && n < 65536)
			f->port = (int)n;
	}
	return f;
}

void https_fetcher_free(struct https_fetcher *f)
{
	free(f);
}

void https_response_clear(struct https_response *r)
{
	free(r->content_type);
	free(r->body);
	free(r->error);
	free(r->ip);
	memset(r, 0, sizeof(*r));
}

/* Only plain host names go into URLs and CURLOPT_RESOLVE entries. */
static bool host_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 253)
		return false;
	for (const char *c = h; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_'))
			return false;
	return true;
}

static bool path_ok(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '#')
			return false;
	return true;
}

/*
 * Add the addresses of the answer to `addrs` ("1.2.3.4" or "[::1]", comma-separated).
 * Returns the number added.
 */
static size_t add_addrs(const struct dns_reply *r, ldns_rr_type type, struct buf *addrs)
{
	ldns_rr_list *l = dns_reply_rrs(r, type);
	if (!l)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l) && n < HTTPS_MAX_ADDRS; i++) {
		ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(l, i), 0);
		char txt[INET6_ADDRSTRLEN];
		if (!rd)
			continue;
		if (type == LDNS_RR_TYPE_A && ldns_rdf_size(rd) == 4 &&
		    inet_ntop(AF_INET, ldns_rdf_data(rd), txt, sizeof(txt))) {
			buf_printf(addrs, "%s%s", addrs->len ? "," : "", txt);
			n++;
		} else if (type == LDNS_RR_TYPE_AAAA && ldns_rdf_size(rd) == 16 &&
			   inet_ntop(AF_INET6, ldns_rdf_data(rd), txt, sizeof(txt))) {
			buf_printf(addrs, "%s[%s]", addrs->len ? "," : "", txt);
			n++;
		}
	}
	ldns_rr_list_deep_free(l);
	return n;
}

struct sink {
	struct buf body;
	size_t max;
	bool too_big;
};

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;
	if (s->body.len + n > s->max || buf_add(&s->body, ptr, n) < 0) {
		s->too_big = true;
		return 0; /* CURLE_WRITE_ERROR: stops chunked bodies too */
	}
	return n;
}

void https_fetch(struct https_fetcher *f, const char *host, const char *path, size_t max_bytes,
		 struct https_response *out)
{
	memset(out, 0, sizeof(*out));
	if (!host_ok(host) || !path_ok(path)) {
		out->error = xstrdup("invalid host name or path");
		return;
	}

	/* The scanner's own DNS: A and AAAA at once. */
	const char *names[2] = { host, host };
	const ldns_rr_type types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	struct dns_reply *rep[2] = { NULL, NULL };
	dns_query_many(f->dns, 2, names, types, rep);
	struct buf addrs;
	buf_init(&addrs, 4096);
	size_t n_addrs = 0;
	bool failed = false;
	const char *why = NULL;
	for (int i = 0; i < 2; i++) {
		enum dns_outcome o = dns_reply_outcome(rep[i]);
		if (o == DNS_ANSWER)
			n_addrs += add_addrs(rep[i], types[i], &addrs);
		else if (o == DNS_FAILURE) {
			failed = true;
			why = dns_reply_error(rep[i]);
		}
	}
	if (n_addrs == 0) {
		if (failed) {
			out->dns_failure = true;
			out->error = xasprintf("address lookup of %s failed: %s", host,
					       why ? why : "DNS failure");
		} else {
			out->error = xasprintf("%s has no A or AAAA record", host);
		}
		dns_reply_release(rep[0]);
		dns_reply_release(rep[1]);
		buf_free(&addrs);
		return;
	}
	dns_reply_release(rep[0]);
	dns_reply_release(rep[1]);

	char *resolve_entry = xasprintf("%s:%d:%s", host, f->port, addrs.data);
	buf_free(&addrs);
	char *url = xasprintf("https://%s%s", host, path);
	char *connect_to = f->port != 443 ? xasprintf("%s:443:%s:%d", host, host, f->port) : NULL;
	struct curl_slist *resolve = curl_slist_append(NULL, resolve_entry);
	struct curl_slist *cto = connect_to ? curl_slist_append(NULL, connect_to) : NULL;
	struct sink sink = { .max = max_bytes, .too_big = false };
	buf_init(&sink.body, max_bytes + 1);
	char errbuf[CURL_ERROR_SIZE] = "";

	CURL *c = curl_easy_init();
	if (!c || !resolve || (connect_to && !cto))
		die("out of memory (curl)");
	double t = f->cfg && f->cfg->timeout > 0 ? f->cfg->timeout : 5;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	if (cto)
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, cto);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->cfg && f->cfg->ca_file) {
		curl_easy_setopt(c, CURLOPT_CAINFO, f->cfg->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	/* The whole transfer: twice the timeout, and never more than a domain may take
	 * (--domain-timeout), however slowly the server sends. */
	double total = 2 * t;
	double dt = !f->cfg ? 0 : f->cfg->domain_timeout < 0 ? 12 * t : f->cfg->domain_timeout;
	if (dt > 0 && dt < total)
		total = dt;
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)((t < total ? t : total) * 1000));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(total * 1000));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "domscan/" DOMSCAN_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, NULL);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);

	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	out->status = status;
	char *ct = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		out->content_type = xstrndup(ct, 256);
	char *ip = NULL;
	if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip)
		out->ip = xstrdup(ip);

	if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		out->too_big = true;
		out->error = xasprintf("body larger than %zu bytes", max_bytes);
	} else if (rc != CURLE_OK) {
		out->error =
			xasprintf("%s%s%s", curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
	} else if (status != 200) {
		out->error =
			xasprintf("HTTP status %ld%s", status,
				  status >= 300 && status < 400 ? " (redirects not followed)" : "");
	} else {
		out->ok = true;
		out->body_len = sink.body.len;
		out->body = buf_steal(&sink.body);
	}
	buf_free(&sink.body);
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	curl_slist_free_all(cto);
	free(resolve_entry);
	free(connect_to);
	free(url);
}

json_t *https_get(struct https_fetcher *f, const char *host, const char *path, size_t max_bytes)
{
	struct https_response r;
	https_fetch(f, host, path, max_bytes, &r);
	json_t *o = json_object();
	json_object_set_new(o, "ok", json_boolean(r.ok));
	json_object_set_new(o, "dns_failure", json_boolean(r.dns_failure));
	json_object_set_new(o, "status", json_integer(r.status));
	json_object_set_new(o, "content_type", json_str(r.content_type));
	json_object_set_new(o, "body",
			    r.body ? json_text(r.body, r.body_len, max_bytes) : json_string(""));
	json_object_set_new(o, "error", json_str(r.error));
	json_object_set_new(o, "ip", json_str(r.ip));
	https_response_clear(&r);
	return o;
}
