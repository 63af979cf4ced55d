/* alert_mqtt.c - the mqtt channel (libmosquitto): retained state and attributes per stream,
 * Home Assistant discovery, an availability topic with a last will, and events. */
#include <jansson.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "alert_int.h"
#include "log.h"
#include "store.h"

#define KEEPALIVE_S 30
#define ACKS 32            /* recent acknowledged message ids */
#define TOPIC_MAX 512
#define OFFLINE_WAIT_MS 1000

struct alert_mqtt {
	struct mosquitto *mosq;
	const struct alert_conf *c;    /* the owner's copy; outlives this */
	char status_topic[TOPIC_MAX];
	pthread_mutex_t mu;
	pthread_cond_t acked_cv;
	int connected;
	unsigned session, sessions;
	int acked[ACKS];
	unsigned nacked;
	char last_error[128];
	void (*wake)(void *);
	void *wake_ctx;
};

/* Lower-case letters, digits and '_': safe in a topic (no '/', '+', '#') and an HA object id. */
static void slug(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	for (; *s && o + 1 < outlen; s++) {
		unsigned char ch = (unsigned char)*s;
		out[o++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? (char)ch
			   : ch >= 'A' && ch <= 'Z'			      ? (char)(ch - 'A' + 'a')
									      : '_';
	}
	out[o] = '\0';
}

static void set_error(struct alert_mqtt *m, const char *what)
{
	pthread_mutex_lock(&m->mu);
	snprintf(m->last_error, sizeof m->last_error, "%s", what);
	pthread_mutex_unlock(&m->mu);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct alert_mqtt *m = obj;
	if (rc) {
		set_error(m, mosquitto_connack_string(rc));
		return;
	}
	mosquitto_publish(mosq, NULL, m->status_topic, 6, "online", 1, true);
	pthread_mutex_lock(&m->mu);
	m->connected = 1;
	if (++m->sessions == 0) /* 0 means "not connected" */
		m->sessions = 1;
	m->session = m->sessions;
	m->last_error[0] = '\0';
	pthread_mutex_unlock(&m->mu);
	m->wake(m->wake_ctx);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct alert_mqtt *m = obj;
	(void)mosq;
	pthread_mutex_lock(&m->mu);
	m->connected = 0;
	m->session = 0;
	if (rc)
		snprintf(m->last_error, sizeof m->last_error, "connection lost");
	pthread_mutex_unlock(&m->mu);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct alert_mqtt *m = obj;
	(void)mosq;
	pthread_mutex_lock(&m->mu);
	m->acked[m->nacked++ % ACKS] = mid;
	pthread_cond_broadcast(&m->acked_cv);
	pthread_mutex_unlock(&m->mu);
}

static int was_acked(const struct alert_mqtt *m, int mid)
{
	for (unsigned i = 0; i < ACKS && i < m->nacked; i++)
		if (m->acked[i] == mid)
			return 1;
	return 0;
}

static int wait_ack(struct alert_mqtt *m, int mid, int timeout_ms)
{
	struct timespec until;
	int ok;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
		until.tv_sec++, until.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&m->mu);
	while (!(ok = was_acked(m, mid)) && pthread_cond_timedwait(&m->acked_cv, &m->mu, &until) == 0)
		;
	pthread_mutex_unlock(&m->mu);
	return ok ? 0 : -1;
}

/* host and port of mqtt[s]://host[:port][/], as config_alerts.c validated it. */
static int host_port(const char *url, char *host, size_t hostlen, int *port)
{
	const char *h = strstr(url, "://") + 3, *end = h + strcspn(h, "/"), *colon;
	int tls = strncasecmp(url, "mqtts:", 6) == 0;
	if (*h == '[') {
		colon = memchr(h, ']', (size_t)(end - h));
		h++;
		colon = colon && colon + 1 < end && colon[1] == ':' ? colon + 1 : NULL;
		end = colon ? colon - 1 : end - 1;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		end = colon ? colon : end;
	}
	*port = colon ? atoi(colon + 1) : tls ? 8883 : 1883;
	snprintf(host, hostlen, "%.*s", (int)(end - h), h);
	return tls;
}

static int setup(struct alert_mqtt *m, char *err, size_t errlen)
{
	char host[256], id[64];
	int port, rc, tls = host_port(m->c->url, host, sizeof host, &port);
	snprintf(id, sizeof id, "streampulse-%ld-%lx", (long)getpid(), (unsigned long)(uintptr_t)m);
	if (!(m->mosq = mosquitto_new(id, true, m)))
		return snprintf(err, errlen, "mqtt: out of memory"), -1;
	mosquitto_connect_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
	mosquitto_publish_callback_set(m->mosq, on_publish);
	mosquitto_reconnect_delay_set(m->mosq, 1, 30, true);
	if (m->c->username && mosquitto_username_pw_set(m->mosq, m->c->username, m->c->password))
		return snprintf(err, errlen, "mqtt: cannot set the user name"), -1;
	if (mosquitto_will_set(m->mosq, m->status_topic, 7, "offline", 1, true))
		return snprintf(err, errlen, "mqtt: cannot set the last will"), -1;
	if (tls && mosquitto_tls_set(m->mosq, NULL, "/etc/ssl/certs", NULL, NULL, NULL))
		return snprintf(err, errlen, "mqtt: cannot set up TLS"), -1;
	/* A broker that is down now is retried by the loop thread: not an error here. */
	if ((rc = mosquitto_connect_async(m->mosq, host, port, KEEPALIVE_S)))
		set_error(m, mosquitto_strerror(rc));
	if ((rc = mosquitto_loop_start(m->mosq)))
		return snprintf(err, errlen, "mqtt: cannot start its thread: %s", mosquitto_strerror(rc)), -1;
	return 0;
}

struct alert_mqtt *alert_mqtt_create(const struct alert_conf *c, void (*wake)(void *), void *ctx,
				     char *err, size_t errlen)
{
	struct alert_mqtt *m = calloc(1, sizeof *m);
	if (!m)
		return snprintf(err, errlen, "mqtt: out of memory"), NULL;
	m->c = c;
	m->wake = wake;
	m->wake_ctx = ctx;
	pthread_condattr_t ca;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->acked_cv, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(m->status_topic, sizeof m->status_topic, "%s/status", c->topic_prefix);
	snprintf(m->last_error, sizeof m->last_error, "connecting");
	if (setup(m, err, errlen) < 0) {
		alert_mqtt_destroy(m);
		return NULL;
	}
	return m;
}

unsigned alert_mqtt_session(struct alert_mqtt *m)
{
	unsigned s;
	pthread_mutex_lock(&m->mu);
	s = m->connected ? m->session : 0;
	pthread_mutex_unlock(&m->mu);
	return s;
}

static int publish(struct alert_mqtt *m, const char *topic, const char *payload, int retain, int *mid)
{
	return mosquitto_publish(m->mosq, mid, topic, (int)strlen(payload), payload, 1, retain);
}

int alert_mqtt_send_event(struct alert_mqtt *m, const struct alert_event *ev, const char *link,
			  int timeout_ms, char *detail, size_t detaillen)
{
	char topic[TOPIC_MAX], *payload;
	int mid = 0, rc;
	if (!alert_mqtt_session(m)) {
		pthread_mutex_lock(&m->mu);
		snprintf(detail, detaillen, "not connected to the broker: %s", m->last_error);
		pthread_mutex_unlock(&m->mu);
		return -1;
	}
	snprintf(topic, sizeof topic, "%s/event", m->c->topic_prefix);
	if (!(payload = alert_json(ev, link)))
		return snprintf(detail, detaillen, "out of memory"), -1;
	rc = publish(m, topic, payload, 0, &mid);
	free(payload);
	if (rc)
		return snprintf(detail, detaillen, "publish failed: %s", mosquitto_strerror(rc)), -1;
	if (wait_ack(m, mid, timeout_ms) < 0)
		return snprintf(detail, detaillen, "no acknowledgement within %d ms", timeout_ms), -1;
	snprintf(detail, detaillen, "published to %s", topic);
	return 0;
}

/* Home Assistant MQTT discovery: a connectivity binary sensor per stream. Degraded streams
 * answer, so they count as connected; the attributes say why they are degraded. */
static char *discovery_json(const struct alert_mqtt *m, const char *stream, const char *id, const char *state_topic,
			    const char *attr_topic)
{
	char uid[160];
	json_t *o = json_object(), *dev = json_object();
	char *out = NULL;
	snprintf(uid, sizeof uid, "streampulse_%s", id);
	if (!o || !dev)
		goto end;
	json_object_set_new(dev, "identifiers", json_pack("[s]", uid));
	json_object_set_new(dev, "name", json_string(stream));
	json_object_set_new(dev, "manufacturer", json_string("StreamPulse"));
	json_object_set_new(o, "name", json_string(stream));
	json_object_set_new(o, "unique_id", json_string(uid));
	json_object_set_new(o, "device_class", json_string("connectivity"));
	json_object_set_new(o, "state_topic", json_string(state_topic));
	json_object_set_new(o, "value_template", json_string("{{ 'down' if value == 'down' else 'up' }}"));
	json_object_set_new(o, "payload_on", json_string("up"));
	json_object_set_new(o, "payload_off", json_string("down"));
	json_object_set_new(o, "json_attributes_topic", json_string(attr_topic));
	json_object_set_new(o, "availability_topic", json_string(m->status_topic));
	json_object_set_new(o, "payload_available", json_string("online"));
	json_object_set_new(o, "payload_not_available", json_string("offline"));
	json_object_set(o, "device", dev);
	out = json_dumps(o, JSON_COMPACT);
end:
	json_decref(dev);
	json_decref(o);
	return out;
}

int alert_mqtt_publish_state(struct alert_mqtt *m, const struct alert_event *st, const char *link)
{
	char id[128], state_topic[TOPIC_MAX], attr_topic[TOPIC_MAX], conf_topic[TOPIC_MAX];
	char *attrs = alert_json(st, link), *conf = NULL;
	int rc = -1;
	slug(st->stream, id, sizeof id);
	snprintf(state_topic, sizeof state_topic, "%s/%s/state", m->c->topic_prefix, id);
	snprintf(attr_topic, sizeof attr_topic, "%s/%s/attributes", m->c->topic_prefix, id);
	snprintf(conf_topic, sizeof conf_topic, "%s/binary_sensor/streampulse_%s/config", m->c->discovery_prefix, id);
	if (!attrs)
		goto end;
	if (m->c->discovery_prefix[0] &&
	    (!(conf = discovery_json(m, st->stream, id, state_topic, attr_topic)) || publish(m, conf_topic, conf, 1, NULL)))
		goto end;
	if (publish(m, attr_topic, attrs, 1, NULL) || publish(m, state_topic, alert_state_name(st->state), 1, NULL))
		goto end;
	rc = 0;
end:
	free(attrs);
	free(conf);
	return rc;
}

/* A clean disconnect sends no will: say "offline" ourselves first. A broker still being
 * connected to (maybe a silent host) cannot hold us up: its thread is cancelled. */
void alert_mqtt_destroy(struct alert_mqtt *m)
{
	int mid = 0, connected;
	if (!m)
		return;
	if (m->mosq) {
		connected = alert_mqtt_session(m) != 0;
		if (connected && publish(m, m->status_topic, "offline", 1, &mid) == 0)
			wait_ack(m, mid, OFFLINE_WAIT_MS);
		mosquitto_disconnect(m->mosq);
		mosquitto_loop_stop(m->mosq, !connected);
		mosquitto_destroy(m->mosq);
	}
	pthread_cond_destroy(&m->acked_cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
