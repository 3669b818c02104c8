/*
 * Which format a parsed model file is in, told apart by its top-level keys,
 * and the reader that format goes to.
 */
#include "import.h"

recur_model *recur_read_any(const cJSON *root, recur_error *err)
{
	if (!cJSON_IsObject(root)) {
		fj_fail(err, "expected a JSON object at the top level");
		return NULL;
	}
	if (cJSON_HasObjectItem(root, "format"))
		return recur_format_read(root, err);
	if (cJSON_HasObjectItem(root, "in_shape"))
		return recur_import_aidax(root, err);
	if (cJSON_HasObjectItem(root, "model_data") || cJSON_HasObjectItem(root, "state_dict"))
		return recur_import_gaam(root, err);
	if (cJSON_HasObjectItem(root, "version")) /* recur's, missing its "format" */
		return recur_format_read(root, err);
	fj_fail(err, "not a model file: no \"format\" (recur), \"in_shape\" (AIDA-X / "
	             "RTNeural) or \"model_data\" (Automated-GuitarAmpModelling) field");
	return NULL;
}
