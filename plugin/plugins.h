/* The plugins in recur.lv2. One module holds them all, so every instance in
 * a process shares one OSC server and one instance-id registry. */
#ifndef RECUR_PLUGINS_H
#define RECUR_PLUGINS_H

#include <lv2/core/lv2.h>

extern const LV2_Descriptor recur_audio_descriptor; /* recur_audio.c */
extern const LV2_Descriptor recur_cv_descriptor;    /* recur_cv.c */

#endif
