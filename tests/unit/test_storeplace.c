/* test_storeplace.c - unit tests for the store placement checks (TAP): the
 * filesystem classification by statfs magic (NFS, Lustre, GPFS and CIFS
 * cannot be mounted here, so their magics are checked by value) and the
 * checks made before a store is created. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storeplace.h"
#include "tap.h"

static void classify_tests(void)
{
	static const struct {
		unsigned long magic; /* the values of linux/magic.h and the vendors' headers */
		const char *name;
		enum storeplace_fs kind;
	} cases[] = {
		{ 0x6969, "nfs", STOREPLACE_NETWORK },
		{ 0x0BD00BD0, "lustre", STOREPLACE_NETWORK },
		{ 0x47504653, "gpfs", STOREPLACE_NETWORK },
		{ 0xFF534D42, "cifs", STOREPLACE_NETWORK },
		{ 0xFE534D42, "smb2", STOREPLACE_NETWORK },
		{ 0x65735546, "fuse", STOREPLACE_FUSE },
		{ 0xEF53, "", STOREPLACE_LOCAL },     /* ext4 */
		{ 0x58465342, "", STOREPLACE_LOCAL }, /* xfs */
		{ 0x01021994, "", STOREPLACE_LOCAL }, /* tmpfs */
		{ 0x9123683E, "", STOREPLACE_LOCAL }, /* btrfs */
	};
	char what[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = NULL;
		enum storeplace_fs k = storeplace_classify(cases[i].magic, &name);

		snprintf(what, sizeof(what), "magic 0x%lx is %s", cases[i].magic,
		         cases[i].name[0] ? cases[i].name : "local");
		check(k == cases[i].kind && name && !strcmp(name, cases[i].name), what);
	}
	{
		const char *name;
		/* f_type is a signed long: CIFS's magic comes sign-extended on 64-bit */
		check(storeplace_classify((unsigned long)(long)(int)0xFF534D42, &name) ==
		          STOREPLACE_NETWORK,
		      "a sign-extended magic is still cifs");
	}
}

static void check_tests(void)
{
	char dir[] = "/tmp/test_storeplace.XXXXXX", path[256];
	struct werr err;
	struct stat st;

	if (!mkdtemp(dir)) {
		check(0, "mkdtemp");
		return;
	}
	check(storeplace_check(dir, "--root", &err) == 0, "an existing writable directory");
	snprintf(path, sizeof(path), "%s/a/b", dir);
	check(storeplace_check(path, "--root", &err) == 0, "a missing one under a writable one");
	check(stat(path, &st) < 0 && errno == ENOENT, "... is not created by the check");
	snprintf(path, sizeof(path), "%s/file", dir);
	fclose(fopen(path, "w"));
	check(storeplace_check(path, "--root", &err) == -ENOTDIR && strstr(err.msg, "--root"),
	      "a file is not a directory, the message names --root");
	unlink(path);
	if (geteuid() != 0) { /* root may write anywhere */
		chmod(dir, 0555);
		snprintf(path, sizeof(path), "%s/x", dir);
		check(storeplace_check(dir, "", &err) == -EACCES && strstr(err.msg, "not writable"),
		      "a read-only directory");
		check(storeplace_check(path, "", &err) == -EACCES &&
		          strstr(err.msg, "does not exist"),
		      "a missing one under a read-only one");
		chmod(dir, 0700);
	}
	rmdir(dir);
}

int main(void)
{
	classify_tests();
	check_tests();
	return tap_done();
}
