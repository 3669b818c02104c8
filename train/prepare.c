/* Alignment and data checks before training: see prepare.h. */
#include "prepare.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/standard_signal.h"
#include "align.h"
#include "datacheck.h"

#define MAX_FINDINGS 16

/* Thresholds, in one place (docs/capture.md explains each). */
#define WEAK_CORR        0.3   /* below: the target barely follows the input */
#define UNRELATED_CORR   0.1   /* below: the wrong file */
#define REPEAT_NOISY     0.005 /* ESR between the two plays */
#define REPEAT_HOPELESS  0.5
#define CLIP_RUNS_STOP   10
#define DRIFT_PPM_NOTE   1.0
#define MISALIGNED_STOP  4.0 /* frames, with --align off */
#define LEADS_STOP       2.0 /* frames the target may lead before it looks swapped */
#define NOISE_ESR_WARN   1e-3
#define DC_WARN          0.01
#define QUIET_INPUT_DBFS -20.0
#define DROPOUT_WARN     0.05
#define SMALL_LATENCY    2.0   /* frames: below, no interface's (without the standard signal) */
#define PURE_DELAY_COST  0.005 /* residual ESR a shift may add to a causal fit (pure_delay) */
#define PURE_DELAY_TAPS  64
#define PURE_DELAY_LEN   131072

typedef struct {
	bool problem; /* stops training unless --force */
	char text[320];
} finding;

/* Everything found about one pair; see capture_json for the field names. */
typedef struct {
	const data_file *f;
	double rate;
	bool standard, target_standard;
	const char *layout_source; /* "metadata", "recognised" or NULL */
	capture_layout layout;
	datacheck_levels in, out;
	const char *method; /* how the latency was found, NULL if it was not */
	double latency, latency_end, pos, pos_end, corr;
	bool have_end;
	double drift_ppm;
	bool inverted;
	bool small;        /* a latency too small to be an interface's: left in place */
	int pure_delay;    /* of a small latency, the whole frames that are a pure delay */
	double pure_cost;  /* what taking out the first frame not taken out would cost a
	                      causal fit; NAN if none was tried */
	bool drift_unsure; /* the delay changes by a frame or more along the file, not in a
	                      straight line */
	bool aligned;
	double shift, slope; /* applied: target(i) = sign * y(i + shift + slope i) */
	float sign;
	double noise_floor_dbfs, noise_esr, repeat_esr, dropouts;
	int n_findings;
	finding findings[MAX_FINDINGS];
} pair_check;

static void add(pair_check *c, bool problem, const char *fmt, ...)
{
	if (c->n_findings == MAX_FINDINGS)
		return;
	finding *f = &c->findings[c->n_findings++];
	f->problem = problem;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
}

/* Which file carries the standard signal: the input by its metadata or its
 * first second, and, to catch swapped files, the target. */
static void recognise(pair_check *c, const float *x, size_t nx, const float *y, size_t ny)
{
	char why[300];
	capture_layout other;
	const int in = capture_layout_read(c->f->input_path, &c->layout, why, sizeof why);
	if (in < 0)
		add(c, true,
		    "the input's capture layout cannot be used (%s): write the signal again with "
		    "recur-capture at the interface's rate",
		    why);
	if (in > 0)
		c->layout_source = "metadata";
	else if (capture_signal_recognise(x, nx, (int)c->rate, &c->layout))
		c->layout_source = "recognised";
	c->standard = c->layout_source != NULL;
	c->target_standard = capture_layout_read(c->f->target_path, &other, why, sizeof why) > 0 ||
	                     capture_signal_recognise(y, ny, (int)c->rate, &other);
}

/* Latency at the calibration pulses: the mean of each pair of pulses. */
static bool measure_blips(pair_check *c, const float *x, size_t nx, const float *y, size_t ny)
{
	const size_t half = (size_t)(0.25 * c->rate), max_lag = (size_t)(0.24 * c->rate);
	align_match m[CAPTURE_BLIPS];
	bool found[CAPTURE_BLIPS];
	for (int k = 0; k < CAPTURE_BLIPS; k++)
		found[k] = c->layout.blip[k] >= half &&
		           align_measure(x, nx, y, ny, c->layout.blip[k] - half, 2 * half, 0,
		                         max_lag, &m[k]) &&
		           fabs(m[k].corr) >= WEAK_CORR;
	if (!found[0] || !found[1])
		return false;
	c->method = "calibration pulses";
	c->latency = (m[0].delay + m[1].delay) / 2;
	c->pos = (m[0].centre + m[1].centre) / 2;
	c->corr = (m[0].corr + m[1].corr) / 2;
	if (fabs(m[0].delay - m[1].delay) > 0.5)
		add(c, false,
		    "the two start pulses disagree (%.2f and %.2f frames): the device is noisy or "
		    "changes with time",
		    m[0].delay, m[1].delay);
	c->have_end = found[2] && found[3];
	if (c->have_end) {
		c->latency_end = (m[2].delay + m[3].delay) / 2;
		c->pos_end = (m[2].centre + m[3].centre) / 2;
	} else {
		add(c, false,
		    "the end pulses were not found: the recording stopped early, or the clocks "
		    "drift far apart (a file played at the wrong rate?); drift not measured");
	}
	return true;
}

/* Latency by cross-correlating the loudest stretch of the first and of the
 * last 40% of the input with the target. A drifting clock changes the delay
 * along each stretch, and the correlation then weighs the delay where the
 * music is loud and bright, not at any known frame; so the target is read
 * once with the drift that was found taken out, and what remains at each
 * stretch corrects the estimate. A filtering device delays some notes more
 * than others, which looks like drift too; real drift is a straight line,
 * so the loudest stretch of the middle fifth must sit on it. */
static bool measure_anywhere(pair_check *c, const float *x, size_t nx, const float *y, size_t ny)
{
	/* First the whole recording (up to 2^20 frames of its middle), whose many
	 * notes leave one clear peak where a stretch of one repeated note would
	 * leave several; then the stretches, near that peak. */
	const size_t whole = nx < (1u << 20) ? nx : (1u << 20);
	size_t max_lag = (size_t)c->rate;
	if (max_lag > nx / 4)
		max_lag = nx / 4;
	align_match g, m0, m1;
	if (nx < 256 || !align_measure(x, nx, y, ny, (nx - whole) / 2, whole, 0, max_lag, &g))
		return false;
	c->method = "cross-correlation";
	c->latency = c->latency_end = g.delay;
	c->corr = g.corr;
	c->pos = c->pos_end = g.centre;
	size_t len = 65536;
	if (len > nx / 4)
		len = nx / 4;
	const long near = lround(g.delay);
	const size_t spread = 16 + (size_t)(200e-6 * (double)nx); /* 200 ppm of drift */
	const size_t at0 = align_loudest(x, 0, nx * 2 / 5, len);
	const size_t at1 = align_loudest(x, nx * 3 / 5, nx, len);
	const size_t atm = align_loudest(x, nx * 2 / 5, nx * 3 / 5 + len, len);
	c->have_end = align_measure(x, nx, y, ny, at0, len, near, spread, &m0) &&
	              align_measure(x, nx, y, ny, at1, len, near, spread, &m1) &&
	              fabs(m0.corr) >= WEAK_CORR && fabs(m1.corr) >= WEAK_CORR &&
	              (m0.corr > 0) == (g.corr > 0) && (m1.corr > 0) == (g.corr > 0) &&
	              m1.centre > m0.centre;
	if (!c->have_end)
		return true;
	c->latency = m0.delay;
	c->pos = m0.centre;
	c->latency_end = m1.delay;
	c->pos_end = m1.centre;
	if (fabs(c->latency_end - c->latency) <= 0.05)
		return true;
	const double slope = (c->latency_end - c->latency) / (c->pos_end - c->pos);
	const double d0 = c->latency - slope * c->pos;
	const float sign = c->corr < 0 ? -1.0f : 1.0f;
	float *undrifted = malloc(nx * sizeof *undrifted);
	align_match r0, r1, rm;
	bool straight = false;
	if (undrifted) {
		align_shift(y, ny, d0, slope, sign, undrifted, nx);
		straight = align_measure(x, nx, undrifted, nx, at0, len, 0, 8, &r0) &&
		           align_measure(x, nx, undrifted, nx, at1, len, 0, 8, &r1) &&
		           align_measure(x, nx, undrifted, nx, atm, len, 0, 8, &rm) &&
		           fabs(rm.delay - (r0.delay + r1.delay) / 2) <=
		               0.25 * fabs(c->latency_end - c->latency);
	}
	free(undrifted);
	if (straight) {
		c->latency = d0 + slope * c->pos + r0.delay;
		c->latency_end = d0 + slope * c->pos_end + r1.delay;
	} else {
		c->drift_unsure = fabs(c->latency_end - c->latency) > 1;
		c->latency = c->latency_end = (c->latency + c->latency_end) / 2;
	}
	return true;
}

static void measure(pair_check *c, const float *x, size_t nx, const float *y, size_t ny)
{
	if (!(c->standard && measure_blips(c, x, nx, y, ny)) && !measure_anywhere(c, x, nx, y, ny))
		return;
	c->inverted = c->corr < 0;
	if (c->have_end && c->pos_end > c->pos)
		c->drift_ppm = (c->latency_end - c->latency) / (c->pos_end - c->pos) * 1e6;
}

/* Of a latency under SMALL_LATENCY frames (without the standard signal), the
 * whole frames that are a pure delay (a digital device's, or a shift made by
 * hand) rather than the device's own response, which the model needs: the
 * largest shift up to the latency that adds at most PURE_DELAY_COST to the
 * residual of a causal linear fit (align_causal_residual). On the shipped
 * presets' devices one frame costs 0.0056-0.12; one frame of pure delay on
 * them costs 0.0042 at most (docs/capture.md). */
static int pure_delay(pair_check *c, const float *x, size_t nx, const float *y, size_t ny)
{
	const long most = lround(c->latency);
	if (most < 1)
		return 0;
	size_t len = PURE_DELAY_LEN < nx / 2 ? PURE_DELAY_LEN : nx / 2;
	const size_t at = align_loudest(x, 0, nx, len);
	const double base = align_causal_residual(x, nx, y, ny, at, len, 0, PURE_DELAY_TAPS);
	if (base < 0)
		return 0;
	int s = 0;
	while (s < most) {
		const double r =
		    align_causal_residual(x, nx, y, ny, at, len, s + 1, PURE_DELAY_TAPS);
		if (r < 0 || r - base > PURE_DELAY_COST) {
			c->pure_cost = r < 0 ? NAN : r - base;
			break;
		}
		s++;
	}
	return s;
}

/* The shift that takes out what was measured (or forced), applied to the
 * target; returns the new target, NULL if memory runs out. *frames gets
 * the frames of the pair that remain. */
static float *align_target(pair_check *c, const prepare_options *o, const float *y, size_t nx,
                           size_t ny, size_t *frames)
{
	if (o->mode == ALIGN_FIXED) {
		c->slope = 0;
		c->shift = o->latency;
	} else if (c->pure_delay) {
		c->slope = 0;
		c->shift = c->pure_delay;
		c->sign = c->inverted ? -1.0f : 1.0f;
	} else {
		/* below a twentieth of a frame from start to end, drift is measurement
		 * noise */
		const bool drifts = c->have_end && fabs(c->latency_end - c->latency) > 0.05;
		c->slope = drifts ? (c->latency_end - c->latency) / (c->pos_end - c->pos) : 0;
		c->shift = c->latency - c->slope * c->pos;
		if (!drifts && fabs(c->shift - round(c->shift)) < 0.02)
			c->shift = round(c->shift); /* an exact copy, no interpolation */
		c->sign = c->inverted ? -1.0f : 1.0f;
	}
	const double last = ((double)ny - 1 - c->shift) / (1 + c->slope);
	size_t n = last < 0 ? 0 : (size_t)last + 1;
	if (n > nx)
		n = nx;
	float *t = malloc((n ? n : 1) * sizeof *t);
	if (!t)
		return NULL;
	align_shift(y, ny, c->shift, c->slope, c->sign, t, n);
	c->aligned = true;
	*frames = n;
	return t;
}

/* Checks that need input and target frame by frame: repeat consistency,
 * noise floor, dropouts. */
static void check_aligned(pair_check *c, const float *x, const float *t, size_t n)
{
	c->repeat_esr = c->noise_floor_dbfs = NAN;
	const capture_segment *a = c->standard ? capture_find(&c->layout, "repeat_a") : NULL;
	const capture_segment *b = c->standard ? capture_find(&c->layout, "repeat_b") : NULL;
	if (a && b && a->frames == b->frames && b->start + b->frames <= n)
		c->repeat_esr = datacheck_esr(t + a->start, t + b->start, a->frames);
	const capture_segment *q = c->standard ? capture_find(&c->layout, "noise_floor") : NULL;
	const size_t settle = (size_t)c->rate;
	if (q && q->frames > 2 * settle && q->start + q->frames <= n)
		c->noise_floor_dbfs =
		    datacheck_ac_rms_dbfs(t + q->start + settle, q->frames - settle);
	else
		c->noise_floor_dbfs = datacheck_noise_floor(x, t, n, c->rate);
	const double signal_dbfs = datacheck_rms_dbfs(t, n);
	c->noise_esr =
	    isfinite(c->noise_floor_dbfs) ? pow(10, (c->noise_floor_dbfs - signal_dbfs) / 10) : NAN;
	const size_t block = (size_t)(0.05 * c->rate) ? (size_t)(0.05 * c->rate) : 1;
	size_t playing = 0, dropped = 0;
	for (size_t at = 0; at + block <= n; at += block)
		if (datacheck_rms_dbfs(x + at, block) > -50) {
			playing++;
			dropped += datacheck_rms_dbfs(t + at, block) < -70;
		}
	c->dropouts = playing ? (double)dropped / (double)playing : 0;
}

static void judge_levels(pair_check *c)
{
	if (c->in.rms_dbfs < -70)
		add(c, true, "the input is silent: --input takes the signal that was played");
	if (c->out.rms_dbfs < -70)
		add(c, true,
		    "the target is silent: check the cable, the recording track and --channel");
	if (c->out.clip_runs >= CLIP_RUNS_STOP)
		add(c, true,
		    "the target clips: %zu runs of frames at full scale, the longest %zu frames; "
		    "lower the recording gain (peaks below -1 dBFS) and record again",
		    c->out.clip_runs, c->out.clip_longest);
	else if (c->out.clip_runs)
		add(c, false,
		    "the target touches full scale (%zu runs, the longest %zu frames): the "
		    "recording may clip; leave more headroom",
		    c->out.clip_runs, c->out.clip_longest);
	if (c->in.clip_runs)
		add(c, false,
		    "the input reaches full scale (%zu runs): the interface's output may clip it",
		    c->in.clip_runs);
	if (fabs(c->out.dc) > DC_WARN)
		add(c, false, "the target has a DC offset of %+.3f: a faulty input or device?",
		    c->out.dc);
	if (fabs(c->in.dc) > DC_WARN)
		add(c, false, "the input has a DC offset of %+.3f", c->in.dc);
	if (c->in.rms_dbfs >= -70 && c->in.peak_dbfs < QUIET_INPUT_DBFS)
		add(c, false,
		    "the input peaks at %.1f dBFS: the model learns only this range of levels; "
		    "play the signal as loud as the device will see it",
		    c->in.peak_dbfs);
}

static void judge_alignment(pair_check *c, const prepare_options *o)
{
	if (c->target_standard && !c->standard)
		add(c, true,
		    "the target is the capture signal and the input is not: the files are "
		    "swapped (--input takes the signal played, --target the recording)");
	if (!c->method) {
		if (c->in.rms_dbfs >= -70 && c->out.rms_dbfs >= -70)
			add(c, o->mode == ALIGN_AUTO,
			    "the latency could not be measured: input and target do not correlate");
		return;
	}
	if (fabs(c->corr) < UNRELATED_CORR)
		add(c, true,
		    "the target does not follow the input (correlation %.2f): a different take, "
		    "or the wrong file",
		    c->corr);
	else if (fabs(c->corr) < WEAK_CORR)
		add(c, false,
		    "the target follows the input only weakly (correlation %.2f): heavy "
		    "distortion, or a time-based effect",
		    c->corr);
	if (c->latency < -LEADS_STOP && !(c->target_standard && !c->standard))
		add(c, true,
		    "the target leads the input by %.1f frames: are the files swapped, or was the "
		    "recording moved by hand?",
		    -c->latency);
	if (o->mode == ALIGN_OFF && fabs(c->latency) > MISALIGNED_STOP)
		add(c, true,
		    "the target lags the input by %.1f frames and --align off keeps it: drop "
		    "--align off (or give --latency)",
		    c->latency);
	if (c->drift_unsure)
		add(c, false,
		    "the delay changes along the recording, but not as a clock drift would: a "
		    "device whose delay depends on what it plays? The mean delay was used");
	if (c->have_end && fabs(c->drift_ppm) >= DRIFT_PPM_NOTE)
		add(c, false,
		    "the clocks drift by %+.1f ppm (%.2f frames from start to end): input and "
		    "target were clocked apart%s",
		    c->drift_ppm, c->latency_end - c->latency,
		    o->mode == ALIGN_AUTO ? "; taken out" : "");
	if (c->in.crest_db + 6 < c->out.crest_db && c->out.crest_db > 12 && !c->standard)
		add(c, false,
		    "the input looks processed and the target dry (crest factor %.1f dB vs "
		    "%.1f dB): swapped files?",
		    c->in.crest_db, c->out.crest_db);
}

static void judge_aligned(pair_check *c)
{
	if (c->repeat_esr > REPEAT_HOPELESS)
		add(c, true,
		    "the two plays of the repeated segment differ completely (ESR %.3g): the "
		    "device changes from one play to the next (modulation, delay, a noise gate); "
		    "turn time-based effects off and record again",
		    c->repeat_esr);
	else if (c->repeat_esr > REPEAT_NOISY)
		add(c, false,
		    "the two plays of the repeated segment differ (ESR %.3g): the device is noisy "
		    "or time-varying; no model gets much below an ESR of %.3g on this capture",
		    c->repeat_esr, c->repeat_esr / 2);
	if (c->noise_esr > NOISE_ESR_WARN)
		add(c, false,
		    "the target's noise floor is %.1f dBFS: noise alone keeps the ESR above %.2g; "
		    "reduce hum and hiss (gain staging, cables, ground loops)",
		    c->noise_floor_dbfs, c->noise_esr);
	if (c->dropouts > DROPOUT_WARN)
		add(c, false,
		    "the target is silent in %.0f%% of the stretches where the input plays: a "
		    "noise gate, or dropouts in the recording",
		    100 * c->dropouts);
}

static void judge_lengths(pair_check *c, size_t nx, size_t ny)
{
	const double late = (double)ny - (double)nx - (c->method ? c->latency : 0);
	if (late < -0.5 * c->rate)
		add(c, false,
		    "the target ends %.1f s before the input does: the recording stopped early",
		    -late / c->rate);
	else if (late > 5 * c->rate)
		add(c, false,
		    "the target is %.1f s longer than the input: the recording of another take?",
		    late / c->rate);
}

static void print_levels(const char *name, const datacheck_levels *s)
{
	fprintf(stderr,
	        "  %-9s peak %.1f dBFS, RMS %.1f dBFS, crest %.1f dB, DC %+.4f, clipped runs %zu, "
	        "silent %.0f%%\n",
	        name, s->peak_dbfs, s->rms_dbfs, s->crest_db, s->dc, s->clip_runs,
	        100 * s->silent_fraction);
}

static void print_report(const pair_check *c, size_t nx, size_t ny, size_t kept)
{
	fprintf(stderr, "recur-train: data check of %s -> %s\n", c->f->input_path,
	        c->f->target_path);
	fprintf(stderr, "  signal    %s, %.0f Hz, input %.1f s, target %.1f s\n",
	        c->standard ? (strcmp(c->layout_source, "metadata") == 0
	                           ? "standard capture signal (layout from the file)"
	                           : "standard capture signal (recognised by its pulses)")
	                    : "any recording (not the standard capture signal)",
	        c->rate, (double)nx / c->rate, (double)ny / c->rate);
	print_levels("input", &c->in);
	print_levels("target", &c->out);
	if (c->method) {
		fprintf(stderr, "  latency   %.2f frames (%.3f ms) by %s, correlation %.3f\n",
		        c->latency, 1e3 * c->latency / c->rate, c->method, fabs(c->corr));
		if (c->have_end)
			fprintf(stderr, "  drift     %.2f frames at the end: %+.2f ppm\n",
			        c->latency_end, c->drift_ppm);
		fprintf(stderr, "  polarity  %s\n", c->inverted ? "inverted" : "normal");
	} else {
		fprintf(stderr, "  latency   not measured\n");
	}
	if (c->aligned)
		fprintf(
		    stderr,
		    "  aligned   target advanced by %.2f frames%s%s%s; %zu frames (%.1f s) kept\n",
		    c->shift, c->pure_delay ? " (a pure delay)" : "",
		    c->slope != 0 ? ", drift taken out" : "",
		    c->sign < 0 ? ", polarity restored" : "", kept, (double)kept / c->rate);
	else if (c->small && isfinite(c->pure_cost))
		fprintf(stderr,
		        "  aligned   no: under %g frames and not a pure delay (one frame less "
		        "costs a causal fit %.3g of the target's energy): the device's own\n",
		        SMALL_LATENCY, c->pure_cost);
	else if (c->small)
		fprintf(stderr,
		        "  aligned   no: under %g frames is the device's own delay, not an "
		        "interface's\n",
		        SMALL_LATENCY);
	else
		fprintf(stderr, "  aligned   no (--align off)\n");
	if (c->noise_floor_dbfs <= -199)
		fprintf(stderr,
		        "  noise     none: the target is digital silence where the input is\n");
	else if (isfinite(c->noise_floor_dbfs))
		fprintf(stderr, "  noise     floor %.1f dBFS: limits the ESR to about %.2g\n",
		        c->noise_floor_dbfs, c->noise_esr);
	else
		fprintf(stderr,
		        "  noise     floor not measured (no silent stretch in the input)\n");
	if (isfinite(c->repeat_esr))
		fprintf(stderr,
		        "  repeat    ESR %.3g between the two plays of the repeated segment\n",
		        c->repeat_esr);
	int problems = 0;
	for (int i = 0; i < c->n_findings; i++) {
		fprintf(stderr, "  %-9s %s\n", c->findings[i].problem ? "PROBLEM" : "warning",
		        c->findings[i].text);
		problems += c->findings[i].problem;
	}
	fprintf(stderr, "  result    %d problem%s, %d warning%s\n", problems,
	        problems == 1 ? "" : "s", c->n_findings - problems,
	        c->n_findings - problems == 1 ? "" : "s");
}

static void add_number(cJSON *j, const char *name, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(j, name, v);
	else
		cJSON_AddNullToObject(j, name);
}

static cJSON *levels_json(const datacheck_levels *s)
{
	cJSON *j = cJSON_CreateObject();
	add_number(j, "peak_dbfs", s->peak_dbfs);
	add_number(j, "rms_dbfs", s->rms_dbfs);
	add_number(j, "crest_db", s->crest_db);
	add_number(j, "dc", s->dc);
	add_number(j, "clipped_runs", (double)s->clip_runs);
	add_number(j, "longest_clipped_run", (double)s->clip_longest);
	add_number(j, "silent_fraction", s->silent_fraction);
	return j;
}

static cJSON *capture_json(const pair_check *c, size_t nx, size_t ny, size_t kept)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "input", c->f->input_path);
	cJSON_AddStringToObject(j, "target", c->f->target_path);
	cJSON_AddBoolToObject(j, "standard_signal", c->standard);
	add_number(j, "input_frames", (double)nx);
	add_number(j, "target_frames", (double)ny);
	cJSON_AddItemToObject(j, "input_levels", levels_json(&c->in));
	cJSON_AddItemToObject(j, "target_levels", levels_json(&c->out));
	if (c->method)
		cJSON_AddStringToObject(j, "latency_method", c->method);
	else
		cJSON_AddNullToObject(j, "latency_method");
	add_number(j, "latency_frames", c->method ? c->latency : NAN);
	add_number(j, "latency_end_frames", c->have_end ? c->latency_end : NAN);
	add_number(j, "drift_ppm", c->have_end ? c->drift_ppm : NAN);
	add_number(j, "correlation", c->method ? c->corr : NAN);
	cJSON_AddStringToObject(j, "polarity", c->inverted ? "inverted" : "normal");
	cJSON_AddBoolToObject(j, "aligned", c->aligned);
	add_number(j, "shift_frames", c->aligned ? c->shift : NAN);
	add_number(j, "shift_slope", c->aligned ? c->slope : NAN);
	add_number(j, "pure_delay_frames", c->pure_delay);
	add_number(j, "shift_cost", c->pure_cost);
	add_number(j, "frames_kept", (double)kept);
	add_number(j, "noise_floor_dbfs", c->noise_floor_dbfs);
	add_number(j, "noise_esr", c->noise_esr);
	add_number(j, "repeat_esr", c->repeat_esr);
	cJSON *w = cJSON_AddArrayToObject(j, "warnings");
	cJSON *p = cJSON_AddArrayToObject(j, "problems");
	for (int i = 0; i < c->n_findings; i++)
		cJSON_AddItemToArray(c->findings[i].problem ? p : w,
		                     cJSON_CreateString(c->findings[i].text));
	return j;
}

/* One pair: measure, align, check, report. Returns the number of problems,
 * -1 if memory runs out. */
static int prepare_pair(data_file *f, double rate, const prepare_options *o, cJSON *report,
                        char *first, size_t first_len)
{
	pair_check *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	c->f = f;
	c->rate = rate;
	c->sign = 1.0f;
	const float *x = f->signal, *y = f->t;
	const size_t nx = f->input_frames, ny = f->target_frames;
	for (size_t i = 0; i < nx || i < ny; i++)
		if ((i < nx && !isfinite(x[i])) || (i < ny && !isfinite(y[i]))) {
			free(c);
			return 0; /* data_finish says where */
		}
	recognise(c, x, nx, y, ny);
	datacheck_measure(x, nx, rate, &c->in);
	datacheck_measure(y, ny, rate, &c->out);
	measure(c, x, nx, y, ny);
	/* Without the standard signal, a latency under SMALL_LATENCY frames is the
	 * device's own (no interface's round trip is that short): the pair was
	 * aligned already, by hand or because it was generated. */
	c->small = o->mode == ALIGN_AUTO && c->method && !c->standard &&
	           fabs(c->latency) < SMALL_LATENCY &&
	           (!c->have_end || fabs(c->latency_end) < SMALL_LATENCY);
	c->pure_cost = NAN;
	if (c->small) {
		c->pure_delay = pure_delay(c, x, nx, y, ny);
		c->small = c->pure_delay == 0;
	}
	size_t kept = f->frames;
	if ((o->mode == ALIGN_AUTO && c->method && !c->small) || o->mode == ALIGN_FIXED) {
		float *t = align_target(c, o, y, nx, ny, &kept);
		if (!t) {
			free(c);
			return -1;
		}
		free(f->t);
		f->t = t;
		f->frames = kept;
	}
	check_aligned(c, x, f->t, f->frames);
	judge_levels(c);
	/* a silent file has nothing more to say */
	if (c->in.rms_dbfs >= -70 && c->out.rms_dbfs >= -70) {
		judge_alignment(c, o);
		judge_aligned(c);
		judge_lengths(c, nx, ny);
	}
	if (!o->quiet)
		print_report(c, nx, ny, kept);
	cJSON_AddItemToArray(report, capture_json(c, nx, ny, kept));
	int problems = 0;
	for (int i = 0; i < c->n_findings; i++) {
		if (c->findings[i].problem && !first[0])
			snprintf(first, first_len, "%s", c->findings[i].text);
		problems += c->findings[i].problem;
	}
	free(c);
	return problems;
}

bool prepare_pairs(data_set *d, const prepare_options *o, cJSON **report, bool *stopped,
                   recur_error *err)
{
	*report = NULL;
	*stopped = false;
	if (!d->n_files || !d->files[0].target_path)
		return true;
	*report = cJSON_CreateArray();
	int problems = 0;
	char first[200] = "";
	for (int i = 0; i < d->n_files; i++) {
		const int p =
		    prepare_pair(&d->files[i], d->sample_rate, o, *report, first, sizeof first);
		if (p < 0) {
			snprintf(err->msg, sizeof err->msg, "%s: out of memory while aligning",
			         d->files[i].target_path);
			return false;
		}
		if (d->files[i].frames == 0) {
			snprintf(err->msg, sizeof err->msg,
			         "%s: no frames are left after alignment: is the latency right?",
			         d->files[i].target_path);
			return false;
		}
		problems += p;
	}
	if (problems && !o->force) {
		*stopped = true;
		snprintf(err->msg, sizeof err->msg, "data check: %s%s; --force trains anyway",
		         first, problems > 1 ? " (and more: see the report)" : "");
		return false;
	}
	return true;
}
