/*
 * libFuzzer target for the MTA-STS parsers: the input is tried as a TXT record and as a
 * policy body; every parsed mx pattern is matched against a fixed host and against itself.
 */
#include "checks/mta_sts_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *err = NULL;

	if (mta_sts_txt_is_candidate(s, size)) {
		struct mta_sts_txt t;
		if (mta_sts_txt_parse(s, size, &t, &err) == 0 && strlen(t.id) > MTA_STS_ID_MAX)
			abort();
		free(err);
		err = NULL;
	}

	struct mta_sts_policy p;
	if (mta_sts_policy_parse(s, size, &p, &err) == 0) {
		if (p.mode == MTA_STS_MODE_UNSET || p.max_age < 0 ||
		    p.max_age > MTA_STS_MAX_AGE_MAX)
			abort();
		for (size_t i = 0; i < p.n_mx; i++) {
			(void)mta_sts_mx_match(p.mx[i], "mail.example.com");
			if (p.mx[i][0] != '*' && !mta_sts_mx_match(p.mx[i], p.mx[i]))
				abort();
		}
	} else if (!err) {
		abort();
	}
	mta_sts_policy_clear(&p);
	free(err);
	return 0;
}
