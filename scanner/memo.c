/* Run-wide memo cache with in-flight coalescing; see memo.h. */
#include "scanner/memo.h"
#include "scanner/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct memo_entry {
	char *key;
	json_t *value; /* NULL while being computed */
	bool done;
	int waiters;
	struct memo_entry *hnext, *prev, *next; /* hash chain; LRU list (head = newest) */
};

struct memo {
	pthread_mutex_t mu;
	pthread_cond_t cond; /* broadcast when any entry completes */
	struct memo_entry **table;
	size_t size, n, max;
	struct memo_entry *head, *tail;
};

struct memo *memo_new(size_t max_entries)
{
	struct memo *m = xcalloc(1, sizeof(*m));
	m->max = max_entries ? max_entries : 65536;
	m->size = 1;
	while (m->size < m->max)
		m->size <<= 1;
	m->table = xcalloc(m->size, sizeof(*m->table));
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cond, NULL);
	return m;
}

static void entry_free(struct memo_entry *e)
{
	json_decref(e->value);
	free(e->key);
	free(e);
}

void memo_free(struct memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->size; i++) {
		struct memo_entry *e = m->table[i];
		while (e) {
			struct memo_entry *n = e->hnext;
			entry_free(e);
			e = n;
		}
	}
	free(m->table);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cond);
	free(m);
}

static struct memo_entry **slot(struct memo *m, const char *key)
{
	size_t h = 1469598103934665603ULL;
	for (const char *s = key; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	struct memo_entry **pp = &m->table[h & (m->size - 1)];
	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void unlink_lru(struct memo *m, struct memo_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else if (m->head == e)
		m->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else if (m->tail == e)
		m->tail = e->prev;
	e->prev = e->next = NULL;
}

static void push_lru(struct memo *m, struct memo_entry *e)
{
	e->prev = NULL;
	e->next = m->head;
	if (m->head)
		m->head->prev = e;
	else
		m->tail = e;
	m->head = e;
}

static void evict(struct memo *m)
{
	struct memo_entry *e = m->tail;
	while (m->n > m->max && e) {
		struct memo_entry *prev = e->prev;
		if (e->done && e->waiters == 0) {
			struct memo_entry **pp = slot(m, e->key);
			*pp = e->hnext;
			unlink_lru(m, e);
			m->n--;
			entry_free(e);
		}
		e = prev;
	}
}

json_t *memo_get(struct memo *m, const char *key, json_t *(*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&m->mu);
	struct memo_entry **pp = slot(m, key);
	struct memo_entry *e = *pp;
	if (e) {
		e->waiters++;
		while (!e->done)
			pthread_cond_wait(&m->cond, &m->mu);
		json_t *v = json_incref(e->value);
		e->waiters--;
		unlink_lru(m, e);
		push_lru(m, e);
		pthread_mutex_unlock(&m->mu);
		return v;
	}
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->waiters = 1;
	*pp = e;
	m->n++;
	pthread_mutex_unlock(&m->mu);

	json_t *v = fn(arg);
	if (!v)
		v = json_null();

	pthread_mutex_lock(&m->mu);
	e->value = v;
	e->done = true;
	e->waiters--;
	push_lru(m, e);
	pthread_cond_broadcast(&m->cond);
	json_t *ret = json_incref(v);
	evict(m);
	pthread_mutex_unlock(&m->mu);
	return ret;
}
