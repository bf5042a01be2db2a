/* The one table of checks, in run order (later checks may read earlier results). */
#include "checks/registry.h"

#define CHECKS(X) X(mx)

#define DECLARE(name) extern const struct check check_##name;
CHECKS(DECLARE)
#undef DECLARE

#define ENTRY(name) &check_##name,
static const struct check *const table[] = { CHECKS(ENTRY) };
#undef ENTRY

static const struct check_table the_table = { table, sizeof(table) / sizeof(table[0]) };

const struct check_table *checks_table(void)
{
	return &the_table;
}
