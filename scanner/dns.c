/*
 * The DNS client (see dns.h).
 *
 * Structure:
 * - a run-wide cache of entries keyed "qname/qtype": PENDING while one thread (the owner)
 *   resolves it, DONE with an immutable reply afterwards. Other threads asking for a PENDING
 *   key wait on its condition variable (in-flight coalescing). DONE entries are kept in an LRU
 *   list bounded by cache_entries; failures expire after FAIL_TTL seconds so a passing outage
 *   does not poison the rest of a long run.
 * - one I/O thread owning connected, non-blocking UDP sockets (SOCKS_PER_SERVER per resolver).
 *   Owners submit transactions; the thread sends them (within the --qps budget), matches
 *   replies by socket, ID and question (the connected socket guarantees the source), and
 *   retries timed-out ones on the next resolver. Every attempt has the same timeout, so the
 *   in-flight list ordered by send time is also ordered by deadline.
 * - truncated replies are retried over TCP by the owner thread itself (blocking, bounded).
 */
#include "scanner/dns.h"
#include "scanner/result.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#define SOCKS_PER_SERVER 4
#define FAIL_TTL         10.0
#define DEFAULT_CACHE    262144
#define UDP_BUFSIZE      65535
#define EDNS_SIZE        1232
/* Queries outstanding per resolver at most (dns_config.inflight, --dns-inflight): a resolver
 * drops ("jostles") queries beyond its own limit (Unbound: num-queries-per-thread, 1024 by
 * default), which costs a full timeout. */

enum entry_state { ENTRY_PENDING, ENTRY_DONE };

struct entry {
	char *key;
	enum entry_state state;
	struct dns_reply *reply;
	pthread_cond_t cond;
	int waiters;
	double expires; /* 0 = never */
	size_t cost;    /* estimated heap use of the reply (in cache_bytes while in the cache) */
	struct entry *hnext;
	struct entry *lru_prev, *lru_next;
	bool in_lru;
};

struct txn {
	uint8_t *wire;
	size_t wirelen;
	ldns_rdf *qname;
	uint16_t qtype;
	uint16_t id;
	int sock;    /* index into client->socks, -1 when not in flight */
	int attempt; /* attempts made */
	int server0; /* first server tried */
	int bad;     /* replies under its ID that did not match it (question, unparseable) */
	int server;  /* the server of the attempt in flight or last sent, -1 before the first */
	double deadline;
	/* result */
	bool done;
	enum dns_status status;
	ldns_pkt *pkt;
	char *error;
	pthread_cond_t cond;
	struct txn *next, *prev; /* submit queue or in-flight list */
};

struct sock {
	int fd;
	int server;
	struct txn **byid; /* 65536 slots */
};

struct dns_client {
	struct dns_server *servers;
	size_t n_servers;
	double timeout;
	int attempts;
	double qps;
	size_t cache_max;
	size_t cache_bytes_max;
	size_t inflight_max; /* per resolver */

	/* cache */
	pthread_mutex_t mu;
	struct entry **table;
	size_t table_size, n_entries;
	struct entry *lru_head, *lru_tail; /* head = most recent */
	struct dns_stats stats;            /* cache_bytes, cache_entries: the current totals */

	/* I/O thread */
	pthread_t thread;
	bool stop;
	int epfd, evfd;
	struct sock *socks;
	size_t n_socks;
	size_t rr_sock;
	struct txn *submit_head, *submit_tail; /* waiting to be sent (protected by mu) */
	bool io_kicked; /* under mu: the I/O thread was woken and has not looked at the queue yet */
	struct txn *fly_head, *fly_tail; /* in flight, oldest first (I/O thread only) */
	size_t n_fly;                    /* in flight (I/O thread only) */
	size_t *fly_per_server;          /* in flight per resolver (I/O thread only) */
	double tokens, last_refill;
	FILE *qlog; /* DOMSCAN_QUERY_LOG: "name TYPE" per query sent (for bench/run's dnsperf) */
};

/* ------------------------------------------------------------------------------------------ */
/* servers */

int dns_server_parse(const char *s, struct dns_server *out)
{
	char host[INET6_ADDRSTRLEN + 8];
	unsigned long port = 53;
	const char *at = strrchr(s, '@');
	size_t hl = at ? (size_t)(at - s) : strlen(s);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (at) {
		char *end;
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (errno || *end || end == at + 1 || port == 0 || port > 65535)
			return -1;
	}
	memset(out, 0, sizeof(*out));
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->addr;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		out->addrlen = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		out->addrlen = sizeof(*v6);
		return 0;
	}
	return -1;
}

size_t dns_servers_from_resolv_conf(const char *path, struct dns_server *out, size_t max)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[512];
	size_t n = 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *p = str_trim(line);
		if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
			continue;
		p = str_trim(p + 10);
		char *pct = strchr(p, '%'); /* scoped v6 addresses: not supported, skip scope */
		if (pct)
			*pct = '\0';
		if (dns_server_parse(p, &out[n]) == 0)
			n++;
	}
	fclose(f);
	return n;
}

static void server_str(const struct dns_server *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (s->addr.ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)&s->addr;
		inet_ntop(AF_INET, &v4->sin_addr, a, sizeof(a));
		port = ntohs(v4->sin_port);
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&s->addr;
		inet_ntop(AF_INET6, &v6->sin6_addr, a, sizeof(a));
		port = ntohs(v6->sin6_port);
	}
	if (port == 53)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s@%u", a, port);
}

/* ------------------------------------------------------------------------------------------ */
/* replies */

static struct dns_reply *reply_new(const char *qname, uint16_t qtype)
{
	struct dns_reply *r = xcalloc(1, sizeof(*r));
	r->qname = xstrdup(qname);
	r->qtype = qtype;
	r->refs = 1;
	return r;
}

void dns_reply_ref(struct dns_reply *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_SEQ_CST);
}

void dns_reply_release(struct dns_reply *r)
{
	if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	free(r->error);
	free(r->qname);
	free(r);
}

static bool rr_type_in_answer(const ldns_pkt *p, ldns_rr_type t)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(an, i)) == t)
			return true;
	return false;
}

enum dns_outcome dns_reply_outcome(const struct dns_reply *r)
{
	if (!r || r->status != DNS_OK || !r->pkt)
		return DNS_FAILURE;
	if (r->rcode == LDNS_RCODE_NXDOMAIN)
		return DNS_NXDOMAIN;
	if (r->rcode != LDNS_RCODE_NOERROR)
		return DNS_FAILURE;
	return rr_type_in_answer(r->pkt, (ldns_rr_type)r->qtype) ? DNS_ANSWER : DNS_NODATA;
}

const char *dns_outcome_name(enum dns_outcome o)
{
	switch (o) {
	case DNS_ANSWER:
		return "answer";
	case DNS_NODATA:
		return "nodata";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_FAILURE:
		break;
	}
	return "error";
}

const char *dns_reply_error(const struct dns_reply *r)
{
	if (!r)
		return "no reply";
	if (r->error)
		return r->error;
	return "no error";
}

ldns_rr_list *dns_reply_rrs(const struct dns_reply *r, ldns_rr_type type)
{
	if (!r || !r->pkt)
		return NULL;
	const ldns_rr_list *an = ldns_pkt_answer(r->pkt);
	ldns_rr_list *out = NULL;
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != type)
			continue;
		if (!out)
			out = ldns_rr_list_new();
		ldns_rr_list_push_rr(out, ldns_rr_clone(rr));
	}
	return out;
}

size_t dns_reply_txt(const struct dns_reply *r, struct dns_txt **out)
{
	*out = NULL;
	ldns_rr_list *l = dns_reply_rrs(r, LDNS_RR_TYPE_TXT);
	if (!l)
		return 0;
	size_t n = ldns_rr_list_rr_count(l);
	struct dns_txt *t = xcalloc(n, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		struct buf b;
		buf_init(&b, 1 << 20);
		for (size_t j = 0; j < ldns_rr_rd_count(rr); j++) {
			ldns_rdf *f = ldns_rr_rdf(rr, j);
			const uint8_t *d = ldns_rdf_data(f);
			size_t sz = ldns_rdf_size(f);
			if (sz == 0)
				continue;
			size_t sl = d[0];
			if (sl + 1 > sz)
				sl = sz - 1;
			(void)buf_add(&b, d + 1, sl);
		}
		t[i].len = b.len;
		t[i].data = buf_steal(&b);
	}
	ldns_rr_list_deep_free(l);
	*out = t;
	return n;
}

void dns_txt_free(struct dns_txt *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		free(t[i].data);
	free(t);
}

/* The common case without ldns_rdf2str(), which allocates a 64 KiB buffer per call (two
 * calls per query made glibc's heap consolidation a tenth of the scanner's CPU): a wire
 * name whose labels hold only letters, digits, '-', '_' and '*'. NULL otherwise. */
static char *plain_name_str(const ldns_rdf *dname)
{
	if (!dname || ldns_rdf_get_type(dname) != LDNS_RDF_TYPE_DNAME)
		return NULL;
	const uint8_t *d = ldns_rdf_data(dname);
	size_t n = ldns_rdf_size(dname);
	if (n == 0 || n > 255)
		return NULL;
	if (n == 1 && d[0] == 0)
		return xstrdup(".");
	char *out = xmalloc(n + 1);
	size_t o = 0, i = 0;
	while (i < n && d[i] != 0) {
		size_t l = d[i++];
		if (l > 63 || i + l >= n) {
			free(out);
			return NULL;
		}
		if (o)
			out[o++] = '.';
		for (size_t k = 0; k < l; k++) {
			unsigned char c = d[i + k];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
				   c == '_' || c == '*')) {
				free(out);
				return NULL;
			}
			out[o++] = (char)c;
		}
		i += l;
	}
	if (i != n - 1) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	return out;
}

char *dns_name_str(const ldns_rdf *dname)
{
	char *plain = plain_name_str(dname);
	if (plain)
		return plain;
	char *s = ldns_rdf2str(dname);
	if (!s)
		return xstrdup("");
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	char *out = xstrdup(s);
	free(s);
	return out;
}

size_t dns_reply_cname_chain(const struct dns_reply *r, char ***out)
{
	*out = NULL;
	if (!r || !r->pkt)
		return 0;
	const ldns_rr_list *an = ldns_pkt_answer(r->pkt);
	char *cur = xstrdup(r->qname);
	char **v = NULL;
	size_t n = 0;
	for (int hops = 0; hops < 32; hops++) {
		bool found = false;
		for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_rd_count(rr) < 1)
				continue;
			char *owner = dns_name_str(ldns_rr_owner(rr));
			bool match = strcasecmp(owner, cur) == 0;
			free(owner);
			if (!match)
				continue;
			char *target = dns_name_str(ldns_rr_rdf(rr, 0));
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = xstrdup(target);
			free(cur);
			cur = target;
			found = true;
			break;
		}
		if (!found)
			break;
	}
	free(cur);
	*out = v;
	return n;
}

void dns_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------------------------------------ */
/* wire helpers */

static uint16_t random_id(void)
{
	uint16_t id;
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)rand();
	return id;
}

/* Build the query: RD, CD, EDNS0 (1232 bytes) with DO unless !dnssec, ID 0 (set per send). Written
 * directly rather than through ldns_pkt2wire(), which allocates (and frees) a 64 KiB work buffer
 * per query: at tens of thousands of queries per second glibc then spends its time consolidating
 * the heap (bench/RESULTS.md). Takes ownership of nothing; *wire is malloc'd. */
int dns_query_wire(const ldns_rdf *qname, uint16_t qtype, bool rd, bool dnssec, uint8_t **wire,
		   size_t *len)
{
	if (!qname || ldns_rdf_get_type(qname) != LDNS_RDF_TYPE_DNAME)
		return -1;
	size_t nl = ldns_rdf_size(qname);
	if (nl < 1 || nl > 255)
		return -1;
	size_t n = 12 + nl + 4 + 11;
	uint8_t *w = xcalloc(1, n);
	uint16_t flags = (uint16_t)((rd ? 0x0100 : 0) | 0x0010); /* RD, CD */
	w[2] = (uint8_t)(flags >> 8);
	w[3] = (uint8_t)flags;
	w[5] = 1;  /* QDCOUNT */
	w[11] = 1; /* ARCOUNT: the OPT record */
	memcpy(w + 12, ldns_rdf_data(qname), nl);
	uint8_t *p = w + 12 + nl;
	p[0] = (uint8_t)(qtype >> 8);
	p[1] = (uint8_t)qtype;
	p[3] = 1; /* class IN */
	p += 4;
	/* OPT: root owner, type 41, class = UDP payload size, TTL = ext-rcode 0, version 0, DO */
	p[1] = 0;
	p[2] = 41;
	p[3] = (uint8_t)(EDNS_SIZE >> 8);
	p[4] = (uint8_t)(EDNS_SIZE & 0xff);
	p[7] = dnssec ? 0x80 : 0;
	*wire = w;
	*len = n;
	return 0;
}

static void set_wire_id(uint8_t *wire, uint16_t id)
{
	wire[0] = (uint8_t)(id >> 8);
	wire[1] = (uint8_t)(id & 0xff);
}

/* Parse and check a reply against the query; NULL when it does not match. */
static ldns_pkt *match_reply(const uint8_t *buf, size_t len, uint16_t id, const ldns_rdf *qname,
			     uint16_t qtype)
{
	if (len < 12 || ((buf[0] << 8) | buf[1]) != id)
		return NULL;
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK || !p)
		return NULL;
	const ldns_rr_list *qs = ldns_pkt_question(p);
	if (!ldns_pkt_qr(p) || !qs || ldns_rr_list_rr_count(qs) != 1)
		goto bad;
	const ldns_rr *q = ldns_rr_list_rr(qs, 0);
	if (ldns_rr_get_type(q) != qtype || ldns_rr_get_class(q) != LDNS_RR_CLASS_IN ||
	    ldns_dname_compare(ldns_rr_owner(q), qname) != 0)
		goto bad;
	return p;
bad:
	ldns_pkt_free(p);
	return NULL;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* One TCP exchange, blocking with a deadline. Returns the matching reply or NULL + *err. */
static ldns_pkt *tcp_exchange(const struct dns_server *srv, const uint8_t *wire, size_t len,
			      uint16_t id, const ldns_rdf *qname, uint16_t qtype, double timeout,
			      char **err)
{
	double deadline = now_mono() + timeout;
	int fd = socket(srv->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint8_t *rbuf = NULL;
	ldns_pkt *p = NULL;
	if (fd < 0 || set_nonblock(fd) < 0) {
		*err = xasprintf("tcp socket: %s", strerror(errno));
		goto out;
	}
	if (connect(fd, (const struct sockaddr *)&srv->addr, srv->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		*err = xasprintf("tcp connect: %s", strerror(errno));
		goto out;
	}
	uint8_t *out = xmalloc(len + 2);
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	memcpy(out + 2, wire, len);
	size_t sent = 0, want = 2, got = 0;
	uint8_t lenbuf[2];
	bool have_len = false;
	while (!p) {
		double left = deadline - now_mono();
		if (left <= 0) {
			*err = xstrdup("tcp timeout");
			break;
		}
		struct pollfd pfd = { fd, sent < len + 2 ? POLLOUT : POLLIN, 0 };
		int rc = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		if (sent < len + 2) {
			ssize_t w = send(fd, out + sent, len + 2 - sent, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN) {
				*err = xasprintf("tcp send: %s", strerror(errno));
				break;
			}
			if (w > 0)
				sent += (size_t)w;
			continue;
		}
		ssize_t r;
		if (!have_len)
			r = recv(fd, lenbuf + got, want - got, 0);
		else
			r = recv(fd, rbuf + got, want - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			*err = xasprintf("tcp %s", r == 0 ? "closed by server" : strerror(errno));
			break;
		}
		got += (size_t)r;
		if (got < want)
			continue;
		if (!have_len) {
			have_len = true;
			want = ((size_t)lenbuf[0] << 8) | lenbuf[1];
			got = 0;
			if (want < 12) {
				*err = xstrdup("tcp reply too short");
				break;
			}
			rbuf = xmalloc(want);
			continue;
		}
		p = match_reply(rbuf, want, id, qname, qtype);
		if (!p) {
			*err = xstrdup("tcp reply does not match the query");
			break;
		}
	}
	free(out);
out:
	free(rbuf);
	if (fd >= 0)
		close(fd);
	return p;
}

/* ------------------------------------------------------------------------------------------ */
/* I/O thread */

static void fly_unlink(struct dns_client *c, struct txn *t)
{
	c->n_fly--;
	c->fly_per_server[t->server]--;
	if (t->prev)
		t->prev->next = t->next;
	else
		c->fly_head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		c->fly_tail = t->prev;
	t->next = t->prev = NULL;
}

static void fly_append(struct dns_client *c, struct txn *t)
{
	c->n_fly++;
	size_t f = ++c->fly_per_server[t->server];
	if (f > c->stats.inflight_peak)
		__atomic_store_n(&c->stats.inflight_peak, f, __ATOMIC_RELAXED);
	t->prev = c->fly_tail;
	t->next = NULL;
	if (c->fly_tail)
		c->fly_tail->next = t;
	else
		c->fly_head = t;
	c->fly_tail = t;
}

static void txn_complete(struct dns_client *c, struct txn *t, enum dns_status st, ldns_pkt *p,
			 char *error)
{
	if (t->sock >= 0) {
		c->socks[t->sock].byid[t->id] = NULL;
		t->sock = -1;
	}
	pthread_mutex_lock(&c->mu);
	t->status = st;
	t->pkt = p;
	t->error = error;
	t->done = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&c->mu);
}

/* The server for t's next attempt: the next in rotation with room for one more query in
 * flight, or -1 when every resolver is at its in-flight limit. I/O thread only. */
static int pick_server(const struct dns_client *c, const struct txn *t)
{
	for (size_t k = 0; k < c->n_servers; k++) {
		size_t s = ((size_t)t->server0 + (size_t)t->attempt + k) % c->n_servers;
		if (c->fly_per_server[s] < c->inflight_max)
			return (int)s;
	}
	return -1;
}

/* Send (or resend) t on the socket for its current attempt. Called by the I/O thread. When
 * every resolver is at its in-flight limit, t goes back to the head of the submit queue. */
static void txn_send(struct dns_client *c, struct txn *t)
{
	int server = pick_server(c, t);
	if (server < 0) {
		pthread_mutex_lock(&c->mu);
		t->next = c->submit_head;
		c->submit_head = t;
		if (!c->submit_tail)
			c->submit_tail = t;
		pthread_mutex_unlock(&c->mu);
		return;
	}
	t->server = server;
	int si = -1;
	for (size_t k = 0; k < SOCKS_PER_SERVER; k++) {
		size_t cand = (size_t)server * SOCKS_PER_SERVER + (c->rr_sock++ % SOCKS_PER_SERVER);
		if (c->socks[cand].fd >= 0) {
			si = (int)cand;
			break;
		}
	}
	t->attempt++;
	if (si < 0) {
		t->deadline = now_mono() + c->timeout;
		fly_append(c, t); /* counts as a lost attempt */
		return;
	}
	uint16_t id;
	int tries = 0;
	do
		id = random_id();
	while (c->socks[si].byid[id] && ++tries < 64);
	if (c->socks[si].byid[id]) {
		t->deadline = now_mono() + c->timeout;
		fly_append(c, t);
		return;
	}
	t->id = id;
	t->sock = si;
	c->socks[si].byid[id] = t;
	if (c->qlog && t->attempt == 1) {
		char *n = dns_name_str(t->qname); /* not ldns_rdf2str(): a 64 KiB buffer per call */
		char *ty = ldns_rr_type2str((ldns_rr_type)t->qtype);
		if (n && ty)
			fprintf(c->qlog, "%s %s\n", n, ty);
		free(n);
		free(ty);
	}
	set_wire_id(t->wire, id);
	ssize_t w = send(c->socks[si].fd, t->wire, t->wirelen, 0);
	(void)w; /* a failed send is a lost attempt: the timeout retries it */
	__atomic_add_fetch(&c->stats.sent, 1, __ATOMIC_RELAXED);
	t->deadline = now_mono() + c->timeout;
	fly_append(c, t);
}

static bool take_token(struct dns_client *c)
{
	if (c->qps <= 0)
		return true;
	double now = now_mono();
	c->tokens += (now - c->last_refill) * c->qps;
	c->last_refill = now;
	double burst = c->qps / 10 > 1 ? c->qps / 10 : 1;
	if (c->tokens > burst)
		c->tokens = burst;
	if (c->tokens >= 1) {
		c->tokens -= 1;
		return true;
	}
	return false;
}

static void handle_readable(struct dns_client *c, struct sock *s, uint8_t *buf)
{
	for (;;) {
		ssize_t n = recv(s->fd, buf, UDP_BUFSIZE, 0);
		if (n < 0)
			return; /* EAGAIN, or ICMP errors reported on the socket: timeouts retry */
		if (n < 12)
			continue;
		uint16_t id = (uint16_t)((buf[0] << 8) | buf[1]);
		struct txn *t = s->byid[id];
		if (!t) {
			__atomic_add_fetch(&c->stats.mismatched, 1, __ATOMIC_RELAXED);
			continue;
		}
		ldns_pkt *p = match_reply(buf, (size_t)n, id, t->qname, t->qtype);
		if (!p) {
			__atomic_add_fetch(&c->stats.mismatched, 1, __ATOMIC_RELAXED);
			t->bad++;
			continue;
		}
		ldns_pkt_rcode rc = ldns_pkt_get_rcode(p);
		bool retryable = rc == LDNS_RCODE_SERVFAIL || rc == LDNS_RCODE_REFUSED;
		if (retryable && c->n_servers > 1 && t->attempt < c->attempts) {
			ldns_pkt_free(p);
			s->byid[id] = NULL;
			t->sock = -1;
			fly_unlink(c, t);
			__atomic_add_fetch(&c->stats.retries, 1, __ATOMIC_RELAXED);
			txn_send(c, t);
			continue;
		}
		fly_unlink(c, t);
		txn_complete(c, t, DNS_OK, p, NULL);
	}
}

static void *io_thread(void *arg)
{
	struct dns_client *c = arg;
	uint8_t *buf = xmalloc(UDP_BUFSIZE);
	struct epoll_event evs[64];
	for (;;) {
		/* Move submitted transactions to the wire, within the rate budget. */
		double wake = 1.0;
		pthread_mutex_lock(&c->mu);
		bool stop = c->stop;
		c->io_kicked = false; /* submitters after this point wake it again */
		struct txn *batch = NULL, *batch_tail = NULL;
		size_t room = 0;
		for (size_t k = 0; k < c->n_servers; k++)
			if (c->fly_per_server[k] < c->inflight_max)
				room += c->inflight_max - c->fly_per_server[k];
		while (c->submit_head && room > 0 && take_token(c)) {
			room--;
			struct txn *t = c->submit_head;
			c->submit_head = t->next;
			if (!c->submit_head)
				c->submit_tail = NULL;
			t->next = NULL;
			if (batch_tail)
				batch_tail->next = t;
			else
				batch = t;
			batch_tail = t;
		}
		if (c->submit_head && c->qps > 0)
			wake = 1.0 / c->qps;
		pthread_mutex_unlock(&c->mu);
		if (stop)
			break;
		while (batch) {
			struct txn *t = batch;
			batch = t->next;
			t->next = NULL;
			txn_send(c, t);
		}
		/* Time out or retry the oldest in-flight transactions. */
		double now = now_mono();
		while (c->fly_head && c->fly_head->deadline <= now) {
			struct txn *t = c->fly_head;
			fly_unlink(c, t);
			if (t->sock >= 0) {
				c->socks[t->sock].byid[t->id] = NULL;
				t->sock = -1;
			}
			if (t->attempt < c->attempts) {
				__atomic_add_fetch(&c->stats.retries, 1, __ATOMIC_RELAXED);
				txn_send(c, t);
				continue;
			}
			__atomic_add_fetch(&c->stats.timeouts, 1, __ATOMIC_RELAXED);
			char srv[80];
			server_str(&c->servers[t->server0 % (int)c->n_servers], srv, sizeof(srv));
			if (t->bad)
				txn_complete(
					c, t, DNS_MALFORMED, NULL,
					xasprintf(
						"no valid reply after %d attempt%s of %gs (%s%s): "
						"%d repl%s with the query's ID did not match its "
						"question or could not be parsed",
						t->attempt, t->attempt == 1 ? "" : "s", c->timeout,
						srv, c->n_servers > 1 ? " and others" : "", t->bad,
						t->bad == 1 ? "y" : "ies"));
			else
				txn_complete(
					c, t, DNS_TIMEOUT, NULL,
					xasprintf(
						"timeout: no answer after %d attempt%s of %gs (%s%s)",
						t->attempt, t->attempt == 1 ? "" : "s", c->timeout,
						srv, c->n_servers > 1 ? " and others" : ""));
		}
		if (c->fly_head && c->fly_head->deadline - now < wake)
			wake = c->fly_head->deadline - now;
		if (wake < 0.001)
			wake = 0.001;
		int n = epoll_wait(c->epfd, evs, 64, (int)(wake * 1000) + 1);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == UINT64_MAX) {
				uint64_t v;
				ssize_t r = read(c->evfd, &v, sizeof(v));
				(void)r;
				continue;
			}
			handle_readable(c, &c->socks[evs[i].data.u64], buf);
		}
	}
	/* Fail whatever is left (only at shutdown). */
	while (c->fly_head) {
		struct txn *t = c->fly_head;
		fly_unlink(c, t);
		txn_complete(c, t, DNS_NETERR, NULL, xstrdup("client shut down"));
	}
	free(buf);
	return NULL;
}

static void wake_io(struct dns_client *c)
{
	uint64_t one = 1;
	ssize_t w = write(c->evfd, &one, sizeof(one));
	(void)w;
}

struct dns_client *dns_client_new(const struct dns_config *cfg, char **err)
{
	*err = NULL;
	if (!cfg->n_servers) {
		*err = xstrdup("no resolver configured");
		return NULL;
	}
	struct dns_client *c = xcalloc(1, sizeof(*c));
	c->n_servers = cfg->n_servers;
	c->servers = xcalloc(c->n_servers, sizeof(*c->servers));
	memcpy(c->servers, cfg->servers, c->n_servers * sizeof(*c->servers));
	c->timeout = cfg->timeout > 0 ? cfg->timeout : 5;
	c->attempts = cfg->attempts > 0 ? cfg->attempts : 2;
	c->qps = cfg->qps;
	c->cache_max = cfg->cache_entries ? cfg->cache_entries : DEFAULT_CACHE;
	c->cache_bytes_max = cfg->cache_bytes ? cfg->cache_bytes : DNS_DEFAULT_CACHE_BYTES;
	c->inflight_max = cfg->inflight > 0 ? (size_t)cfg->inflight : DNS_DEFAULT_INFLIGHT;
	c->fly_per_server = xcalloc(c->n_servers, sizeof(*c->fly_per_server));
	c->table_size = 1;
	while (c->table_size < c->cache_max)
		c->table_size <<= 1;
	c->table = xcalloc(c->table_size, sizeof(*c->table));
	pthread_mutex_init(&c->mu, NULL);
	c->tokens = 1;
	c->last_refill = now_mono();

	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->evfd, &ev);
	c->n_socks = c->n_servers * SOCKS_PER_SERVER;
	c->socks = xcalloc(c->n_socks, sizeof(*c->socks));
	size_t usable = 0;
	char *last_err = NULL;
	for (size_t i = 0; i < c->n_socks; i++) {
		struct sock *s = &c->socks[i];
		s->server = (int)(i / SOCKS_PER_SERVER);
		const struct dns_server *srv = &c->servers[s->server];
		s->fd = socket(srv->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd >= 0 &&
		    connect(s->fd, (const struct sockaddr *)&srv->addr, srv->addrlen) < 0) {
			free(last_err);
			last_err = xasprintf("cannot use resolver: %s", strerror(errno));
			close(s->fd);
			s->fd = -1;
		}
		if (s->fd < 0)
			continue;
		/* Bursts of replies must not overflow the socket: ask for 4 MiB (as root the
		 * FORCE variant passes net.core.rmem_max). */
		int rcv = 4 << 20;
		if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) != 0)
			(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		s->byid = xcalloc(65536, sizeof(*s->byid));
		ev.data.u64 = i;
		epoll_ctl(c->epfd, EPOLL_CTL_ADD, s->fd, &ev);
		usable++;
	}
	if (!usable) {
		*err = last_err ? last_err : xstrdup("no usable resolver");
		dns_client_free(c);
		return NULL;
	}
	free(last_err);
	const char *qlog = getenv("DOMSCAN_QUERY_LOG");
	if (qlog && *qlog && !(c->qlog = fopen(qlog, "we"))) {
		*err = xasprintf("DOMSCAN_QUERY_LOG: cannot write %s: %s", qlog, strerror(errno));
		dns_client_free(c);
		return NULL;
	}
	if (pthread_create(&c->thread, NULL, io_thread, c) != 0) {
		*err = xstrdup("cannot start the DNS thread");
		c->thread = 0;
		dns_client_free(c);
		return NULL;
	}
	return c;
}

static void entry_free(struct entry *e)
{
	dns_reply_release(e->reply);
	pthread_cond_destroy(&e->cond);
	free(e->key);
	free(e);
}

void dns_client_free(struct dns_client *c)
{
	if (!c)
		return;
	if (c->thread) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_mutex_unlock(&c->mu);
		wake_io(c);
		pthread_join(c->thread, NULL);
	}
	for (size_t i = 0; i < c->n_socks; i++) {
		if (c->socks[i].fd >= 0)
			close(c->socks[i].fd);
		free(c->socks[i].byid);
	}
	free(c->socks);
	for (size_t i = 0; i < c->table_size; i++) {
		struct entry *e = c->table[i];
		while (e) {
			struct entry *n = e->hnext;
			entry_free(e);
			e = n;
		}
	}
	free(c->table);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->evfd >= 0)
		close(c->evfd);
	pthread_mutex_destroy(&c->mu);
	free(c->servers);
	free(c->fly_per_server);
	if (c->qlog)
		fclose(c->qlog);
	free(c);
}

void dns_client_stats(struct dns_client *c, struct dns_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->stats;
	out->cache_entries = c->n_entries;
	pthread_mutex_unlock(&c->mu);
}

/* ------------------------------------------------------------------------------------------ */
/* cache (all under c->mu) */

static size_t hash_key(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct entry **cache_slot(struct dns_client *c, const char *key)
{
	struct entry **pp = &c->table[hash_key(key) & (c->table_size - 1)];
	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void lru_unlink(struct dns_client *c, struct entry *e)
{
	if (!e->in_lru)
		return;
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	e->in_lru = false;
}

static void lru_push(struct dns_client *c, struct entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
	e->in_lru = true;
}

static void cache_remove(struct dns_client *c, struct entry *e)
{
	struct entry **pp = cache_slot(c, e->key);
	if (*pp == e)
		*pp = e->hnext;
	lru_unlink(c, e);
	c->n_entries--;
	c->stats.cache_bytes -= e->cost;
	entry_free(e);
}

static void cache_evict(struct dns_client *c)
{
	struct entry *e = c->lru_tail;
	while ((c->n_entries > c->cache_max || c->stats.cache_bytes > c->cache_bytes_max) && e) {
		struct entry *prev = e->lru_prev;
		if (e->waiters == 0) {
			cache_remove(c, e);
			c->stats.evictions++;
		}
		e = prev;
	}
}

/* Estimated heap use of a reply as ldns holds it: per RR its struct and rdf array, per rdf its
 * struct and data, each with malloc's overhead; calibrated against massif (bench/RESULTS.md). */
static size_t reply_cost(const struct dns_reply *r)
{
	size_t cost = 256 + sizeof(*r) + (r->error ? strlen(r->error) + 16 : 0);
	if (!r->pkt)
		return cost;
	const ldns_rr_list *secs[] = { ldns_pkt_question(r->pkt), ldns_pkt_answer(r->pkt),
				       ldns_pkt_authority(r->pkt), ldns_pkt_additional(r->pkt) };
	for (size_t k = 0; k < sizeof(secs) / sizeof(secs[0]); k++) {
		const ldns_rr_list *l = secs[k];
		for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, i);
			cost += 96 + 48 + ldns_rdf_size(ldns_rr_owner(rr));
			for (size_t j = 0; j < ldns_rr_rd_count(rr); j++)
				cost += 48 + ldns_rdf_size(ldns_rr_rdf(rr, j));
		}
	}
	return cost;
}

/* ------------------------------------------------------------------------------------------ */
/* queries */

struct op {
	struct entry *e;
	bool owner;
	struct txn *t;
	struct dns_reply *result; /* set directly for bad names */
	ldns_rdf *qname;
	uint16_t qtype;
	char *key;
};

/* The cache key: name, type, and whether the reply carries DNSSEC records (DO). */
static char *make_key(const ldns_rdf *qname, uint16_t qtype, unsigned opts, char **name_out)
{
	char *name = dns_name_str(qname);
	char *key = xasprintf("%s/%u%s", name, qtype, (opts & DNS_Q_NO_DNSSEC) ? "/nodo" : "");
	*name_out = name;
	return key;
}

/* Start a query: join the cache entry or become its owner and submit a transaction. */
static void op_begin(struct dns_client *c, struct op *op, const ldns_rdf *qname, uint16_t qtype,
		     unsigned opts)
{
	memset(op, 0, sizeof(*op));
	char *name;
	op->key = make_key(qname, qtype, opts, &name);
	op->qname = ldns_rdf_clone(qname);
	op->qtype = qtype;
	pthread_mutex_lock(&c->mu);
	c->stats.queries++;
	struct entry **pp = cache_slot(c, op->key);
	struct entry *e = *pp;
	if (e && e->state == ENTRY_DONE && e->expires && e->expires < now_mono() &&
	    e->waiters == 0) {
		cache_remove(c, e);
		pp = cache_slot(c, op->key);
		e = NULL;
	}
	if (e) {
		c->stats.cache_hits++;
		e->waiters++;
		if (e->state == ENTRY_DONE) {
			lru_unlink(c, e);
			lru_push(c, e);
		}
		op->e = e;
		pthread_mutex_unlock(&c->mu);
		free(name);
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(op->key);
	e->state = ENTRY_PENDING;
	pthread_cond_init(&e->cond, NULL);
	e->waiters = 1;
	*pp = e;
	c->n_entries++;
	op->e = e;
	op->owner = true;
	pthread_mutex_unlock(&c->mu);

	struct txn *t = xcalloc(1, sizeof(*t));
	t->sock = -1;
	t->qname = op->qname;
	t->qtype = qtype;
	t->server0 = (int)(random_id() % c->n_servers);
	t->server = -1;
	pthread_cond_init(&t->cond, NULL);
	if (dns_query_wire(qname, qtype, true, !(opts & DNS_Q_NO_DNSSEC), &t->wire, &t->wirelen) !=
	    0) {
		t->done = true;
		t->status = DNS_BADNAME;
		t->error = xasprintf("cannot encode the name %s", name);
	} else {
		pthread_mutex_lock(&c->mu);
		if (c->submit_tail)
			c->submit_tail->next = t;
		else
			c->submit_head = t;
		c->submit_tail = t;
		/* One eventfd write per look of the I/O thread at the queue, not one per query:
		 * a DKIM fan-out of 56 queries costs one wake-up, not 56 system calls. */
		bool kick = !c->io_kicked;
		c->io_kicked = true;
		pthread_mutex_unlock(&c->mu);
		if (kick)
			wake_io(c);
	}
	op->t = t;
	free(name);
}

/* The rcode of a received reply, and an error text when it is neither NOERROR nor NXDOMAIN. */
static void reply_set_rcode(struct dns_reply *r)
{
	r->rcode = ldns_pkt_get_rcode(r->pkt);
	if (r->rcode != LDNS_RCODE_NOERROR && r->rcode != LDNS_RCODE_NXDOMAIN) {
		char *rc = ldns_pkt_rcode2str(r->rcode);
		r->error = xasprintf("%s from the resolver", rc ? rc : "error");
		free(rc);
	}
}

/* Finish a query: the owner waits for its transaction (TCP on TC) and publishes the reply. */
static struct dns_reply *op_finish(struct dns_client *c, struct op *op)
{
	struct entry *e = op->e;
	struct dns_reply *r;
	if (op->owner) {
		struct txn *t = op->t;
		pthread_mutex_lock(&c->mu);
		while (!t->done)
			pthread_cond_wait(&t->cond, &c->mu);
		pthread_mutex_unlock(&c->mu);
		char *name = NULL;
		char *key = make_key(op->qname, op->qtype, 0, &name);
		free(key);
		r = reply_new(name, op->qtype);
		free(name);
		r->status = t->status;
		r->pkt = t->pkt;
		r->error = t->error;
		if (r->status == DNS_OK && ldns_pkt_tc(r->pkt)) {
			char *err = NULL;
			int server = t->server >= 0 ? t->server : t->server0;
			uint16_t id = random_id();
			set_wire_id(t->wire, id);
			__atomic_add_fetch(&c->stats.tcp, 1, __ATOMIC_RELAXED);
			ldns_pkt *p = tcp_exchange(&c->servers[server], t->wire, t->wirelen, id,
						   op->qname, op->qtype, c->timeout, &err);
			ldns_pkt_free(r->pkt);
			r->pkt = p;
			if (!p) {
				r->status = DNS_NETERR;
				r->error = xasprintf("truncated reply, and TCP failed: %s", err);
			}
			free(err);
		}
		if (r->status == DNS_OK)
			reply_set_rcode(r);
		free(t->wire);
		pthread_cond_destroy(&t->cond);
		free(t);
		bool failed = dns_reply_outcome(r) == DNS_FAILURE;
		size_t cost = reply_cost(r) + 2 * strlen(e->key) + sizeof(*e) + 64;
		pthread_mutex_lock(&c->mu);
		e->cost = cost;
		c->stats.cache_bytes += cost;
		if (c->stats.cache_bytes > c->stats.cache_bytes_peak)
			c->stats.cache_bytes_peak = c->stats.cache_bytes;
		e->reply = r;
		e->state = ENTRY_DONE;
		e->expires = failed ? now_mono() + FAIL_TTL : 0;
		lru_push(c, e);
		pthread_cond_broadcast(&e->cond);
	} else {
		pthread_mutex_lock(&c->mu);
		while (e->state != ENTRY_DONE)
			pthread_cond_wait(&e->cond, &c->mu);
		r = e->reply;
	}
	dns_reply_ref(r);
	e->waiters--;
	cache_evict(c);
	pthread_mutex_unlock(&c->mu);
	ldns_rdf_deep_free(op->qname);
	free(op->key);
	return r;
}

static struct dns_reply *bad_name(const char *name, uint16_t type)
{
	struct dns_reply *r = reply_new(name ? name : "", type);
	r->status = DNS_BADNAME;
	r->error = xasprintf("not a valid DNS name: %.200s", name ? name : "");
	return r;
}

struct dns_reply *dns_reply_from_wire(const uint8_t *buf, size_t len, const char *qname,
				      ldns_rr_type qtype, uint16_t id)
{
	ldns_rdf *q = NULL;
	if (ldns_str2rdf_dname(&q, qname) != LDNS_STATUS_OK || !q)
		return bad_name(qname, qtype);
	struct dns_reply *r = reply_new(qname, qtype);
	ldns_pkt *p = match_reply(buf, len, id, q, qtype);
	ldns_rdf_deep_free(q);
	if (!p) {
		r->status = DNS_MALFORMED;
		r->error = xstrdup("the reply does not parse or does not match the query");
		return r;
	}
	r->status = DNS_OK;
	r->pkt = p;
	reply_set_rcode(r);
	return r;
}

struct dns_reply *dns_query_rdf(struct dns_client *c, const ldns_rdf *name, ldns_rr_type type)
{
	struct op op;
	op_begin(c, &op, name, (uint16_t)type, 0);
	return op_finish(c, &op);
}

struct dns_reply *dns_query(struct dns_client *c, const char *name, ldns_rr_type type)
{
	ldns_rdf *d = NULL;
	if (!name || !*name || ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK || !d)
		return bad_name(name, (uint16_t)type);
	struct dns_reply *r = dns_query_rdf(c, d, type);
	ldns_rdf_deep_free(d);
	return r;
}

void dns_query_many(struct dns_client *c, size_t n, const char *const names[],
		    const ldns_rr_type types[], struct dns_reply *out[])
{
	dns_query_many_opts(c, n, names, types, 0, out);
}

void dns_query_many_opts(struct dns_client *c, size_t n, const char *const names[],
			 const ldns_rr_type types[], unsigned opts, struct dns_reply *out[])
{
	struct op *ops = xcalloc(n, sizeof(*ops));
	bool *valid = xcalloc(n, sizeof(*valid));
	for (size_t i = 0; i < n; i++) {
		ldns_rdf *d = NULL;
		if (!names[i] || !*names[i] || ldns_str2rdf_dname(&d, names[i]) != LDNS_STATUS_OK ||
		    !d) {
			out[i] = bad_name(names[i], (uint16_t)types[i]);
			continue;
		}
		op_begin(c, &ops[i], d, (uint16_t)types[i], opts);
		valid[i] = true;
		ldns_rdf_deep_free(d);
	}
	for (size_t i = 0; i < n; i++)
		if (valid[i])
			out[i] = op_finish(c, &ops[i]);
	free(valid);
	free(ops);
}

struct dns_reply *dns_query_server(struct dns_client *c, const struct dns_server *srv,
				   const char *name, ldns_rr_type type, bool rd)
{
	ldns_rdf *d = NULL;
	if (!name || ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK || !d)
		return bad_name(name, (uint16_t)type);
	char *qn = dns_name_str(d);
	struct dns_reply *r = reply_new(qn, (uint16_t)type);
	free(qn);
	uint8_t *wire = NULL;
	size_t len = 0;
	char srvs[80];
	server_str(srv, srvs, sizeof(srvs));
	if (dns_query_wire(d, (uint16_t)type, rd, true, &wire, &len) != 0) {
		r->status = DNS_BADNAME;
		r->error = xstrdup("cannot encode the query");
		goto out;
	}
	uint16_t id = random_id();
	set_wire_id(wire, id);
	__atomic_add_fetch(&c->stats.sent, 1, __ATOMIC_RELAXED);
	int fd = socket(srv->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&srv->addr, srv->addrlen) < 0 ||
	    send(fd, wire, len, 0) < 0) {
		r->status = DNS_NETERR;
		r->error = xasprintf("cannot reach %s: %s", srvs, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	double deadline = now_mono() + c->timeout;
	uint8_t *buf = xmalloc(UDP_BUFSIZE);
	ldns_pkt *p = NULL;
	int bad = 0;
	r->status = DNS_TIMEOUT;
	while (!p) {
		double left = deadline - now_mono();
		if (left <= 0)
			break;
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		ssize_t n = recv(fd, buf, UDP_BUFSIZE, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			r->status = DNS_NETERR;
			r->error = xasprintf("%s: %s", srvs, strerror(errno));
			break;
		}
		p = match_reply(buf, (size_t)n, id, d, (uint16_t)type);
		if (!p) {
			__atomic_add_fetch(&c->stats.mismatched, 1, __ATOMIC_RELAXED);
			bad++;
		}
	}
	free(buf);
	close(fd);
	if (p && ldns_pkt_tc(p)) {
		ldns_pkt_free(p);
		char *err = NULL;
		p = tcp_exchange(srv, wire, len, id, d, (uint16_t)type, c->timeout, &err);
		if (!p) {
			r->status = DNS_NETERR;
			r->error = xasprintf("%s: %s", srvs, err);
		}
		free(err);
	}
	if (p) {
		r->status = DNS_OK;
		r->pkt = p;
		r->rcode = ldns_pkt_get_rcode(p);
	} else if (!r->error && bad) {
		r->status = DNS_MALFORMED;
		r->error =
			xasprintf("no valid reply from %s within %gs: %d repl%s did not match the "
				  "query (ID, question) or could not be parsed",
				  srvs, c->timeout, bad, bad == 1 ? "y" : "ies");
	} else if (!r->error) {
		r->error = xasprintf("timeout: no answer from %s within %gs", srvs, c->timeout);
	}
out:
	free(wire);
	ldns_rdf_deep_free(d);
	return r;
}

json_t *dns_reply_cname_json(const struct dns_reply *r)
{
	char **chain = NULL;
	size_t n = dns_reply_cname_chain(r, &chain);
	if (n == 0)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_str(chain[i]));
	dns_strv_free(chain, n);
	return a;
}
