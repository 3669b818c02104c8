/* The address and type-tag rules of recur's OSC messages, case by case. */
#include "check.h"
#include "osc_parse.h"

#define MAX_ID 255

static void expect(const char *path, const char *types, osc_command cmd, int id, bool port)
{
	osc_request r = osc_parse_request(path, types, MAX_ID);
	CHECK(r.cmd == cmd && r.id == id && r.has_reply_port == port,
	      "%s ,%s: got cmd %d id %d port %d, want %d %d %d", path ? path : "(null)",
	      types ? types : "(null)", r.cmd, r.id, r.has_reply_port, cmd, id, port);
}

static void check_valid(void)
{
	expect("/recur/reset", "", OSC_CMD_RESET_ALL, 0, false);
	expect("/recur/list", "", OSC_CMD_LIST, 0, false);
	expect("/recur/list", "i", OSC_CMD_LIST, 0, true);
	expect("/recur/stats", "", OSC_CMD_STATS, 0, false);
	expect("/recur/stats", "i", OSC_CMD_STATS, 0, true);
	expect("/recur/1/reset", "", OSC_CMD_RESET, 1, false);
	expect("/recur/17/bypass", "i", OSC_CMD_BYPASS, 17, false);
	expect("/recur/255/load", "s", OSC_CMD_LOAD, 255, false);
}

static void check_wrong_types(void)
{
	expect("/recur/reset", "i", OSC_CMD_INVALID, 0, false);
	expect("/recur/list", "s", OSC_CMD_INVALID, 0, false);
	expect("/recur/list", "ii", OSC_CMD_INVALID, 0, false);
	expect("/recur/stats", "f", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/reset", "f", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/bypass", "", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/bypass", "f", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/bypass", "ii", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/load", "", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/load", "i", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/load", "ss", OSC_CMD_INVALID, 0, false);
}

static void check_bad_addresses(void)
{
	const char *bad[] = {
	    "",
	    "/",
	    "/recur",
	    "/recur/",
	    "/recur//reset",
	    "/recur/0/reset",   /* ids start at 1 */
	    "/recur/256/reset", /* beyond the maximum */
	    "/recur/01/reset",  /* not canonical */
	    "/recur/-1/reset",
	    "/recur/+1/reset",
	    "/recur/1a/reset",
	    "/recur/1234567/reset",
	    "/recur/99999999999999999999/reset",
	    "/recur/1/",
	    "/recur/1/resetx",
	    "/recur/1/reset/",
	    "/recur/1/reset/more",
	    "/recur/resetx",
	    "/recur/reset/",
	    "/recurx/reset",
	    "recur/reset",
	    "/Recur/reset",
	    "/recur/*/reset",
	    "/recur/1/unknown",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect(bad[i], "", OSC_CMD_INVALID, 0, false);
	expect("/recur/1/bypass/", "i", OSC_CMD_INVALID, 0, false);
	expect(NULL, "", OSC_CMD_INVALID, 0, false);
	expect("/recur/reset", NULL, OSC_CMD_INVALID, 0, false);
}

static void check_ports(void)
{
	struct {
		const char *text;
		bool ok;
		int value;
	} cases[] = {
	    {"0", true, 0},       {"9870", true, 9870}, {"65535", true, 65535}, {"65536", false, 0},
	    {"", false, 0},       {"-1", false, 0},     {"12a", false, 0},      {" 80", false, 0},
	    {"123456", false, 0}, {"0x10", false, 0},   {"99999", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int v = -7;
		bool ok = osc_parse_port(cases[i].text, &v);
		CHECK(ok == cases[i].ok, "port \"%s\": ok %d", cases[i].text, ok);
		if (cases[i].ok)
			CHECK(v == cases[i].value, "port \"%s\" = %d", cases[i].text, v);
		else
			CHECK(v == -7, "port \"%s\" wrote %d on failure", cases[i].text, v);
	}
	int v = 0;
	CHECK(!osc_parse_port(NULL, &v), "NULL port text accepted");
}

int main(void)
{
	check_valid();
	check_wrong_types();
	check_bad_addresses();
	check_ports();
	return check_exit();
}
