/*
 * Command-line parsing into a struct config (contract: ../shared/spec/cli.md).
 * cli_parse() fills a config the caller owns (config_free()).
 */
#pragma once

#include "scanner/config.h"
#include <stdio.h>

enum command {
	CMD_SCAN,
	CMD_CHECK_HOST,
	CMD_VERSION,
	CMD_HELP,
	CMD_MERGE,
};

/**
 * Parse argv. Returns 0 and sets *cmd on success; -1 with *err (malloc'd, one line) on
 * unusable arguments. For CMD_HELP, *help_topic is the command asked about (or NULL).
 */
int cli_parse(int argc, char **argv, enum command *cmd, struct config *cfg, const char **help_topic,
	      char **err);
/** Print help for `topic` (NULL, "scan", "check-host", "merge"). */
void cli_help(FILE *out, const char *topic);
/** Resolve defaults that need the environment (resolvers, anchor, selectors, data dir). */
int cli_finish(enum command cmd, struct config *cfg, char **err);
