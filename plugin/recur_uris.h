/* URIs of the recur plugins. Parameters live under the plugin's URI with a
 * fragment, e.g. <https://recur.dev/plugins/recur#model>. */
#ifndef RECUR_URIS_H
#define RECUR_URIS_H

#define RECUR_URI_BASE   "https://recur.dev/plugins/"
#define RECUR_PLUGIN_URI RECUR_URI_BASE "recur"
#define RECUR_MODEL_URI  RECUR_PLUGIN_URI "#model"

#endif
