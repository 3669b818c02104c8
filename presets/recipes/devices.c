/* The captured devices; presets/README.md has their equations. */
#include "devices.h"

/* The diode clipper is the one recur-train's own tests learn, kept in one
 * place so both always mean the same device. */
#include "../../tests/train/signals.h"

#include <math.h>
#include <string.h>

static const char *const names[DEVICE_COUNT] = {"diode", "tube", "fuzz", "compressor", "amp"};

bool device_from_name(const char *name, device_kind *kind)
{
	for (int k = 0; k < DEVICE_COUNT; k++)
		if (!strcmp(name, names[k])) {
			*kind = (device_kind)k;
			return true;
		}
	return false;
}

const char *device_name(device_kind kind)
{
	return kind < DEVICE_COUNT ? names[kind] : "?";
}

/* Coefficient of a one-pole smoother with time constant `seconds`. */
static double one_pole(double seconds, double rate)
{
	return 1.0 - exp(-1.0 / (seconds * rate));
}

/* A first-order DC-blocking high-pass at hz: the state is (x[n-1], y[n-1]). */
typedef struct {
	double a, x1, y1;
} highpass;

static highpass highpass_at(double hz, double rate)
{
	return (highpass){exp(-2.0 * M_PI * hz / rate), 0, 0};
}

static double highpass_next(highpass *f, double x)
{
	f->y1 = f->a * (f->y1 + x - f->x1);
	f->x1 = x;
	return f->y1;
}

/* Triode-like transfer: soft towards positive grid voltage, harder towards
 * cut-off, so even harmonics appear. */
static double tube_curve(double u)
{
	return u >= 0 ? tanh(u) : tanh(1.5 * u) / 1.5 + 0.2 * u / (1.0 + u * u);
}

static void tube(double drive, const float *x, float *y, size_t n, double rate)
{
	const double gain = 2.0 * pow(10.0, 1.2 * drive); /* 2 .. 31.7 */
	/* The output level tracks the drive down, as a player's volume knob
	 * would, so every setting plays at a similar loudness. */
	const double level = 0.5 * pow(2.0 / gain, 0.6);
	const double attack = one_pole(0.002, rate), release = one_pole(0.040, rate);
	highpass dc = highpass_at(10.0, rate);
	double env = 0;
	for (size_t i = 0; i < n; i++) {
		const double v = gain * x[i];
		const double a = fabs(v);
		env += (a > env ? attack : release) * (a - env);
		/* The grid bias sags with the signal: the stage grows more
		 * symmetric, and compresses, while it is driven hard. */
		const double bias = 0.5 - 0.4 * tanh(0.5 * env);
		const double out = tube_curve(v + bias) - tube_curve(bias);
		y[i] = (float)(level * highpass_next(&dc, out));
	}
}

static double fuzz_curve(double u)
{
	return u / pow(1.0 + pow(fabs(u), 6.0), 1.0 / 6.0); /* nearly hard clip at +-1 */
}

static void fuzz(const float *x, float *y, size_t n, double rate)
{
	const double offset = 0.3; /* a mis-biased transistor: asymmetric clipping */
	const double lp = 1.0 - exp(-2.0 * M_PI * 3000.0 / rate);
	highpass in_hp = highpass_at(80.0, rate), out_hp = highpass_at(10.0, rate);
	double tone = 0;
	for (size_t i = 0; i < n; i++) {
		const double v = 40.0 * highpass_next(&in_hp, x[i]);
		const double c = fuzz_curve(v + offset) - fuzz_curve(offset);
		tone += lp * (c - tone);
		y[i] = (float)(0.4 * highpass_next(&out_hp, tone));
	}
}

static void compressor(const float *x, float *y, size_t n, double rate)
{
	const double threshold_db = -24.0, ratio = 4.0, makeup_db = 6.0;
	const double attack = one_pole(0.010, rate), release = one_pole(0.100, rate);
	double power = 0;
	for (size_t i = 0; i < n; i++) {
		const double p = (double)x[i] * x[i];
		power += (p > power ? attack : release) * (p - power);
		const double level_db = 10.0 * log10(power + 1e-12);
		const double over = level_db - threshold_db;
		const double reduction_db = over > 0 ? over * (1.0 - 1.0 / ratio) : 0.0;
		y[i] = (float)(x[i] * pow(10.0, (makeup_db - reduction_db) / 20.0));
	}
}

/* A one-pole low-pass at hz: l[n] = l[n-1] + c (u[n] - l[n-1]). */
typedef struct {
	double c, y1;
} lowpass;

static lowpass lowpass_at(double hz, double rate)
{
	return (lowpass){1.0 - exp(-2.0 * M_PI * hz / rate), 0};
}

static double lowpass_next(lowpass *f, double x)
{
	f->y1 += f->c * (x - f->y1);
	return f->y1;
}

/* The peaking biquad of the Audio EQ Cookbook (Direct Form I): gain_db at
 * hz, bandwidth set by q. */
typedef struct {
	double b0, b1, b2, a1, a2, x1, x2, y1, y2;
} peaking;

static peaking peaking_at(double hz, double q, double gain_db, double rate)
{
	const double A = pow(10.0, gain_db / 40.0), w0 = 2.0 * M_PI * hz / rate;
	const double alpha = sin(w0) / (2.0 * q), a0 = 1.0 + alpha / A;
	return (peaking){.b0 = (1.0 + alpha * A) / a0,
	                 .b1 = -2.0 * cos(w0) / a0,
	                 .b2 = (1.0 - alpha * A) / a0,
	                 .a1 = -2.0 * cos(w0) / a0,
	                 .a2 = (1.0 - alpha / A) / a0};
}

static double peaking_next(peaking *f, double x)
{
	const double y = f->b0 * x + f->b1 * f->x1 + f->b2 * f->x2 - f->a1 * f->y1 - f->a2 * f->y2;
	f->x2 = f->x1;
	f->x1 = x;
	f->y2 = f->y1;
	f->y1 = y;
	return y;
}

/* The amplifier's filters, in signal order. */
typedef struct {
	highpass in, bright, interstage, low_cut;
	lowpass miller, bass, cone1, cone2;
	highpass treble;
	peaking resonance;
} amp_filters;

static amp_filters amp_filters_at(double rate)
{
	return (amp_filters){.in = highpass_at(40.0, rate),
	                     .bright = highpass_at(800.0, rate),
	                     .interstage = highpass_at(120.0, rate),
	                     .miller = lowpass_at(5000.0, rate),
	                     .bass = lowpass_at(250.0, rate),
	                     .treble = highpass_at(2000.0, rate),
	                     .low_cut = highpass_at(60.0, rate),
	                     .resonance = peaking_at(110.0, 2.0, 8.0, rate),
	                     .cone1 = lowpass_at(4000.0, rate),
	                     .cone2 = lowpass_at(4000.0, rate)};
}

/* Preamp, tone stack, power stage with supply sag, speaker. */
static void amp(const float *x, float *y, size_t n, double rate)
{
	amp_filters f = amp_filters_at(rate);
	const double rise = one_pole(0.010, rate), fall = one_pole(0.100, rate);
	double current = 0;
	for (size_t i = 0; i < n; i++) {
		/* A bright input: the highs get 8 dB more gain than the lows. */
		const double p = highpass_next(&f.in, x[i]) + 1.5 * highpass_next(&f.bright, x[i]);
		const double a1 = tube_curve(0.3 + 10.0 * p) - tube_curve(0.3);
		const double between = lowpass_next(&f.miller, highpass_next(&f.interstage, a1));
		/* The second triode sees the signal the other way up, so its
		 * harder side clips the other half-wave. */
		const double a2 = tube_curve(0.4) - tube_curve(0.4 - 4.0 * between);
		const double low = lowpass_next(&f.bass, a2), high = highpass_next(&f.treble, a2);
		const double tone = low + 0.4 * (a2 - low - high) + 0.8 * high;
		const double drawn = fabs(tanh(2.0 * tone));
		current += (drawn > current ? rise : fall) * (drawn - current);
		const double supply = 1.0 - 0.3 * current;
		const double power = supply * tanh(2.0 * tone / supply);
		const double cone = peaking_next(&f.resonance, highpass_next(&f.low_cut, power));
		y[i] = (float)(0.3 * lowpass_next(&f.cone2, lowpass_next(&f.cone1, cone)));
	}
}

void device_run(device_kind kind, double drive, const float *x, float *y, size_t n, double rate)
{
	switch (kind) {
	case DEVICE_DIODE:
		diode_tone(x, y, n, rate);
		break;
	case DEVICE_TUBE:
		tube(drive, x, y, n, rate);
		break;
	case DEVICE_FUZZ:
		fuzz(x, y, n, rate);
		break;
	case DEVICE_AMP:
		amp(x, y, n, rate);
		break;
	case DEVICE_COMPRESSOR:
	default:
		compressor(x, y, n, rate);
		break;
	}
}
