/*
 * What every recur plugin instance begins with: its model slot and its link
 * to the OSC server. The Worker and State interfaces and cleanup need nothing
 * else, so the plugins share them here as the same code.
 *
 * A plugin's own struct has a recur_instance as its FIRST member, so the
 * LV2_Handle of any recur plugin is also a recur_instance pointer.
 */
#ifndef RECUR_INSTANCE_H
#define RECUR_INSTANCE_H

#include "model_slot.h"
#include "osc_link.h"

#include <lv2/core/lv2.h>

typedef struct {
	model_slot slot;
	osc_link osc;
} recur_instance;

/* A test build only (meson's tests/plugin builds the plugin once more with
 * RECUR_RT_MUTANT and tests/plugin/rt_mutant.c): a deliberate forbidden call
 * where the host calls the plugin on the audio thread, chosen by the
 * environment, which the real-time test must catch. Nothing otherwise. */
#ifdef RECUR_RT_MUTANT
void rt_mutant_call(const char *where, LV2_Log_Logger *log);
#define RT_MUTANT(where, instance) rt_mutant_call((where), &(instance)->slot.logger)
#else
#define RT_MUTANT(where, instance) ((void)0)
#endif

/* The host's deactivate: the instance leaves the OSC server. */
void instance_deactivate(LV2_Handle h);
/* Closes the OSC link first (the server must not reach a dying slot), then
 * frees the slot's models and the instance itself (one malloc'd block). */
void instance_cleanup(LV2_Handle h);
/* The Worker and State interfaces, for LV2_Descriptor.extension_data. */
const void *instance_extension_data(const char *uri);

#endif
