/* Advice texts of the HTML report: see advice.h. Plain text; the HTML writer escapes it. */
#include "reports/advice.h"
#include "scanner/util.h"

#include <string.h>

static const char *column(const struct domain_result *res, const char *name)
{
	const char *s = json_string_value(json_object_get(res->columns, name));
	return s ? s : "";
}

char *advice_for(const char *check, enum verdict v, const struct domain_result *res)
{
	const char *d = res->domain;
	if (v == VERDICT_PASS || v == VERDICT_NOT_TESTED)
		return NULL;
	if (v == VERDICT_ERROR)
		return xasprintf(
			"This could not be found out (a time-out or a server failure). Scan "
			"again; if it persists, check that the name servers of %s (and of "
			"its mail servers) answer for every name they are responsible for.",
			d);
	if (strcmp(check, "dnssec") == 0) {
		if (strcmp(column(res, "dnssec_status"), "bogus") == 0)
			return xasprintf(
				"The DNSSEC chain of %s is broken (bogus): validating "
				"resolvers cannot resolve it. Re-sign the zone (expired "
				"signatures?) and make the DS record at the registrar match "
				"the zone's current key.",
				d);
		if (v == VERDICT_WARNING)
			return xstrdup("Move the zone to a current algorithm (ECDSA P-256, "
				       "algorithm 13) and NSEC3 with 0 iterations and no salt.");
		return xasprintf(
			"Sign the zone %s with DNSSEC (ask your DNS host to enable it) and "
			"publish the DS record at the registrar.",
			d);
	}
	if (strcmp(check, "spf") == 0) {
		if (v == VERDICT_WARNING)
			return xstrdup("Replace the ptr mechanism in the SPF record by ip4:/ip6: "
				       "ranges or a:/mx terms (RFC 7208 deprecates ptr).");
		return xasprintf(
			"Publish exactly one SPF record for %s that lists every service "
			"sending its mail and ends in -all, e.g. \"v=spf1 mx -all\" (for a "
			"domain that sends no mail: \"v=spf1 -all\"); stay within 10 DNS "
			"lookups.",
			d);
	}
	if (strcmp(check, "dkim") == 0) {
		if (v == VERDICT_WARNING)
			return xstrdup(
				"Replace weak DKIM keys by RSA 2048-bit or Ed25519 keys, drop "
				"t=y (testing) and h=sha1.");
		if (v == VERDICT_INFO)
			return xasprintf(
				"DKIM keys exist under selectors domscan does not know: "
				"add them with --selectors or the dkim_selectors column to "
				"check them.");
		return xasprintf("Enable DKIM signing at your mail provider and publish its public "
				 "key at <selector>._domainkey.%s (RSA 2048-bit or Ed25519). A "
				 "domain that sends no mail needs \"v=spf1 -all\" and DMARC "
				 "p=reject instead.",
				 d);
	}
	if (strcmp(check, "dmarc") == 0) {
		if (v == VERDICT_WARNING)
			return xasprintf("Set pct=100, and make every external report address "
					 "authorise %s with a TXT record \"v=DMARC1;\" at "
					 "%s._report._dmarc.<report domain>.",
					 d, d);
		return xasprintf("Publish a DMARC record: _dmarc.%s TXT \"v=DMARC1; p=quarantine; "
				 "rua=mailto:dmarc@%s\"; move to p=reject once the reports show "
				 "only legitimate mail.",
				 d, d);
	}
	if (strcmp(check, "caa") == 0)
		return xasprintf(
			"Publish CAA records naming the certificate authority you use, "
			"e.g. %s. CAA 0 issue \"letsencrypt.org\" (one issue record per CA) "
			"and %s. CAA 0 iodef \"mailto:security@%s\".",
			d, d, d);
	if (strcmp(check, "starttls") == 0) {
		if (v == VERDICT_WARNING)
			return xstrdup("Phase out the items marked warning on the mail servers "
				       "(e.g. an RSA 2048-bit certificate key: use RSA 3072 or "
				       "ECDSA P-256; ffdhe groups: prefer ECDHE).");
		if (v == VERDICT_INFO)
			return xstrdup(
				"Use a certificate from a trusted CA that matches the MX host "
				"name and has not expired.");
		return xstrdup("Offer STARTTLS on every mail server with TLS 1.2 and 1.3 only, "
			       "NCSC 'good' or 'sufficient' cipher suites with ECDHE, secure "
			       "renegotiation, Extended Master Secret and a certificate key of RSA "
			       "3072+ bits or ECDSA; see the failed subtests below.");
	}
	if (strcmp(check, "dane") == 0)
		return xstrdup(
			"Sign the zones of the MX hosts with DNSSEC and publish for each MX a "
			"TLSA record _25._tcp.<mx host> TLSA 3 1 1 <SHA-256 of the "
			"certificate's public key>, plus a second record for the next key so "
			"that keys can roll over.");
	if (strcmp(check, "ipv6") == 0)
		return xasprintf("Give at least two name servers of %s and every MX host an AAAA "
				 "record, and make them reachable over IPv6 (port 53 and port 25).",
				 d);
	if (strcmp(check, "mta_sts") == 0) {
		if (v == VERDICT_INFO)
			return xasprintf(
				"Optional where DANE is used: publish MTA-STS, TXT "
				"_mta-sts.%s \"v=STSv1; id=<date>\" and a policy at "
				"https://mta-sts.%s/.well-known/mta-sts.txt (mode: enforce).",
				d, d);
		return xasprintf("Fix the MTA-STS policy at https://mta-sts.%s/.well-known/"
				 "mta-sts.txt: a valid certificate, version: STSv1, mode: enforce, "
				 "an mx line for every MX host and max_age of at least 86400.",
				 d);
	}
	if (strcmp(check, "tlsrpt") == 0)
		return xasprintf("Publish one TLS reporting record: _smtp._tls.%s TXT "
				 "\"v=TLSRPTv1; rua=mailto:tlsrpt@%s\".",
				 d, d);
	return NULL;
}
