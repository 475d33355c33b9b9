/* fuzz_unpack.c - libFuzzer target: the layer unpacker on arbitrary bytes,
 * in each whiteout mode, with or without owner_root, into a fresh directory next to an
 * "outside" one; aborts if anything appears or changes outside the root.
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
 *   build-fuzz/tests/fuzz/fuzz_unpack -max_total_time=60 CORPUS
 * (run it as an unprivileged user: as root it would make device nodes) */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[64], root[96], outside[96], sentinel[128];
static int memfd = -1;

static void fuzz_cleanup(void)
{
	util_rm_rf(base);
}

static void fuzz_setup(void)
{
	struct werr err;

	snprintf(base, sizeof(base), "/tmp/fuzz_unpack.XXXXXX");
	if (!mkdtemp(base))
		abort();
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(sentinel, sizeof(sentinel), "%s/file", outside);
	if (mkdir(outside, 0755) < 0 ||
	    util_write_file_atomic(AT_FDCWD, sentinel, "keep", 4, 0644, &err) < 0)
		abort();
	memfd = memfd_create("layer", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	atexit(fuzz_cleanup);
}

/* exactly "file" (4 bytes "keep", one link) in outside/, exactly root/ and
 * outside/ in base/ */
static void fuzz_check_outside(void)
{
	struct stat st;
	char buf[8];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(base);
	int fd;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "root") && strcmp(de->d_name, "outside"))
			abort();
	if (d)
		closedir(d);
	d = opendir(outside);
	while (d && (de = readdir(d)))
		n++;
	if (d)
		closedir(d);
	fd = open(sentinel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (n != 3 || fd < 0 || fstat(fd, &st) < 0 || st.st_nlink != 1 || st.st_size != 4 ||
	    read(fd, buf, sizeof(buf)) != 4 || memcmp(buf, "keep", 4) != 0)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_opts opts;
	struct unpack_stats stats;
	struct werr err = { 0 };
	unsigned mix = (unsigned)size;
	int dirfd;

	/* the options from a sum of the bytes, not from the size alone: a real
	 * tar's size is a multiple of 512, which would pin one mode for every
	 * seed */
	for (size_t i = 0; i < size; i++)
		mix += data[i];
	opts = (struct unpack_opts){
		.whiteouts = (enum unpack_whiteouts)(mix & 3), /* each of the four modes */
		.owner_root = (mix >> 2) & 1,
	};
	if (memfd < 0)
		fuzz_setup();
	if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) < 0 ||
	    util_write_all(memfd, data, size) < 0 || lseek(memfd, 0, SEEK_SET) < 0)
		abort();
	if (mkdir(root, 0755) < 0)
		abort();
	dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		abort();
	if (unpack_layer(memfd, dirfd, &opts, &stats, &err) < 0) {
		if (!err.msg[0])
			abort(); /* every failure carries a message */
		if (getenv("FUZZ_UNPACK_VERBOSE"))
			fprintf(stderr, "unpack: %s\n", err.msg);
	} else if (getenv("FUZZ_UNPACK_VERBOSE")) {
		fprintf(stderr, "unpack: %llu entries\n", (unsigned long long)stats.files);
	}
	close(dirfd);
	fuzz_check_outside();
	if (util_rm_rf(root) < 0 && access(root, F_OK) == 0)
		abort();
	return 0;
}
