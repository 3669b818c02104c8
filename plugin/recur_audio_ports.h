/* The ports of the recur audio plugin. ttl/recur.ttl declares the same
 * indices; the plugin_golden test checks the two agree. */
#ifndef RECUR_AUDIO_PORTS_H
#define RECUR_AUDIO_PORTS_H

typedef enum {
	PORT_IN = 0,
	PORT_OUT = 1,
	PORT_IN_GAIN = 2,     /* dB */
	PORT_OUT_GAIN = 3,    /* dB */
	PORT_MIX = 4,         /* 0 dry .. 1 wet */
	PORT_ENABLED = 5,     /* lv2:enabled: 0 bypassed */
	PORT_RESET = 6,       /* trigger */
	PORT_COND1 = 7,       /* .. PORT_COND1 + N_COND - 1, normalised 0..1 */
	PORT_OSC_PORT = 11,   /* output: the process's OSC server port, 0 off */
	PORT_STATUS = 12,     /* output, slot_status */
	PORT_NAN_RESETS = 13, /* output */
	PORT_CONTROL = 14,    /* atom in: patch:Set/Get */
	PORT_NOTIFY = 15,     /* atom out */
	PORT_OSC_ID = 16,     /* output: this instance's OSC id, 0 none */
	PORT_LATENCY = 17,    /* output: samples the model adds at the host's rate */
	PORT_COUNT
} port_index;

/* Symbols by index, as in ttl/recur.ttl. */
#define RECUR_AUDIO_PORT_SYMBOLS                                                                   \
	{                                                                                          \
		"in", "out", "in_gain", "out_gain", "mix", "enabled", "reset", "cond1", "cond2",   \
		    "cond3", "cond4", "osc_port", "status", "nan_resets", "control", "notify",     \
		    "osc_id", "latency"                                                            \
	}

#endif
