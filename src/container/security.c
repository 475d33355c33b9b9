/* security.c - Docker's confinement options turned into the runtime spec's
 * capabilities, no_new_privs and seccomp filter. Never loosens what the
 * user did not ask for: no-new-privileges=false needs seccomp=unconfined. */
#include "security.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* --security-opt seccomp=unconfined|FILE, no-new-privileges[=BOOL]; label
 * and apparmor are accepted and ignored */
static int security_opt(struct security_opts *o, const char *v, struct werr *err)
{
	const char *val = strpbrk(v, "=:");
	size_t kl = val ? (size_t)(val - v) : strlen(v);

	if (val)
		val++;
	if (kl == 7 && !strncmp(v, "seccomp", 7) && val && *val) {
		if (!strcmp(val, "unconfined"))
			o->seccomp_unconfined = true;
		else
			o->seccomp_file = val;
		return 0;
	}
	if (kl == 17 && !strncmp(v, "no-new-privileges", 17)) {
		if (!val || !strcmp(val, "true") || !strcmp(val, "1"))
			o->nnp = 1;
		else if (!strcmp(val, "false") || !strcmp(val, "0"))
			o->nnp = 0;
		else
			return werr_set(
			    err, EINVAL,
			    "invalid --security-opt \"%s\": use no-new-privileges[=true|false]", v);
		return 0;
	}
	if (kl == 10 && !strncmp(v, "fake-chown", 10)) {
		if (!val || !strcmp(val, "true") || !strcmp(val, "1"))
			o->fake_chown_off = false;
		else if (!strcmp(val, "false") || !strcmp(val, "0"))
			o->fake_chown_off = true;
		else
			return werr_set(
			    err, EINVAL,
			    "invalid --security-opt \"%s\": use fake-chown[=true|false]", v);
		return 0;
	}
	if ((kl == 5 && !strncmp(v, "label", 5)) || (kl == 8 && !strncmp(v, "apparmor", 8)))
		return 0; /* no SELinux or AppArmor confinement to apply for an unprivileged user */
	return werr_set(err, EINVAL,
	                "invalid --security-opt \"%s\": use seccomp=unconfined, seccomp=FILE.json, "
	                "no-new-privileges or fake-chown=false",
	                v);
}

int security_option(struct security_opts *o, const char *name, const char *value, struct werr *err)
{
	caps_mask_t m;

	if (!strcmp(name, "security-opt"))
		return security_opt(o, value, err);
	if (!strcmp(name, "privileged")) {
		o->privileged = !strcmp(value, "true");
		return 0;
	}
	if (strcmp(name, "cap-add") && strcmp(name, "cap-drop"))
		return werr_set(err, EINVAL, "internal: %s is not a security option", name);
	if (caps_from_name(value, &m, err) < 0)
		return werr_prefix(err, "--%s", name);
	if (!strcmp(name, "cap-add"))
		o->cap_add |= m;
	else
		o->cap_drop |= m;
	return 0;
}

int security_apply(struct container_spec *spec, const struct security_opts *o, struct werr *err)
{
	_cleanup_free_ char *profile = NULL;
	size_t len;

	spec->privileged = o->privileged;
	spec->fake_chown_off = o->fake_chown_off;
	if (o->privileged) {
		spec->caps = caps_all();
		spec->no_new_privs = o->nnp == 1;
		return 0;
	}
	spec->caps = ((caps_default() & ~o->cap_drop) | o->cap_add) & caps_all();
	spec->no_new_privs = true;
	if (o->nnp == 0 && !o->seccomp_unconfined)
		return werr_set(err, EINVAL,
		                "no-new-privileges=false needs --security-opt seccomp=unconfined "
		                "(the seccomp filter is installed with no_new_privs)");
	if (o->nnp == 0)
		spec->no_new_privs = false;
	if (o->seccomp_unconfined)
		return 0;
	if (o->seccomp_file &&
	    util_read_file(AT_FDCWD, o->seccomp_file, 4 << 20, &profile, &len, err) < 0)
		return werr_prefix(err, "--security-opt seccomp");
	if (seccomp_compile_cached(profile, spec->caps, &spec->seccomp_prog, err) < 0)
		return werr_prefix(err, "--security-opt seccomp=%s",
		                   o->seccomp_file ? o->seccomp_file : "default");
	spec->seccomp = true;
	spec->seccomp_profile = steal_ptr(&profile); /* the record keeps it */
	return 0;
}

void security_release(struct container_spec *spec)
{
	free(spec->seccomp_profile);
	spec->seccomp_profile = NULL;
	seccomp_bpf_free(&spec->seccomp_prog);
	spec->seccomp = false;
}
