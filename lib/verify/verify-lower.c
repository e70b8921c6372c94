// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sample the lower (encrypted) directory of a user: do the files carry valid
 * headers naming the key in Private.sig, is there plaintext lying in it, and
 * are the names encrypted when Private.sig says so? The walk is bounded in
 * depth and entries, never follows symlinks and opens files non-blocking,
 * read-only.
 */
#include "verify-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_DEPTH_MAX 16
#define DEFAULT_SAMPLE 64
#define DEFAULT_WALK_LIMIT 20000

struct sample {
	unsigned int files, valid, empty, plaintext, damaged, foreign;
	unsigned int enc_names, plain_names;
	char ex_plaintext[PATH_MAX];
	char ex_damaged[PATH_MAX];
	char ex_damaged_why[160];
	char ex_foreign[PATH_MAX];
	char foreign_sig[ECT_SIG_HEX_SIZE + 1];
	char ex_plain_name[PATH_MAX];
	char ex_enc_name[PATH_MAX];
};

static void note(char *dst, const char *rel)
{
	if (!dst[0])
		snprintf(dst, PATH_MAX, "%s", rel);
}

static int names_key(const struct ect_stat_info *info, const char *sig)
{
	for (unsigned int i = 0; i < info->nkeys; i++)
		if (!strcmp(info->keys[i].sig, sig))
			return 1;
	return 0;
}

static void sample_file(struct ect_vrun *v, struct sample *s, int dirfd, const char *name,
			const char *rel)
{
	struct ect_stat_info info;
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	ret = ect_stat_fd(fd, &info);
	close(fd);
	s->files++;
	if (ret == ECT_E_NOT_ECRYPTFS) {
		if (info.lower_size == 0) {
			s->empty++;
		} else {
			s->plaintext++;
			note(s->ex_plaintext, rel);
		}
	} else if (ret) {
		s->damaged++;
		if (!s->ex_damaged[0]) {
			note(s->ex_damaged, rel);
			snprintf(s->ex_damaged_why, sizeof(s->ex_damaged_why), "%s",
				 info.problem[0] ? info.problem : ect_strerror(ret));
		}
	} else if (v->nsig && !names_key(&info, v->sigs[0])) {
		s->foreign++;
		if (!s->ex_foreign[0]) {
			note(s->ex_foreign, rel);
			snprintf(s->foreign_sig, sizeof(s->foreign_sig), "%s",
				 info.nkeys ? info.keys[0].sig : "?");
		}
	} else {
		s->valid++;
	}
}

struct frame {
	DIR *dir;
	size_t rel_len;
};

/* Depth-first walk: each directory's entries before descending, bounded. */
static int walk(struct ect_vrun *v, struct sample *s)
{
	unsigned int sample_max = v->o->sample_files ? v->o->sample_files : DEFAULT_SAMPLE;
	unsigned int limit = v->o->walk_limit ? v->o->walk_limit : DEFAULT_WALK_LIMIT;
	struct frame stack[WALK_DEPTH_MAX];
	char rel[PATH_MAX] = "";
	unsigned int visited = 0;
	int depth = 0, fd;

	fd = openat(v->lower_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	stack[0].dir = fdopendir(fd);
	if (!stack[0].dir) {
		close(fd);
		return -errno;
	}
	stack[0].rel_len = 0;
	while (depth >= 0) {
		struct frame *f = &stack[depth];
		struct dirent *e = visited < limit && s->files < sample_max ? readdir(f->dir) : NULL;
		size_t nlen;

		if (!e) {
			closedir(f->dir);
			depth--;
			continue;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		visited++;
		nlen = strlen(e->d_name);
		if (f->rel_len + nlen + 2 >= sizeof(rel))
			continue;
		snprintf(rel + f->rel_len, sizeof(rel) - f->rel_len, "%s%s", f->rel_len ? "/" : "",
			 e->d_name);
		if (!strncmp(e->d_name, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN)) {
			s->enc_names++;
			note(s->ex_enc_name, rel);
		} else if (depth > 0 || strcmp(e->d_name, "lost+found")) {
			s->plain_names++;
			note(s->ex_plain_name, rel);
		}
		if (e->d_type == DT_REG || e->d_type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd(f->dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			if (S_ISREG(st.st_mode)) {
				sample_file(v, s, dirfd(f->dir), e->d_name, rel);
				continue;
			}
			if (!S_ISDIR(st.st_mode))
				continue;
		} else if (e->d_type != DT_DIR) {
			continue;
		}
		if (depth + 1 >= WALK_DEPTH_MAX)
			continue;
		fd = openat(dirfd(f->dir), e->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		stack[depth + 1].dir = fdopendir(fd);
		if (!stack[depth + 1].dir) {
			close(fd);
			continue;
		}
		stack[depth + 1].rel_len = strlen(rel);
		depth++;
	}
	return 0;
}

static int report_files(struct ect_vrun *v, const struct sample *s)
{
	char path[PATH_MAX * 2];
	int ret = 0;

	if (!s->files)
		return ect_report_add(v->r, ECT_SEV_INFO, "lower-files",
				      "%s holds no files yet: nothing to sample", v->lower);
	if (s->plaintext) {
		ect__fmt(path, sizeof(path), "%s/%s", v->lower, s->ex_plaintext);
		ret = ect__report_fix(v->r, ECT_SEV_FAIL, "lower-plaintext",
				      ECT_FIX(ECT_FIX_MOVE_PLAINTEXT, .path = path, .path2 = v->mnt),
				     "%u of %u sampled files in %s are not encrypted (e.g. %s): "
				     "plaintext was written into the encrypted directory",
				     s->plaintext, s->files, v->lower, s->ex_plaintext);
		if (ret)
			return ret;
	}
	if (s->damaged) {
		ect__fmt(path, sizeof(path), "%s/%s", v->lower, s->ex_damaged);
		ret = ect__report_fix(v->r, ECT_SEV_FAIL, "lower-headers",
				      ECT_FIX(ECT_FIX_INSPECT_HEADER, .path = path),
				     "%u of %u sampled files have damaged headers (e.g. %s: %s)",
				     s->damaged, s->files, s->ex_damaged, s->ex_damaged_why);
		if (ret)
			return ret;
	}
	if (s->foreign) {
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "lower-keys",
				     "%u of %u sampled files are encrypted with key %s, not with "
				     "Private.sig's %s (e.g. %s): they will not open",
				     s->foreign, s->files, s->foreign_sig, v->sigs[0], s->ex_foreign);
		if (ret)
			return ret;
	}
	if (s->valid)
		ret = ect_report_add(v->r, ECT_SEV_OK, "lower-headers",
				     "%u of %u sampled files have valid headers%s%s", s->valid,
				     s->files, v->nsig ? " naming key " : "", v->nsig ? v->sigs[0] : "");
	if (!ret && s->empty)
		ret = ect_report_add(v->r, ECT_SEV_INFO, "lower-headers",
				     "%u sampled files are empty (no header yet)", s->empty);
	return ret;
}

static int report_names(struct ect_vrun *v, const struct sample *s)
{
	if (v->nsig == 2 && s->plain_names)
		return ect_report_add(v->r, ECT_SEV_WARN, "lower-names",
				      "Private.sig enables filename encryption but %u names in %s "
				      "are not encrypted (e.g. %s); the mounted view hides them",
				      s->plain_names, v->lower, s->ex_plain_name);
	if (v->nsig == 1 && s->enc_names)
		return ect_report_add(v->r, ECT_SEV_FAIL, "lower-names",
				      "%u names in %s are encrypted (e.g. %.40s...) but Private.sig "
				      "has no filename-key line: they show as ciphertext",
				      s->enc_names, v->lower, s->ex_enc_name);
	if (v->nsig == 2 && s->enc_names)
		return ect_report_add(v->r, ECT_SEV_OK, "lower-names",
				      "names in %s are encrypted", v->lower);
	return 0;
}

int ect__verify_lower(struct ect_vrun *v)
{
	struct sample *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = walk(v, s);
	if (ret)
		ret = ect_report_add(v->r, ECT_SEV_WARN, "lower-files", "cannot read %s: %s",
				     v->lower, strerror(-ret));
	else
		ret = report_files(v, s);
	if (!ret)
		ret = report_names(v, s);
	free(s);
	return ret;
}
