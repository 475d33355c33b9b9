/* test_security.c - unit tests for container/security.c: Docker's
 * --cap-add, --cap-drop, --privileged and --security-opt values turned into
 * a runtime spec's capabilities, no_new_privs and seccomp filter. */
#include <linux/capability.h>
#include <stdlib.h>

#include "security.h"
#include "tap.h"

static int opt(struct security_opts *o, const char *name, const char *value, struct werr *err)
{
	*err = (struct werr){ 0 };
	return security_option(o, name, value, err);
}

int main(void)
{
	struct security_opts o = SECURITY_OPTS_INIT;
	struct container_spec spec = { 0 };
	struct werr err;

	/* no seccomp cache: each apply compiles */
	unsetenv("HOME");
	unsetenv("XDG_CACHE_HOME");

	check(opt(&o, "cap-add", "NET_ADMIN", &err) == 0 && o.cap_add == (1ULL << CAP_NET_ADMIN),
	      "--cap-add NET_ADMIN adds that capability");
	check(opt(&o, "cap-drop", "CAP_CHOWN", &err) == 0 && o.cap_drop == (1ULL << CAP_CHOWN),
	      "--cap-drop takes the CAP_ prefix");
	check(opt(&o, "cap-add", "NOPE", &err) < 0 && strstr(err.msg, "--cap-add") &&
	          strstr(err.msg, "NOPE"),
	      "an unknown capability names the option and the value");
	check(opt(&o, "security-opt", "no-new-privileges=1", &err) == 0 && o.nnp == 1,
	      "no-new-privileges=1 is true");
	check(opt(&o, "security-opt", "no-new-privileges:false", &err) == 0 && o.nnp == 0,
	      "no-new-privileges:false is false");
	check(opt(&o, "security-opt", "no-new-privileges=maybe", &err) < 0 &&
	          strstr(err.msg, "maybe"),
	      "no-new-privileges takes a boolean only");
	check(opt(&o, "security-opt", "label=disable", &err) == 0, "label is accepted and ignored");
	check(opt(&o, "security-opt", "bogus", &err) < 0 && strstr(err.msg, "seccomp=unconfined"),
	      "an unknown --security-opt lists the accepted forms");

	err = (struct werr){ 0 };
	check(security_apply(&spec, &o, &err) < 0 && strstr(err.msg, "seccomp=unconfined"),
	      "no-new-privileges=false needs seccomp=unconfined");
	security_release(&spec);

	o = (struct security_opts)SECURITY_OPTS_INIT;
	check(opt(&o, "cap-add", "NET_ADMIN", &err) == 0 && security_apply(&spec, &o, &err) == 0 &&
	          spec.no_new_privs && spec.seccomp && spec.seccomp_prog.count > 50 &&
	          (spec.caps & (1ULL << CAP_NET_ADMIN)) && !(spec.caps & (1ULL << CAP_SYS_ADMIN)),
	      "the default: Docker's capabilities plus --cap-add, no_new_privs, seccomp");
	security_release(&spec);
	check(!spec.seccomp && !spec.seccomp_prog.insns, "security_release() frees the filter");

	o = (struct security_opts)SECURITY_OPTS_INIT;
	check(opt(&o, "privileged", "true", &err) == 0 && security_apply(&spec, &o, &err) == 0 &&
	          spec.privileged && !spec.seccomp && !spec.no_new_privs && spec.caps == caps_all(),
	      "--privileged: every capability, no seccomp, no no_new_privs");
	security_release(&spec);
	return tap_done();
}
