/* libFuzzer target: the DMARC record parser (checks/dmarc_parse.h). */
#include "checks/dmarc_parse.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct dmarc_record r;
	char *err = NULL;
	(void)dmarc_is_candidate(text, size);
	if (dmarc_parse(text, size, &r, &err) == 0) {
		json_t *j = dmarc_record_json(&r);
		char *s = json_dumps(j, JSON_COMPACT);
		if (!s)
			abort(); /* the JSON must always be dumpable */
		free(s);
		json_decref(j);
		(void)dmarc_policy_name(r.p);
		dmarc_record_free(&r);
	} else if (!err) {
		abort(); /* a syntax error always says why */
	}
	free(err);
	return 0;
}
