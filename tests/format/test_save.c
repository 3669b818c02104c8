/* Saving is atomic: a failed save (invalid model, missing folder, target
 * that cannot be replaced, unwritable folder, a write cut short by the file
 * size limit or a full disk) leaves the old file byte for byte and no
 * temporary file behind. */
#include "../full_disk.h"

#include "check.h"
#include "recur.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	if (buf)
		fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void expect_save_fails(const recur_model *m, const char *path, const char *fragment,
                              int line)
{
	recur_error err = {{0}};
	CHECK(!recur_model_save(m, path, &err), "line %d: saving to %s succeeded", line, path);
	CHECK_MSG(err.msg, fragment);
}

int main(void)
{
	char dir[] = "/tmp/recur-save-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	recur_shape s = {.cell = RECUR_CELL_LSTM,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = 3,
	                 .layers = 1,
	                 .skip = true,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "recur_model_new: %s", err.msg);
	if (!m)
		return check_exit();
	m->layer[0].b_x[1] = 0.25f;

	char path[256];
	snprintf(path, sizeof path, "%s/model.json", dir);
	CHECK(recur_model_save(m, path, &err), "save: %s", err.msg);
	CHECK(count_entries(dir) == 1, "%d entries after one save", count_entries(dir));
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode %o", st.st_mode & 0777);
	char *before = slurp(path);
	CHECK(before && strstr(before, "\"recur-model\""), "saved text");

	/* An invalid model is refused before anything is written. */
	m->layer[0].w_h[2] = NAN;
	expect_save_fails(m, path, "not a finite number", __LINE__);
	m->layer[0].w_h[2] = 0;
	m->metadata_json = strdup("{\"unterminated\": ");
	expect_save_fails(m, path, "metadata: not the text of a JSON object", __LINE__);
	free(m->metadata_json);
	m->metadata_json = NULL;
	m->inputs[0].name[0] = '\0';
	expect_save_fails(m, path, "inputs[0].name", __LINE__);
	snprintf(m->inputs[0].name, RECUR_NAME_LEN, "in");

	/* The folder does not exist. */
	char missing[300];
	snprintf(missing, sizeof missing, "%s/no/such/folder/model.json", dir);
	expect_save_fails(m, missing, "No such file or directory", __LINE__);

	/* The target is a folder: everything succeeds up to the rename, whose
	 * failure must take the temporary file away again. */
	char sub[300];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	CHECK(mkdir(sub, 0755) == 0, "mkdir");
	expect_save_fails(m, sub, "(rename)", __LINE__);
	CHECK(count_entries(dir) == 2, "%d entries: a temporary file was left", count_entries(dir));
	CHECK(count_entries(sub) == 0, "the folder was written into");
	rmdir(sub);

	/* An unwritable folder (permissions do not stop root). */
	if (geteuid() != 0) {
		chmod(dir, 0500);
		m->layer[0].b_x[1] = 0.5f;
		expect_save_fails(m, path, "Permission denied", __LINE__);
		chmod(dir, 0700);
	}

	/* The write itself fails halfway, as on a full disk, for root too: the
	 * file size limit stops it at 100 bytes. */
	m->layer[0].b_x[1] = 0.5f;
	file_size_limit(100);
	expect_save_fails(m, path, "(write)", __LINE__);
	file_size_limit(0);
	m->layer[0].b_x[1] = 0.25f;

	char *after = slurp(path);
	CHECK(before && after && strcmp(before, after) == 0, "the old file was changed");
	CHECK(count_entries(dir) == 1, "%d entries after failed saves", count_entries(dir));

	/* A disk that is really full: a tmpfs (root only). */
	char full[300], on_full[330];
	snprintf(full, sizeof full, "%s/full", dir);
	snprintf(on_full, sizeof on_full, "%s/model.json", full);
	mkdir(full, 0755);
	if (full_disk_mount(full, "64k")) {
		CHECK(recur_model_save(m, on_full, &err), "save on the tmpfs: %s", err.msg);
		char *kept = slurp(on_full);
		CHECK(full_disk_fill(full), "could not fill the tmpfs");
		m->layer[0].b_x[1] = 0.5f;
		expect_save_fails(m, on_full, "No space left on device", __LINE__);
		char *now = slurp(on_full);
		CHECK(kept && now && strcmp(kept, now) == 0,
		      "the old file on the full disk changed");
		CHECK(count_entries(full) == 2,
		      "%d entries on the full disk: a temporary file was left",
		      count_entries(full));
		free(kept);
		free(now);
		umount2(full, MNT_DETACH);
		m->layer[0].b_x[1] = 0.25f;
	} else {
		printf("not root: no full tmpfs, the file size limit stood in for it\n");
	}
	rmdir(full);

	/* A successful save replaces the file and keeps its permissions. */
	chmod(path, 0600);
	m->layer[0].b_x[1] = 0.75f;
	CHECK(recur_model_save(m, path, &err), "save: %s", err.msg);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
	recur_model *back = recur_model_load(path, &err);
	CHECK(back && back->layer[0].b_x[1] == 0.75f, "the new model was not saved: %s", err.msg);
	recur_model_free(back);

	free(before);
	free(after);
	unlink(path);
	rmdir(dir);
	recur_model_free(m);
	return check_exit();
}
