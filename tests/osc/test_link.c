/*
 * An instance's OSC hooks (plugin/osc_link.c) on a real model slot, with a
 * Worker schedule that records what run() asks of it:
 *   /recur/<id>/reset sets the slot's reset flag, /recur/<id>/bypass the
 *   bypass atomic, /recur/<id>/load reaches schedule_work as the same load
 *   request a patch:Set makes, /recur/list reports the slot's model path,
 *   and the id survives a state save/restore when it is free.
 */
#include "check.h"
#include "client.h"
#include "osc_link.h"

#include <stdlib.h>
#include <string.h>

/* ---- a minimal host: URID map and a recording Worker ---- */

static char *uris[64];
static uint32_t n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
	(void)h;
	for (uint32_t i = 0; i < n_uris; i++)
		if (!strcmp(uris[i], uri))
			return i + 1;
	if (n_uris == 64)
		return 0;
	uris[n_uris] = strdup(uri);
	return ++n_uris;
}

static int scheduled;
static uint8_t last_work[4096];
static uint32_t last_work_size;

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle h, uint32_t size,
                                       const void *data)
{
	(void)h;
	scheduled++;
	last_work_size = size < sizeof last_work ? size : sizeof last_work;
	memcpy(last_work, data, last_work_size);
	return LV2_WORKER_SUCCESS;
}

static uint8_t response[256];
static uint32_t response_size;

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data)
{
	(void)h;
	if (size > sizeof response)
		return LV2_WORKER_ERR_NO_SPACE;
	memcpy(response, data, size);
	response_size = size;
	return LV2_WORKER_SUCCESS;
}

static LV2_URID_Map map = {NULL, map_uri};
static LV2_Worker_Schedule sched = {NULL, schedule_work};

/* ---- a state store of one value ---- */

static struct {
	uint32_t key, type, size;
	uint8_t value[64];
} saved;

static LV2_State_Status store(LV2_State_Handle h, uint32_t key, const void *value, size_t size,
                              uint32_t type, uint32_t flags)
{
	(void)h, (void)flags;
	if (size > sizeof saved.value)
		return LV2_STATE_ERR_UNKNOWN;
	saved.key = key;
	saved.type = type;
	saved.size = (uint32_t)size;
	memcpy(saved.value, value, size);
	return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle h, uint32_t key, size_t *size, uint32_t *type,
                            uint32_t *flags)
{
	(void)h;
	*flags = 0;
	if (key != saved.key)
		return NULL;
	*size = saved.size;
	*type = saved.type;
	return saved.value;
}

/* ---- one instance: a slot plus its link ---- */

typedef struct {
	model_slot slot;
	osc_link link;
} instance;

static bool open_instance(instance *in)
{
	static const LV2_Feature map_f = {LV2_URID__map, &map};
	static const LV2_Feature sched_f = {LV2_WORKER__schedule, &sched};
	const LV2_Feature *features[] = {&map_f, &sched_f, NULL};
	memset(in, 0, sizeof *in);
	if (!slot_init(&in->slot, "https://recur.dev/plugins/recur", 48000.0, features))
		return false;
	osc_link_open(&in->link, &in->slot);
	osc_link_activate(&in->link);
	return true;
}

static void close_instance(instance *in)
{
	osc_link_close(&in->link);
	slot_fini(&in->slot);
}

static bool contains(const uint8_t *hay, uint32_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (uint32_t i = 0; i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			return true;
	return false;
}

static osc_test_client cl;

static void check_commands(instance *a, instance *b)
{
	CHECK(osc_link_id(&a->link) == 1 && osc_link_id(&b->link) == 2, "ids %d %d",
	      osc_link_id(&a->link), osc_link_id(&b->link));
	client_send(&cl, "/recur/2/reset", "");
	client_send(&cl, "/recur/1/bypass", "i", 1);
	CHECK(client_sync(&cl), "no stats reply");
	CHECK(!slot_take_reset(&a->slot), "instance 1 reset");
	CHECK(slot_take_reset(&b->slot), "instance 2 not reset");
	CHECK(!slot_take_reset(&b->slot), "reset taken twice");
	CHECK(osc_link_bypassed(&a->link) && !osc_link_bypassed(&b->link), "bypass %d %d",
	      osc_link_bypassed(&a->link), osc_link_bypassed(&b->link));
	client_send(&cl, "/recur/1/bypass", "i", 0);
	client_send(&cl, "/recur/reset", "");
	CHECK(client_sync(&cl), "no stats reply");
	CHECK(!osc_link_bypassed(&a->link), "bypass not lifted");
	CHECK(slot_take_reset(&a->slot) && slot_take_reset(&b->slot), "reset all missed one");
}

static void check_load(instance *a, instance *b)
{
	const char *path = "/nonexistent/recur-osc-test/model.json";
	int before = scheduled;
	osc_link_run(&b->link);
	CHECK(scheduled == before, "run() scheduled work with nothing posted");
	client_send(&cl, "/recur/2/load", "s", path);
	CHECK(client_sync(&cl), "no stats reply");
	osc_link_run(&a->link);
	CHECK(scheduled == before, "the other instance scheduled the load");
	osc_link_run(&b->link);
	CHECK(scheduled == before + 1, "run() scheduled %d jobs for one load", scheduled - before);
	CHECK(contains(last_work, last_work_size, path), "the Worker job lacks the path");
	osc_link_run(&b->link);
	CHECK(scheduled == before + 1, "the load was scheduled twice");

	/* The Worker side of the slot: the load fails (no such file) and run()
	 * learns it through the response, as with a patch:Set. */
	LV2_Worker_Status st = slot_work(&b->slot, respond, NULL, last_work_size, last_work);
	CHECK(st == LV2_WORKER_SUCCESS && response_size > 0, "the Worker did not answer");
	slot_work_response(&b->slot, response_size, response);
	CHECK(slot_status_now(&b->slot) == SLOT_STATUS_LOAD_FAILED, "status %d after a failed load",
	      slot_status_now(&b->slot));
}

static void check_list(instance *a)
{
	pthread_mutex_lock(&a->slot.saved_lock);
	snprintf(a->slot.saved_path, sizeof a->slot.saved_path, "/models/amp.json");
	pthread_mutex_unlock(&a->slot.saved_lock);
	CHECK(client_list(&cl), "no list reply");
	CHECK(cl.n_listed == 2, "%d listed", cl.n_listed);
	bool found = false;
	for (int i = 0; i < cl.n_listed; i++)
		found |= cl.listed[i].id == 1 && !strcmp(cl.listed[i].path, "/models/amp.json");
	CHECK(found, "instance 1 not listed with its model path");
}

static void check_state(instance *a, instance *b)
{
	CHECK(osc_link_save(&b->link, store, NULL) == LV2_STATE_SUCCESS, "save");
	int32_t v = 0;
	memcpy(&v, saved.value, sizeof v);
	CHECK(saved.size == 4 && v == 2, "saved id %d (%u bytes)", v, saved.size);
	close_instance(b);
	close_instance(a);
	/* A reopened session: the first new instance gets id 1, then its state
	 * gives it id 2 back. */
	instance c;
	CHECK(open_instance(&c), "reopen");
	CHECK(osc_link_id(&c.link) == 1, "new instance id %d", osc_link_id(&c.link));
	osc_link_restore(&c.link, retrieve, NULL);
	CHECK(osc_link_id(&c.link) == 2, "restored id %d", osc_link_id(&c.link));
	client_send(&cl, "/recur/2/reset", "");
	CHECK(client_sync(&cl), "no stats reply");
	CHECK(slot_take_reset(&c.slot), "restored id not addressable");
	close_instance(&c);
	CHECK(osc_server_port() == 0, "server still running");
}

int main(void)
{
	if (!client_open(&cl, client_pick_port(2)))
		return 1;
	unsetenv("RECUR_OSC_BIND");
	static instance a, b;
	if (!open_instance(&a) || !open_instance(&b)) {
		fprintf(stderr, "slot_init failed\n");
		return 1;
	}
	CHECK(osc_server_port() == cl.port, "server port %d", osc_server_port());
	if (client_sync(&cl)) {
		check_commands(&a, &b);
		check_load(&a, &b);
		check_list(&a);
		check_state(&a, &b);
	} else {
		CHECK(false, "server does not answer");
		close_instance(&b);
		close_instance(&a);
	}
	client_close(&cl);
	for (uint32_t i = 0; i < n_uris; i++)
		free(uris[i]);
	return check_exit();
}
