/* Run configuration defaults and cleanup; see config.h. */
#include "scanner/config.h"
#include "scanner/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->concurrency = 128;
	c->timeout = 5;
	c->domain_timeout = -1; /* cli_parse derives it from timeout */
	c->attempts = 2;
	c->dns_inflight = 256;
	c->dns_cache_mb = 16;
	c->smtp_interval_ms = 25;
	c->smtp_connections = 400;
	c->progress = -1;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_free(struct config *c)
{
	free_strv(c->inputs, c->n_inputs);
	free_strv(c->merge_inputs, c->n_merge_inputs);
	for (size_t i = 0; i < c->n_outputs; i++) {
		free(c->outputs[i].format);
		free(c->outputs[i].path);
	}
	free(c->outputs);
	free(c->resolvers);
	free(c->trust_anchor);
	free(c->ca_file);
	free(c->selectors_spec);
	free_strv(c->selectors, c->n_selectors);
	free(c->profile);
	free(c->baseline);
	free(c->psl_file);
	free(c->data_dir);
	free(c->ehlo);
	free(c->lang);
	free(c->ip);
	free(c->mailfrom);
	free(c->helo);
	memset(c, 0, sizeof(*c));
}

char *config_data_path(const struct config *c, const char *name)
{
	return xasprintf("%s/%s", c->data_dir ? c->data_dir : ".", name);
}
