/* state_name.c - a heartbeat state's word, both ways: in CSV, JSON, logs and --import. Apart
 * from store.c so that code without a database (the API's emitter, its fuzzer) can link it. */
#include <string.h>

#include "store.h"

static const char *const state_names[] = {
	[HB_DOWN] = "down", [HB_UP] = "up", [HB_DEGRADED] = "degraded", [HB_SKIPPED] = "skipped",
};

const char *hb_state_name(int state)
{
	return state >= HB_DOWN && state <= HB_SKIPPED ? state_names[state] : "unknown";
}

int hb_state_parse(const char *name)
{
	for (int i = HB_DOWN; name && i <= HB_SKIPPED; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}
