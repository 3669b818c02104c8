/*
 * The devices the shipped presets capture, computed from their equations
 * (written out in presets/README.md). Each reads x[0..n) and writes
 * y[0..n) at `rate` frames per second, starting from rest; x and y must not
 * alias.
 */
#ifndef RECUR_PRESETS_DEVICES_H
#define RECUR_PRESETS_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	DEVICE_DIODE,      /* diode-clipper overdrive with a tone filter */
	DEVICE_TUBE,       /* asymmetric tube-like stage, bias following the envelope */
	DEVICE_FUZZ,       /* high-gain, nearly hard, asymmetric clipping */
	DEVICE_COMPRESSOR, /* slow feed-forward RMS compressor */
	DEVICE_AMP,        /* amplifier: preamp, tone stack, sagging power stage, speaker */
	DEVICE_COUNT
} device_kind;

/* "diode", "tube", "fuzz", "compressor", "amp"; false if the name is unknown. */
bool device_from_name(const char *name, device_kind *kind);
const char *device_name(device_kind kind);

/* drive in [0, 1] is the device's drive knob; only the tube has one, the
 * others ignore it. */
void device_run(device_kind kind, double drive, const float *x, float *y, size_t n, double rate);

#endif
