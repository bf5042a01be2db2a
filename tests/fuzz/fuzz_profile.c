/* libFuzzer target: the profile parser (scanner/profile.h). */
#include "scanner/profile.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	json_t *p = profile_parse((const char *)data, size, &err);
	if (p) {
		if (err)
			abort();
		char *s = json_dumps(p, JSON_COMPACT);
		if (!s)
			abort();
		free(s);
		json_decref(p);
	} else if (!err) {
		abort();
	}
	free(err);
	return 0;
}
