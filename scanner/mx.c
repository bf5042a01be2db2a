/* MX discovery; see mx.h and verdicts.md "MX hosts". */
#include "scanner/mx.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

struct mx_rec {
	int pref;
	char *name;
};

static int cmp_mx(const void *a, const void *b)
{
	const struct mx_rec *x = a, *y = b;
	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool looks_like_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static void add_addrs(struct dns_reply *r, ldns_rr_type t, char ***v, size_t *n)
{
	ldns_rr_list *l = dns_reply_rrs(r, t);
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l) && *n < 32; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_rd_count(rr) < 1)
			continue;
		/* inet_ntop, not ldns_rdf2str(): that allocates a 64 KiB buffer per call */
		const ldns_rdf *a = ldns_rr_rdf(rr, 0);
		char s[INET6_ADDRSTRLEN];
		if (ldns_rdf_get_type(a) == LDNS_RDF_TYPE_A && ldns_rdf_size(a) == 4) {
			if (!inet_ntop(AF_INET, ldns_rdf_data(a), s, sizeof(s)))
				continue;
		} else if (ldns_rdf_get_type(a) == LDNS_RDF_TYPE_AAAA && ldns_rdf_size(a) == 16) {
			if (!inet_ntop(AF_INET6, ldns_rdf_data(a), s, sizeof(s)))
				continue;
		} else {
			continue;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrdup(s);
	}
	if (l)
		ldns_rr_list_deep_free(l);
}

struct mx_set *mx_lookup(struct dns_client *dns, const char *domain)
{
	struct mx_set *m = xcalloc(1, sizeof(*m));
	struct dns_reply *r = dns_query(dns, domain, LDNS_RR_TYPE_MX);
	enum dns_outcome o = dns_reply_outcome(r);
	if (o == DNS_FAILURE) {
		m->status = MX_ERROR;
		m->error = xasprintf("MX lookup failed: %s", dns_reply_error(r));
		dns_reply_release(r);
		return m;
	}
	ldns_rr_list *l = o == DNS_ANSWER ? dns_reply_rrs(r, LDNS_RR_TYPE_MX) : NULL;
	dns_reply_release(r);
	size_t n = l ? ldns_rr_list_rr_count(l) : 0;
	if (n == 0) {
		m->status = MX_NONE;
		if (l)
			ldns_rr_list_deep_free(l);
		return m;
	}
	struct mx_rec *recs = xcalloc(n, sizeof(*recs));
	size_t k = 0;
	bool null_mx = false;
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_rd_count(rr) < 2)
			continue;
		int pref = (int)ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		char *name = dns_name_str(ldns_rr_rdf(rr, 1));
		if (strcmp(name, ".") == 0 || name[0] == '\0') {
			null_mx = true;
			free(name);
			continue;
		}
		/* the same host listed twice counts once, at its best (lowest) preference */
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			if (strcmp(recs[j].name, name) == 0) {
				dup = true;
				if (pref < recs[j].pref)
					recs[j].pref = pref;
			}
		if (dup) {
			free(name);
			continue;
		}
		recs[k].pref = pref;
		recs[k].name = name;
		k++;
	}
	ldns_rr_list_deep_free(l);
	m->n_records = n;
	if (null_mx && k == 0) {
		m->status = MX_NULL;
		free(recs);
		return m;
	}
	m->null_with_others = null_mx;
	qsort(recs, k, sizeof(*recs), cmp_mx);
	size_t used = k < MX_MAX_USED ? k : MX_MAX_USED;
	m->hosts = xcalloc(used, sizeof(*m->hosts));
	m->n_hosts = used;
	m->status = MX_OK;
	/* Resolve all hosts' A and AAAA concurrently. */
	const char **names = xcalloc(used * 2, sizeof(*names));
	ldns_rr_type *types = xcalloc(used * 2, sizeof(*types));
	struct dns_reply **rep = xcalloc(used * 2, sizeof(*rep));
	for (size_t i = 0; i < used; i++) {
		m->hosts[i].name = recs[i].name;
		m->hosts[i].preference = recs[i].pref;
		m->hosts[i].is_ip_literal = looks_like_ip(recs[i].name);
		names[2 * i] = names[2 * i + 1] = recs[i].name;
		types[2 * i] = LDNS_RR_TYPE_A;
		types[2 * i + 1] = LDNS_RR_TYPE_AAAA;
	}
	for (size_t i = used; i < k; i++)
		free(recs[i].name);
	dns_query_many(dns, used * 2, names, types, rep);
	for (size_t i = 0; i < used; i++) {
		struct mx_host *h = &m->hosts[i];
		for (int f = 0; f < 2; f++) {
			struct dns_reply *ar = rep[2 * i + (size_t)f];
			if (dns_reply_outcome(ar) == DNS_FAILURE) {
				h->addr_error = true;
				if (f)
					h->v6_error = true;
				else
					h->v4_error = true;
				if (!h->addr_reason)
					h->addr_reason = xasprintf("%s lookup for %s failed: %s",
								   f ? "AAAA" : "A", h->name,
								   dns_reply_error(ar));
			}
			char **chain = NULL;
			size_t nch = dns_reply_cname_chain(ar, &chain);
			if (nch > 0)
				h->is_cname = true;
			dns_strv_free(chain, nch);
			if (f == 0)
				add_addrs(ar, LDNS_RR_TYPE_A, &h->v4, &h->n_v4);
			else
				add_addrs(ar, LDNS_RR_TYPE_AAAA, &h->v6, &h->n_v6);
			dns_reply_release(ar);
		}
	}
	free(names);
	free(types);
	free(rep);
	free(recs);
	return m;
}

void mx_set_free(struct mx_set *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_hosts; i++) {
		struct mx_host *h = &m->hosts[i];
		free(h->name);
		free(h->addr_reason);
		for (size_t j = 0; j < h->n_v4; j++)
			free(h->v4[j]);
		for (size_t j = 0; j < h->n_v6; j++)
			free(h->v6[j]);
		free(h->v4);
		free(h->v6);
	}
	free(m->hosts);
	free(m->error);
	free(m);
}

char *mx_column(const struct mx_set *m)
{
	if (m->status == MX_NULL)
		return xstrdup(".");
	struct buf b;
	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < m->n_hosts; i++) {
		if (i)
			buf_add(&b, " ", 1);
		buf_add(&b, m->hosts[i].name, strlen(m->hosts[i].name));
	}
	return buf_steal(&b);
}
