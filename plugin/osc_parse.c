/* Decoding of recur's OSC addresses and of the server's settings. */
#include "osc_parse.h"

#include <string.h>

#define PREFIX "/recur/"

/* Parses a canonical decimal 1..max in [s, s + n); -1 when it is not one. */
static int parse_id(const char *s, size_t n, int max)
{
	if (n == 0 || n > 6 || s[0] == '0')
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? (int)v : -1;
}

/* Commands without an id: the address decides, the type tags must fit. */
static osc_request parse_global(const char *rest, const char *types)
{
	osc_request r = {OSC_CMD_INVALID, 0, false};
	bool none = types[0] == '\0';
	bool one_int = !strcmp(types, "i");
	if (!strcmp(rest, "reset") && none)
		r.cmd = OSC_CMD_RESET_ALL;
	else if (!strcmp(rest, "list") && (none || one_int))
		r.cmd = OSC_CMD_LIST;
	else if (!strcmp(rest, "stats") && (none || one_int))
		r.cmd = OSC_CMD_STATS;
	r.has_reply_port = r.cmd != OSC_CMD_INVALID && one_int;
	return r;
}

osc_request osc_parse_request(const char *path, const char *types, int max_id)
{
	osc_request r = {OSC_CMD_INVALID, 0, false};
	if (!path || !types || strncmp(path, PREFIX, strlen(PREFIX)))
		return r;
	const char *rest = path + strlen(PREFIX);
	const char *slash = strchr(rest, '/');
	if (!slash)
		return parse_global(rest, types);

	int id = parse_id(rest, (size_t)(slash - rest), max_id);
	if (id < 0)
		return r;
	const char *verb = slash + 1;
	if (!strcmp(verb, "reset") && types[0] == '\0')
		r.cmd = OSC_CMD_RESET;
	else if (!strcmp(verb, "bypass") && !strcmp(types, "i"))
		r.cmd = OSC_CMD_BYPASS;
	else if (!strcmp(verb, "load") && !strcmp(types, "s"))
		r.cmd = OSC_CMD_LOAD;
	if (r.cmd != OSC_CMD_INVALID)
		r.id = id;
	return r;
}

bool osc_parse_port(const char *text, int *port)
{
	if (!text || !text[0] || strlen(text) > 5)
		return false;
	int v = 0;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (*c - '0');
	}
	if (v > 65535)
		return false;
	*port = v;
	return true;
}
