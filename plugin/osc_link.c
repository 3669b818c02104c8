/* An instance's OSC hooks: from the server thread to the model slot. */
#include "osc_link.h"

#include <lv2/atom/util.h>
#include <lv2/patch/patch.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- called on the OSC server thread ---- */

static void link_reset(void *ctx)
{
	slot_request_reset(((osc_link *)ctx)->slot);
}

static void link_bypass(void *ctx, bool on)
{
	atomic_store_explicit(&((osc_link *)ctx)->bypass, on, memory_order_relaxed);
}

static bool link_load(void *ctx, const char *path, size_t len)
{
	/* run() holds the box for one copy at most; 50 tries 100 µs apart
	 * outlast any block. */
	return osc_mailbox_post(&((osc_link *)ctx)->mailbox, path, len, 50);
}

static void link_model_path(void *ctx, char *buf, size_t size)
{
	model_slot *s = ((osc_link *)ctx)->slot;
	pthread_mutex_lock(&s->saved_lock);
	snprintf(buf, size, "%s", s->saved_path);
	pthread_mutex_unlock(&s->saved_lock);
}

static const osc_ops link_ops = {link_reset, link_bypass, link_load, link_model_path};

/* ---- lifetime and state ---- */

void osc_link_open(osc_link *l, model_slot *slot)
{
	l->slot = slot;
	l->client.ops = &link_ops;
	l->client.ctx = l;
	l->client.id = 0;
	atomic_init(&l->bypass, false);
	osc_mailbox_init(&l->mailbox);
	char key[512];
	snprintf(key, sizeof key, "%s#osc_id", slot->plugin_uri);
	l->osc_id_key = slot->map->map(slot->map->handle, key);
	lv2_atom_forge_init(&l->forge, slot->map);
	atomic_init(&l->id, 0);
	atomic_init(&l->wanted_id, 0);
	l->owner = getpid();
}

void osc_link_activate(osc_link *l)
{
	if (l->client.id || getpid() != l->owner)
		return;
	int id = osc_attach(&l->client, atomic_load(&l->wanted_id), &l->slot->logger);
	if (id)
		atomic_store(&l->wanted_id, id);
	atomic_store(&l->id, id);
}

void osc_link_deactivate(osc_link *l)
{
	osc_detach(&l->client);
	atomic_store(&l->id, 0);
}

void osc_link_close(osc_link *l)
{
	osc_link_deactivate(l);
}

LV2_State_Status osc_link_save(osc_link *l, LV2_State_Store_Function store, LV2_State_Handle handle)
{
	int32_t id = osc_link_id(l);
	if (id <= 0)
		id = atomic_load(&l->wanted_id);
	if (id <= 0)
		return LV2_STATE_SUCCESS;
	return store(handle, l->osc_id_key, &id, sizeof id, l->slot->uris.atom_Int,
	             LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
}

void osc_link_restore(osc_link *l, LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle)
{
	size_t size = 0;
	uint32_t type = 0, flags = 0;
	const void *value = retrieve(handle, l->osc_id_key, &size, &type, &flags);
	if (!value || size != sizeof(int32_t) || type != l->slot->uris.atom_Int)
		return; /* none saved (or not ours): keep the id we have */
	int32_t wanted;
	memcpy(&wanted, value, sizeof wanted);
	if (wanted < 1 || wanted > OSC_MAX_ID)
		return;
	if (!l->client.id) {
		atomic_store(&l->wanted_id, wanted); /* taken at activation */
		return;
	}
	int id = osc_claim_id(&l->client, wanted);
	atomic_store(&l->wanted_id, id);
	atomic_store(&l->id, id);
}

/* ---- audio thread ---- */

/* A one-event sequence holding patch:Set <plugin>#model to the path: what a
 * host sends when the user picks a file. */
static const LV2_Atom_Sequence *forge_set(osc_link *l, const char *path, uint32_t len)
{
	const slot_uris *u = &l->slot->uris;
	LV2_Atom_Forge *f = &l->forge;
	lv2_atom_forge_set_buffer(f, (uint8_t *)l->set_buf, sizeof l->set_buf);
	LV2_Atom_Forge_Frame seq, obj;
	if (!lv2_atom_forge_sequence_head(f, &seq, 0) || !lv2_atom_forge_frame_time(f, 0) ||
	    !lv2_atom_forge_object(f, &obj, 0, u->patch_Set) ||
	    !lv2_atom_forge_key(f, u->patch_property) || !lv2_atom_forge_urid(f, u->model) ||
	    !lv2_atom_forge_key(f, u->patch_value) || !lv2_atom_forge_path(f, path, len))
		return NULL;
	lv2_atom_forge_pop(f, &obj);
	lv2_atom_forge_pop(f, &seq);
	return (const LV2_Atom_Sequence *)l->set_buf;
}

void osc_link_run(osc_link *l)
{
	uint32_t len = 0;
	const char *path = osc_mailbox_open(&l->mailbox, &len);
	if (!path)
		return;
	const LV2_Atom_Sequence *set = forge_set(l, path, len);
	osc_mailbox_close(&l->mailbox);
	if (set)
		slot_run_events(l->slot, set, NULL);
}
