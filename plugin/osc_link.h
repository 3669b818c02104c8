/*
 * One plugin instance's side of OSC control: registers the instance with the
 * process's OSC server (osc.h) and turns what the server asks into what the
 * model slot already understands.
 *
 *   reset   -> slot_request_reset (the slot's atomic flag)
 *   bypass  -> an atomic the plugin's run() reads
 *   load    -> the path goes through a lock-free mailbox; run() takes it and
 *              hands the slot a patch:Set of the model, so the load takes
 *              the very path a host's file chooser does (Worker, swap, notify)
 *   list    -> the slot's saved path (under its own non-real-time lock)
 *
 * Threads: osc_link_open/close/save/restore on the host's non-real-time
 * threads; osc_link_run, osc_link_bypassed and osc_link_id on the audio
 * thread (no locks, no allocation, no system calls).
 */
#ifndef RECUR_OSC_LINK_H
#define RECUR_OSC_LINK_H

#include "model_slot.h"
#include "osc.h"
#include "osc_mailbox.h"

#include <lv2/atom/forge.h>
#include <lv2/state/state.h>

#include <stdatomic.h>
#include <stdbool.h>

typedef struct {
	osc_client client; /* registry entry; client.id written under its lock */
	model_slot *slot;
	atomic_bool bypass;
	atomic_int id; /* client.id, published for run() */
	osc_mailbox mailbox;
	LV2_URID osc_id_key; /* state key <plugin>#osc_id */
	LV2_Atom_Forge forge;
	/* The patch:Set sequence run() builds for a load: path + ~100 bytes. */
	uint64_t set_buf[(OSC_MAILBOX_BYTES + 256) / 8];
} osc_link;

/* After slot_init: maps what it needs and attaches to the server. */
void osc_link_open(osc_link *l, model_slot *slot);
/* Before slot_fini: detaches; the server never calls this instance again. */
void osc_link_close(osc_link *l);

/* Audio thread, after slot_run_events: hands a pending OSC load to the slot. */
void osc_link_run(osc_link *l);
static inline bool osc_link_bypassed(osc_link *l)
{
	return atomic_load_explicit(&l->bypass, memory_order_relaxed);
}
static inline int osc_link_id(osc_link *l)
{
	return atomic_load_explicit(&l->id, memory_order_relaxed);
}

/* The id travels with the plugin's state so a reopened session gets it back
 * when it is free. */
LV2_State_Status osc_link_save(osc_link *l, LV2_State_Store_Function store,
                               LV2_State_Handle handle);
void osc_link_restore(osc_link *l, LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle);

#endif
