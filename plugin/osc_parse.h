/*
 * What an OSC message to recur asks for, decided from its address and type
 * tags alone, and the parsing of the server's environment settings. Pure
 * functions: no liblo, no state, so every rule is testable on its own.
 */
#ifndef RECUR_OSC_PARSE_H
#define RECUR_OSC_PARSE_H

#include <stdbool.h>

typedef enum {
	OSC_CMD_INVALID = 0, /* unknown address, bad id or wrong type tags */
	OSC_CMD_RESET_ALL,   /* /recur/reset */
	OSC_CMD_LIST,        /* /recur/list [i] */
	OSC_CMD_STATS,       /* /recur/stats [i] */
	OSC_CMD_RESET,       /* /recur/<id>/reset */
	OSC_CMD_BYPASS,      /* /recur/<id>/bypass i */
	OSC_CMD_LOAD,        /* /recur/<id>/load s */
} osc_command;

typedef struct {
	osc_command cmd;
	int id;              /* instance id for the addressed commands, else 0 */
	bool has_reply_port; /* list/stats carry an int: the port to answer to */
} osc_request;

/* Ids are decimal, 1..max_id, without sign or leading zeros, so every
 * instance has exactly one address. */
osc_request osc_parse_request(const char *path, const char *types, int max_id);

/* A port from the environment: decimal 0..65535, nothing else. */
bool osc_parse_port(const char *text, int *port);

#endif
