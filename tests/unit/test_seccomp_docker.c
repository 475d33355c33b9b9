/* test_seccomp_docker.c - compares the syscalls warren's default seccomp
 * profile allows unconditionally with those Docker's published profile
 * (tests/fixtures/seccomp/docker-default-*.txt, path in argv[1]) allows
 * unconditionally. Every
 * difference must be listed below with its reason; a listed difference that
 * no longer exists fails too, so the list stays true. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "seccomp_rules.h"
#include "tap.h"

/* the differences we mean; in_docker: Docker's fixture allows it, we do not */
static const struct known_diff {
	const char *name;
	bool in_docker;
	const char *why;
} known_diffs[] = {
	{ "io_uring_setup", true,
	  "Docker 25 and containerd 2.0 block io_uring (container escapes)" },
	{ "io_uring_enter", true, "as io_uring_setup" },
	{ "io_uring_register", true, "as io_uring_setup" },
	{ "cachestat", false, "Linux 6.5 read-only page-cache query; newer than the fixture" },
	{ "fchmodat2", false, "Linux 6.6 fchmodat with flags; newer than the fixture" },
	{ "futex_wait", false, "Linux 6.7 futex2 call; newer than the fixture" },
	{ "futex_wake", false, "Linux 6.7 futex2 call; newer than the fixture" },
	{ "futex_requeue", false, "Linux 6.7 futex2 call; newer than the fixture" },
	{ "map_shadow_stack", false,
	  "Linux 6.6 CET shadow stacks for glibc; newer than the fixture" },
};
#define N_KNOWN (sizeof(known_diffs) / sizeof(known_diffs[0]))

/* Docker's list: the fixture's names, one per line, '#' lines skipped */
static char docker_names[512][40];
static size_t n_docker;

static bool docker_load(const char *path)
{
	char line[128];
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && n_docker < 512) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] && line[0] != '#')
			snprintf(docker_names[n_docker++], sizeof(docker_names[0]), "%s", line);
	}
	fclose(f);
	return n_docker > 300;
}

static bool docker_allows(const char *name)
{
	for (size_t i = 0; i < n_docker; i++)
		if (!strcmp(docker_names[i], name))
			return true;
	return false;
}

static bool ours_allows(const char *name)
{
	const struct sc_profile *p = seccomp_default_profile();

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sc_rule *r = &p->rules[i];
		if (r->action != SCMP_ACT_ALLOW || r->n_args || r->caps_all || r->caps_none)
			continue;
		for (const char *const *n = r->names; *n; n++)
			if (!strcmp(*n, name))
				return true;
	}
	return false;
}

static const struct known_diff *known(const char *name)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (!strcmp(known_diffs[i].name, name))
			return &known_diffs[i];
	return NULL;
}

/* one line per unlisted difference; Return: how many */
static int unlisted_diffs(void)
{
	const struct sc_profile *p = seccomp_default_profile();
	int count = 0;

	for (size_t i = 0; i < n_docker; i++)
		if (!ours_allows(docker_names[i]) && !known(docker_names[i])) {
			printf("# Docker allows %s, warren does not\n", docker_names[i]);
			count++;
		}
	for (size_t i = 0; i < p->n_rules; i++)
		for (const char *const *m = p->rules[i].names; *m; m++)
			if (ours_allows(*m) && !docker_allows(*m) && !known(*m)) {
				printf("# warren allows %s, Docker does not\n", *m);
				count++;
			}
	return count;
}

int main(int argc, char **argv)
{
	int stale = 0;

	check(argc > 1 && docker_load(argv[1]), "Docker's list (the fixture) reads");
	check(seccomp_default_profile()->default_action == SCMP_ACT_ERRNO(1),
	      "the rest fails with EPERM, as Docker's defaultErrnoRet 1");
	check(unlisted_diffs() == 0, "every difference from Docker's list is listed");
	for (size_t i = 0; i < N_KNOWN; i++) {
		const struct known_diff *k = &known_diffs[i];
		if (docker_allows(k->name) != k->in_docker ||
		    ours_allows(k->name) == k->in_docker) {
			printf("# listed difference %s (%s) is not one\n", k->name, k->why);
			stale++;
		}
	}
	check(stale == 0, "every listed difference is a real one");
	return tap_done();
}
