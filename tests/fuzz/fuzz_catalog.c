/* libFuzzer target: the message catalogue parser and renderer (reports/i18n.h). */
#include "reports/i18n.h"
#include "scanner/msg.h"
#include "scanner/result.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	struct catalog *c = catalog_parse((const char *)data, size, &err);
	if (!c) {
		if (!err)
			abort();
		free(err);
		return 0;
	}
	json_t *args = msg_args("a", json_str("<x>"), "n", json_integer(1), "m",
				msg_nested("a", "{a}", msg_args("a", json_str("y"), NULL)), NULL);
	FILE *fp = fopen("/dev/null", "w");
	for (size_t i = 0; i < catalog_count(c); i++) {
		const char *id = catalog_id(c, i);
		if (!id || catalog_get(c, id) == NULL)
			abort();
		char *t = i18n_text(c, id, args);
		free(t);
		if (fp)
			i18n_html(fp, c, id, args);
	}
	if (fp)
		fclose(fp);
	json_decref(args);
	catalog_free(c);
	return 0;
}
