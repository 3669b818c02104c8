/*
 * The metadata validators (lv2lint) and hosts read, checked on the bundle
 * through lilv as a host reads it, so CI catches what lv2lint would warn
 * about without running it:
 *   - author (lilv's author name, mailbox, homepage: the lv2:project's
 *     doap:maintainer), the project's doap:name, the plugin's
 *     doap:shortdesc, a plugin class more specific than lv2:Plugin;
 *   - opts:options offered only with the options it supports named;
 *   - every port commented; units on the ports that have one; every port
 *     group declared with a symbol and a label;
 *   - the Worker interface as the host finds it: work and work_response.
 */
#include "check.h"

#include <lilv/lilv.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/port-groups/port-groups.h>
#include <lv2/units/units.h>

#include <stdio.h>
#include <string.h>

#define DOAP "http://usefulinc.com/ns/doap#"
#define RDF  "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"

static LilvWorld *world;
/* Every node uri() made, freed at the end. */
static LilvNode *made[1024];
static int n_made;

static LilvNode *uri(const char *u)
{
	LilvNode *node = lilv_new_uri(world, u);
	if (n_made < 1024)
		made[n_made++] = node;
	return node;
}

static bool has_value(const LilvPlugin *p, const char *predicate)
{
	LilvNodes *v = lilv_plugin_get_value(p, uri(predicate));
	bool found = v && lilv_nodes_size(v) > 0;
	lilv_nodes_free(v);
	return found;
}

static void check_author(const LilvPlugin *p, const char *name)
{
	LilvNode *author = lilv_plugin_get_author_name(p);
	LilvNode *mbox = lilv_plugin_get_author_email(p);
	LilvNode *home = lilv_plugin_get_author_homepage(p);
	CHECK(author && lilv_node_is_string(author) && lilv_node_as_string(author)[0],
	      "%s: no author name", name);
	CHECK(mbox && !strncmp(lilv_node_as_uri(mbox), "mailto:", 7), "%s: no author mailbox",
	      name);
	CHECK(home && lilv_node_is_uri(home), "%s: no author homepage", name);
	lilv_node_free(author);
	lilv_node_free(mbox);
	lilv_node_free(home);

	LilvNode *project = lilv_plugin_get_project(p);
	CHECK(project != NULL, "%s: no lv2:project", name);
	if (project) {
		LilvNode *pname = lilv_world_get(world, project, uri(DOAP "name"), NULL);
		CHECK(pname && lilv_node_is_string(pname), "%s: the project has no doap:name",
		      name);
		lilv_node_free(pname);
		lilv_node_free(project);
	}
	CHECK(has_value(p, DOAP "shortdesc"), "%s: no doap:shortdesc", name);

	LilvNodes *types = lilv_plugin_get_value(p, uri(RDF "type"));
	int specific = 0;
	LILV_FOREACH(nodes, i, types)
	specific += strcmp(lilv_node_as_uri(lilv_nodes_get(types, i)), LV2_CORE__Plugin) != 0;
	lilv_nodes_free(types);
	CHECK(specific > 0, "%s: its class is just lv2:Plugin", name);
}

static void check_options(const LilvPlugin *p, const char *name)
{
	LilvNodes *req = lilv_plugin_get_required_features(p);
	LilvNodes *opt = lilv_plugin_get_optional_features(p);
	bool wants_options = lilv_nodes_contains(req, uri(LV2_OPTIONS__options)) ||
	                     lilv_nodes_contains(opt, uri(LV2_OPTIONS__options));
	lilv_nodes_free(req);
	lilv_nodes_free(opt);
	if (wants_options)
		CHECK(has_value(p, LV2_OPTIONS__supportedOption) ||
		          has_value(p, LV2_OPTIONS__requiredOption),
		      "%s: opts:options without opts:supportedOption", name);
}

/* Ports whose values have a unit, and that unit. */
static const struct {
	const char *symbol, *unit;
} units[] = {
    {"in_gain", LV2_UNITS__db},
    {"out_gain", LV2_UNITS__db},
    {"step_rate", LV2_UNITS__hz},
};

static void check_ports(const LilvPlugin *p, const char *name)
{
	uint32_t n = lilv_plugin_get_num_ports(p);
	int groups = 0;
	for (uint32_t i = 0; i < n; i++) {
		const LilvPort *port = lilv_plugin_get_port_by_index(p, i);
		const char *sym = lilv_node_as_string(lilv_port_get_symbol(p, port));
		LilvNodes *comment = lilv_port_get_value(p, port, uri(RDFS "comment"));
		CHECK(comment && lilv_nodes_size(comment) > 0, "%s: port %s has no rdfs:comment",
		      name, sym);
		lilv_nodes_free(comment);

		LilvNodes *unit = lilv_port_get_value(p, port, uri(LV2_UNITS__unit));
		for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
			if (!strcmp(sym, units[u].symbol))
				CHECK(unit && lilv_nodes_contains(unit, uri(units[u].unit)),
				      "%s: port %s lacks units:unit <%s>", name, sym,
				      units[u].unit);
		lilv_nodes_free(unit);

		LilvNodes *group = lilv_port_get_value(p, port, uri(LV2_PORT_GROUPS__group));
		LILV_FOREACH(nodes, g, group)
		{
			const LilvNode *gn = lilv_nodes_get(group, g);
			LilvNode *gsym = lilv_world_get(world, gn, uri(LV2_CORE__symbol), NULL);
			LilvNode *glabel = lilv_world_get(world, gn, uri(RDFS "label"), NULL);
			bool typed = lilv_world_ask(world, gn, uri(RDF "type"),
			                            uri(LV2_PORT_GROUPS__Group)) ||
			             lilv_world_ask(world, gn, uri(RDF "type"),
			                            uri(LV2_PORT_GROUPS__InputGroup)) ||
			             lilv_world_ask(world, gn, uri(RDF "type"),
			                            uri(LV2_PORT_GROUPS__OutputGroup));
			CHECK(typed && gsym && glabel, "%s: port %s's group %s is not declared",
			      name, sym, lilv_node_as_uri(gn));
			lilv_node_free(gsym);
			lilv_node_free(glabel);
			groups++;
		}
		lilv_nodes_free(group);
	}
	CHECK(groups > 0, "%s: no port groups", name);
}

int main(void)
{
	world = lilv_world_new();
	lilv_world_load_all(world);
	const char *plugins[] = {"https://recur.dev/plugins/recur",
	                         "https://recur.dev/plugins/recur-cv"};
	for (int k = 0; k < 2; k++) {
		const LilvPlugin *p =
		    lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri(plugins[k]));
		CHECK(p != NULL, "%s not found on LV2_PATH", plugins[k]);
		if (!p)
			continue;
		check_author(p, plugins[k]);
		check_options(p, plugins[k]);
		check_ports(p, plugins[k]);
	}
	for (int i = 0; i < n_made; i++)
		lilv_node_free(made[i]);
	lilv_world_free(world);
	return check_exit();
}
