/* recur_host_options_parse: the forced-method text recur-process
 * --rate-method and the plugin's RECUR_RATE_METHOD share. */
#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "host_rate.h"

static void accepts(const char *text, bool force, recur_host_method method, int order,
                    recur_filter_kind filter)
{
	recur_host_options o = {true, RECUR_HOST_SAME, 99, RECUR_FILTER_MINIMAX};
	bool ok = recur_host_options_parse(text, &o);
	CHECK(ok, "\"%s\" refused", text);
	CHECK(o.force == force && (!force || o.method == method), "\"%s\": method", text);
	if (force && method == RECUR_HOST_CONVERTED)
		CHECK(o.order == order && o.filter == filter, "\"%s\": order %d, %s", text, o.order,
		      recur_filter_name(o.filter));
}

static void refuses(const char *text)
{
	recur_host_options o = {true, RECUR_HOST_NAIVE, 4, RECUR_FILTER_MINIMAX};
	CHECK(!recur_host_options_parse(text, &o), "\"%s\" accepted", text);
	CHECK(o.force && o.method == RECUR_HOST_NAIVE && o.order == 4 &&
	          o.filter == RECUR_FILTER_MINIMAX,
	      "\"%s\": refused, yet the options changed", text);
}

int main(void)
{
	const recur_filter_kind L = RECUR_FILTER_LAGRANGE, X = RECUR_FILTER_MINIMAX;
	accepts("auto", false, RECUR_HOST_SAME, 0, L);
	accepts("naive", true, RECUR_HOST_NAIVE, 0, L);
	accepts("resampled", true, RECUR_HOST_RESAMPLED, 0, L);
	accepts("converted", true, RECUR_HOST_CONVERTED, 0, L);
	accepts("converted:3", true, RECUR_HOST_CONVERTED, 3, L);
	accepts("converted:0", true, RECUR_HOST_CONVERTED, 0, L);
	accepts("converted:lagrange:5", true, RECUR_HOST_CONVERTED, 5, L);
	accepts("converted:minimax:1", true, RECUR_HOST_CONVERTED, 1, X);
	accepts("converted:minimax:3", true, RECUR_HOST_CONVERTED, 3, X);
	/* Zero-initialised options choose; a forced order alone is Lagrange. */
	recur_host_options zero = {0};
	CHECK(!zero.force && zero.filter == RECUR_FILTER_LAGRANGE, "zero options");
	static const char *bad[] = {"",
	                            "Auto",
	                            "naive:1",
	                            "resampled:2",
	                            "converted:",
	                            "converted:6",
	                            "converted:-1",
	                            "converted:33",
	                            "converted:3x",
	                            "converted:minimax",
	                            "converted:minimax:",
	                            "converted:minimax:9",
	                            "converted:cubic:3",
	                            "convertedx",
	                            "naive2"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refuses(bad[i]);
	return check_exit();
}
