/*
 * Fuzz target for the validator's handling of untrusted DNSSEC records: a DNS message is parsed
 * with ldns_wire2pkt, every RR goes through dnssec_rr_shape_ok(), and the NSEC/NSEC3 records
 * of all sections are handed to the denial logic (dnssec_denial) for the question name against
 * each of its ancestors as the zone, with the question type and with DS. Type bitmaps of the
 * records that passed the shape check are probed too. Must never abort, leak or read out of
 * bounds, whatever ldns accepted.
 */
#include "scanner/dnssec.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void denials(const ldns_rdf *name, ldns_rr_type type, const ldns_rr_list *recs)
{
	ldns_rdf *zone = ldns_rdf_clone(name);
	for (int depth = 0; zone && depth < 8; depth++) {
		struct denial d;
		dnssec_denial(zone, name, type, recs, &d);
		dnssec_denial(zone, name, LDNS_RR_TYPE_DS, recs, &d);
		if (ldns_dname_label_count(zone) == 0)
			break;
		ldns_rdf *up = ldns_dname_left_chop(zone);
		ldns_rdf_deep_free(zone);
		zone = up;
	}
	ldns_rdf_deep_free(zone);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *p = NULL;
	if (size > 65535 || ldns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		return 0;
	ldns_rr_list *recs = ldns_rr_list_new();
	ldns_pkt_section secs[] = { LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
				    LDNS_SECTION_ADDITIONAL };
	for (size_t s = 0; s < 3; s++) {
		ldns_rr_list *l = ldns_pkt_get_section_clone(p, secs[s]);
		for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
			ldns_rr *rr = ldns_rr_list_rr(l, i);
			if (!dnssec_rr_shape_ok(rr))
				continue;
			ldns_rr_type t = ldns_rr_get_type(rr);
			if (t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3) {
				const ldns_rdf *bm =
					ldns_rr_rdf(rr, t == LDNS_RR_TYPE_NSEC ? 1 : 5);
				(void)dnssec_bitmap_has(bm, LDNS_RR_TYPE_NS);
				(void)dnssec_bitmap_has(bm, 65535);
				ldns_rr_list_push_rr(recs, ldns_rr_clone(rr));
			}
		}
		ldns_rr_list_deep_free(l);
	}
	const ldns_rr_list *q = ldns_pkt_question(p);
	if (q && ldns_rr_list_rr_count(q) > 0) {
		const ldns_rr *qr = ldns_rr_list_rr(q, 0);
		if (ldns_rr_owner(qr) &&
		    ldns_rdf_get_type(ldns_rr_owner(qr)) == LDNS_RDF_TYPE_DNAME)
			denials(ldns_rr_owner(qr), ldns_rr_get_type(qr), recs);
	}
	/* every record's own owner as the name too */
	for (size_t i = 0; i < ldns_rr_list_rr_count(recs) && i < 4; i++)
		denials(ldns_rr_owner(ldns_rr_list_rr(recs, i)), LDNS_RR_TYPE_A, recs);
	ldns_rr_list_deep_free(recs);
	ldns_pkt_free(p);
	return 0;
}
