/* Command-line parsing; see cli.h and ../shared/spec/cli.md. */
#include "scanner/cli.h"
#include "scanner/shard.h"
#include "scanner/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_CSV = 256,
	OPT_HTML,
	OPT_JSON,
	OPT_RESOLVER,
	OPT_ANCHOR,
	OPT_CAFILE,
	OPT_SELECTORS,
	OPT_PROFILE,
	OPT_CONCURRENCY,
	OPT_TIMEOUT,
	OPT_DOMAIN_TIMEOUT,
	OPT_EHLO,
	OPT_NOSMTP,
	OPT_BASELINE,
	OPT_FAILREG,
	OPT_QUIET,
	OPT_PROGRESS,
	OPT_QPS,
	OPT_ATTEMPTS,
	OPT_DNS_INFLIGHT,
	OPT_DNS_CACHE,
	OPT_SMTP_INTERVAL,
	OPT_SMTP_CONNS,
	OPT_PSL,
	OPT_DATADIR,
	OPT_LANG,
	OPT_IP,
	OPT_MAILFROM,
	OPT_HELO,
	OPT_HELP,
	OPT_VERSION,
	OPT_SHARD,
	OPT_RESUME,
	OPT_INPUT,
};

static const struct option scan_opts[] = {
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "resolver", required_argument, NULL, OPT_RESOLVER },
	{ "trust-anchor", required_argument, NULL, OPT_ANCHOR },
	{ "ca-file", required_argument, NULL, OPT_CAFILE },
	{ "selectors", required_argument, NULL, OPT_SELECTORS },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "domain-timeout", required_argument, NULL, OPT_DOMAIN_TIMEOUT },
	{ "ehlo", required_argument, NULL, OPT_EHLO },
	{ "no-smtp", no_argument, NULL, OPT_NOSMTP },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "fail-on-regression", no_argument, NULL, OPT_FAILREG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "qps", required_argument, NULL, OPT_QPS },
	{ "attempts", required_argument, NULL, OPT_ATTEMPTS },
	{ "dns-inflight", required_argument, NULL, OPT_DNS_INFLIGHT },
	{ "dns-cache-mb", required_argument, NULL, OPT_DNS_CACHE },
	{ "smtp-interval", required_argument, NULL, OPT_SMTP_INTERVAL },
	{ "smtp-connections", required_argument, NULL, OPT_SMTP_CONNS },
	{ "psl-file", required_argument, NULL, OPT_PSL },
	{ "data-dir", required_argument, NULL, OPT_DATADIR },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "mailfrom", required_argument, NULL, OPT_MAILFROM },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ NULL, 0, NULL, 0 },
};

static const char scan_help[] =
	"Usage: domscan scan [OPTIONS] [INPUT ...]\n"
	"\n"
	"Scan the domains listed in INPUT (files; '-' or none = standard input) and report\n"
	"DNSSEC, SPF, DKIM, DMARC, CAA, STARTTLS, DANE, MTA-STS, TLS-RPT and IPv6 per domain with\n"
	"an Internet.nl-style score. Input: one domain per line ('#' comments, blank lines\n"
	"skipped), or CSV with a header row that has a 'domain' column (other columns are carried\n"
	"through; a 'dkim_selectors' column adds selectors for that row).\n"
	"\n"
	"Output:\n"
	"  --csv FILE            CSV report ('-' = stdout)\n"
	"  --json FILE           JSON Lines report, one object per input row ('-' = stdout)\n"
	"  --html FILE           self-contained HTML report\n"
	"  --baseline FILE       an earlier CSV report: report what changed per domain\n"
	"  --fail-on-regression  with --baseline: exit 3 when any domain got worse\n"
	"  --lang nl|en          language of the HTML report and of the advice text in JSON\n"
	"                        (default from LANG, else en; CSV and JSON stay English)\n"
	"\n"
	"Large runs (docs/sharding.md):\n"
	"  --shard I/N           scan only part I of N of the input (split by a hash of the\n"
	"                        domain; join the parts with 'domscan merge')\n"
	"  --resume              continue the report files of an interrupted run of the same\n"
	"                        command instead of starting over (--html needs --json too)\n"
	"\n"
	"Network:\n"
	"  --resolver ADDR       recursive resolver, IP or IP@PORT (IPv6: ::1 or ::1@5353);\n"
	"                        repeatable (default: nameserver lines of /etc/resolv.conf)\n"
	"  --timeout SECONDS     per network exchange (default 5)\n"
	"  --domain-timeout SECONDS\n"
	"                        deadline per domain: checks still running then report\n"
	"                        error 'deadline exceeded' (default 12 x --timeout; 0 = none)\n"
	"  --attempts N          DNS tries per query, rotating over resolvers (default 2)\n"
	"  --qps N               cap on DNS queries per second (default: none)\n"
	"  --dns-inflight N      DNS queries outstanding per resolver at most (default 256)\n"
	"  --dns-cache-mb N      bound on the DNS cache's memory, MiB (default 16)\n"
	"  --smtp-interval MS    minimum gap between two connections to one MX address\n"
	"                        (default 25; one connection per address at a time)\n"
	"  --smtp-connections N  connections to one MX address per run at most (default 400)\n"
	"  --concurrency N       domains in flight (default 128)\n"
	"  --ehlo NAME           name sent in SMTP EHLO (default: this host's name)\n"
	"  --no-smtp             DNS-only scan: STARTTLS, DANE and MX reachability not_tested\n"
	"\n"
	"Checks:\n"
	"  --trust-anchor FILE   DNSSEC trust anchors, DS and/or DNSKEY records (default:\n"
	"                        /usr/share/dns/root.ds, else data/root-anchors.txt)\n"
	"  --ca-file FILE        PEM CA certificates for SMTP and HTTPS (default: system store)\n"
	"  --selectors LIST      DKIM selectors, comma-separated, or @FILE (default:\n"
	"                        data/dkim-selectors.txt)\n"
	"  --profile FILE        platform compliance profile (see docs/profile.md)\n"
	"  --psl-file FILE       Public Suffix List file (default: the system's libpsl data)\n"
	"  --data-dir DIR        where domscan's data/ files are (default: built-in path)\n"
	"\n"
	"Display:\n"
	"  --progress / --quiet  progress on stderr (default: only when stderr is a terminal)\n"
	"\n"
	"Exit status: 0 when every row was written, 1 on a fatal error, 3 when\n"
	"--fail-on-regression finds a regression.\n";

static const char check_host_help[] =
	"Usage: domscan check-host --ip IP --mailfrom ADDRESS [--helo NAME] [--resolver ADDR]\n"
	"                          [--timeout SECONDS]\n"
	"\n"
	"Evaluate RFC 7208 check_host() for one connection and print the result word\n"
	"(pass fail softfail neutral none permerror temperror) on the first line and, where\n"
	"one applies, the explanation on the second. An empty --mailfrom is the null\n"
	"reverse-path: the HELO identity is checked. Exit status 0 whatever the result.\n";

static const struct option merge_opts[] = {
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "data-dir", required_argument, NULL, OPT_DATADIR },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char merge_help[] =
	"Usage: domscan merge [--csv FILE] [--json FILE] [--html FILE] PART ...\n"
	"\n"
	"Join the reports of the shards of one scan (domscan scan --shard I/N) into one report\n"
	"in input order, as one unsharded scan would have written it. PARTs are the shards' CSV\n"
	"and/or JSON Lines reports (recognised by their content). --csv is made from the CSV\n"
	"parts (or, without any, from the JSON Lines parts); --json and --html need the JSON\n"
	"Lines parts. Parts that do not fit together (a part missing, overlapping or\n"
	"unfinished, different columns) are refused and nothing is written.\n"
	"\n"
	"  --csv FILE    merged CSV report ('-' = stdout)\n"
	"  --json FILE   merged JSON Lines report ('-' = stdout)\n"
	"  --html FILE   merged HTML report\n"
	"  --lang nl|en  language of the HTML report and of the advice text in JSON\n"
	"  --input FILE  the scan's INPUT (repeat for several, in order): check that the parts\n"
	"                hold exactly its rows, including the last ones\n"
	"\n"
	"Exit status: 0 when the merged reports were written, 1 otherwise.\n";

static const char main_help[] =
	"Usage: domscan COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  scan        scan a list of domains (domscan help scan)\n"
	"  check-host  evaluate SPF for one connection (domscan help check-host)\n"
	"  merge       join the reports of the shards of a scan (domscan help merge)\n"
	"  version     print the version\n"
	"  help        this help, or help for a command\n";

void cli_help(FILE *out, const char *topic)
{
	if (topic && strcmp(topic, "scan") == 0)
		fputs(scan_help, out);
	else if (topic && strcmp(topic, "check-host") == 0)
		fputs(check_host_help, out);
	else if (topic && strcmp(topic, "merge") == 0)
		fputs(merge_help, out);
	else
		fputs(main_help, out);
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void add_output(struct config *c, const char *fmt, const char *path)
{
	c->outputs = xrealloc(c->outputs, (c->n_outputs + 1) * sizeof(*c->outputs));
	c->outputs[c->n_outputs].format = xstrdup(fmt);
	c->outputs[c->n_outputs].path = xstrdup(path);
	c->n_outputs++;
}

static void add_selector(struct config *c, const char *s)
{
	char *t = str_lower(s);
	char *tt = str_trim(t);
	if (*tt && *tt != '#') {
		for (size_t i = 0; i < c->n_selectors; i++)
			if (strcmp(c->selectors[i], tt) == 0) {
				free(t);
				return;
			}
		c->selectors = xrealloc(c->selectors, (c->n_selectors + 1) * sizeof(char *));
		c->selectors[c->n_selectors++] = xstrdup(tt);
	}
	free(t);
}

static int load_selector_file(struct config *c, const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*err = xasprintf("cannot read selector file %s: %s", path, strerror(errno));
		return -1;
	}
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		add_selector(c, line);
	}
	fclose(f);
	return 0;
}

int cli_parse(int argc, char **argv, enum command *cmd, struct config *c, const char **help_topic,
	      char **err)
{
	*err = NULL;
	*help_topic = NULL;
	config_defaults(c);
	if (argc < 2) {
		*cmd = CMD_HELP;
		return 0;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "--version") == 0 || strcmp(verb, "version") == 0 ||
	    strcmp(verb, "-V") == 0) {
		*cmd = CMD_VERSION;
		return 0;
	}
	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
		*cmd = CMD_HELP;
		*help_topic = argc > 2 ? argv[2] : NULL;
		return 0;
	}
	if (strcmp(verb, "scan") == 0) {
		*cmd = CMD_SCAN;
	} else if (strcmp(verb, "check-host") == 0) {
		*cmd = CMD_CHECK_HOST;
	} else if (strcmp(verb, "merge") == 0) {
		*cmd = CMD_MERGE;
	} else {
		*err = xasprintf("unknown command '%s' (try 'domscan help')", verb);
		return -1;
	}
	optind = 2;
	opterr = 0;
	int o;
	const struct option *opts = *cmd == CMD_MERGE ? merge_opts : scan_opts;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		struct dns_server srv;
		double d;
		switch (o) {
		case OPT_CSV:
			add_output(c, "csv", optarg);
			break;
		case OPT_HTML:
			add_output(c, "html", optarg);
			break;
		case OPT_JSON:
			add_output(c, "json", optarg);
			break;
		case OPT_RESOLVER:
			if (dns_server_parse(optarg, &srv) != 0) {
				*err = xasprintf("--resolver: '%s' is not IP or IP@PORT", optarg);
				return -1;
			}
			c->resolvers = xrealloc(c->resolvers,
						(c->n_resolvers + 1) * sizeof(*c->resolvers));
			c->resolvers[c->n_resolvers++] = srv;
			break;
		case OPT_ANCHOR:
			free(c->trust_anchor);
			c->trust_anchor = xstrdup(optarg);
			break;
		case OPT_CAFILE:
			free(c->ca_file);
			c->ca_file = xstrdup(optarg);
			break;
		case OPT_SELECTORS:
			free(c->selectors_spec);
			c->selectors_spec = xstrdup(optarg);
			break;
		case OPT_PROFILE:
			free(c->profile);
			c->profile = xstrdup(optarg);
			break;
		case OPT_CONCURRENCY:
			if (parse_double(optarg, 1, 10000, &d) != 0 || d != (int)d) {
				*err = xasprintf(
					"--concurrency: '%s' is not a number from 1 to 10000",
					optarg);
				return -1;
			}
			c->concurrency = (int)d;
			break;
		case OPT_TIMEOUT:
			if (parse_double(optarg, 0.05, 600, &c->timeout) != 0) {
				*err = xasprintf(
					"--timeout: '%s' is not a number of seconds (0.05-600)",
					optarg);
				return -1;
			}
			break;
		case OPT_DOMAIN_TIMEOUT:
			if (parse_double(optarg, 0, 86400, &c->domain_timeout) != 0) {
				*err = xasprintf(
					"--domain-timeout: '%s' is not a number of seconds "
					"(0-86400, 0 = none)",
					optarg);
				return -1;
			}
			break;
		case OPT_ATTEMPTS:
			if (parse_double(optarg, 1, 10, &d) != 0 || d != (int)d) {
				*err = xasprintf("--attempts: '%s' is not a number from 1 to 10",
						 optarg);
				return -1;
			}
			c->attempts = (int)d;
			break;
		case OPT_QPS:
			if (parse_double(optarg, 0, 1e7, &c->qps) != 0) {
				*err = xasprintf("--qps: '%s' is not a number", optarg);
				return -1;
			}
			break;
		case OPT_DNS_INFLIGHT:
			if (parse_double(optarg, 1, 65536, &d) != 0 || d != (int)d) {
				*err = xasprintf(
					"--dns-inflight: '%s' is not a number from 1 to 65536",
					optarg);
				return -1;
			}
			c->dns_inflight = (int)d;
			break;
		case OPT_DNS_CACHE:
			if (parse_double(optarg, 1, 65536, &c->dns_cache_mb) != 0) {
				*err = xasprintf(
					"--dns-cache-mb: '%s' is not a number from 1 to 65536",
					optarg);
				return -1;
			}
			break;
		case OPT_SMTP_INTERVAL:
			if (parse_double(optarg, 0, 60000, &c->smtp_interval_ms) != 0) {
				*err = xasprintf(
					"--smtp-interval: '%s' is not a number of milliseconds (0-60000)",
					optarg);
				return -1;
			}
			break;
		case OPT_SMTP_CONNS:
			if (parse_double(optarg, 1, 100000, &d) != 0 || d != (int)d) {
				*err = xasprintf(
					"--smtp-connections: '%s' is not a number from 1 to 100000",
					optarg);
				return -1;
			}
			c->smtp_connections = (int)d;
			break;
		case OPT_EHLO:
			free(c->ehlo);
			c->ehlo = xstrdup(optarg);
			break;
		case OPT_NOSMTP:
			c->no_smtp = true;
			break;
		case OPT_BASELINE:
			free(c->baseline);
			c->baseline = xstrdup(optarg);
			break;
		case OPT_FAILREG:
			c->fail_on_regression = true;
			break;
		case OPT_QUIET:
			c->progress = 0;
			break;
		case OPT_PROGRESS:
			c->progress = 1;
			break;
		case OPT_PSL:
			free(c->psl_file);
			c->psl_file = xstrdup(optarg);
			break;
		case OPT_DATADIR:
			free(c->data_dir);
			c->data_dir = xstrdup(optarg);
			break;
		case OPT_LANG:
			if (strcmp(optarg, "nl") != 0 && strcmp(optarg, "en") != 0) {
				*err = xasprintf("--lang: '%s' is not nl or en", optarg);
				return -1;
			}
			free(c->lang);
			c->lang = xstrdup(optarg);
			break;
		case OPT_IP:
			free(c->ip);
			c->ip = xstrdup(optarg);
			break;
		case OPT_MAILFROM:
			free(c->mailfrom);
			c->mailfrom = xstrdup(optarg);
			break;
		case OPT_HELO:
			free(c->helo);
			c->helo = xstrdup(optarg);
			break;
		case OPT_HELP:
		case 'h':
			*help_topic = verb;
			*cmd = CMD_HELP;
			return 0;
		case OPT_VERSION:
			*cmd = CMD_VERSION;
			return 0;
		case OPT_SHARD:
			if (shard_parse(optarg, &c->shard_index, &c->shard_count) != 0) {
				*err = xasprintf("--shard: '%s' is not I/N with 1 <= I <= N <= %d",
						 optarg, SHARD_MAX);
				return -1;
			}
			break;
		case OPT_RESUME:
			c->resume = true;
			break;
		case OPT_INPUT:
			c->merge_inputs =
				xrealloc(c->merge_inputs, (c->n_merge_inputs + 1) * sizeof(char *));
			c->merge_inputs[c->n_merge_inputs++] = xstrdup(optarg);
			break;
		case ':':
			*err = xasprintf("option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			*err = xasprintf("unknown option '%s' (try 'domscan help %s')",
					 argv[optind - 1], verb);
			return -1;
		}
	}
	for (int i = optind; i < argc; i++) {
		c->inputs = xrealloc(c->inputs, (c->n_inputs + 1) * sizeof(char *));
		c->inputs[c->n_inputs++] = xstrdup(argv[i]);
	}
	if (*cmd == CMD_CHECK_HOST) {
		if (!c->ip || !c->mailfrom) {
			*err = xstrdup("check-host needs --ip and --mailfrom");
			return -1;
		}
		if (c->n_inputs) {
			*err = xasprintf("check-host takes no arguments ('%s')", c->inputs[0]);
			return -1;
		}
	}
	if (*cmd == CMD_MERGE && !c->n_inputs) {
		*err = xstrdup("merge needs the parts to join (try 'domscan help merge')");
		return -1;
	}
	if (c->domain_timeout < 0)
		c->domain_timeout = 12 * c->timeout;
	if (c->fail_on_regression && !c->baseline) {
		*err = xstrdup("--fail-on-regression needs --baseline");
		return -1;
	}
	return 0;
}

static bool is_readable_file(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *default_lang(void)
{
	const char *l = getenv("LC_ALL");
	if (!l || !*l)
		l = getenv("LANG");
	return xstrdup(l && strncmp(l, "nl", 2) == 0 ? "nl" : "en");
}

int cli_finish(enum command cmd, struct config *c, char **err)
{
	*err = NULL;
	if (!c->data_dir) {
		const char *env = getenv("DOMSCAN_DATADIR");
		if (env && *env)
			c->data_dir = xstrdup(env);
		else if (is_dir(DOMSCAN_SRC_DATADIR))
			c->data_dir = xstrdup(DOMSCAN_SRC_DATADIR);
		else
			c->data_dir = xstrdup(DOMSCAN_DATADIR);
	}
	if (cmd == CMD_MERGE) {
		if (!c->lang)
			c->lang = default_lang();
		return 0;
	}
	if (!c->n_resolvers) {
		struct dns_server s[8];
		size_t n = dns_servers_from_resolv_conf("/etc/resolv.conf", s, 8);
		if (!n) {
			*err = xstrdup(
				"no usable resolver: give --resolver or a nameserver line in "
				"/etc/resolv.conf");
			return -1;
		}
		c->resolvers = xcalloc(n, sizeof(*c->resolvers));
		memcpy(c->resolvers, s, n * sizeof(*s));
		c->n_resolvers = n;
	}
	if (cmd != CMD_SCAN)
		return 0;
	if (!c->trust_anchor) {
		if (is_readable_file("/usr/share/dns/root.ds"))
			c->trust_anchor = xstrdup("/usr/share/dns/root.ds");
		else
			c->trust_anchor = config_data_path(c, "root-anchors.txt");
	}
	if (!is_readable_file(c->trust_anchor)) {
		*err = xasprintf("cannot read the trust anchor file %s", c->trust_anchor);
		return -1;
	}
	if (c->ca_file && !is_readable_file(c->ca_file)) {
		*err = xasprintf("cannot read the CA file %s", c->ca_file);
		return -1;
	}
	if (c->baseline && !is_readable_file(c->baseline)) {
		*err = xasprintf("cannot read the baseline %s", c->baseline);
		return -1;
	}
	if (c->profile && !is_readable_file(c->profile)) {
		*err = xasprintf("cannot read the profile %s", c->profile);
		return -1;
	}
	const char *sel = c->selectors_spec;
	if (sel && sel[0] == '@') {
		if (load_selector_file(c, sel + 1, err) != 0)
			return -1;
	} else if (sel) {
		/* a list item "@FILE" adds that file's selectors (README: whs1,whs2,@extra.txt) */
		char *copy = xstrdup(sel), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (t[0] == '@') {
				if (load_selector_file(c, t + 1, err) != 0) {
					free(copy);
					return -1;
				}
			} else {
				add_selector(c, t);
			}
		}
		free(copy);
	} else {
		char *p = config_data_path(c, "dkim-selectors.txt");
		if (is_readable_file(p) && load_selector_file(c, p, err) != 0) {
			free(p);
			return -1;
		}
		free(p);
	}
	if (!c->ehlo) {
		char host[256] = "localhost";
		if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
			strcpy(host, "localhost");
		host[sizeof(host) - 1] = '\0';
		c->ehlo = xstrdup(host);
	}
	if (!c->lang)
		c->lang = default_lang();
	if (c->resume) {
		bool json_file = false, html = false;
		for (size_t i = 0; i < c->n_outputs; i++) {
			if (strcmp(c->outputs[i].path, "-") == 0) {
				*err = xstrdup(
					"--resume continues report files: not standard output");
				return -1;
			}
			json_file |= strcmp(c->outputs[i].format, "json") == 0;
			html |= strcmp(c->outputs[i].format, "html") == 0;
		}
		if (!c->n_outputs) {
			*err = xstrdup("--resume needs a report file (--csv or --json)");
			return -1;
		}
		if (html && !json_file) {
			*err = xstrdup(
				"--resume with --html needs --json FILE too: the HTML report is "
				"rebuilt from the JSON Lines rows already scanned");
			return -1;
		}
	}
	for (size_t i = 0; i < c->n_outputs; i++) {
		const char *p = c->outputs[i].path;
		for (size_t j = i + 1; j < c->n_outputs; j++)
			if (strcmp(p, "-") == 0 && strcmp(c->outputs[j].path, "-") == 0) {
				*err = xstrdup("only one report can go to standard output");
				return -1;
			}
	}
	return 0;
}
