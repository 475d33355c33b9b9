/* sqsh_save.c - `warren save --format squashfs`: the image's layers mounted
 * read-only (the kernel's overlay, in a private mount namespace of a user
 * namespace) and written as one tar with the owners the container sees,
 * which tar2sqfs turns into SquashFS without needing root; the image config
 * is appended after the SquashFS bytes. Writes nothing but a temporary
 * file beside @out, renamed onto it when complete. */
#include "sqsh_save.h"
#include "cleanup.h"
#include "image.h"
#include "layer_diff.h"
#include "ovlmount.h"
#include "sqsh.h"
#include "userns_exec.h"
#include "util.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SQSH_TOOL "tar2sqfs"

extern char **environ;

struct sqsh_tree {
	const char *layers_dir, *lowerdir, *mnt;
	size_t n_layers;
	int tar_fd;
	struct stat *root_st; /* shared with the parent: the root's owner and mode */
};

/* implements userns_exec()'s fn: the merged tree as one tar */
static int sqsh_tree_in_ns(void *arg, struct werr *err)
{
	struct sqsh_tree *t = arg;
	struct layer_tar_opts o = { .merged = true, .uid = -1, .gid = -1 };
	struct layer_diff_result res;
	char one[PATH_MAX];
	_cleanup_close_ int rootfd = -1;
	int r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "a private mount namespace");
	if (t->n_layers == 1) {
		/* the kernel's overlay wants two lower layers without an upper */
		snprintf(one, sizeof(one), "%s/%s", t->layers_dir, t->lowerdir);
		rootfd = open(one, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		r = ovlmount_mount(t->layers_dir, t->lowerdir, NULL, NULL, t->mnt, err);
		if (r < 0)
			return werr_prefix(err, "mounting the image's layers");
		rootfd = open(t->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (rootfd < 0 || fstat(rootfd, t->root_st) < 0)
		return werr_errno(err, errno, "the image's root");
	return layer_tar_write(rootfd, NULL, &o, t->tar_fd, &res, err);
}

/* the lower dirs, top first, relative to the store's layers/ */
static char *sqsh_lowerdir(const struct image_loaded *img)
{
	size_t len = img->n_layers * (DIGEST_HEX_LEN + 6) + 1;
	char *p, *s = calloc(1, len);

	if (!s)
		return NULL;
	p = s;
	for (size_t i = img->n_layers; i-- > 0;)
		p += sprintf(p, "%s%s/diff", i == img->n_layers - 1 ? "" : ":",
		             digest_hex(img->chain[i]));
	return s;
}

/* tar2sqfs TMP < tar: the root directory's attributes given as defaults,
 * since the tar has no entry for it */
static int sqsh_tar2sqfs(int tar_fd, const struct stat *root, const char *tmp, struct werr *err)
{
	char prog[PATH_MAX], defaults[128];
	char *argv[] = { prog,     "--quiet",   "--force", "--compressor", "zstd", "--defaults",
		         defaults, (char *)tmp, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;

	if (util_find_program(SQSH_TOOL, NULL, true, prog, sizeof(prog)) < 0)
		return werr_set(err, ENOENT,
		                SQSH_TOOL " not found: --format squashfs needs it (Debian and "
		                          "Ubuntu: apt-get install squashfs-tools-ng)");
	snprintf(defaults, sizeof(defaults), "uid=%u,gid=%u,mode=%o,mtime=%lld",
	         (unsigned)root->st_uid, (unsigned)root->st_gid, (unsigned)(root->st_mode & 07777),
	         (long long)root->st_mtime);
	if (lseek(tar_fd, 0, SEEK_SET) < 0)
		return werr_errno(err, errno, "rewinding the image's tar");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, tar_fd, STDIN_FILENO);
	r = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return werr_errno(err, r, "running %s", prog);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return werr_errno(err, errno, "waiting for %s", SQSH_TOOL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return werr_set(err, EIO, SQSH_TOOL " failed (%s %d): see its message above",
		                WIFEXITED(st) ? "exit" : "signal",
		                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}

/* the config after the SquashFS bytes, from the next SQSH_ALIGN boundary */
static int sqsh_append_config(const char *tmp, const struct image_loaded *img, struct werr *err)
{
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CLOEXEC);
	static const char zeros[SQSH_ALIGN];
	struct stat st;
	off_t pad;

	if (fd < 0 || fstat(fd, &st) < 0)
		return werr_errno(err, errno, "%s", tmp);
	pad = (SQSH_ALIGN - st.st_size % SQSH_ALIGN) % SQSH_ALIGN;
	if (pwrite(fd, zeros, (size_t)pad, st.st_size) != pad ||
	    pwrite(fd, SQSH_TRAILER, strlen(SQSH_TRAILER), st.st_size + pad) !=
	        (ssize_t)strlen(SQSH_TRAILER) ||
	    pwrite(fd, img->config_bytes, img->config_len,
	           st.st_size + pad + (off_t)strlen(SQSH_TRAILER)) != (ssize_t)img->config_len)
		return werr_errno(err, errno ? errno : EIO, "writing %s", tmp);
	if (fsync(fd) < 0)
		return werr_errno(err, errno, "writing %s", tmp);
	return 0;
}

/* the name tar2sqfs writes to, beside @out, and an unnamed file there for
 * the tar */
static int sqsh_temps(const char *out, char *tmp, size_t size, int *tar_fd, struct werr *err)
{
	char copy[PATH_MAX], dir[PATH_MAX], base[PATH_MAX], tar[PATH_MAX + 32];
	mode_t mask;
	int fd;

	snprintf(copy, sizeof(copy), "%s", out);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	snprintf(copy, sizeof(copy), "%s", out);
	snprintf(base, sizeof(base), "%s", basename(copy));
	snprintf(tmp, size, "%s/.%s.tmp-XXXXXX", dir, base);
	fd = mkstemp(tmp);
	if (fd < 0)
		return werr_errno(err, errno, "cannot write %s", out);
	/* the mode any new file of the user's gets, not mkstemp's 0600 */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	close(fd);
	*tar_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (*tar_fd < 0) { /* no O_TMPFILE here: a name, removed at once */
		snprintf(tar, sizeof(tar), "%s/.%s.tar-XXXXXX", dir, base);
		*tar_fd = mkostemp(tar, O_CLOEXEC);
		if (*tar_fd >= 0)
			unlink(tar);
	}
	if (*tar_fd < 0) {
		unlink(tmp);
		return werr_errno(err, errno, "cannot write %s", out);
	}
	return 0;
}

int sqsh_save(struct store *s, json_t *rec, const struct idmap_plan *plan, const char *out,
              struct werr *err)
{
	struct image_loaded img = { 0 };
	char tmp[PATH_MAX + 32], mnt[] = "/tmp/warren-sqsh-XXXXXX", layers[PATH_MAX + 16];
	struct sqsh_tree t = { .layers_dir = layers, .mnt = mnt, .tar_fd = -1 };
	_cleanup_free_ char *lower = NULL;
	bool have_tmp = false, have_mnt = false;
	int r;

	t.root_st = mmap(NULL, sizeof(struct stat), PROT_READ | PROT_WRITE,
	                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t.root_st == MAP_FAILED)
		return werr_errno(err, errno, "mmap");
	r = image_load(s, rec, &img, err);
	if (r == 0 && img.n_layers == 0)
		r = werr_set(err, EINVAL, "the image has no layers: nothing to save");
	if (r == 0 && !(lower = sqsh_lowerdir(&img)))
		r = werr_errno(err, ENOMEM, "lowerdir");
	if (r == 0 && (r = sqsh_temps(out, tmp, sizeof(tmp), &t.tar_fd, err)) == 0)
		have_tmp = true;
	if (r == 0 && !mkdtemp(mnt))
		r = werr_errno(err, errno, "a mount point in /tmp");
	have_mnt = r == 0;
	snprintf(layers, sizeof(layers), "%s/layers", s->root);
	t.lowerdir = lower;
	t.n_layers = img.n_layers;
	if (r == 0)
		r = userns_exec(plan, sqsh_tree_in_ns, &t, err);
	if (have_mnt)
		rmdir(mnt);
	if (r == 0)
		r = sqsh_tar2sqfs(t.tar_fd, t.root_st, tmp, err);
	if (r == 0)
		r = sqsh_append_config(tmp, &img, err);
	if (r == 0 && rename(tmp, out) < 0)
		r = werr_errno(err, errno, "cannot write %s", out);
	if (r < 0 && have_tmp)
		unlink(tmp);
	if (t.tar_fd >= 0)
		close(t.tar_fd);
	munmap(t.root_st, sizeof(struct stat));
	image_loaded_free(&img);
	return r;
}
