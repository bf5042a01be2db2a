/* libFuzzer target: the TLS-RPT record parser (checks/tlsrpt_parse.h). */
#include "checks/tlsrpt_parse.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct tlsrpt_record r;
	char *err = NULL;
	(void)tlsrpt_is_candidate(text, size);
	if (tlsrpt_parse(text, size, &r, &err) == 0) {
		json_t *j = tlsrpt_record_json(&r);
		char *s = json_dumps(j, JSON_COMPACT);
		if (!s)
			abort();
		free(s);
		json_decref(j);
		tlsrpt_record_free(&r);
	} else if (!err) {
		abort();
	}
	free(err);
	return 0;
}
