/*
 * The scan engine; see engine.h.
 *
 * Threads: the main thread reads the inputs and writes rows; `concurrency` workers take jobs
 * (one per distinct domain) from a queue and run the check table on them.
 *
 * Deadline (--domain-timeout): a domain's clock starts when a worker takes its job. Each check
 * runs into a scratch result that is merged into the job's result only if it finished before
 * the deadline; once the deadline has passed, the job is "expired": every check not merged yet
 * gets `error` "deadline exceeded" and the row can be written at once, by the main thread if
 * the worker is still inside a check (it stops at the next check boundary, and its late result
 * is dropped). Work shared with other domains (a DNS query, an SMTP probe of an address) runs to
 * its own bounds and is cached as usual; only this domain stops waiting for it.
 *
 * Memory is bounded by the window: at most WINDOW rows are between "read" and "written". A job
 * is shared by every row of the same domain (and selector list) while it is in the window or
 * among the RECENT most recently used jobs, so duplicates are scanned once; a duplicate further
 * away is scanned again, cheaply, from the run-wide DNS and SMTP caches.
 */
#include "scanner/engine.h"
#include "scanner/dnssec.h"
#include "scanner/https.h"
#include "scanner/input.h"
#include "scanner/memo.h"
#include "scanner/profile.h"
#include "scanner/progress.h"
#include "scanner/psl.h"
#include "scanner/shard.h"
#include "scanner/smtp.h"
#include "scanner/util.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRIM_INTERVAL  2.0 /* seconds between malloc_trim() calls of the main thread */
#define FREEZE_BACKLOG 256 /* finished, unwritten results kept as trees; the rest frozen */
#define RECENT         256 /* finished jobs kept for duplicates: a result is ~40-60 KiB of JSON */

struct job {
	char *key;
	char *domain;
	char **selectors;
	size_t n_selectors;
	struct domain_result *res;
	bool done;       /* under engine.mu: the worker has finished with the job */
	bool started;    /* under engine.mu: a worker took it (res exists, deadline set) */
	bool expired;    /* under engine.mu: the deadline passed; res is final */
	double deadline; /* under engine.mu: now_mono() seconds; 0 = none */
	size_t n_merged; /* under engine.mu: checks whose results are in res */
	int refs;        /* main thread only */
	bool in_map;     /* main thread only */
	bool waiting;    /* under engine.mu: done, counted in engine.done_unwritten */
	struct job *qnext;
	struct job *hnext;
	struct job *lru_prev, *lru_next;
};

struct slot {
	struct input_row row;
	struct job *job;
};

struct engine {
	const struct config *cfg;
	const struct check_table *checks;
	struct dns_client *dns;
	struct validator *validator;
	struct smtp_prober *smtp;
	struct https_fetcher *https;
	struct memo *memo;
	struct psl_db *psl;
	char *psl_error;
	json_t *profile; /* owned; NULL without --profile */

	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct job *q_head, *q_tail;
	bool closing;
	size_t jobs_done;
	/* DOMSCAN_STATS, under mu: seconds workers waited for a job before the input was
	 * exhausted (the window of unwritten rows held them back: a slow row at its head) */
	double worker_idle;
	size_t done_unwritten; /* under mu: finished jobs whose first row is not written yet */
	size_t frozen;         /* under mu: results frozen (DOMSCAN_STATS) */
	bool input_done;

	/* main thread only */
	struct job **map;
	size_t map_size, map_n;
	struct job *lru_head, *lru_tail;
};

struct scan {
	struct engine *eng;
	struct job *job;
	struct mx_set *mx;
	size_t current;  /* index of the running check */
	json_t *columns; /* columns set by the running check, merged with its result */
};

/* ------------------------------------------------------------------------------------------ */
/* the scan context handed to checks */

const char *scan_domain(const struct scan *s)
{
	return s->job->domain;
}

const struct config *scan_config(const struct scan *s)
{
	return s->eng->cfg;
}

struct dns_client *scan_dns(struct scan *s)
{
	return s->eng->dns;
}

struct validator *scan_validator(struct scan *s)
{
	return s->eng->validator;
}

struct smtp_prober *scan_smtp(struct scan *s)
{
	return s->eng->smtp;
}

struct https_fetcher *scan_https(struct scan *s)
{
	return s->eng->https;
}

struct memo *scan_memo(struct scan *s)
{
	return s->eng->memo;
}

const json_t *scan_profile(const struct scan *s)
{
	return s->eng->profile;
}

const struct psl_db *scan_psl(struct scan *s)
{
	return s->eng->psl;
}

const struct mx_set *scan_mx(struct scan *s)
{
	if (!s->mx)
		s->mx = mx_lookup(s->eng->dns, s->job->domain);
	return s->mx;
}

size_t scan_row_selectors(const struct scan *s, const char *const **out)
{
	*out = (const char *const *)s->job->selectors;
	return s->job->n_selectors;
}

const struct check_result *scan_result_of(const struct scan *s, const char *name)
{
	for (size_t i = 0; i < s->current && i < s->eng->checks->n; i++)
		if (strcmp(s->eng->checks->checks[i]->name, name) == 0)
			return &s->job->res->checks[i];
	return NULL;
}

void scan_set_column(struct scan *s, const char *column, json_t *value)
{
	json_object_set_new(s->columns, column, value ? value : json_null());
}

const json_t *scan_get_column(const struct scan *s, const char *column)
{
	const json_t *v = json_object_get(s->columns, column);
	return v ? v : json_object_get(s->job->res->columns, column);
}

/* ------------------------------------------------------------------------------------------ */
/* workers */

static double domain_timeout(const struct config *cfg)
{
	return cfg->domain_timeout < 0 ? 12 * cfg->timeout : cfg->domain_timeout;
}

/* Under e->mu: finish j at its deadline. Checks not merged yet get `error`. */
static void expire_locked(struct engine *e, struct job *j)
{
	if (j->expired)
		return;
	j->expired = true;
	double dt = domain_timeout(e->cfg);
	for (size_t i = j->n_merged; i < e->checks->n; i++) {
		struct check_result *r = &j->res->checks[i];
		r->verdict = VERDICT_ERROR;
		result_set_error_msg(r, MSG("engine.deadline"),
				     "deadline exceeded ({seconds} s per domain)",
				     msg_args("seconds", json_real(dt), NULL));
		json_object_set_new(r->detail, "deadline_exceeded", json_true());
	}
	pthread_cond_broadcast(&e->done_cv);
}

static bool past_deadline(const struct job *j)
{
	return j->deadline > 0 && now_mono() > j->deadline;
}

static void run_job(struct engine *e, struct job *j)
{
	struct scan s = { .eng = e, .job = j };
	double dt = domain_timeout(e->cfg);
	struct domain_result *res = domain_result_new(j->domain, e->checks->n);
	pthread_mutex_lock(&e->mu);
	j->res = res;
	j->deadline = dt > 0 ? now_mono() + dt : 0;
	j->started = true;
	thread_deadline_set(j->deadline);
	pthread_mutex_unlock(&e->mu);
	size_t np = e->checks->n_prefetch;
	if (np) {
		char **names = xcalloc(np, sizeof(char *));
		ldns_rr_type *types = xcalloc(np, sizeof(*types));
		struct dns_reply **rep = xcalloc(np, sizeof(*rep));
		for (size_t i = 0; i < np; i++) {
			names[i] = xasprintf("%s%s", e->checks->prefetch[i].prefix, j->domain);
			types[i] = (ldns_rr_type)e->checks->prefetch[i].type;
		}
		dns_query_many(e->dns, np, (const char *const *)names, types, rep);
		for (size_t i = 0; i < np; i++) {
			dns_reply_release(rep[i]);
			free(names[i]);
		}
		free(names);
		free(types);
		free(rep);
	}
	for (size_t i = 0; i < e->checks->n; i++) {
		pthread_mutex_lock(&e->mu);
		if (j->expired || past_deadline(j)) {
			expire_locked(e, j);
			pthread_mutex_unlock(&e->mu);
			break;
		}
		pthread_mutex_unlock(&e->mu);
		s.current = i;
		s.columns = json_object();
		const struct check *c = e->checks->checks[i];
		struct check_result r = { .detail = json_object() };
		double t0 = now_mono();
		c->run(&s, &r);
		json_object_set_new(r.detail, "elapsed_ms",
				    json_integer((json_int_t)((now_mono() - t0) * 1000)));
		pthread_mutex_lock(&e->mu);
		if (j->expired || past_deadline(j)) {
			/* still running at the deadline: its result does not count */
			expire_locked(e, j);
			json_decref(r.detail);
			free(r.error);
			json_decref(r.error_msg);
		} else {
			struct check_result *dst = &res->checks[i];
			json_decref(dst->detail);
			free(dst->error);
			json_decref(dst->error_msg);
			*dst = r;
			json_object_update(res->columns, s.columns);
			j->n_merged = i + 1;
		}
		pthread_mutex_unlock(&e->mu);
		json_decref(s.columns);
		s.columns = NULL;
	}
	thread_deadline_set(0);
	mx_set_free(s.mx);
}

static void *worker(void *arg)
{
	struct engine *e = arg;
	for (;;) {
		pthread_mutex_lock(&e->mu);
		double idle0 = e->q_head ? 0 : now_mono();
		while (!e->q_head && !e->closing)
			pthread_cond_wait(&e->work_cv, &e->mu);
		if (idle0 > 0 && !e->input_done)
			e->worker_idle += now_mono() - idle0;
		struct job *j = e->q_head;
		if (!j) {
			pthread_mutex_unlock(&e->mu);
			return NULL;
		}
		e->q_head = j->qnext;
		if (!e->q_head)
			e->q_tail = NULL;
		pthread_mutex_unlock(&e->mu);

		run_job(e, j);

		pthread_mutex_lock(&e->mu);
		/* Finished rows wait until every row before them is written. Behind a slow domain
		 * (a lame delegation can take seconds) hundreds pile up: past FREEZE_BACKLOG they
		 * wait frozen, as compact text (about a third of the memory), and are parsed back
		 * when written. Under the lock: the main thread reads res only once the job is done
		 * or expired (then it is the main thread's, and stays a tree). */
		if (!j->expired) { /* an expired job's row may be written already */
			if (e->done_unwritten >= FREEZE_BACKLOG) {
				domain_result_freeze(j->res);
				e->frozen++;
			}
			j->waiting = true;
			e->done_unwritten++;
		}
		j->done = true;
		e->jobs_done++;
		pthread_cond_broadcast(&e->done_cv);
		pthread_mutex_unlock(&e->mu);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* jobs and the duplicate map (main thread) */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void job_unref(struct job *j)
{
	if (--j->refs > 0)
		return;
	domain_result_unref(j->res);
	for (size_t i = 0; i < j->n_selectors; i++)
		free(j->selectors[i]);
	free(j->selectors);
	free(j->domain);
	free(j->key);
	free(j);
}

static void lru_unlink(struct engine *e, struct job *j)
{
	if (j->lru_prev)
		j->lru_prev->lru_next = j->lru_next;
	else
		e->lru_head = j->lru_next;
	if (j->lru_next)
		j->lru_next->lru_prev = j->lru_prev;
	else
		e->lru_tail = j->lru_prev;
	j->lru_prev = j->lru_next = NULL;
}

static void lru_push(struct engine *e, struct job *j)
{
	j->lru_prev = NULL;
	j->lru_next = e->lru_head;
	if (e->lru_head)
		e->lru_head->lru_prev = j;
	else
		e->lru_tail = j;
	e->lru_head = j;
}

static void map_remove(struct engine *e, struct job *j)
{
	struct job **pp = &e->map[hash_str(j->key) & (e->map_size - 1)];
	while (*pp && *pp != j)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = j->hnext;
	lru_unlink(e, j);
	j->in_map = false;
	e->map_n--;
	job_unref(j);
}

static char *job_key(const struct input_row *row)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_add(&b, row->domain, strlen(row->domain));
	for (size_t i = 0; i < row->n_selectors; i++) {
		buf_add(&b, "|", 1);
		buf_add(&b, row->selectors[i], strlen(row->selectors[i]));
	}
	return buf_steal(&b);
}

static struct job *job_for(struct engine *e, const struct input_row *row)
{
	char *key = job_key(row);
	size_t h = hash_str(key) & (e->map_size - 1);
	for (struct job *j = e->map[h]; j; j = j->hnext)
		if (strcmp(j->key, key) == 0) {
			free(key);
			lru_unlink(e, j);
			lru_push(e, j);
			j->refs++;
			return j;
		}
	struct job *j = xcalloc(1, sizeof(*j));
	j->key = key;
	j->domain = xstrdup(row->domain);
	if (row->n_selectors) {
		j->selectors = xcalloc(row->n_selectors, sizeof(char *));
		for (size_t i = 0; i < row->n_selectors; i++)
			j->selectors[i] = xstrdup(row->selectors[i]);
		j->n_selectors = row->n_selectors;
	}
	j->refs = 2; /* the row and the map */
	j->hnext = e->map[h];
	e->map[h] = j;
	j->in_map = true;
	e->map_n++;
	lru_push(e, j);
	/* keep the map bounded: drop the least recently used finished jobs */
	for (struct job *t = e->lru_tail; t && e->map_n > RECENT;) {
		struct job *prev = t->lru_prev;
		bool done;
		pthread_mutex_lock(&e->mu);
		done = t->done;
		pthread_mutex_unlock(&e->mu);
		if (done)
			map_remove(e, t);
		t = prev;
	}
	pthread_mutex_lock(&e->mu);
	if (e->q_tail)
		e->q_tail->qnext = j;
	else
		e->q_head = j;
	e->q_tail = j;
	pthread_cond_signal(&e->work_cv);
	pthread_mutex_unlock(&e->mu);
	return j;
}

/* ------------------------------------------------------------------------------------------ */

/* weak: these services land independently; a build without one runs without it */
extern struct validator *validator_new(struct dns_client *, const char *, char **)
	__attribute__((weak));
extern void validator_free(struct validator *) __attribute__((weak));
extern void validator_print_stats(struct validator *, FILE *) __attribute__((weak));
extern struct smtp_prober *smtp_prober_new(const struct config *, char **) __attribute__((weak));
extern void smtp_prober_free(struct smtp_prober *) __attribute__((weak));
extern void smtp_prober_print_stats(struct smtp_prober *, FILE *) __attribute__((weak));
extern struct https_fetcher *https_fetcher_new(const struct config *, struct dns_client *, char **)
	__attribute__((weak));
extern void https_fetcher_free(struct https_fetcher *) __attribute__((weak));

/* Every key of the profile must be read by some check (a typo must not switch a check off). */
static int check_profile_keys(const json_t *profile, const struct check_table *t, const char *path,
			      char **err)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)profile, key, v)
	{
		bool known = false;
		for (size_t i = 0; t && i < t->n && !known; i++)
			for (const char *const *k = t->checks[i]->profile_keys; k && *k; k++)
				if (strcmp(*k, key) == 0) {
					known = true;
					break;
				}
		if (!known) {
			struct buf b;
			buf_init(&b, 4096);
			for (size_t i = 0; t && i < t->n; i++)
				for (const char *const *k = t->checks[i]->profile_keys; k && *k;
				     k++)
					buf_printf(&b, "%s%s", b.len ? ", " : "", *k);
			char *list = buf_steal(&b);
			*err = xasprintf("profile %s: unknown key `%s` (known: %s)", path, key,
					 list);
			free(list);
			return -1;
		}
	}
	return 0;
}

static int start_services(struct engine *e, char **err)
{
	const struct config *cfg = e->cfg;
	struct dns_config dc = {
		.servers = cfg->resolvers,
		.n_servers = cfg->n_resolvers,
		.timeout = cfg->timeout,
		.attempts = cfg->attempts,
		.qps = cfg->qps,
		.inflight = cfg->dns_inflight,
		.cache_bytes = (size_t)(cfg->dns_cache_mb * 1048576.0),
	};
	if (cfg->profile) {
		e->profile = profile_load(cfg->profile, err);
		if (!e->profile ||
		    check_profile_keys(e->profile, e->checks, cfg->profile, err) != 0)
			return -1;
	}
	e->dns = dns_client_new(&dc, err);
	if (!e->dns)
		return -1;
	e->memo = memo_new(65536);
	e->psl = psl_db_open(cfg, &e->psl_error); /* NULL: the checks that need it say why */
	if (validator_new) {
		e->validator = validator_new(e->dns, cfg->trust_anchor, err);
		if (!e->validator)
			return -1;
	}
	if (smtp_prober_new) {
		e->smtp = smtp_prober_new(cfg, err);
		if (!e->smtp)
			return -1;
	}
	if (https_fetcher_new) {
		e->https = https_fetcher_new(cfg, e->dns, err);
		if (!e->https)
			return -1;
	}
	return 0;
}

static void stop_services(struct engine *e)
{
	if (e->https && https_fetcher_free)
		https_fetcher_free(e->https);
	if (e->smtp && smtp_prober_free)
		smtp_prober_free(e->smtp);
	if (e->validator && validator_free)
		validator_free(e->validator);
	memo_free(e->memo);
	psl_db_close(e->psl);
	free(e->psl_error);
	json_decref(e->profile);
	dns_client_free(e->dns);
}

/* --resume: a replayed row goes to one reporter (the one that cannot continue its file). */
struct replay_to {
	const struct reporter *rep;
	void *h;
};

static int replay_sink(void *arg, const struct input_row *row, const struct domain_result *res)
{
	struct replay_to *t = arg;
	return t->rep->row(t->h, row, res);
}

/*
 * --resume: how many of this run's rows the report files already hold (the fewest over the
 * files that can be continued; 0 when none can), or -1 on a fatal error (message printed).
 */
static long resume_keep(const struct config *cfg, const struct reporter *const *reporters,
			size_t n_reporters, const struct report_meta *meta)
{
	long keep = -1;
	for (size_t i = 0; i < n_reporters; i++) {
		if (!reporters[i]->resume_count)
			continue;
		char *err = NULL;
		long n = reporters[i]->resume_count(cfg->outputs[i].path, meta, &err);
		if (n < 0) {
			fprintf(stderr, "domscan: --resume: %s\n", err ? err : "unreadable report");
			free(err);
			return -1;
		}
		if (keep < 0 || n < keep)
			keep = n;
	}
	return keep < 0 ? 0 : keep;
}

/* Open the reporters; on --resume continue their files after `keep` rows. 0 or -1. */
static int open_reporters(const struct config *cfg, const struct reporter *const *reporters,
			  size_t n_reporters, const struct report_meta *meta, size_t keep,
			  void **handles)
{
	char *err = NULL;
	for (size_t i = 0; i < n_reporters; i++) {
		const struct reporter *r = reporters[i];
		const char *path = cfg->outputs[i].path;
		if (cfg->resume && r->resume_open)
			handles[i] = r->resume_open(path, meta, keep, &err);
		else
			handles[i] = r->open(path, meta, &err);
		if (!handles[i]) {
			fprintf(stderr, "domscan: %s\n", err ? err : "cannot open the report");
			free(err);
			return -1;
		}
	}
	if (!cfg->resume || keep == 0)
		return 0;
	/* A report that cannot be continued (HTML) is rebuilt: its first rows come from a report
	 * that holds the full detail (JSON Lines). */
	for (size_t i = 0; i < n_reporters; i++) {
		if (reporters[i]->resume_open)
			continue;
		size_t src = n_reporters;
		for (size_t j = 0; j < n_reporters && src == n_reporters; j++)
			if (reporters[j]->replay && reporters[j]->resume_open)
				src = j;
		if (src == n_reporters) {
			fprintf(stderr,
				"domscan: --resume: the %s report needs a report with the "
				"full detail (--json FILE) to be rebuilt from\n",
				reporters[i]->format);
			return -1;
		}
		struct replay_to to = { .rep = reporters[i], .h = handles[i] };
		if (reporters[src]->replay(cfg->outputs[src].path, meta, keep, replay_sink, &to,
					   &err) != 0) {
			fprintf(stderr, "domscan: --resume: %s\n", err ? err : "cannot replay");
			free(err);
			return -1;
		}
	}
	return 0;
}

int engine_run(const struct config *cfg, const struct check_table *checks,
	       const struct reporter *const *reporters, size_t n_reporters)
{
	signal(SIGPIPE, SIG_IGN);
	struct engine e = { .cfg = cfg, .checks = checks };
	pthread_mutex_init(&e.mu, NULL);
	pthread_cond_init(&e.work_cv, NULL);
	pthread_cond_init(&e.done_cv, NULL);
	e.map_size = 8192;
	e.map = xcalloc(e.map_size, sizeof(*e.map));
	int status = 0;
	char *err = NULL;
	void **handles = xcalloc(n_reporters ? n_reporters : 1, sizeof(void *));
	size_t window = (size_t)cfg->concurrency * 4;
	if (window < 256)
		window = 256;
	struct slot *ring = xcalloc(window, sizeof(*ring));
	size_t head = 0, count = 0;
	pthread_t *threads = NULL;
	int n_threads = 0;

	/* The first input is opened before the reporters: its CSV header names the carried
	 * columns. */
	size_t next_input = 0;
	const char *first = cfg->n_inputs ? cfg->inputs[0] : "-";
	struct input *in = input_open(first, &err);
	if (!in) {
		fprintf(stderr, "domscan: %s\n", err);
		status = 1;
		goto out;
	}
	next_input = 1;
	const char *cur_name = first;
	struct input_row pre;
	int pre_rc = input_next(in, &pre, &err);
	if (pre_rc < 0) {
		fprintf(stderr, "domscan: %s\n", err);
		status = 1;
		goto out;
	}

	if (start_services(&e, &err) != 0) {
		fprintf(stderr, "domscan: %s\n", err ? err : "cannot start");
		status = 1;
		if (pre_rc == 1)
			input_row_clear(&pre);
		goto out;
	}

	struct report_meta meta = { .checks = checks,
				    .cfg = cfg,
				    .carry_columns = input_carry_columns(in) };
	long keep = cfg->resume ? resume_keep(cfg, reporters, n_reporters, &meta) : 0;
	if (keep < 0 ||
	    open_reporters(cfg, reporters, n_reporters, &meta, (size_t)keep, handles) != 0) {
		status = 1;
		if (pre_rc == 1)
			input_row_clear(&pre);
		goto out;
	}
	if (cfg->resume)
		fprintf(stderr, "domscan: --resume: %ld rows already in the report, continuing\n",
			keep);

	threads = xcalloc((size_t)cfg->concurrency, sizeof(*threads));
	for (int i = 0; i < cfg->concurrency; i++) {
		if (pthread_create(&threads[i], NULL, worker, &e) != 0)
			break;
		n_threads++;
	}
	if (n_threads == 0) {
		fprintf(stderr, "domscan: cannot start worker threads\n");
		status = 1;
		if (pre_rc == 1)
			input_row_clear(&pre);
		goto out;
	}

	struct progress prog;
	progress_init(&prog, cfg->progress);
	bool eof = pre_rc == 0 && next_input >= (cfg->n_inputs ? cfg->n_inputs : 1);
	bool have_pre = pre_rc == 1;
	size_t rows_written = 0, rows_read = 0;
	size_t owned = 0; /* rows of this shard read so far */
	bool write_failed = false;
	double last_trim = now_mono();
	while (!eof || count > 0) {
		/* fill the window */
		while (!eof && count < window) {
			struct input_row row;
			int rc;
			if (have_pre) {
				row = pre;
				have_pre = false;
				rc = 1;
			} else {
				rc = input_next(in, &row, &err);
			}
			if (rc < 0) {
				fprintf(stderr, "domscan: %s\n", err);
				free(err);
				err = NULL;
				status = 1;
				eof = true;
				break;
			}
			if (rc == 0) {
				input_close(in);
				in = NULL;
				if (next_input >= cfg->n_inputs) {
					eof = true;
					break;
				}
				cur_name = cfg->inputs[next_input++];
				in = input_open(cur_name, &err);
				if (!in) {
					fprintf(stderr, "domscan: %s\n", err);
					free(err);
					err = NULL;
					status = 1;
					eof = true;
					break;
				}
				continue;
			}
			row.index = rows_read++;
			if (!shard_owns(&row, cfg->shard_index, cfg->shard_count)) {
				input_row_clear(&row);
				continue;
			}
			if (owned < (size_t)keep) {
				/* --resume: already in the report; make sure it is this row */
				for (size_t i = 0; i < n_reporters && status == 0; i++) {
					if (!reporters[i]->resume_check)
						continue;
					if (reporters[i]->resume_check(handles[i], owned, &row,
								       &err) != 0) {
						fprintf(stderr, "domscan: --resume: %s\n", err);
						free(err);
						err = NULL;
						status = 1;
					}
				}
				owned++;
				input_row_clear(&row);
				if (status != 0) {
					eof = true;
					break;
				}
				continue;
			}
			owned++;
			struct slot *sl = &ring[(head + count) % window];
			sl->row = row;
			sl->job = NULL;
			if (row.error) {
				fprintf(stderr, "domscan: warning: %s:%zu: %s: %s\n", cur_name,
					row.line, row.input ? row.input : "", row.error);
			} else {
				sl->job = job_for(&e, &sl->row);
			}
			count++;
		}
		/* write the finished rows at the head, in input order */
		pthread_mutex_lock(&e.mu);
		while (count > 0) {
			struct slot *sl = &ring[head];
			struct job *hj = sl->job;
			if (hj && !hj->done && !hj->expired && hj->started && past_deadline(hj))
				expire_locked(&e, hj);
			if (hj && !hj->done && !hj->expired)
				break;
			if (hj && hj->waiting) {
				hj->waiting = false;
				e.done_unwritten--;
			}
			pthread_mutex_unlock(&e.mu);
			struct domain_result *wr =
				sl->job ? domain_result_thaw(sl->job->res) : NULL;
			for (size_t i = 0; i < n_reporters; i++)
				if (!write_failed &&
				    reporters[i]->row(handles[i], &sl->row, wr) != 0) {
					fprintf(stderr, "domscan: cannot write the %s report\n",
						reporters[i]->format);
					write_failed = true;
				}
			domain_result_unref(wr);
			input_row_clear(&sl->row);
			if (sl->job)
				job_unref(sl->job);
			sl->job = NULL;
			head = (head + 1) % window;
			count--;
			rows_written++;
			pthread_mutex_lock(&e.mu);
		}
		size_t done = e.jobs_done;
		e.input_done = eof;
		if (count > 0 && (eof || count >= window)) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&e.done_cv, &e.mu, &ts);
		}
		pthread_mutex_unlock(&e.mu);
		/* Give the pages free()d inside glibc's per-thread arenas back to the system now
		 * and then: with a few hundred worker threads the arenas keep tens of MiB of free
		 * but resident memory, and it grows over a long run (bench/RESULTS.md, 100k). */
		if (now_mono() - last_trim > TRIM_INTERVAL) {
			malloc_trim(0);
			last_trim = now_mono();
		}
		progress_update(&prog, rows_written, done,
				eof && owned > (size_t)keep ? owned - (size_t)keep : 0);
	}
	progress_finish(&prog, rows_written);
	if (status == 0 && owned < (size_t)keep) {
		fprintf(stderr,
			"domscan: --resume: the report holds %ld rows but this input has only %zu "
			"for it: not a report of this input\n",
			keep, owned);
		status = 1;
	}
	if (write_failed)
		status = 1;

out:
	pthread_mutex_lock(&e.mu);
	e.closing = true;
	pthread_cond_broadcast(&e.work_cv);
	pthread_mutex_unlock(&e.mu);
	for (int i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	for (size_t i = 0; i < n_reporters; i++) {
		if (!handles[i])
			continue;
		int rc = reporters[i]->close(handles[i]);
		if (rc == 3 && status == 0 && cfg->fail_on_regression)
			status = 3;
		else if (rc != 0 && rc != 3) {
			fprintf(stderr, "domscan: cannot finish the %s report\n",
				reporters[i]->format);
			status = 1;
		}
	}
	free(handles);
	for (size_t i = 0; i < count; i++) {
		struct slot *sl = &ring[(head + i) % window];
		input_row_clear(&sl->row);
		if (sl->job)
			job_unref(sl->job);
	}
	free(ring);
	while (e.lru_head)
		map_remove(&e, e.lru_head);
	free(e.map);
	if (in)
		input_close(in);
	if (e.dns && getenv("DOMSCAN_STATS")) {
		struct dns_stats st;
		dns_client_stats(e.dns, &st);
		fprintf(stderr,
			"domscan: dns queries %llu, cache hits %llu, sent %llu, retries %llu, tcp "
			"%llu, timeouts %llu, mismatched %llu, evictions %llu, cache entries %llu, "
			"cache bytes peak %llu, inflight peak %llu\n",
			(unsigned long long)st.queries, (unsigned long long)st.cache_hits,
			(unsigned long long)st.sent, (unsigned long long)st.retries,
			(unsigned long long)st.tcp, (unsigned long long)st.timeouts,
			(unsigned long long)st.mismatched, (unsigned long long)st.evictions,
			(unsigned long long)st.cache_entries,
			(unsigned long long)st.cache_bytes_peak,
			(unsigned long long)st.inflight_peak);
		if (e.smtp && smtp_prober_print_stats)
			smtp_prober_print_stats(e.smtp, stderr);
	}
	if (getenv("DOMSCAN_STATS"))
		fprintf(stderr,
			"domscan: engine %d workers, window %zu rows, workers idle for want of a "
			"job before the end of the input %.1f s in all, results frozen while "
			"waiting %zu\n",
			n_threads, window, e.worker_idle, e.frozen);
	if (e.validator && validator_print_stats && getenv("DOMSCAN_STATS"))
		validator_print_stats(e.validator, stderr);
	stop_services(&e);
	free(err);
	pthread_mutex_destroy(&e.mu);
	pthread_cond_destroy(&e.work_cv);
	pthread_cond_destroy(&e.done_cv);
	return status;
}
