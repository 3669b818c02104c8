/* libFuzzer target: arbitrary bytes as an OSC packet, decoded by liblo as the
 * server does, then through osc_parse_request, which decides what recur does
 * from the address and the type tags alone. The dispatcher then reads the
 * first argument without looking again, so this checks that every command
 * that reads one is only returned when the tags promise it: an int for
 * bypass and for a reply port, a NUL-terminated string for load. Also: an
 * id is in range and its address is the one canonical spelling, and the
 * port setting's parser accepts only plain decimal 0..65535. */
#include "osc_parse.h"

#include <lo/lo.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Far below the server's 255, so that ids out of range are easy to reach. */
#define MAX_ID 8

static const char *const verbs[] = {
    [OSC_CMD_RESET] = "reset",
    [OSC_CMD_BYPASS] = "bypass",
    [OSC_CMD_LOAD] = "load",
};

static void check_request(const char *path, lo_message msg)
{
	const char *types = lo_message_get_types(msg);
	int argc = lo_message_get_argc(msg);
	lo_arg **argv = lo_message_get_argv(msg);
	osc_request r = osc_parse_request(path, types, MAX_ID);
	char canonical[64];
	switch (r.cmd) {
	case OSC_CMD_INVALID:
		return;
	case OSC_CMD_RESET_ALL:
		if (argc != 0)
			abort();
		return;
	case OSC_CMD_LIST:
	case OSC_CMD_STATS:
		if (r.has_reply_port != (argc == 1) || (argc == 1 && types[0] != LO_INT32))
			abort(); /* a reply port the dispatcher would read from nothing */
		return;
	case OSC_CMD_RESET:
	case OSC_CMD_BYPASS:
	case OSC_CMD_LOAD:
		if (r.id < 1 || r.id > MAX_ID)
			abort();
		snprintf(canonical, sizeof canonical, "/recur/%d/%s", r.id, verbs[r.cmd]);
		if (strcmp(canonical, path) != 0)
			abort(); /* two addresses for one instance */
		if (r.cmd == OSC_CMD_BYPASS && (argc != 1 || types[0] != LO_INT32))
			abort();
		if (r.cmd == OSC_CMD_LOAD && (argc != 1 || types[0] != LO_STRING || !argv[0]))
			abort();
		return;
	}
	abort(); /* a command outside the enum */
}

static void check_port(const uint8_t *data, size_t size)
{
	char text[16];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	int port = -1;
	if (!osc_parse_port(text, &port))
		return;
	if (port < 0 || port > 65535 || strspn(text, "0123456789") != strlen(text) ||
	    strtol(text, NULL, 10) != port)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_port(data, size);
	/* liblo may byte-swap the arguments in place. */
	void *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	int result = 0;
	lo_message msg = lo_message_deserialise(copy, size, &result);
	if (msg) {
		const char *path = lo_get_path(copy, (ssize_t)size);
		if (!path)
			abort(); /* liblo accepted a message without an address */
		check_request(path, msg);
		lo_message_free(msg);
	}
	free(copy);
	return 0;
}
