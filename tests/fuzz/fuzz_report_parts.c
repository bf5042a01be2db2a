/*
 * libFuzzer target: reading report parts back (reports/reread.h), as `domscan merge` and
 * `--resume` do with files that may have been edited or damaged: CSV record splitting and the
 * rebuilding of rows and results from JSON Lines objects, which are then written again through
 * the CSV and HTML reporters.
 */
#include "checks/registry.h"
#include "reports/registry.h"
#include "reports/reread.h"
#include "scanner/input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(const char *line, size_t len, const struct layout *l, void *const *h)
{
	char **f;
	size_t n, num;
	if (csv_split(line, len, &f, &n) == 0) {
		if (n == 0)
			abort();
		(void)parse_row_number(f[n - 1], &num);
		(void)csv_field_index(f, n, "input_row");
		csv_fields_free(f, n);
	}
	json_error_t je;
	json_t *o = json_loadb(line, len, 0, &je);
	if (!o)
		return;
	char **carry = report_carry_names(o);
	report_names_free(carry);
	struct input_row row;
	struct domain_result *res;
	char *err = NULL;
	if (report_rebuild(o, l, &row, &res, &err) == 0) {
		if (reporter_csv.row(h[0], &row, res) != 0 ||
		    reporter_html.row(h[1], &row, res) != 0)
			abort();
		input_row_clear(&row);
		if (res)
			domain_result_unref(res);
	} else if (!err) {
		abort();
	}
	free(err);
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg = { 0 };
	static const char *const carry[] = { "customer", NULL };
	struct report_meta meta = { .checks = checks_table(), .cfg = &cfg, .carry_columns = carry };
	struct layout *l = layout_new(&meta);
	char *err = NULL;
	void *h[2] = { reporter_csv.open("/dev/null", &meta, &err),
		       reporter_html.open("/dev/null", &meta, &err) };
	if (!h[0] || !h[1])
		abort();
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(len + 1);
		if (!line)
			abort();
		memcpy(line, p, len);
		line[len] = '\0';
		one_line(line, len, l, h);
		free(line);
		p += len + 1;
	}
	reporter_csv.close(h[0]);
	reporter_html.close(h[1]);
	layout_free(l);
	return 0;
}
