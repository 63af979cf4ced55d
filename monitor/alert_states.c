/* alert_states.c - every stream's confirmed state for the retained MQTT topics: a hash table
 * by name (the engine reports thousands at start), each entry stamped with a change number so
 * a channel that reconnects can send all, one that is connected only what changed. */
#include <stdlib.h>
#include <string.h>

#include "alert_int.h"

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int rehash(struct state_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct state_entry *e = calloc(cap, sizeof *e);
	if (!e)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->e[i].seq)
			continue;
		size_t j = hash(t->e[i].st.stream) & (cap - 1);
		while (e[j].seq)
			j = (j + 1) & (cap - 1);
		e[j] = t->e[i];
	}
	free(t->e);
	t->e = e;
	t->cap = cap;
	return 0;
}

int states_set(struct state_table *t, const struct alert_event *st)
{
	size_t j;
	if ((t->n + 1) * 2 > t->cap && rehash(t) < 0)
		return -1;
	j = hash(st->stream) & (t->cap - 1);
	while (t->e[j].seq && strcmp(t->e[j].st.stream, st->stream))
		j = (j + 1) & (t->cap - 1);
	if (!t->e[j].seq)
		t->n++;
	t->e[j].st = *st;
	t->e[j].seq = ++t->seq;
	return 0;
}

size_t states_since(const struct state_table *t, uint64_t after, struct alert_event **out)
{
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < t->cap; i++)
		n += t->e[i].seq > after;
	if (!n || !(*out = malloc(n * sizeof **out)))
		return 0;
	n = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->e[i].seq > after)
			(*out)[n++] = t->e[i].st;
	return n;
}

void states_free(struct state_table *t)
{
	free(t->e);
	memset(t, 0, sizeof *t);
}
