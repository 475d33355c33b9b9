/* links.c - what keeps a file of the upper layer reachable when one of its
 * names goes (unlink, or a rename over it): its other names, else its
 * workdir/index name while the kernel still holds it. A removed name never
 * leaves a link of ours behind that the link count would show. */
#include "ovl.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

/**
 * ovl_index_prepare() - before the upper name @dfd/@name of the
 * non-directory @n (a name of it in @dir) is removed: count the names the
 * file keeps, and when the node table would lose the way to it (the last
 * name it knows goes, while other names remain or the kernel holds it),
 * give it its workdir/index name first.
 * @can_park: the caller moves a held file's last name to workdir/work itself
 * @keep: what holds @n afterwards, for ovl_node_drop_name()
 * @drop_index: the caller removes the index name after the removal (the
 *              last name of a file born in the upper layer, not held)
 * Return: 0 or -errno.
 */
int ovl_index_prepare(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir, int dfd,
                      const char *name, bool can_park, enum ovl_keep *keep, bool *drop_index)
{
	struct stat st, ist;
	char idx[32];
	bool has_idx, native, held, only;
	nlink_t visible;

	*keep = OVL_KEEP_NONE;
	*drop_index = false;
	if (S_ISDIR(n->type) || !fs->has_upper)
		return 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	ovl_index_name(idx, sizeof(idx), n->ino);
	has_idx = st.st_nlink > 1 && fstatat(fs->indexfd, idx, &ist, AT_SYMLINK_NOFOLLOW) == 0 &&
	          ist.st_ino == st.st_ino && ist.st_dev == st.st_dev;
	/* born in the upper layer (not copied up from a lower file, whose
	 * other lower names may still be linked up to the index later) */
	native = ovl_present_ino(fs, OVL_UPPER, st.st_ino) == n->ino;
	visible = st.st_nlink - has_idx + (has_idx ? ovl_index_lower_left(fs, idx) : 0);
	ovl_node_name_state(fs, n, dir, name, &held, &only);
	if (visible > 1) {
		/* other names remain; if the table knows none, the index reaches it */
		if (!only || !held)
			return 0;
		*keep = OVL_KEEP_INDEX;
	} else if (held && !can_park) {
		*keep = native || !has_idx ? OVL_KEEP_INDEX_DROP : OVL_KEEP_INDEX;
	} else {
		*drop_index = has_idx && native;
		return 0;
	}
	if (!has_idx && linkat(dfd, name, fs->indexfd, idx, 0) < 0)
		return -errno;
	return 0;
}

/**
 * ovl_index_drop() - remove the index name of @n (see ovl_index_prepare()).
 */
void ovl_index_drop(struct ovl_fs *fs, struct ovl_node *n)
{
	char idx[32];

	ovl_index_name(idx, sizeof(idx), n->ino);
	unlinkat(fs->indexfd, idx, 0);
}

/**
 * ovl_index_lower_linked() - one more lower name of the file at index
 * entry @idx was linked up: one fewer left below (ovl_index_lower_left()).
 */
void ovl_index_lower_linked(struct ovl_fs *fs, const char *idx)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char proc[64], buf[24];
	nlink_t left;
	int len;

	if (!fs->upper_xattr)
		return;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", fs->indexfd, idx);
	pthread_mutex_lock(&lock);
	left = ovl_index_lower_left(fs, idx);
	if (left > 0) {
		len = snprintf(buf, sizeof(buf), "%lu", (unsigned long)(left - 1));
		lsetxattr(proc, OVL_LOWER_LINKS_XATTR, buf, (size_t)len, 0);
	}
	pthread_mutex_unlock(&lock);
}
