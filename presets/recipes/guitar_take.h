/*
 * A guitar-like take for training a capture: what a player records when
 * asked for "varied playing". Six strings (presets/synth/pluck.h) in standard
 * tuning play single notes at random frets, some palm-muted, strummed chords
 * (open shapes and power chords, down and up strokes), and rests where every
 * string is damped; the level drifts between phrases from soft to hard
 * picking. The take is scaled so its loudest sample is 0.7, like a DI
 * recording that keeps its peaks below full scale.
 */
#ifndef RECUR_PRESETS_GUITAR_TAKE_H
#define RECUR_PRESETS_GUITAR_TAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUITAR_TAKE_PEAK 0.7

/* Fills x[0..n) at `rate` frames per second; the same seed gives the same
 * take. False (x untouched) if memory runs out. */
bool guitar_take(float *x, size_t n, double rate, uint32_t seed);

#endif
