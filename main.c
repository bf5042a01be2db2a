/*
 * domscan: audits domain portfolios for mail and DNS security.
 * main() parses the command line, hands the check table (checks/registry.c) and the chosen
 * reporters (reports/registry.c) to the engine, and runs the one-off commands.
 */
#include "checks/registry.h"
#include "checks/spf.h"
#include "reports/merge.h"
#include "reports/registry.h"
#include "scanner/cli.h"
#include "scanner/engine.h"
#include "scanner/util.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct config cfg;
	enum command cmd;
	const char *topic = NULL;
	char *err = NULL;
	if (cli_parse(argc, argv, &cmd, &cfg, &topic, &err) != 0) {
		fprintf(stderr, "domscan: %s\n", err);
		free(err);
		config_free(&cfg);
		return 1;
	}
	int status = 0;
	switch (cmd) {
	case CMD_VERSION:
		printf("domscan %s\n", DOMSCAN_VERSION);
		break;
	case CMD_HELP:
		cli_help(stdout, topic);
		break;
	case CMD_MERGE:
		if (cli_finish(cmd, &cfg, &err) != 0) {
			fprintf(stderr, "domscan: %s\n", err);
			free(err);
			status = 1;
			break;
		}
		status = merge_run(&cfg, checks_table());
		break;
	case CMD_CHECK_HOST:
	case CMD_SCAN:
		if (cli_finish(cmd, &cfg, &err) != 0) {
			fprintf(stderr, "domscan: %s\n", err);
			free(err);
			status = 1;
			break;
		}
		/* Libraries with global state are initialised before any thread starts. */
		OPENSSL_init_ssl(0, NULL);
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if (cmd == CMD_CHECK_HOST) {
			status = spf_check_host_main(&cfg);
		} else {
			const struct reporter **reps =
				xcalloc(cfg.n_outputs ? cfg.n_outputs : 1, sizeof(*reps));
			for (size_t i = 0; i < cfg.n_outputs && status == 0; i++) {
				reps[i] = reporter_find(cfg.outputs[i].format);
				if (!reps[i]) {
					fprintf(stderr, "domscan: no %s reporter in this build\n",
						cfg.outputs[i].format);
					status = 1;
				}
			}
			if (status == 0)
				status = engine_run(&cfg, checks_table(),
						    (const struct reporter *const *)reps,
						    cfg.n_outputs);
			free(reps);
		}
		curl_global_cleanup();
		break;
	}
	config_free(&cfg);
	return status;
}
