/* The bundle's entry point: lists the plugins in the order of the manifest. */
#include "plugins.h"

#include <stddef.h>

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
	switch (index) {
	case 0:
		return &recur_audio_descriptor;
	case 1:
		return &recur_cv_descriptor;
	default:
		return NULL;
	}
}
