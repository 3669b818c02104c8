/* The ports of the recur CV plugin. ttl/recur_cv.ttl declares the same
 * indices; the cv_golden test checks the two agree. */
#ifndef RECUR_CV_PORTS_H
#define RECUR_CV_PORTS_H

#define CV_CHANNELS 8

typedef enum {
	CV_PORT_IN1 = 0,              /* .. CV_PORT_IN1 + 7: CV in, the model's inputs 0..7 */
	CV_PORT_OUT1 = 8,             /* .. CV_PORT_OUT1 + 7: CV out, the model's outputs 0..7 */
	CV_PORT_GATE = 16,            /* CV out: 1 while output 0 is above the threshold */
	CV_PORT_ENABLED = 17,         /* lv2:enabled: 0 passes in1..8 to out1..8 */
	CV_PORT_RESET = 18,           /* trigger */
	CV_PORT_INTERPOLATE = 19,     /* toggle: interpolate instead of hold between steps */
	CV_PORT_GATE_THRESHOLD = 20,  /* 0..1 */
	CV_PORT_GATE_HYSTERESIS = 21, /* 0..0.5 */
	CV_PORT_STATUS = 22,          /* output: cv_status */
	CV_PORT_NAN_RESETS = 23,      /* output */
	CV_PORT_STEP_RATE = 24,       /* output: network steps per second, 0 without a model */
	CV_PORT_OSC_PORT = 25,        /* output: the process's OSC server port, 0 off */
	CV_PORT_OSC_ID = 26,          /* output: this instance's OSC id, 0 none */
	CV_PORT_CONTROL = 27,         /* atom in: patch:Set/Get */
	CV_PORT_NOTIFY = 28,          /* atom out */
	CV_PORT_COUNT
} cv_port_index;

/* Symbols by index, as in ttl/recur_cv.ttl. */
#define RECUR_CV_PORT_SYMBOLS                                                                      \
	{                                                                                          \
		"in1", "in2", "in3", "in4", "in5", "in6", "in7", "in8", "out1", "out2", "out3",    \
		    "out4", "out5", "out6", "out7", "out8", "gate", "enabled", "reset",            \
		    "interpolate", "gate_threshold", "gate_hysteresis", "status", "nan_resets",    \
		    "step_rate", "osc_port", "osc_id", "control", "notify"                         \
	}

/* The value of the status output. */
typedef enum {
	CV_STATUS_EMPTY = 0,       /* no model: in1..8 pass to out1..8 */
	CV_STATUS_PER_SAMPLE = 1,  /* model running, one step per host sample */
	CV_STATUS_OWN_RATE = 2,    /* model running at its own rate (averaged, held/interpolated) */
	CV_STATUS_LOAD_FAILED = 3, /* last load failed or was refused; the previous model runs */
} cv_status;

#endif
