/*
 * The reporter table. The reports library is linked as an ordinary static library, so the
 * reporters are referenced strongly here: whoever calls reporter_find() pulls them all in.
 */
#include "reports/registry.h"
#include "scanner/util.h"

#include <errno.h>
#include <string.h>

static const struct reporter *const reporters[] = {
	&reporter_csv,
	&reporter_json,
	&reporter_html,
};

const struct reporter *reporter_find(const char *format)
{
	for (size_t i = 0; format && i < sizeof(reporters) / sizeof(reporters[0]); i++)
		if (strcmp(reporters[i]->format, format) == 0)
			return reporters[i];
	return NULL;
}

FILE *report_fopen(const char *path, char **err)
{
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	FILE *fp = fopen(path, "w");
	if (!fp && err)
		*err = xasprintf("%s: %s", path, strerror(errno));
	return fp;
}

int report_fclose(FILE *fp)
{
	if (!fp)
		return 0;
	int rc = fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
	if (fp != stdout && fclose(fp) != 0)
		rc = -1;
	return rc;
}
