/*
 * Fuzz target for the validator's handling of untrusted DNSSEC records: a DNS message is parsed
 * with ldns_wire2pkt, every RR goes through dnssec_rr_shape_ok(), and the NSEC/NSEC3 records
 * of all sections are handed to the denial logic (dnssec_denial) for the question name against
 * each of its ancestors as the zone, with the question type and with DS. Type bitmaps of the
 * records that passed the shape check are probed too. Then what the validator hands to ldns
 * after the shape check: every DS against every DNSKEY (dnssec_ds_matches: key tag, DS digest
 * of the key), every DNSKEY parsed once through a two-slot key ring (dnssec_key_new_shared:
 * RSA exponent/modulus, EC points, EdDSA keys; equal keys shared, colliding ones replaced) and
 * every RRSIG over the RRset it covers with every parsed key (dnssec_verify_sig_key: the signed
 * data, wildcard owners, the crypto; dnssec_verify_sig for the first key), at the signature's
 * inception time so that the crypto runs, and the DNAME substitution of the question name. Must
 * never abort, leak or read out of bounds, whatever ldns accepted.
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

#define MAX_EACH 8 /* records of one kind tried pairwise */

static uint32_t u32_at(const ldns_rdf *f)
{
	const uint8_t *p = ldns_rdf_data(f);
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void crypto(const ldns_rr_list *all, const ldns_rdf *qname)
{
	const ldns_rr *ds[MAX_EACH], *keys[MAX_EACH], *sigs[MAX_EACH];
	size_t nds = 0, nkeys = 0, nsigs = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(all, i);
		switch (ldns_rr_get_type(rr)) {
		case LDNS_RR_TYPE_DS:
			if (nds < MAX_EACH)
				ds[nds++] = rr;
			break;
		case LDNS_RR_TYPE_DNSKEY:
			if (nkeys < MAX_EACH)
				keys[nkeys++] = rr;
			break;
		case LDNS_RR_TYPE_RRSIG:
			if (nsigs < MAX_EACH)
				sigs[nsigs++] = rr;
			break;
		case LDNS_RR_TYPE_DNAME:
			if (qname && ldns_rr_rd_count(rr) == 1) {
				ldns_rdf *t = dnssec_dname_substitute(qname, ldns_rr_owner(rr),
								      ldns_rr_rdf(rr, 0));
				ldns_rdf_deep_free(t);
			}
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < nds; i++)
		for (size_t k = 0; k < nkeys; k++)
			(void)dnssec_ds_matches(ds[i], keys[k]);
	struct dnssec_key *parsed[MAX_EACH];
	struct dnssec_keyring *ring = dnssec_keyring_new(2);
	for (size_t k = 0; k < nkeys; k++) {
		(void)dnssec_keytag(keys[k]);
		parsed[k] = dnssec_key_new_shared(keys[k], ring);
	}
	dnssec_keyring_free(ring); /* the keys hold their own references */
	for (size_t i = 0; i < nsigs; i++) {
		const ldns_rr *sig = sigs[i];
		uint16_t covered = ldns_rdf2native_int16(ldns_rr_rdf(sig, 0));
		ldns_rr_list *set = ldns_rr_list_new();
		for (size_t j = 0; j < ldns_rr_list_rr_count(all); j++) {
			ldns_rr *rr = ldns_rr_list_rr(all, j);
			if (ldns_rr_get_type(rr) == covered &&
			    ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(sig)) == 0)
				ldns_rr_list_push_rr(set, rr);
		}
		if (ldns_rr_list_rr_count(set) > 0) {
			time_t inception = (time_t)u32_at(ldns_rr_rdf(sig, 5));
			for (size_t k = 0; k < nkeys; k++)
				(void)dnssec_verify_sig_key(set, sig, parsed[k], inception);
			if (nkeys)
				(void)dnssec_verify_sig(set, sig, keys[0], inception);
		}
		ldns_rr_list_free(set);
	}
	for (size_t k = 0; k < nkeys; k++)
		dnssec_key_free(parsed[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *p = NULL;
	if (size > 65535 || ldns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		return 0;
	ldns_rr_list *recs = ldns_rr_list_new();
	ldns_rr_list *all = ldns_rr_list_new(); /* every shape-checked record */
	ldns_pkt_section secs[] = { LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
				    LDNS_SECTION_ADDITIONAL };
	for (size_t s = 0; s < 3; s++) {
		ldns_rr_list *l = ldns_pkt_get_section_clone(p, secs[s]);
		for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
			ldns_rr *rr = ldns_rr_list_rr(l, i);
			if (!dnssec_rr_shape_ok(rr))
				continue;
			ldns_rr_list_push_rr(all, ldns_rr_clone(rr));
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
	const ldns_rdf *qname = NULL;
	if (q && ldns_rr_list_rr_count(q) > 0) {
		const ldns_rr *qr = ldns_rr_list_rr(q, 0);
		if (ldns_rr_owner(qr) &&
		    ldns_rdf_get_type(ldns_rr_owner(qr)) == LDNS_RDF_TYPE_DNAME) {
			qname = ldns_rr_owner(qr);
			denials(qname, ldns_rr_get_type(qr), recs);
		}
	}
	crypto(all, qname);
	ldns_rr_list_deep_free(all);
	/* every record's own owner as the name too */
	for (size_t i = 0; i < ldns_rr_list_rr_count(recs) && i < 4; i++)
		denials(ldns_rr_owner(ldns_rr_list_rr(recs, i)), LDNS_RR_TYPE_A, recs);
	ldns_rr_list_deep_free(recs);
	ldns_pkt_free(p);
	return 0;
}
