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
 * Lifetime: an instance joins the server when the host activates it and
 * leaves when the host deactivates (or frees) it, so the server's port and
 * thread exist only while some instance may run. A plugin scanner or
 * validator that only instantiates and frees opens no port and leaves no
 * thread behind. An instance activated from another process than the one
 * that instantiated it (a validator's child sharing its memory, as lv2lint
 * runs every call) stays without OSC: a thread started there would keep
 * that process from ever exiting.
 *
 * Threads: osc_link_open/activate/deactivate/close/save/restore on the
 * host's non-real-time threads; osc_link_run, osc_link_bypassed and
 * osc_link_id on the audio thread (no locks, no allocation, no system calls).
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
#include <sys/types.h>

typedef struct {
	osc_client client; /* registry entry; client.id written under its lock */
	model_slot *slot;
	atomic_bool bypass;
	atomic_int id;        /* client.id, published for run(); 0 while inactive */
	atomic_int wanted_id; /* the id to ask for at the next activation */
	pid_t owner;          /* the process that instantiated the instance */
	osc_mailbox mailbox;
	LV2_URID osc_id_key; /* state key <plugin>#osc_id */
	LV2_Atom_Forge forge;
	/* The patch:Set sequence run() builds for a load: path + ~100 bytes. */
	uint64_t set_buf[(OSC_MAILBOX_BYTES + 256) / 8];
} osc_link;

/* After slot_init: maps what it needs; does not attach yet. */
void osc_link_open(osc_link *l, model_slot *slot);
/* From the plugin's activate: attaches (the first instance starts the
 * server), under the id it had before or restored. */
void osc_link_activate(osc_link *l);
/* From deactivate: detaches (the last instance stops the server); the id is
 * kept for the next activation and the saved state. */
void osc_link_deactivate(osc_link *l);
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
