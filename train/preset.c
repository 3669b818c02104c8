/* recur-train's LV2 preset (preset.h). */
#include "preset.h"

#include "output.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool write_preset(const char *preset_path, const char *model_path, recur_error *err)
{
	char abs[PATH_MAX];
	if (!realpath(model_path, abs)) {
		snprintf(err->msg, sizeof err->msg, "--preset: cannot resolve %.200s: %s",
		         model_path, strerror(errno));
		return false;
	}
	char label[256];
	snprintf(label, sizeof label, "%s", basename(abs));
	char *dot = strrchr(label, '.');
	if (dot)
		*dot = 0;
	for (char *p = label; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '_';
	char text[PATH_MAX + 1024];
	snprintf(text, sizeof text,
	         "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
	         "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
	         "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
	         "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
	         "\n"
	         "<>\n"
	         "\ta pset:Preset ;\n"
	         "\tlv2:appliesTo <%s> ;\n"
	         "\trdfs:label \"%s\" ;\n"
	         "\tstate:state [\n"
	         "\t\t<%s> <file://%s>\n"
	         "\t] .\n",
	         RECUR_PLUGIN_URI, label, RECUR_MODEL_PARAM_URI, abs);
	return output_write_all(preset_path, text, strlen(text), err->msg, sizeof err->msg);
}
