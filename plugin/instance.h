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

/* The host's deactivate: the instance leaves the OSC server. */
void instance_deactivate(LV2_Handle h);
/* Closes the OSC link first (the server must not reach a dying slot), then
 * frees the slot's models and the instance itself (one malloc'd block). */
void instance_cleanup(LV2_Handle h);
/* The Worker and State interfaces, for LV2_Descriptor.extension_data. */
const void *instance_extension_data(const char *uri);

#endif
