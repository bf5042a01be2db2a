/*
 * The one table of checks, in run order: a check may read the results of those before it
 * (dkim reads dmarc and spf for the non-sending-domain rule; dane reads starttls).
 * Checks are referenced weakly so that the table builds while checks land one by one; the
 * checks library is linked whole, so every check that exists is present.
 */
#include "checks/registry.h"

#define CHECKS(X) \
	X(mx) \
	X(dnssec) \
	X(spf) \
	X(dmarc) \
	X(dkim) \
	X(caa) \
	X(starttls) \
	X(dane) \
	X(mta_sts) \
	X(tlsrpt) \
	X(ipv6)

#define DECLARE(name) extern const struct check check_##name __attribute__((weak));
CHECKS(DECLARE)
#undef DECLARE

#define ENTRY(name) &check_##name,
static const struct check *const all[] = { CHECKS(ENTRY) };
#undef ENTRY

/* Built once at start-up from the checks present; read-only afterwards. */
static const struct check *present[sizeof(all) / sizeof(all[0])];
/*
 * The apex queries the checks need, fetched concurrently per domain before the checks run:
 * a slow or dead resolver then costs one timeout per domain, not one per check.
 */
static const struct prefetch prefetch[] = {
	{ "", LDNS_RR_TYPE_MX },
	{ "", LDNS_RR_TYPE_TXT },
	{ "", LDNS_RR_TYPE_SOA },
	{ "", LDNS_RR_TYPE_NS },
	{ "", LDNS_RR_TYPE_CAA },
	{ "_dmarc.", LDNS_RR_TYPE_TXT },
	{ "_domainkey.", LDNS_RR_TYPE_TXT },
	{ "_mta-sts.", LDNS_RR_TYPE_TXT },
	{ "_smtp._tls.", LDNS_RR_TYPE_TXT },
};

static struct check_table the_table = { present, 0, prefetch,
					sizeof(prefetch) / sizeof(prefetch[0]) };

const struct check_table *checks_table(void)
{
	if (the_table.n == 0)
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (all[i])
				present[the_table.n++] = all[i];
	return &the_table;
}
