/*
 * libFuzzer target for the CAA property parser. Input layout: byte 0 = flags, byte 1 = tag
 * length, then the tag, then the value (the rest), as in the RDATA of RFC 8659 §4.1.
 */
#include "checks/caa_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t flags = data[0];
	size_t tag_len = data[1];
	if (tag_len > size - 2)
		tag_len = size - 2;
	const char *tag = (const char *)data + 2;
	const char *val = tag + tag_len;
	size_t val_len = size - 2 - tag_len;

	struct caa_property p;
	caa_parse_property(flags, tag, tag_len, val, val_len, &p);
	if (p.verdict != VERDICT_PASS && p.verdict != VERDICT_WARNING && p.verdict != VERDICT_FAIL)
		abort();
	if (p.verdict != VERDICT_PASS && p.finding[0] == '\0')
		abort();
	if (strlen(p.issuer) >= CAA_ISSUER_MAX)
		abort();
	const char *why;
	enum verdict v = caa_judge_set(&p, 1, &why);
	if (v < p.verdict)
		abort();

	char issuer[16];
	size_t n_params;
	char msg[64];
	(void)caa_issue_value_valid((const char *)data, size, issuer, sizeof(issuer), &n_params,
				    msg, sizeof(msg));
	return 0;
}
