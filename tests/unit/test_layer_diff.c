/* test_layer_diff.c - unit tests for layer_diff_write() (TAP): an overlay
 * upper directory with every kind of entry becomes a tar with the OCI
 * spelling of whiteouts, and unpacking that tar over the lower tree gives
 * the merged tree back. Needs root (mknod of a whiteout, trusted xattrs):
 * the suite runs meson test as root. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layer_diff.h"
#include "unpack.h"
#include "util.h"
#include "tap.h"

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	fchmod(fd, mode);
	close(fd);
}

struct seen {
	char names[64][128];
	char links[64][128];
	mode_t modes[64];
	unsigned uids[64];
	size_t n;
};

static int find(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return (int)i;
	return -1;
}

static void read_tar(const char *path, struct seen *s)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 10240) != ARCHIVE_OK)
		abort();
	while (archive_read_next_header(a, &e) == ARCHIVE_OK && s->n < 64) {
		snprintf(s->names[s->n], 128, "%s", archive_entry_pathname(e));
		snprintf(s->links[s->n], 128, "%s",
		         archive_entry_hardlink(e) ? archive_entry_hardlink(e) : "");
		s->modes[s->n] = archive_entry_mode(e);
		s->uids[s->n] = (unsigned)archive_entry_uid(e);
		s->n++;
	}
	archive_read_free(a);
}

int main(void)
{
	char tmp[] = "/tmp/test-layer-diff.XXXXXX", up[96], p[160], tar[96], lower[96];
	struct layer_diff_result res, res2;
	struct seen s = { 0 };
	struct werr err = { 0 };
	struct stat st;
	int dfd, out, r;

	if (!mkdtemp(tmp))
		abort();
	snprintf(up, sizeof(up), "%s/upper", tmp);
	mkdir(up, 0755);
	snprintf(p, sizeof(p), "%s/a", up);
	put(p, "hello", 04755);
	snprintf(tar, sizeof(tar), "%s/b", up);
	link(p, tar);
	snprintf(p, sizeof(p), "%s/d", up);
	mkdir(p, 0750);
	setxattr(p, "trusted.overlay.opaque", "y", 1, 0);
	snprintf(p, sizeof(p), "%s/d/in", up);
	put(p, "inside", 0644);
	chown(p, 1000, 1000);
	snprintf(p, sizeof(p), "%s/gone", up);
	mknod(p, S_IFCHR | 0, makedev(0, 0));
	snprintf(p, sizeof(p), "%s/xgone", up);
	put(p, "", 0644);
	setxattr(p, "user.overlay.whiteout", "y", 1, 0);
	snprintf(p, sizeof(p), "%s/ln", up);
	symlink("/etc/passwd", p);
	snprintf(p, sizeof(p), "%s/ovr", up);
	put(p, "x", 0600);
	setxattr(p, UNPACK_XATTR_OVERRIDE_STAT, "1234:5678:0100640", 17, 0);
	setxattr(p, "user.keep", "v", 1, 0);

	snprintf(tar, sizeof(tar), "%s/layer.tar", tmp);
	dfd = open(up, O_RDONLY | O_DIRECTORY);
	out = open(tar, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	r = layer_diff_write(dfd, out, &res, &err);
	close(out);
	check(r == 0, "the upper directory is written as a tar");
	if (r < 0)
		printf("# %s\n", err.msg);
	read_tar(tar, &s);
	check(find(&s, ".wh.gone") >= 0 && find(&s, "gone") < 0,
	      "a 0/0 character device becomes .wh.NAME");
	check(find(&s, ".wh.xgone") >= 0 && find(&s, "xgone") < 0,
	      "a user.overlay.whiteout file becomes .wh.NAME");
	check(find(&s, "d/") >= 0 && find(&s, "d/.wh..wh..opq") > find(&s, "d/"),
	      "an opaque directory gets .wh..wh..opq after its own entry");
	check(find(&s, "b") >= 0 && find(&s, "a") >= 0 && !strcmp(s.links[find(&s, "b")], "a"),
	      "a hard link stays a link to the first name");
	check(find(&s, "a") >= 0 && (s.modes[find(&s, "a")] & 07777) == 04755,
	      "the setuid bit is kept");
	check(find(&s, "d/in") >= 0 && s.uids[find(&s, "d/in")] == 1000, "owners are kept");
	check(find(&s, "ovr") >= 0 && s.uids[find(&s, "ovr")] == 1234 &&
	          (s.modes[find(&s, "ovr")] & 07777) == 0640,
	      "override_stat gives owner and mode");
	check(find(&s, "ln") >= 0 && S_ISLNK(s.modes[find(&s, "ln")]), "a symlink stays a symlink");
	check(res.digest[0] == 's' && res.size > 0 && res.entries >= 9,
	      "the digest and size are reported");

	out = open(tar, O_WRONLY | O_TRUNC);
	layer_diff_write(dfd, out, &res2, &err);
	close(out);
	check(!strcmp(res.digest, res2.digest), "the same tree gives the same tar");
	close(dfd);

	/* applied over a lower tree, the layer deletes and hides what it should */
	snprintf(lower, sizeof(lower), "%s/lower", tmp);
	mkdir(lower, 0755);
	snprintf(p, sizeof(p), "%s/gone", lower);
	put(p, "old", 0644);
	snprintf(p, sizeof(p), "%s/d", lower);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/old", lower);
	put(p, "old", 0644);
	dfd = open(lower, O_RDONLY | O_DIRECTORY);
	out = open(tar, O_RDONLY);
	{
		struct unpack_opts o = { .whiteouts = UNPACK_WHITEOUT_APPLY };
		r = unpack_layer(out, dfd, &o, NULL, &err);
	}
	close(out);
	close(dfd);
	check(r == 0, "the tar unpacks over the lower tree");
	snprintf(p, sizeof(p), "%s/gone", lower);
	check(lstat(p, &st) < 0, "the whiteout deleted the lower file");
	snprintf(p, sizeof(p), "%s/d/old", lower);
	check(lstat(p, &st) < 0, "the opaque directory hid the lower directory's content");

	if (!tap_failed)
		util_rm_rf(tmp);
	else
		printf("# left %s\n", tmp);
	return tap_done();
}
