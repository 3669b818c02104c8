/* The Worker and State interfaces every recur plugin shares (instance.h). */
#include "instance.h"

#include <lv2/state/state.h>
#include <lv2/worker/worker.h>

#include <stdlib.h>
#include <string.h>

void instance_deactivate(LV2_Handle h)
{
	osc_link_deactivate(&((recur_instance *)h)->osc);
}

void instance_cleanup(LV2_Handle h)
{
	recur_instance *p = h;
	osc_link_close(&p->osc);
	slot_fini(&p->slot);
	free(p);
}

static LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	return slot_work(&((recur_instance *)h)->slot, respond, handle, size, data);
}

static LV2_Worker_Status work_response(LV2_Handle h, uint32_t size, const void *data)
{
	RT_MUTANT("work_response", (recur_instance *)h);
	return slot_work_response(&((recur_instance *)h)->slot, size, data);
}

/* The model path and the OSC id; a failure to store the model wins, as it
 * is the one a session cannot do without. */
static LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle sh,
                             uint32_t flags, const LV2_Feature *const *features)
{
	(void)flags;
	recur_instance *p = h;
	LV2_State_Status id = osc_link_save(&p->osc, store, sh);
	LV2_State_Status model = slot_save(&p->slot, store, sh, features);
	return model != LV2_STATE_SUCCESS ? model : id;
}

static LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve,
                                LV2_State_Handle sh, uint32_t flags,
                                const LV2_Feature *const *features)
{
	(void)flags;
	recur_instance *p = h;
	osc_link_restore(&p->osc, retrieve, sh);
	return slot_restore(&p->slot, retrieve, sh, features);
}

const void *instance_extension_data(const char *uri)
{
	static const LV2_Worker_Interface worker = {work, work_response, NULL};
	static const LV2_State_Interface state = {save, restore};
	if (!strcmp(uri, LV2_WORKER__interface))
		return &worker;
	if (!strcmp(uri, LV2_STATE__interface))
		return &state;
	return NULL;
}
