/* Quality and cost of running a model at another host rate than its own
 * (engine/host_rate.h), against the offline reference: the input converted
 * to the model's rate with libsamplerate's best sinc converter, run, and
 * converted back (what `recur-process --resample` does).
 *
 *   bench-rate CLIP.wav MODEL.json... [--rates 44100,48000,...] [--seconds S]
 *              [--assume-rate HZ] [--order N] [--filter lagrange|minimax]
 *              [--sweep-top HZ] [--tone-detail]
 *
 * --assume-rate gives models that state no rate (imported files) one;
 * --order runs the state-delay column with that filter order instead of
 * the chosen one (0 with whole M: the exact delay), --filter with that kind
 * (Lagrange unless given; --filter alone: order 3).
 *
 * For each model and host rate, four ways to run it: naive (the model as if
 * trained at the host rate), the state-delay method with the filter the
 * stability analysis picks (or the first candidate when it picks
 * resampling), the real-time resampler, and what recur chooses. For each:
 *   SNR guitar  10 log10(sum ref^2 / sum (y - ref)^2) up to 20 kHz, on CLIP
 *               (a 48 kHz guitar-like recording) converted to the host rate;
 *   SNR sweeps  the same on two exponential sine sweeps of amplitude 0.5:
 *               20 Hz .. 4 kHz (--sweep-top), where the model's first
 *               harmonics stay below its Nyquist frequency, and 20 Hz ..
 *               0.45 of the lower rate, where a distorting model's
 *               harmonics fold back at its own rate, so the reference itself
 *               is aliased there and no method at another rate matches it;
 *   SNR tones   the measure of DAFx 2024's evaluation: 16 tones (amplitude
 *               0.5) from 40 Hz to 20 kHz (or 0.45 of the lower rate), each
 *               on an FFT bin; the complex amplitudes of DC and every
 *               harmonic up to that top are compared with the reference's,
 *               and whatever either has between the harmonics (aliases) is
 *               left out. Given: the worst tone up to 4.2 kHz (the musical
 *               range, the paper's MIDI 21..108) and the worst of all
 *               (--tone-detail prints each tone);
 *   alias       energy away from the harmonics of a 3 kHz sine (amplitude
 *               0.5), relative to all its energy, in dB (lower is better);
 *   CPU         seconds of computing (thread CPU time, so other processes on a
 *               busy machine do not count) per second of audio, in percent of
 *               one core.
 * The real-time resampler's output is compared after removing its latency.
 * Prints a Markdown table on stdout. Not a test: run it by hand (nice), see
 * docs/plugin.md. */
#include <complex.h>
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fft.h"
#include "host_rate.h"
#include "host_resample.h"
#include "recur.h"

#define SINE_HZ  3000.0
#define FFT_SIZE 32768

/* Tones for the harmonic SNR: TONES of them, log-spaced from TONE_LOW Hz to
 * 20 kHz (or 0.45 of the lower rate), each TONE_SETTLE seconds before its
 * analysis window and TONE_TAIL after it (the converters' edges). */
#define TONES       16
#define TONE_LOW    40.0
#define TONE_SETTLE 0.25
#define TONE_TAIL   0.05
/* The top of the musical range, as DAFx 2024's tones (MIDI notes 21 to 108,
 * 27.5 Hz to 4186 Hz): fundamentals above it are reported apart. */
#define TONE_MUSICAL 4200.0

typedef struct {
	float *x;
	size_t n;
} signal;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static signal read_clip(const char *path, double *rate)
{
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	signal s = {0};
	if (!f) {
		fprintf(stderr, "bench-rate: %s: %s\n", path, sf_strerror(NULL));
		exit(1);
	}
	float *all = malloc((size_t)info.frames * (size_t)info.channels * sizeof *all);
	s.n = (size_t)sf_readf_float(f, all, info.frames);
	s.x = malloc(s.n * sizeof *s.x);
	for (size_t t = 0; t < s.n; t++)
		s.x[t] = all[t * (size_t)info.channels];
	free(all);
	sf_close(f);
	*rate = info.samplerate;
	return s;
}

static signal convert(signal in, double from, double to)
{
	recur_error err;
	signal s = {0};
	s.x = recur_resample_offline(in.x, in.n, 1, from, to, &s.n, &err);
	if (!s.x) {
		fprintf(stderr, "bench-rate: %s\n", err.msg);
		exit(1);
	}
	return s;
}

static signal sweep(double rate, double seconds, double top)
{
	signal s = {malloc((size_t)(rate * seconds) * sizeof(float)), (size_t)(rate * seconds)};
	double f0 = 20.0, k = log(top / f0) / seconds;
	for (size_t t = 0; t < s.n; t++) {
		double time = (double)t / rate;
		s.x[t] = (float)(0.5 * sin(2 * M_PI * f0 * (exp(k * time) - 1.0) / k));
	}
	return s;
}

static signal sine(double rate, double seconds)
{
	signal s = {malloc((size_t)(rate * seconds) * sizeof(float)), (size_t)(rate * seconds)};
	/* On an FFT bin, so the harmonics are single bins (plus the window's). */
	double f = round(SINE_HZ * FFT_SIZE / rate) * rate / FFT_SIZE;
	for (size_t t = 0; t < s.n; t++)
		s.x[t] = (float)(0.5 * sin(2 * M_PI * f * (double)t / rate));
	return s;
}

/* The analysis window at a rate: a power of two of at least 0.17 s, so the
 * bins are under 6 Hz apart and the lowest tone's harmonics are 7 bins or
 * more apart. */
static size_t tone_window(double rate)
{
	size_t n = 1;
	while ((double)n < 0.17 * rate)
		n <<= 1;
	return n;
}

/* Tone k's frequency in bins of the window: on a bin, so every harmonic is
 * on a bin too and the window's spectrum puts nothing of it on the others. */
static size_t tone_bin(int k, double top, double rate, size_t window)
{
	double f = TONE_LOW * pow(top / TONE_LOW, (double)k / (TONES - 1));
	double b = floor(f * (double)window / rate);
	return b < 1 ? 1 : (size_t)b;
}

static signal tone(double rate, size_t bin, size_t window)
{
	size_t n = (size_t)((TONE_SETTLE + TONE_TAIL) * rate) + window;
	signal s = {malloc(n * sizeof(float)), n};
	for (size_t t = 0; t < n; t++)
		s.x[t] =
		    (float)(0.5 * sin(2 * M_PI * (double)(bin * (t % window)) / (double)window));
	return s;
}

/* The model over x at the model's rate, between the offline converters
 * (at the model's own rate: the model alone). */
static signal reference(recur_model *m, signal x, double host)
{
	if (host == m->sample_rate) {
		signal y = {malloc(x.n * sizeof(float)), x.n};
		recur_reset(m);
		recur_process_mono(m, x.x, y.x, x.n, NULL);
		return y;
	}
	signal xm = convert(x, host, m->sample_rate);
	signal ym = {malloc(xm.n * sizeof(float)), xm.n};
	recur_reset(m);
	recur_process_mono(m, xm.x, ym.x, xm.n, NULL);
	signal y = convert(ym, m->sample_rate, host);
	free(xm.x);
	free(ym.x);
	if (y.n > x.n)
		y.n = x.n;
	return y;
}

/* y of the method, its latency removed; *seconds the time it took. */
static signal run(recur_host_rate *r, signal x, double *seconds)
{
	int lat = recur_host_rate_plan(r)->latency;
	signal y = {calloc(x.n + (size_t)lat, sizeof(float)), x.n};
	float *in = calloc(x.n + (size_t)lat, sizeof(float));
	memcpy(in, x.x, x.n * sizeof(float));
	recur_host_rate_reset(r);
	double start = now();
	for (size_t done = 0; done < x.n + (size_t)lat; done += 256) {
		size_t len = x.n + (size_t)lat - done < 256 ? x.n + (size_t)lat - done : 256;
		recur_host_rate_process_mono(r, in + done, y.x + done, len, NULL);
	}
	*seconds = now() - start;
	memmove(y.x, y.x + lat, x.n * sizeof(float));
	free(in);
	return y;
}

/* SNR of y against ref in the audible band (up to 20 kHz, or the host's
 * Nyquist frequency if lower): both are cut there by zeroing FFT bins, since
 * the reference has nothing above the model's Nyquist frequency and content
 * above 20 kHz is not heard. */
static double snr(signal y, signal ref, double rate)
{
	size_t n = y.n < ref.n ? y.n : ref.n, size = 1;
	while (size < n)
		size <<= 1;
	double complex *z = calloc(size, sizeof *z);
	for (size_t t = 0; t < n; t++) {
		if (!isfinite(y.x[t])) {
			free(z);
			return -INFINITY;
		}
		z[t] = ((double)y.x[t] - ref.x[t]) + I * (double)ref.x[t];
	}
	/* Two real signals in one complex FFT: error in the real part, reference
	 * in the imaginary part, told apart by the spectrum's symmetry. */
	dsp_fft(z, size, false);
	size_t top = (size_t)(fmin(20000.0, 0.5 * rate) * (double)size / rate);
	double e = 0, s = 0;
	for (size_t b = 0; b <= top; b++) {
		const double complex zb = z[b], zc = conj(z[(size - b) % size]);
		const double complex err = 0.5 * (zb + zc), sig = -0.5 * I * (zb - zc);
		double weight = b == 0 ? 1.0 : 2.0;
		e += weight * creal(err * conj(err));
		s += weight * creal(sig * conj(sig));
	}
	free(z);
	return 10.0 * log10(s / fmax(e, 1e-30));
}

/* Energy outside +-4 bins of every harmonic of the sine, over all of it, in
 * dB, from the last FFT_SIZE samples (Hann window). */
static double aliasing(signal y, double rate)
{
	static double complex z[FFT_SIZE];
	size_t off = y.n - FFT_SIZE;
	for (size_t t = 0; t < FFT_SIZE; t++) {
		double w = 0.5 - 0.5 * cos(2 * M_PI * (double)t / FFT_SIZE);
		z[t] = w * y.x[off + t];
	}
	dsp_fft(z, FFT_SIZE, false);
	long f_bin = lround(SINE_HZ * FFT_SIZE / rate);
	double all = 0, off_harm = 0;
	for (long b = 1; b < FFT_SIZE / 2; b++) {
		double p = creal(z[b] * conj(z[b]));
		all += p;
		long nearest = lround((double)b / (double)f_bin) * f_bin;
		if (labs(b - nearest) > 4)
			off_harm += p;
	}
	return 10.0 * log10(fmax(off_harm, 1e-30) / fmax(all, 1e-30));
}

/* The complex amplitudes of DC and every harmonic of a tone on bin b0 up to
 * top_bin, from the window of y starting at off,
 * through a 4-term Blackman-Harris window: its spectrum is zero at whole-bin
 * offsets of 4 or more, so on-bin harmonics do not leak into each other and
 * the off-bin rest (aliases) leaks at -92 dB at most. Returns the count. */
static size_t harmonics(signal y, size_t off, size_t window, size_t b0, size_t top_bin,
                        double complex *h)
{
	double complex *z = calloc(window, sizeof *z);
	for (size_t t = 0; t < window; t++) {
		double a = 2 * M_PI * (double)t / (double)window;
		double w = 0.35875 - 0.48829 * cos(a) + 0.14128 * cos(2 * a) - 0.01168 * cos(3 * a);
		z[t] = w * y.x[off + t];
	}
	dsp_fft(z, window, false);
	size_t n = 0;
	for (size_t b = 0; b <= top_bin; b += b0)
		h[n++] = z[b];
	free(z);
	return n;
}

/* SNR of y against ref over the tone's harmonics (and DC) up to top_bin:
 * the measure of DAFx 2024's evaluation, which leaves out what either
 * signal has off the harmonics (aliases, reported separately), since a
 * model run at another rate cannot alias where the reference does. */
static double harmonic_snr(signal y, signal ref, double rate, size_t window, size_t b0,
                           size_t top_bin)
{
	/* The same stretch of both, TONE_SETTLE seconds in (the reference may
	 * be a few samples shorter than the tone: the converters' rounding). */
	size_t off = (size_t)(TONE_SETTLE * rate);
	if (y.n < off + window || ref.n < off + window)
		return -INFINITY;
	double complex *hy = calloc(top_bin / b0 + 1, sizeof *hy);
	double complex *hr = calloc(top_bin / b0 + 1, sizeof *hr);
	size_t n = harmonics(y, off, window, b0, top_bin, hy);
	harmonics(ref, off, window, b0, top_bin, hr);
	double e = 0, s = 0;
	for (size_t k = 0; k < n; k++) {
		double complex d = hy[k] - hr[k];
		e += creal(d * conj(d));
		s += creal(hr[k] * conj(hr[k]));
	}
	free(hy);
	free(hr);
	if (!isfinite(e))
		return -INFINITY;
	return 10.0 * log10(s / fmax(e, 1e-30));
}

typedef struct {
	double snr_clip, snr_low, snr_musical, snr_tones, snr_sweep, alias, cpu;
	double tone[TONES]; /* harmonic SNR of each tone */
	/* snr_musical, snr_tones: the worst tone up to TONE_MUSICAL, and of all */
} scores;

/* The signals at the host rate and the reference's output for each. */
typedef struct {
	signal clip, low, sweep, sine;
	signal ref_clip, ref_low, ref_sweep, ref_sine;
	signal tone[TONES], ref_tone[TONES];
	size_t window, bin[TONES], top_bin; /* the tones' analysis */
} signals;

static void measure_tones(recur_host_rate *r, double host, const signals *g, scores *s)
{
	s->snr_tones = s->snr_musical = INFINITY;
	for (int k = 0; k < TONES; k++) {
		double secs;
		signal y = run(r, g->tone[k], &secs);
		s->tone[k] =
		    harmonic_snr(y, g->ref_tone[k], host, g->window, g->bin[k], g->top_bin);
		s->snr_tones = fmin(s->snr_tones, s->tone[k]);
		if ((double)g->bin[k] * host / (double)g->window <= TONE_MUSICAL)
			s->snr_musical = fmin(s->snr_musical, s->tone[k]);
		free(y.x);
	}
}

static scores measure(recur_model *m, double host, const recur_host_options *opt, const signals *g,
                      recur_host_plan *plan)
{
	recur_error err;
	scores s = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, 0, 0, {0}};
	recur_host_rate *r = recur_host_rate_new(m, host, opt, &err);
	if (!r) {
		fprintf(stderr, "bench-rate: %s\n", err.msg);
		return s;
	}
	*plan = *recur_host_rate_plan(r);
	double secs;
	signal y = run(r, g->clip, &secs);
	s.snr_clip = snr(y, g->ref_clip, host);
	s.cpu = 100.0 * secs / ((double)g->clip.n / host);
	free(y.x);
	y = run(r, g->low, &secs);
	s.snr_low = snr(y, g->ref_low, host);
	free(y.x);
	y = run(r, g->sweep, &secs);
	s.snr_sweep = snr(y, g->ref_sweep, host);
	free(y.x);
	y = run(r, g->sine, &secs);
	s.alias = aliasing(y, host);
	free(y.x);
	measure_tones(r, host, g, &s);
	recur_host_rate_free(r);
	return s;
}

static void cell(scores s)
{
	printf(" %.1f / %.1f / %.1f / %.1f / %.1f / %.0f / %.1f |", s.snr_clip, s.snr_low,
	       s.snr_musical, s.snr_tones, s.snr_sweep, s.alias, s.cpu);
}

static const char *plan_name(const recur_host_plan *p, char *buf, size_t len)
{
	if (p->method == RECUR_HOST_CONVERTED)
		snprintf(buf, len, p->order ? "delay, %s %d" : "delay, exact",
		         recur_filter_name(p->filter), p->order);
	else if (p->method == RECUR_HOST_RESAMPLED)
		snprintf(buf, len, "resampled (%s), %d samples",
		         p->order > 0 ? "inaccurate" : "unstable", p->latency);
	else
		snprintf(buf, len, "%s", recur_host_method_name(p->method));
	return buf;
}

static double assumed_rate;     /* --assume-rate: for models that state none */
static int forced_order = -1;   /* --order: the state-delay column's filter */
static double sweep_top = 4000; /* --sweep-top: highest frequency of the low sweep, Hz */
static bool tone_detail;        /* --tone-detail: each tone's SNR on stderr */

/* Every signal at the host rate, and the reference's output for each. */
static void signals_make(signals *g, recur_model *m, double host, signal clip48, double clip_rate,
                         double seconds)
{
	g->clip = convert(clip48, clip_rate, host);
	if (g->clip.n > (size_t)(seconds * host))
		g->clip.n = (size_t)(seconds * host);
	double top = 0.45 * fmin(host, m->sample_rate);
	g->low = sweep(host, seconds, fmin(sweep_top, top));
	g->sweep = sweep(host, seconds, top);
	g->sine = sine(host, 1.5);
	g->ref_clip = reference(m, g->clip, host);
	g->ref_low = reference(m, g->low, host);
	g->ref_sweep = reference(m, g->sweep, host);
	g->ref_sine = reference(m, g->sine, host);
	g->window = tone_window(host);
	double tone_top = fmin(20000.0, top);
	g->top_bin = (size_t)(tone_top * (double)g->window / host);
	for (int k = 0; k < TONES; k++) {
		g->bin[k] = tone_bin(k, tone_top, host, g->window);
		g->tone[k] = tone(host, g->bin[k], g->window);
		g->ref_tone[k] = reference(m, g->tone[k], host);
	}
}

static void signals_free(signals *g)
{
	signal *all[] = {&g->clip,     &g->low,     &g->sweep,     &g->sine,
	                 &g->ref_clip, &g->ref_low, &g->ref_sweep, &g->ref_sine};
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		free(all[k]->x);
	for (int k = 0; k < TONES; k++) {
		free(g->tone[k].x);
		free(g->ref_tone[k].x);
	}
}

/* --tone-detail: each tone's harmonic SNR per method, on stderr. */
static void print_tone_detail(const char *name, double host, const signals *g, const scores *col)
{
	static const char *const what[] = {"naive", "state delay", "RT resampler"};
	fprintf(stderr, "%s at %g kHz, harmonic SNR dB per tone:\n  Hz          ", name,
	        host / 1000.0);
	for (int k = 0; k < TONES; k++)
		fprintf(stderr, " %6.0f", (double)g->bin[k] * host / (double)g->window);
	for (int c = 0; c < 3; c++) {
		fprintf(stderr, "\n  %-12s", what[c]);
		for (int k = 0; k < TONES; k++)
			fprintf(stderr, " %6.1f", col[c].tone[k]);
	}
	fprintf(stderr, "\n");
}

static recur_filter_kind forced_filter; /* --filter: the kind of --order's filter */

static void bench_model(const char *path, const double *rates, int n_rates, signal clip48,
                        double clip_rate, double seconds)
{
	recur_error err;
	recur_model *m = recur_model_load(path, &err);
	if (m && !(m->sample_rate > 0))
		m->sample_rate = assumed_rate;
	if (!m || !(m->sample_rate > 0)) {
		fprintf(stderr, "bench-rate: %s: %s\n", path, m ? "no sample rate" : err.msg);
		recur_model_free(m);
		return;
	}
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	for (int i = 0; i < n_rates; i++) {
		double host = rates[i];
		signals g;
		signals_make(&g, m, host, clip48, clip_rate, seconds);
		recur_host_plan chosen, p;
		scores col[3];
		recur_host_options naive = {.force = true, .method = RECUR_HOST_NAIVE};
		recur_host_options resampled = {.force = true, .method = RECUR_HOST_RESAMPLED};
		scores s_auto = measure(m, host, NULL, &g, &chosen);
		char buf[64];
		printf("| %s | %g | %.3f | %s |", name, host / 1000.0, host / m->sample_rate,
		       plan_name(&chosen, buf, sizeof buf));
		col[0] = measure(m, host, &naive, &g, &p);
		if (forced_order >= 0 && chosen.method != RECUR_HOST_SAME) {
			recur_host_options forced = {true, RECUR_HOST_CONVERTED, forced_order,
			                             forced_filter};
			col[1] = measure(m, host, &forced, &g, &p);
		} else if (chosen.method == RECUR_HOST_CONVERTED ||
		           chosen.method == RECUR_HOST_SAME) {
			col[1] = s_auto;
		} else {
			/* Resampled: the best filter the accuracy check rejected, or,
			 * when none was stable, the first candidate. */
			bool rejected = chosen.order > 0;
			recur_host_options first = {true, RECUR_HOST_CONVERTED,
			                            rejected                ? chosen.order
			                            : host < m->sample_rate ? 2
			                                                    : 3,
			                            rejected ? chosen.filter
			                                     : RECUR_FILTER_LAGRANGE};
			col[1] = measure(m, host, &first, &g, &p);
		}
		col[2] = measure(m, host, &resampled, &g, &p);
		for (int c = 0; c < 3; c++)
			cell(col[c]);
		printf(" %.0f |\n", aliasing(g.ref_sine, host));
		fflush(stdout);
		if (tone_detail)
			print_tone_detail(name, host, &g, col);
		signals_free(&g);
	}
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	double rates[16] = {44100, 48000, 88200, 96000, 192000};
	int n_rates = 5;
	double seconds = 2.0;
	const char *clip_path = NULL;
	const char *models[64];
	int n_models = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rates") == 0 && i + 1 < argc) {
			n_rates = 0;
			for (char *p = argv[++i]; *p && n_rates < 16;) {
				rates[n_rates++] = strtod(p, &p);
				if (*p == ',')
					p++;
			}
		} else if (strcmp(argv[i], "--order") == 0 && i + 1 < argc) {
			forced_order = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "minimax") != 0 && strcmp(argv[i], "lagrange") != 0) {
				fprintf(stderr,
				        "bench-rate: --filter wants lagrange or minimax, got "
				        "\"%s\"\n",
				        argv[i]);
				return 2;
			}
			forced_filter = strcmp(argv[i], "minimax") == 0 ? RECUR_FILTER_MINIMAX
			                                                : RECUR_FILTER_LAGRANGE;
			if (forced_order < 0)
				forced_order = 3;
		} else if (strcmp(argv[i], "--assume-rate") == 0 && i + 1 < argc) {
			assumed_rate = atof(argv[++i]);
		} else if (strcmp(argv[i], "--sweep-top") == 0 && i + 1 < argc) {
			sweep_top = atof(argv[++i]);
		} else if (strcmp(argv[i], "--tone-detail") == 0) {
			tone_detail = true;
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!clip_path) {
			clip_path = argv[i];
		} else if (n_models < 64) {
			models[n_models++] = argv[i];
		}
	}
	if (!clip_path || !n_models) {
		fprintf(stderr, "usage: bench-rate CLIP.wav MODEL.json... [--rates R,R,...] "
		                "[--seconds S] [--assume-rate HZ] [--order N] "
		                "[--filter lagrange|minimax] [--sweep-top HZ] [--tone-detail]\n");
		return 2;
	}
	double clip_rate;
	signal clip = read_clip(clip_path, &clip_rate);
	printf("Each cell: SNR dB guitar / sweep to %g Hz / worst tone to %g Hz / worst tone to "
	       "20 kHz (harmonics) / full sweep, then aliasing dB, CPU %% of one core.\n\n",
	       sweep_top, TONE_MUSICAL);
	printf("| model | host kHz | M | chosen | naive | state delay | RT resampler | alias of "
	       "reference |\n|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < n_models; i++)
		bench_model(models[i], rates, n_rates, clip, clip_rate, seconds);
	free(clip.x);
	return 0;
}
