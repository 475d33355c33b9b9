/* main.c - warren-overlay: mount a FUSE overlay of -o lowerdir=,upperdir=,
 * workdir= on MOUNTPOINT, confine itself with seccomp, serve it with worker
 * threads until it is unmounted. Only this file prints or exits. */
#include <fcntl.h>
#include <signal.h>
#include <getopt.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "ovl.h"
#include "util.h"

static const char *prog = "warren-overlay";

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s [-f] [-d] [--mount-fd=N] -o "
	        "lowerdir=A[:B...][,upperdir=U,workdir=W][,OPT...] [SOURCE] MOUNTPOINT\n"
	        "  SOURCE  the name /proc/mounts shows (mount -t fuse.warren-overlay SOURCE DIR)\n"
	        "  -f  stay in the foreground    -d  debug (implies -f)\n"
	        "  --mount-fd=N  once mounted, send a detached copy of the mount (open_tree)\n"
	        "                over the unix socket N and serve in the foreground: how warren\n"
	        "                puts it in a container's mount namespace\n",
	        prog);
	opts_help(out);
}

/* the root node merges every layer's root directory */
static int main_make_root(struct ovl_fs *fs, struct werr *err)
{
	struct ovl_node *root = calloc(1, sizeof(*root));
	int bottom = fs->nlayers - 1;
	struct stat st;

	if (!root || !(root->name = strdup("")))
		return werr_errno(err, ENOMEM, "root node");
	if (fstat(fs->layers[bottom].fd, &st) < 0)
		return werr_errno(err, errno, "stat %s", fs->layers[bottom].path);
	for (int l = fs->has_upper ? 0 : 1; l < fs->nlayers; l++)
		root->lmask |= ovl_bit(l);
	root->layer = fs->has_upper ? OVL_UPPER : 1;
	root->type = S_IFDIR;
	root->ino = ovl_present_ino(fs, bottom, st.st_ino);
	root->nlookup = root->refs = 1;
	pthread_mutex_init(&root->lock, NULL);
	pthread_mutex_init(&root->list_lock, NULL);
	fs->root = root;
	return 0;
}

static int main_parse(int argc, char **argv, struct ovl_config *cfg, struct werr *err)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
		                                  { "mount-fd", required_argument, NULL, 'm' },
		                                  { NULL, 0, NULL, 0 } };
	char *end;
	int c, r;

	while ((c = getopt_long(argc, argv, "fdho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': cfg->foreground = true; break;
		case 'd': cfg->debug = cfg->foreground = true; break;
		case 'h': usage(stdout); exit(0);
		case 'm':
			errno = 0;
			cfg->mount_fd_to = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || cfg->mount_fd_to < 3)
				return werr_set(err, EINVAL,
				                "--mount-fd=%s: not a descriptor number", optarg);
			cfg->foreground = true;
			break;
		case 'o':
			if ((r = opts_parse_o(cfg, optarg, err)) < 0)
				return r;
			break;
		default: return werr_set(err, EINVAL, "bad arguments (see %s --help)", prog);
		}
	}
	/* mount(8) and mount.fuse3 put a SOURCE before the MOUNTPOINT: it names
	 * the mount in /proc/mounts and is otherwise ignored, as by the kernel
	 * overlay ("overlay") and fuse-overlayfs */
	if (optind == argc - 2)
		cfg->source = argv[optind++];
	if (optind != argc - 1)
		return werr_set(err, EINVAL, "need [SOURCE] MOUNTPOINT (see %s --help)", prog);
	if (cfg->source && (!*cfg->source || strpbrk(cfg->source, ",\\")))
		return werr_set(err, EINVAL, "SOURCE '%s' cannot name a mount (use a word like %s)",
		                cfg->source, prog);
	cfg->mountpoint = realpath(argv[optind], NULL);
	if (!cfg->mountpoint)
		return werr_errno(err, errno, "mountpoint %s", argv[optind]);
	return 0;
}

static struct fuse_session *main_session(struct ovl_config *cfg, struct ovl_fs *fs,
                                         struct werr *err)
{
	static struct fuse_lowlevel_ops ops;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	char opts[1200];
	struct fuse_session *se;

	ovl_inode_fill_ops(&ops);
	ovl_ns_fill_ops(&ops);
	ovl_file_fill_ops(&ops);
	ovl_xattr_fill_ops(&ops);
	ovl_dir_fill_ops(&ops);
	/* as root of a user namespace, the container's other users need access */
	/* noatime: reads and readdirs would otherwise make every later stat a
	 * round trip for a fresh atime */
	/* subtype: /proc/mounts says fuse.warren-overlay, the type mount(8) and
	 * findmnt -t know it by */
	snprintf(opts, sizeof(opts),
	         "default_permissions,noatime,subtype=warren-overlay,fsname=%s%s%s%s",
	         cfg->source ? cfg->source : prog,
	         cfg->allow_other || geteuid() == 0 ? ",allow_other" : "",
	         fs->has_upper && !cfg->readonly ? "" : ",ro", cfg->fuse_opts);
	if (fuse_opt_add_arg(&args, prog) < 0 || fuse_opt_add_arg(&args, "-o") < 0 ||
	    fuse_opt_add_arg(&args, opts) < 0 ||
	    (cfg->debug && fuse_opt_add_arg(&args, "-d") < 0)) {
		werr_errno(err, ENOMEM, "arguments");
		return NULL;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), fs);
	fuse_opt_free_args(&args);
	if (!se)
		werr_set(err, EINVAL, "cannot start the FUSE session (options: %s)", opts);
	return se;
}

static void main_free_config(struct ovl_config *cfg)
{
	free(cfg->lowerdir);
	free(cfg->upperdir);
	free(cfg->workdir);
	free(cfg->mountpoint);
}

/* the mount, detached (OPEN_TREE_CLONE), over the socket --mount-fd names:
 * the receiver attaches it in its own mount namespace (move_mount) */
static int main_send_mount(const struct ovl_config *cfg, struct werr *err)
{
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, cfg->mountpoint,
	                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int r;

	if (tree < 0)
		return werr_errno(err, errno, "open_tree of the mount on %s", cfg->mountpoint);
	r = util_fd_send(cfg->mount_fd_to, tree, "m", 1);
	close(tree);
	close(cfg->mount_fd_to);
	if (r < 0)
		return werr_errno(err, -r, "sending the mount over --mount-fd");
	/* from now on the receiver's copy is the only mount: when it goes (the
	 * container's mount namespace with it), the connection ends and so do we */
	umount2(cfg->mountpoint, MNT_DETACH);
	return 0;
}

/* libfuse's unmount, which with --mount-fd only releases its own state: our
 * mount was detached after sending, so the failure it prints is expected */
static void main_unmount(const struct ovl_config *cfg, struct fuse_session *se)
{
	int saved = -1, null;

	if (cfg->mount_fd_to >= 0 && (null = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		dup3(null, STDERR_FILENO, 0); /* dup2 is not in our seccomp filter */
		close(null);
	}
	fuse_session_unmount(se);
	if (saved >= 0) {
		dup3(saved, STDERR_FILENO, 0);
		close(saved);
	}
}

/* mount, confine, serve until unmounted */
static int main_serve(struct ovl_config *cfg, struct ovl_fs *fs, struct werr *err)
{
	struct fuse_session *se = main_session(cfg, fs, err);
	sigset_t ends;
	int r;

	if (!se)
		return -EINVAL;
	/* whoever started us may have blocked the signals that end the loop */
	sigemptyset(&ends);
	sigaddset(&ends, SIGTERM);
	sigaddset(&ends, SIGINT);
	sigaddset(&ends, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &ends, NULL);
	if (fuse_set_signal_handlers(se) < 0 || fuse_session_mount(se, cfg->mountpoint) < 0) {
		fuse_session_destroy(se);
		return werr_set(err, EIO, "cannot mount on %s (is /dev/fuse usable, mode 0666?)",
		                cfg->mountpoint);
	}
	if (cfg->mount_fd_to >= 0 && (r = main_send_mount(cfg, err)) < 0) {
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		return r;
	}
	if (!cfg->foreground && fuse_daemonize(0) < 0) {
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		return werr_set(err, EIO, "cannot go to the background");
	}
	if ((r = ovl_seccomp_install(err)) < 0) {
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		return r;
	}
	r = ovl_loop_run(se, fs, cfg->threads, cfg->spin_us);
	main_unmount(cfg, se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	return r < 0 ? werr_set(err, -r, "serving the mount failed") : 0;
}

int main(int argc, char **argv)
{
	/* more workers than CPUs only add wake-ups: measured in bench/RESULTS.md */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct ovl_config cfg = { .mount_fd_to = -1,
		                  .timeout = 86400,
		                  .spin_us = 50,
		                  .readahead = 64,
		                  .threads = ncpu < 1   ? 1
		                             : ncpu > 4 ? 4
		                                        : (int)ncpu };
	static struct ovl_fs fs;
	struct werr err = { 0 };
	struct rlimit rl;
	int r;

	umask(0); /* the kernel applied the caller's umask already */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	r = main_parse(argc, argv, &cfg, &err);
	if (r == 0) {
		r = ovl_fs_open(&fs, &cfg, &err);
		if (r == 0)
			r = main_make_root(&fs, &err);
		if (r == 0 && (ovl_ra_init(&fs, cfg.readahead) < 0 ||
		               ovl_fa_init(&fs, cfg.readahead > 0) < 0))
			r = werr_errno(&err, ENOMEM, "read-ahead");
		if (r == 0)
			r = main_serve(&cfg, &fs, &err);
		ovl_fs_close(&fs);
	}
	main_free_config(&cfg);
	if (r < 0)
		werr_print(&err, prog);
	return r < 0 ? 1 : 0;
}
