/*
 * libFuzzer target for the DKIM key-record parser and key measurement: the input is a TXT
 * record (strings concatenated); a parsed non-revoked key is decoded and judged. The input is
 * also tried as a selector name.
 */
#include "checks/dkim_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dkim_key_record rec;
	dkim_key_parse(s, size, &rec);
	if (rec.ok) {
		if (!rec.p || strlen(rec.p) != rec.p_len || rec.revoked != (rec.p_len == 0))
			abort();
		if (!rec.revoked) {
			struct dkim_key_info key;
			dkim_key_measure(rec.p, rec.p_len, rec.type, &key);
			struct dkim_judgement j;
			dkim_key_judge(&rec, &key, &j);
			if (j.verdict != VERDICT_PASS && j.verdict != VERDICT_WARNING &&
			    j.verdict != VERDICT_FAIL)
				abort();
			if (key.status == DKIM_KEY_OK && rec.type == DKIM_KEY_RSA && key.bits <= 0)
				abort();
		}
	} else if (rec.error[0] == '\0' || rec.p) {
		abort();
	}
	dkim_key_record_fini(&rec);

	unsigned char out[64];
	long n = dkim_base64_decode(s, size, out, sizeof(out));
	if (n > (long)sizeof(out))
		abort();

	char *z = malloc(size + 1);
	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	(void)dkim_selector_valid(z);
	free(z);
	return 0;
}
