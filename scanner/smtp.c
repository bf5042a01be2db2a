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

struct entry {
	char *ip;
	json_t *result;  /* NULL while in flight */
	json_t *gave_up; /* what a waiter whose deadline passed gets (created once) */
	unsigned connections;
	double last_connect;
	struct entry *next;
};

struct smtp_prober {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry **buckets;
	size_t n_buckets;
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
			json_decref(e->result);
			json_decref(e->gave_up);
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

const json_t *smtp_probe(struct smtp_prober *p, const char *mx_name, const char *ip)
{
	pthread_mutex_lock(&p->mu);
	struct entry *e = find(p, ip);
	if (e) {
		/* Another domain's probe of this address is in flight: wait for it, but not past
		 * this thread's deadline (the probe itself runs on to its own bounds). */
		double dl = thread_deadline();
		while (!e->result) {
			if (dl <= 0) {
				pthread_cond_wait(&p->cv, &p->mu);
				continue;
			}
			double left = dl - now_mono();
			if (left <= 0) {
				if (!e->gave_up)
					e->gave_up = json_pack(
						"{s:s,s:s,s:s}", "ip", ip, "status", "smtp_error",
						"reason",
						"deadline exceeded while waiting for the probe of this "
						"address in progress");
				pthread_mutex_unlock(&p->mu);
				return e->gave_up;
			}
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			double until = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + left;
			ts.tv_sec = (time_t)until;
			ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
			pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		}
		pthread_mutex_unlock(&p->mu);
		return e->result;
	}
	e = xcalloc(1, sizeof(*e));
	e->ip = xstrdup(ip);
	size_t b = hash_str(ip) % p->n_buckets;
	e->next = p->buckets[b];
	p->buckets[b] = e;
	pthread_mutex_unlock(&p->mu);

	json_t *res;
	if (p->disabled) {
		res = json_pack("{s:s,s:s}", "ip", ip, "status", "not_tested");
	} else {
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
			res = json_pack("{s:s,s:s,s:s}", "ip", ip, "status", "smtp_error", "reason",
					cerr);
		}
		free(cerr);
		ERR_clear_error();
	}
	pthread_mutex_lock(&p->mu);
	json_object_set_new(res, "connections", json_integer(e->connections));
	e->result = res;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return res;
}

void smtp_prober_stats(struct smtp_prober *p, unsigned *addresses, unsigned long *connections,
		       unsigned *max_per_address)
{
	*addresses = 0;
	*connections = 0;
	*max_per_address = 0;
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->n_buckets; i++)
		for (const struct entry *e = p->buckets[i]; e; e = e->next) {
			(*addresses)++;
			*connections += e->connections;
			if (e->connections > *max_per_address)
				*max_per_address = e->connections;
		}
	pthread_mutex_unlock(&p->mu);
}

unsigned smtp_connections(struct smtp_prober *p, const char *ip)
{
	pthread_mutex_lock(&p->mu);
	struct entry *e = find(p, ip);
	unsigned n = e ? e->connections : 0;
	pthread_mutex_unlock(&p->mu);
	return n;
}
