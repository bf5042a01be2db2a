/*
 * The SPF check (checks/spf.c) and the `domscan check-host` command.
 * Ownership: nothing is returned; the command creates and frees its own DNS client.
 */
#pragma once

#include "scanner/config.h"

/**
 * `domscan check-host`: RFC 7208 check_host() for cfg->ip, cfg->mailfrom and cfg->helo through
 * cfg->resolvers (cfg->timeout, cfg->attempts). Prints the result word on the first line and,
 * for a fail with an exp= explanation, the explanation on the second. Returns the exit status
 * (0 whatever the result; 1 for unusable arguments or no resolver).
 */
int spf_check_host_main(const struct config *cfg);
