/* Advice of the HTML report as messages: see advice.h; the texts are in data/messages/. */
#include "reports/advice.h"
#include "scanner/msg.h"
#include "scanner/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *column(const struct domain_result *res, const char *name)
{
	const char *s = json_string_value(json_object_get(res->columns, name));
	return s ? s : "";
}

/* {"msg": id, "args": args}; args stolen (NULL = none). */
static json_t *advice(const char *id, json_t *args)
{
	return json_pack("{ssso}", "msg", id, "args", args ? args : json_object());
}

static json_t *advice_d(const char *id, const char *domain)
{
	return advice(id, msg_args("domain", json_str(domain), NULL));
}

/* A proposed record: printf-built DNS text, sanitised. */
static json_t *record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *record(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	json_t *j = json_str(s);
	free(s);
	return j;
}

json_t *advice_for(const char *check, enum verdict v, const struct domain_result *res)
{
	const char *d = res->domain;
	if (v == VERDICT_PASS || v == VERDICT_NOT_TESTED)
		return NULL;
	if (v == VERDICT_ERROR)
		return advice_d(MSG("advice.error"), d);
	if (strcmp(check, "dnssec") == 0) {
		if (strcmp(column(res, "dnssec_status"), "bogus") == 0)
			return advice_d(MSG("advice.dnssec.bogus"), d);
		if (v == VERDICT_WARNING)
			return advice(MSG("advice.dnssec.warning"), NULL);
		return advice_d(MSG("advice.dnssec.fail"), d);
	}
	if (strcmp(check, "spf") == 0) {
		if (v == VERDICT_WARNING)
			return advice(MSG("advice.spf.warning"), NULL);
		return advice(MSG("advice.spf.fail"),
			      msg_args("domain", json_str(d), "record", json_str("v=spf1 mx -all"),
				       "record_nomail", json_str("v=spf1 -all"), NULL));
	}
	if (strcmp(check, "dkim") == 0) {
		if (v == VERDICT_WARNING)
			return advice(MSG("advice.dkim.warning"), NULL);
		if (v == VERDICT_INFO)
			return advice(MSG("advice.dkim.info"), NULL);
		return advice(MSG("advice.dkim.fail"),
			      msg_args("domain", json_str(d), "record",
				       record("<selector>._domainkey.%s", d), "record_nomail",
				       json_str("v=spf1 -all"), NULL));
	}
	if (strcmp(check, "dmarc") == 0) {
		if (v == VERDICT_WARNING)
			return advice(MSG("advice.dmarc.warning"),
				      msg_args("domain", json_str(d), "record",
					       record("%s._report._dmarc.<report-domain> TXT "
						      "\"v=DMARC1;\"",
						      d),
					       NULL));
		return advice(MSG("advice.dmarc.fail"),
			      msg_args("domain", json_str(d), "record",
				       record("_dmarc.%s TXT \"v=DMARC1; p=quarantine; "
					      "rua=mailto:dmarc@%s\"",
					      d, d),
				       NULL));
	}
	if (strcmp(check, "caa") == 0)
		return advice(
			MSG("advice.caa"),
			msg_args("domain", json_str(d), "record_issue",
				 record("%s. CAA 0 issue \"letsencrypt.org\"", d), "record_iodef",
				 record("%s. CAA 0 iodef \"mailto:security@%s\"", d, d), NULL));
	if (strcmp(check, "starttls") == 0) {
		if (v == VERDICT_WARNING)
			return advice(MSG("advice.starttls.warning"), NULL);
		if (v == VERDICT_INFO)
			return advice(MSG("advice.starttls.info"), NULL);
		return advice(MSG("advice.starttls.fail"), NULL);
	}
	if (strcmp(check, "dane") == 0)
		return advice(MSG("advice.dane"),
			      msg_args("record",
				       json_str("_25._tcp.<mx-host> TLSA 3 1 1 <sha256-pubkey>"),
				       NULL));
	if (strcmp(check, "ipv6") == 0)
		return advice_d(MSG("advice.ipv6"), d);
	if (strcmp(check, "mta_sts") == 0) {
		if (v == VERDICT_INFO)
			return advice(
				MSG("advice.mta_sts.info"),
				msg_args("domain", json_str(d), "record",
					 record("_mta-sts.%s TXT \"v=STSv1; id=<date>\"", d), "url",
					 record("https://mta-sts.%s/.well-known/mta-sts.txt", d),
					 NULL));
		return advice(MSG("advice.mta_sts.fail"),
			      msg_args("url",
				       record("https://mta-sts.%s/.well-known/mta-sts.txt", d),
				       NULL));
	}
	if (strcmp(check, "tlsrpt") == 0)
		return advice(
			MSG("advice.tlsrpt"),
			msg_args("record",
				 record("_smtp._tls.%s TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@%s\"", d,
					d),
				 NULL));
	return NULL;
}
