/* Fuzz target: the domain-list reader (text and CSV detection, libcsv, IDN, validation). */
#include "scanner/input.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	struct input *in = input_from_stream(f, "fuzz");
	struct input_row row;
	char *err = NULL;
	for (int i = 0; i < 100000 && input_next(in, &row, &err) == 1; i++)
		input_row_clear(&row);
	free(err);
	input_close(in);
	fclose(f);
	return 0;
}
