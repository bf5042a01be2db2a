/* libFuzzer target for the SPF record parser (checks/spf_parse.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/spf_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > SPF_MAX_RECORD + 16)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct spf_record r;
	char *err = NULL;
	(void)spf_is_record(s, size);
	if (spf_parse(s, size, &r, &err) == 0) {
		for (size_t i = 0; i < r.n_terms; i++) {
			const struct spf_term *t = &r.terms[i];
			(void)spf_term_queries_dns(t);
			if (!t->is_mod)
				(void)spf_mech_name(t->mech);
			if (t->domain)
				(void)spf_has_macro(t->domain);
		}
		spf_record_free(&r);
	}
	free(err);
	(void)spf_macro_string_valid(s, size, true);
	(void)spf_domain_spec_valid(s, size);
	free(s);
	return 0;
}
