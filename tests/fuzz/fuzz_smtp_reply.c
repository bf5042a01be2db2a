/* libFuzzer target: the SMTP reply parser (untrusted server bytes). */
#include "scanner/smtp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Parse replies back to back, as the prober does with a stream. */
	size_t off = 0;
	for (int i = 0; i < 64 && off <= size; i++) {
		struct smtp_reply r = { 0 };
		if (smtp_reply_parse((const char *)data + off, size - off, &r) != SMTP_REPLY_OK)
			break;
		smtp_reply_has_ext(&r, "STARTTLS");
		for (size_t k = 0; k < r.n_lines; k++)
			(void)strlen(r.lines[k]);
		off += r.consumed;
		smtp_reply_clear(&r);
	}
	return 0;
}
