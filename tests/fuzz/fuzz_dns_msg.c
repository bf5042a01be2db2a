/*
 * libFuzzer target: DNS replies as the scanner consumes them (scanner/dns.h). The input is
 * <type index byte> <flags byte> <message>: the message is checked against a query for
 * "fuzz.test" (or, with flag 1, the name in its own question) of the chosen type, with the ID
 * the message carries (flag 2: another ID, the mismatch path), then every accessor the checks
 * use is run on the result: outcome, error, RRs of several types, TXT strings, the CNAME chain.
 */
#include "scanner/dns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ldns_rr_type types[] = {
	LDNS_RR_TYPE_A,   LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_TXT,    LDNS_RR_TYPE_MX,
	LDNS_RR_TYPE_CAA, LDNS_RR_TYPE_TLSA, LDNS_RR_TYPE_CNAME,  LDNS_RR_TYPE_NS,
	LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_DS,   LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_PTR,
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* The question name of a message, or NULL (caller frees). */
static char *question_name(const uint8_t *msg, size_t len)
{
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, msg, len) != LDNS_STATUS_OK || !p)
		return NULL;
	char *name = NULL;
	const ldns_rr_list *q = ldns_pkt_question(p);
	if (q && ldns_rr_list_rr_count(q) > 0)
		name = dns_name_str(ldns_rr_owner(ldns_rr_list_rr(q, 0)));
	ldns_pkt_free(p);
	return name;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 + 12 || size > 65535 + 2)
		return 0;
	ldns_rr_type qtype = types[data[0] % N_TYPES];
	uint8_t flags = data[1];
	const uint8_t *msg = data + 2;
	size_t len = size - 2;
	uint16_t id = (uint16_t)((msg[0] << 8) | msg[1]);
	if (flags & 2)
		id ^= 0x5a5a;
	char *qname = (flags & 1) ? question_name(msg, len) : NULL;
	struct dns_reply *r =
		dns_reply_from_wire(msg, len, qname && *qname ? qname : "fuzz.test", qtype, id);
	free(qname);
	if (!r)
		abort();
	enum dns_outcome oc = dns_reply_outcome(r);
	if (!dns_outcome_name(oc))
		abort();
	if (oc == DNS_FAILURE && !dns_reply_error(r) && r->status == DNS_OK &&
	    r->rcode == LDNS_RCODE_NOERROR)
		abort(); /* a failure must say why */
	for (size_t i = 0; i < N_TYPES; i++) {
		ldns_rr_list *rrs = dns_reply_rrs(r, types[i]);
		for (size_t j = 0; rrs && j < ldns_rr_list_rr_count(rrs); j++) {
			char *o = dns_name_str(ldns_rr_owner(ldns_rr_list_rr(rrs, j)));
			free(o);
		}
		ldns_rr_list_deep_free(rrs);
	}
	struct dns_txt *txt = NULL;
	size_t n = dns_reply_txt(r, &txt);
	for (size_t i = 0; i < n; i++)
		if (txt[i].len && !txt[i].data)
			abort();
	dns_txt_free(txt, n);
	char **chain = NULL;
	size_t nc = dns_reply_cname_chain(r, &chain);
	for (size_t i = 0; i < nc; i++)
		if (!chain[i])
			abort();
	dns_strv_free(chain, nc);
	dns_reply_release(r);
	return 0;
}
