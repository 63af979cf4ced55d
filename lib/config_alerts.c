/* config_alerts.c - the `alerts` list: webhook, mqtt and command channels. */
#include <stdlib.h>

#include "config_int.h"

/* TODO(issue 6, alerts helper): parse the channels. Until then the key is refused, not ignored. */
int cfg_load_alerts(struct ctx *c, yaml_node_t *v)
{
	return cfg_fail(c, &v->start_mark, "alerts", "alerts are not supported by this build yet");
}

void config_alerts_free(struct config *cfg)
{
	free(cfg->alerts);
	cfg->alerts = NULL;
	cfg->nalerts = 0;
}
