/* config_health.c - the health settings: top-level defaults a stream inherits, and `checks`. */
#include <string.h>
#include <strings.h>

#include "config_int.h"

void config_health_defaults(struct health_conf *h)
{
	*h = (struct health_conf){ .checks = CHECK_ALL, .frozen_after = 3, .black_max_luma = 40,
				   .uniform_max_stddev = 6, .frozen_max_diff = 3,
				   .max_latency_ms = 0, .max_clients = 1 };
}

void health_unset(struct health_conf *h)
{
	*h = (struct health_conf){ -1, -1, -1, -1, -1, -1, -1 };
}

#define INHERIT(f) h->f = h->f < 0 ? d->f : h->f
void health_inherit(struct health_conf *h, const struct health_conf *d)
{
	INHERIT(checks);
	INHERIT(frozen_after);
	INHERIT(black_max_luma);
	INHERIT(uniform_max_stddev);
	INHERIT(frozen_max_diff);
	INHERIT(max_latency_ms);
	INHERIT(max_clients);
}

static const struct {
	const char *word;
	int bit;
} check_words[] = { { "black", CHECK_BLACK }, { "uniform", CHECK_UNIFORM }, { "frozen", CHECK_FROZEN } };

static int check_bit(const yaml_node_t *n)
{
	for (size_t i = 0; i < COUNT(check_words); i++)
		if (n->data.scalar.length == strlen(check_words[i].word) &&
		    strncasecmp((const char *)n->data.scalar.value, check_words[i].word,
				n->data.scalar.length) == 0)
			return check_words[i].bit;
	return 0;
}

/* `checks: [black, frozen]`; `checks: []` turns the picture checks off. */
int cfg_load_checks(struct ctx *c, yaml_node_t *v, int *dst, const char *field)
{
	char shown[SHOW_MAX];
	int bits = 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, &v->start_mark, field,
				"expected a list such as [black, uniform, frozen], got %s", cfg_kind(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = cfg_node(c, *it);
		int bit = n->type == YAML_SCALAR_NODE ? check_bit(n) : 0;
		if (!bit)
			return cfg_fail(c, &n->start_mark, field,
					"unknown check %s (expected black, uniform or frozen)",
					n->type == YAML_SCALAR_NODE
						? cfg_show((const char *)n->data.scalar.value,
							   n->data.scalar.length, shown)
						: cfg_kind(n));
		bits |= bit;
	}
	*dst = bits;
	return 0;
}
