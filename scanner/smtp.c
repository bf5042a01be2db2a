/* The STARTTLS prober: per-address cache with in-flight coalescing, politeness, SMTP reply
 * parsing. The TLS work is in tls_probe.c. See smtp.h. */
#include "scanner/smtp.h"
#include "scanner/result.h"
#include "scanner/tls_class.h"
#include "scanner/tls_probe.h"
#include "scanner/util.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- SMTP reply parser (pure) ---- */

void smtp_reply_clear(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

enum smtp_reply_status smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *out)
{
	size_t pos = 0, nlines = 0;
	int code = -1;
	if (!buf)
		len = 0;
	/* First pass: validate and find the end. */
	for (;;) {
		if (pos >= SMTP_REPLY_MAX_BYTES || nlines >= SMTP_REPLY_MAX_LINES)
			return SMTP_REPLY_TOO_LONG;
		const char *nl = len > pos ? memchr(buf + pos, '\n', len - pos) : NULL;
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		if (!nl) {
			/* Check what we have so far, so garbage is refused early. */
			for (size_t i = 0; i < ll && i < 3; i++)
				if (buf[pos + i] < '0' || buf[pos + i] > '9')
					return SMTP_REPLY_MALFORMED;
			if (ll > 3 && buf[pos + 3] != ' ' && buf[pos + 3] != '-' &&
			    buf[pos + 3] != '\r')
				return SMTP_REPLY_MALFORMED;
			if (pos + ll >= SMTP_REPLY_MAX_BYTES)
				return SMTP_REPLY_TOO_LONG;
			return SMTP_REPLY_INCOMPLETE;
		}
		const char *l = buf + pos;
		size_t cl = ll && l[ll - 1] == '\r' ? ll - 1 : ll;
		if (cl < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
		    l[2] > '9')
			return SMTP_REPLY_MALFORMED;
		int c = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		if (code >= 0 && c != code)
			return SMTP_REPLY_MALFORMED;
		code = c;
		bool last;
		if (cl == 3 || l[3] == ' ')
			last = true;
		else if (l[3] == '-')
			last = false;
		else
			return SMTP_REPLY_MALFORMED;
		nlines++;
		pos += ll + 1;
		if (last)
			break;
	}
	if (pos > SMTP_REPLY_MAX_BYTES)
		return SMTP_REPLY_TOO_LONG;
	/* Second pass: copy the texts. */
	out->code = code;
	out->n_lines = nlines;
	out->lines = xcalloc(nlines, sizeof(char *));
	out->consumed = pos;
	size_t p = 0;
	for (size_t i = 0; i < nlines; i++) {
		const char *l = buf + p;
		const char *nl = memchr(l, '\n', pos - p);
		size_t ll = (size_t)(nl - l);
		size_t cl = ll && l[ll - 1] == '\r' ? ll - 1 : ll;
		out->lines[i] = cl > 4 ? text_sanitize(l + 4, cl - 4, 1024) : xstrdup("");
		p += ll + 1;
	}
	return SMTP_REPLY_OK;
}

bool smtp_reply_has_ext(const struct smtp_reply *r, const char *keyword)
{
	size_t kl = strlen(keyword);
	for (size_t i = 1; i < r->n_lines; i++) {
		const char *s = r->lines[i];
		if (strncasecmp(s, keyword, kl) == 0 && (s[kl] == '\0' || s[kl] == ' '))
			return true;
	}
	return false;
}

/* ---- the prober ---- */

/* Politeness per MX address (config: --smtp-interval, --smtp-connections): one connection at
 * a time (the enumeration is sequential), starts at least `interval` apart, at most
 * `max_connections` per run. */
#define DEFAULT_INTERVAL        0.025
#define DEFAULT_MAX_CONNECTIONS 400

/* One probe result, shared by reference (see smtp.h). */
struct smtp_result {
	atomic_uint refs;
	json_t *json;
	struct tls_chain *chain; /* decoded once, NULL without a chain */
	size_t bytes;            /* estimate: JSON text + certificate DER */
};

/* A probe in flight and the callers waiting for it: each waiter gets this probe's result, even
 * when the cache has already evicted it again. Freed by the last of the prober and waiters. */
struct flight {
	struct smtp_result *res; /* set when the probe is done (a reference) */
	unsigned waiters;
	bool done;
};

/* One per MX address for the run: politeness state, and the cached result when it is kept.
 * The address record itself stays for the run (about 100 bytes) so that the connection budget
 * and spacing hold across an eviction; only the result is bounded. */
struct entry {
	char *ip;
	struct smtp_result *res; /* the cache's reference; NULL before, during, after eviction */
	struct flight *flight;   /* the probe of this address running now, or NULL */
	unsigned probes;         /* probes completed (more than one: re-probed after eviction) */
	unsigned connections;
	double last_connect;
	struct entry *next;                /* hash chain */
	struct entry *lru_prev, *lru_next; /* the cached results, most recently used first */
};

struct smtp_prober {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry **buckets;
	size_t n_buckets;
	size_t n_entries;
	struct entry *lru_head, *lru_tail;
	size_t cached, cache_max; /* results held, their bound */
	size_t cached_bytes, cached_bytes_peak;
	unsigned long probes, reprobes, evictions, gave_up;
	SSL_CTX *ctx;  /* start-up check of the CA file; probes make their own */
	char *ca_file; /* NULL: the system store */
	struct tls_tables *tables;
	char *ehlo;
	double timeout;
	double total;             /* seconds for the whole probe of one address */
	double interval;          /* seconds between connection starts to one address */
	unsigned max_connections; /* per address per run */
	bool disabled;
};

/*
 * A TLS client context for probing: no verification during the handshake (the certificate is
 * judged afterwards), every protocol version and legacy server connect allowed, no tickets.
 * Each probe gets its own: OpenSSL 3's certificate store caches objects behind the context's
 * lock, and ThreadSanitizer reported reads of that cache outside it when several probes shared
 * one context. NULL and *err when the CA certificates cannot be loaded.
 */
static SSL_CTX *client_ctx(const char *ca_file, char **err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		*err = xstrdup("cannot create the TLS client context");
		return NULL;
	}
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_file(ctx, ca_file)
			 : SSL_CTX_set_default_verify_paths(ctx);
	if (!ok) {
		*err = xasprintf("cannot load CA certificates%s%s", ca_file ? " from " : "",
				 ca_file ? ca_file : "");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static size_t hash_str(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static struct entry *find(struct smtp_prober *p, const char *ip)
{
	for (struct entry *e = p->buckets[hash_str(ip) % p->n_buckets]; e; e = e->next)
		if (strcmp(e->ip, ip) == 0)
			return e;
	return NULL;
}

/* A new address record (caller holds the lock); the table doubles past 2 records a bucket. */
static struct entry *add_entry(struct smtp_prober *p, const char *ip)
{
	if (p->n_entries >= 2 * p->n_buckets) {
		size_t nb = 2 * p->n_buckets;
		struct entry **b = xcalloc(nb, sizeof(*b));
		for (size_t i = 0; i < p->n_buckets; i++)
			for (struct entry *e = p->buckets[i], *n; e; e = n) {
				n = e->next;
				size_t k = hash_str(e->ip) % nb;
				e->next = b[k];
				b[k] = e;
			}
		free(p->buckets);
		p->buckets = b;
		p->n_buckets = nb;
	}
	struct entry *e = xcalloc(1, sizeof(*e));
	e->ip = xstrdup(ip);
	size_t k = hash_str(ip) % p->n_buckets;
	e->next = p->buckets[k];
	p->buckets[k] = e;
	p->n_entries++;
	return e;
}

static struct smtp_result *result_new(json_t *json, struct tls_chain *chain)
{
	struct smtp_result *r = xcalloc(1, sizeof(*r));
	atomic_init(&r->refs, 1);
	r->json = json;
	r->chain = chain;
	return r;
}

static struct smtp_result *result_ref(struct smtp_result *r)
{
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

void smtp_result_release(struct smtp_result *r)
{
	if (!r || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	json_decref(r->json);
	tls_chain_free(r->chain);
	free(r);
}

const json_t *smtp_result_json(const struct smtp_result *r)
{
	return r->json;
}

const struct tls_chain *smtp_result_chain(const struct smtp_result *r)
{
	return r->chain;
}

/* The LRU of cached results (caller holds the lock). */
static void lru_unlink(struct smtp_prober *p, struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		p->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		p->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct smtp_prober *p, struct entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = p->lru_head;
	if (p->lru_head)
		p->lru_head->lru_prev = e;
	else
		p->lru_tail = e;
	p->lru_head = e;
}

/* Keep `res` as the address's result and evict the least recently used ones past the bound.
 * An evicted result lives on while a caller holds a reference to it. */
static void cache_put(struct smtp_prober *p, struct entry *e, struct smtp_result *res)
{
	e->res = result_ref(res);
	lru_push_front(p, e);
	p->cached++;
	p->cached_bytes += res->bytes;
	if (p->cached_bytes > p->cached_bytes_peak)
		p->cached_bytes_peak = p->cached_bytes;
	while (p->cached > p->cache_max && p->lru_tail && p->lru_tail != e) {
		struct entry *old = p->lru_tail;
		lru_unlink(p, old);
		p->cached--;
		p->cached_bytes -= old->res->bytes;
		smtp_result_release(old->res);
		old->res = NULL;
		p->evictions++;
	}
}

static char *data_dir(const struct config *cfg)
{
	if (cfg && cfg->data_dir)
		return xstrdup(cfg->data_dir);
	const char *env = getenv("DOMSCAN_DATADIR");
	if (env && *env)
		return xstrdup(env);
#ifdef DOMSCAN_DATADIR
	if (access(DOMSCAN_DATADIR "/tls-ciphers.tsv", R_OK) == 0)
		return xstrdup(DOMSCAN_DATADIR);
#endif
#ifdef DOMSCAN_SRC_DATADIR
	return xstrdup(DOMSCAN_SRC_DATADIR);
#else
	return xstrdup("data");
#endif
}

struct smtp_prober *smtp_prober_new(const struct config *cfg, char **err)
{
	/* SSL writes on a closed socket must not kill the scanner. */
	signal(SIGPIPE, SIG_IGN);
	OPENSSL_init_ssl(0, NULL);
	struct smtp_prober *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->n_buckets = 1024;
	p->buckets = xcalloc(p->n_buckets, sizeof(*p->buckets));
	p->cache_max = SMTP_CACHE_MAX_DEFAULT;
	const char *cm = getenv("DOMSCAN_SMTP_CACHE");
	if (cm && *cm) {
		char *end = NULL;
		unsigned long long v = strtoull(cm, &end, 10);
		if (end && !*end && v >= 1 && v <= 100000000ULL)
			p->cache_max = (size_t)v;
	}
	p->timeout = cfg && cfg->timeout > 0 ? cfg->timeout : 5;
	/* A probe never takes longer than a domain may (--domain-timeout), so a hostile server
	 * cannot hold a worker past one domain deadline; 60 x timeout at most. */
	p->total = 60 * p->timeout;
	double dt = !cfg ? 0 : cfg->domain_timeout < 0 ? 12 * p->timeout : cfg->domain_timeout;
	if (dt > 0 && dt < p->total)
		p->total = dt;
	p->interval = cfg && cfg->smtp_interval_ms >= 0 ? cfg->smtp_interval_ms / 1000.0
							: DEFAULT_INTERVAL;
	p->max_connections = cfg && cfg->smtp_connections > 0 ? (unsigned)cfg->smtp_connections
							      : DEFAULT_MAX_CONNECTIONS;
	if (cfg && cfg->ehlo && *cfg->ehlo) {
		p->ehlo = xstrdup(cfg->ehlo);
	} else {
		char h[256] = "";
		if (gethostname(h, sizeof(h) - 1) != 0 || !h[0] || strchr(h, ' '))
			snprintf(h, sizeof(h), "localhost");
		p->ehlo = xstrdup(h);
	}
	/* The EHLO name goes on the wire: keep it to one printable token. */
	for (char *c = p->ehlo; *c; c++)
		if (*c <= ' ' || *c > '~')
			*c = '-';
	if (strlen(p->ehlo) > 255)
		p->ehlo[255] = '\0';
	p->disabled = cfg && cfg->no_smtp;

	char *dir = data_dir(cfg);
	p->tables = tls_tables_load(dir, err);
	free(dir);
	if (!p->tables) {
		smtp_prober_free(p);
		return NULL;
	}
	p->ca_file = cfg && cfg->ca_file ? xstrdup(cfg->ca_file) : NULL;
	/* made once here so that an unusable CA file is a start-up error; each probe makes its
	 * own (client_ctx()) */
	p->ctx = client_ctx(p->ca_file, err);
	if (!p->ctx) {
		smtp_prober_free(p);
		return NULL;
	}
	return p;
}

void smtp_prober_free(struct smtp_prober *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_buckets; i++) {
		struct entry *e = p->buckets[i];
		while (e) {
			struct entry *n = e->next;
			free(e->ip);
			smtp_result_release(e->res);
			free(e);
			e = n;
		}
	}
	free(p->buckets);
	if (p->ctx)
		SSL_CTX_free(p->ctx);
	free(p->ca_file);
	tls_tables_free(p->tables);
	free(p->ehlo);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

const struct tls_tables *smtp_tls_tables(struct smtp_prober *p)
{
	return p->tables;
}

struct hook_arg {
	struct smtp_prober *p;
	struct entry *e;
};

/* Before each connection: count it, keep within budget, keep the spacing. */
static int before_connect(void *arg)
{
	struct hook_arg *h = arg;
	pthread_mutex_lock(&h->p->mu);
	if (h->e->connections >= h->p->max_connections) {
		pthread_mutex_unlock(&h->p->mu);
		return -1;
	}
	double wait = h->e->connections ? h->e->last_connect + h->p->interval - now_mono() : 0;
	pthread_mutex_unlock(&h->p->mu);
	if (wait > 0) {
		struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&h->p->mu);
	h->e->connections++;
	h->e->last_connect = now_mono();
	pthread_mutex_unlock(&h->p->mu);
	return 0;
}

/* What a caller whose deadline passed while waiting for another's probe gets. */
static struct smtp_result *gave_up_result(const char *ip)
{
	return result_new(json_pack("{s:s,s:s,s:s}", "ip", ip, "status", "smtp_error", "reason",
				    "deadline exceeded while waiting for the probe of this address "
				    "in progress"),
			  NULL);
}

static void flight_leave(struct flight *f)
{
	if (f->waiters == 0 && f->done) {
		smtp_result_release(f->res);
		free(f);
	}
}

/* Wait for the probe in flight `f` (lock held); its result (a new reference), or NULL when this
 * thread's deadline passed first. */
static struct smtp_result *wait_flight(struct smtp_prober *p, struct flight *f)
{
	double dl = thread_deadline();
	f->waiters++;
	while (!f->done) {
		if (dl <= 0) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		double left = dl - now_mono();
		if (left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double until = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + left;
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	}
	struct smtp_result *r = f->done ? result_ref(f->res) : NULL;
	f->waiters--;
	flight_leave(f);
	return r;
}

static json_t *run_probe(struct smtp_prober *p, struct entry *e, const char *mx_name,
			 const char *ip)
{
	if (p->disabled)
		return json_pack("{s:s,s:s}", "ip", ip, "status", "not_tested");
	json_t *res;
	struct hook_arg h = { p, e };
	char *cerr = NULL;
	SSL_CTX *ctx = client_ctx(p->ca_file, &cerr);
	struct tls_probe_env env = {
		.ctx = ctx,
		.tables = p->tables,
		.ehlo = p->ehlo,
		.timeout = p->timeout,
		.conn_deadline = 4 * p->timeout,
		.total_deadline = p->total,
		.max_connections = p->max_connections,
		.before_connect = before_connect,
		.arg = &h,
	};
	if (ctx) {
		res = tls_probe_run(&env, ip, mx_name);
		SSL_CTX_free(ctx);
	} else {
		res = json_pack("{s:s,s:s,s:s}", "ip", ip, "status", "smtp_error", "reason", cerr);
	}
	free(cerr);
	ERR_clear_error();
	return res;
}

struct smtp_result *smtp_probe(struct smtp_prober *p, const char *mx_name, const char *ip)
{
	pthread_mutex_lock(&p->mu);
	struct entry *e = find(p, ip);
	if (!e)
		e = add_entry(p, ip);
	if (e->res) {
		/* cached: most recently used now */
		lru_unlink(p, e);
		lru_push_front(p, e);
		struct smtp_result *r = result_ref(e->res);
		pthread_mutex_unlock(&p->mu);
		return r;
	}
	if (e->flight) {
		/* Another domain's probe of this address is in flight: wait for it, but not past
		 * this thread's deadline (the probe itself runs on to its own bounds). */
		struct smtp_result *r = wait_flight(p, e->flight);
		if (!r)
			p->gave_up++;
		pthread_mutex_unlock(&p->mu);
		return r ? r : gave_up_result(ip);
	}
	struct flight *f = xcalloc(1, sizeof(*f));
	e->flight = f;
	pthread_mutex_unlock(&p->mu);

	json_t *json = run_probe(p, e, mx_name, ip);
	struct tls_chain *chain = tls_chain_decode(json);

	pthread_mutex_lock(&p->mu);
	json_object_set_new(json, "connections", json_integer(e->connections));
	pthread_mutex_unlock(&p->mu);
	/* the size estimate outside the lock: the result is not shared yet */
	struct smtp_result *r = result_new(json, chain);
	r->bytes = json_dumpb(json, NULL, 0, JSON_COMPACT) + (chain ? chain->der_bytes : 0);

	pthread_mutex_lock(&p->mu);
	f->res = result_ref(r);
	f->done = true;
	e->flight = NULL;
	flight_leave(f);
	e->probes++;
	p->probes++;
	if (e->probes > 1)
		p->reprobes++;
	cache_put(p, e, r);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return r;
}

void smtp_prober_stats(struct smtp_prober *p, struct smtp_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->n_buckets; i++)
		for (const struct entry *e = p->buckets[i]; e; e = e->next) {
			st->addresses++;
			st->connections += e->connections;
			if (e->connections > st->max_per_address)
				st->max_per_address = e->connections;
		}
	st->probes = p->probes;
	st->reprobes = p->reprobes;
	st->evictions = p->evictions;
	st->gave_up = p->gave_up;
	st->cached = p->cached;
	st->cache_max = p->cache_max;
	st->cached_bytes_peak = p->cached_bytes_peak;
	pthread_mutex_unlock(&p->mu);
}

void smtp_prober_print_stats(struct smtp_prober *p, FILE *f)
{
	struct smtp_stats st;
	smtp_prober_stats(p, &st);
	fprintf(f,
		"domscan: smtp addresses %u, connections %lu, most to one address %u, probes %lu, "
		"reprobes %lu, waits given up %lu, results cached %zu (bound %zu), evictions %lu, "
		"cache bytes peak %zu\n",
		st.addresses, st.connections, st.max_per_address, st.probes, st.reprobes,
		st.gave_up, st.cached, st.cache_max, st.evictions, st.cached_bytes_peak);
}

unsigned smtp_connections(struct smtp_prober *p, const char *ip)
{
	pthread_mutex_lock(&p->mu);
	struct entry *e = find(p, ip);
	unsigned n = e ? e->connections : 0;
	pthread_mutex_unlock(&p->mu);
	return n;
}
