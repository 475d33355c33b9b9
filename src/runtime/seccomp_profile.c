/* seccomp_profile.c - loads Docker-format seccomp profiles (JSON) and the
 * compiled-in default into one rule form, compiles them with libseccomp to
 * BPF in warren's own process, and installs the BPF in the container's
 * process. A bad profile is an error naming the field, never a crash. */
#include "seccomp_rules.h"
#include "cleanup.h"
#include "util.h"

#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* a profile loaded from JSON owns its rules and names */
struct sc_loaded {
	struct sc_profile p;
	struct sc_rule *rules;
	char **strings; /* every name, freed at the end */
	size_t n_strings;
};

static int sc_kernel_version(void)
{
	static int v = -1;
	struct utsname u;
	int major = 0, minor = 0;

	if (v >= 0)
		return v;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &major, &minor);
	v = major * 1000 + minor;
	return v;
}

static const char *sc_native_arch_go(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#else
	return "";
#endif
}

static int sc_action(const char *name, int errno_ret, uint32_t *out)
{
	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO((uint32_t)errno_ret);
	else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE((uint32_t)errno_ret);
	else
		return -EINVAL;
	return 0;
}

static int sc_op(const char *name, enum scmp_compare *out)
{
	static const struct {
		const char *n;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(name, ops[i].n)) {
			*out = ops[i].op;
			return 0;
		}
	return -EINVAL;
}

static int sc_errno_ret(json_t *obj, const char *where, int def, int *out, struct werr *err)
{
	json_t *e = json_object_get(obj, "errnoRet");

	*out = def;
	if (!e || json_is_null(e))
		return 0;
	if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 4095)
		return werr_set(err, EINVAL,
		                "seccomp profile: %s.errnoRet: must be a number from 0 to 4095",
		                where);
	*out = (int)json_integer_value(e);
	return 0;
}

static int sc_caps(json_t *cond, const char *where, const char *which, caps_mask_t *mask,
                   struct werr *err)
{
	json_t *caps = cond ? json_object_get(cond, "caps") : NULL, *c;
	size_t i;

	*mask = 0;
	if (!caps || json_is_null(caps))
		return 0;
	if (!json_is_array(caps))
		return werr_set(err, EINVAL, "seccomp profile: %s.%s.caps: must be an array", where,
		                which);
	json_array_foreach(caps, i, c)
	{
		caps_mask_t m;
		if (!json_is_string(c) || caps_from_name(json_string_value(c), &m, err) < 0)
			return werr_set(err, EINVAL,
			                "seccomp profile: %s.%s.caps[%zu]: unknown capability",
			                where, which, i);
		*mask |= m;
	}
	return 0;
}

/* includes.arches / includes.minKernel: false when the rule does not apply here */
static bool sc_rule_applies_here(json_t *inc)
{
	json_t *arches = inc ? json_object_get(inc, "arches") : NULL, *a, *mk;
	size_t i;

	if (json_is_array(arches) && json_array_size(arches) > 0) {
		bool found = false;
		json_array_foreach(arches, i, a) if (json_is_string(a) &&
		                                     !strcmp(json_string_value(a),
		                                             sc_native_arch_go())) found = true;
		if (!found)
			return false;
	}
	mk = inc ? json_object_get(inc, "minKernel") : NULL;
	if (json_is_string(mk)) {
		int major = 0, minor = 0;
		sscanf(json_string_value(mk), "%d.%d", &major, &minor);
		if (sc_kernel_version() < major * 1000 + minor)
			return false;
	}
	return true;
}

static int sc_args(json_t *args, const char *where, struct sc_rule *r, struct werr *err)
{
	json_t *a;
	size_t i;

	if (!args || json_is_null(args))
		return 0;
	if (!json_is_array(args))
		return werr_set(err, EINVAL, "seccomp profile: %s.args: must be an array", where);
	if (json_array_size(args) > SC_MAX_ARGS)
		return werr_set(err, EINVAL, "seccomp profile: %s.args: more than %d conditions",
		                where, SC_MAX_ARGS);
	json_array_foreach(args, i, a)
	{
		json_t *idx = json_object_get(a, "index"), *v = json_object_get(a, "value");
		json_t *v2 = json_object_get(a, "valueTwo"), *op = json_object_get(a, "op");
		struct sc_arg *arg = &r->args[i];

		if (!json_is_object(a) || !json_is_integer(idx) || json_integer_value(idx) < 0 ||
		    json_integer_value(idx) >= SC_MAX_ARGS)
			return werr_set(err, EINVAL,
			                "seccomp profile: %s.args[%zu].index: must be 0 to 5",
			                where, i);
		if (!json_is_integer(v) || (v2 && !json_is_null(v2) && !json_is_integer(v2)))
			return werr_set(err, EINVAL,
			                "seccomp profile: %s.args[%zu].value: must be a number",
			                where, i);
		if (!json_is_string(op) || sc_op(json_string_value(op), &arg->op) < 0)
			return werr_set(err, EINVAL,
			                "seccomp profile: %s.args[%zu].op: unknown operator", where,
			                i);
		arg->index = (unsigned int)json_integer_value(idx);
		arg->value = (uint64_t)json_integer_value(v);
		arg->value_two = json_is_integer(v2) ? (uint64_t)json_integer_value(v2) : 0;
	}
	r->n_args = json_array_size(args);
	return 0;
}

static int sc_names(json_t *sc, const char *where, struct sc_loaded *l, struct sc_rule *r,
                    struct werr *err)
{
	json_t *names = json_object_get(sc, "names"), *name = json_object_get(sc, "name"), *n;
	size_t count, i, k = 0;
	char **arr;

	if (names && !json_is_array(names))
		return werr_set(err, EINVAL,
		                "seccomp profile: %s.names: must be an array of strings", where);
	if (!names && !json_is_string(name))
		return werr_set(err, EINVAL, "seccomp profile: %s: has no \"names\"", where);
	count = names ? json_array_size(names) : 1;
	arr = calloc(count + 1, sizeof(char *));
	if (!arr)
		return werr_errno(err, ENOMEM, "seccomp profile");
	l->strings[l->n_strings++] = (char *)arr;
	if (!names) {
		arr[0] = (char *)json_string_value(name);
	} else {
		json_array_foreach(names, i, n)
		{
			if (!json_is_string(n))
				return werr_set(err, EINVAL,
				                "seccomp profile: %s.names[%zu]: must be a string",
				                where, i);
			arr[k++] = (char *)json_string_value(n);
		}
	}
	r->names = (const char *const *)arr;
	return 0;
}

static int sc_load_rule(json_t *sc, size_t idx, struct sc_loaded *l, struct werr *err)
{
	char where[32];
	struct sc_rule *r = &l->rules[l->p.n_rules];
	json_t *act = json_object_get(sc, "action"), *inc, *exc;
	int eret;

	snprintf(where, sizeof(where), "syscalls[%zu]", idx);
	if (!json_is_object(sc))
		return werr_set(err, EINVAL, "seccomp profile: %s: must be an object", where);
	memset(r, 0, sizeof(*r));
	if (sc_names(sc, where, l, r, err) < 0 || sc_errno_ret(sc, where, 1, &eret, err) < 0)
		return -err->code;
	if (!json_is_string(act))
		return werr_set(err, EINVAL, "seccomp profile: %s.action: missing", where);
	if (sc_action(json_string_value(act), eret, &r->action) < 0)
		return werr_set(err, EINVAL, "seccomp profile: %s.action: unknown action '%s'",
		                where, json_string_value(act));
	if (sc_args(json_object_get(sc, "args"), where, r, err) < 0)
		return -err->code;
	inc = json_object_get(sc, "includes");
	exc = json_object_get(sc, "excludes");
	if (sc_caps(inc, where, "includes", &r->caps_all, err) < 0 ||
	    sc_caps(exc, where, "excludes", &r->caps_none, err) < 0)
		return -err->code;
	if (!sc_rule_applies_here(inc))
		return 0;
	l->p.n_rules++;
	return 0;
}

static int sc_arch(const char *name, uint32_t *out)
{
	static const struct {
		const char *n;
		uint32_t a;
	} arches[] = {
		{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
		{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
		{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
		{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
		{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	};
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(name, arches[i].n)) {
			*out = arches[i].a;
			return 0;
		}
	return -EINVAL;
}

static int sc_load_json(json_t *root, struct sc_loaded *l, struct werr *err)
{
	json_t *def = json_object_get(root, "defaultAction"),
	       *sys = json_object_get(root, "syscalls");
	json_t *arches = json_object_get(root, "architectures"), *v;
	size_t i;
	int eret;

	if (!json_is_object(root))
		return werr_set(err, EINVAL, "seccomp profile: the top level must be an object");
	if (!json_is_string(def))
		return werr_set(err, EINVAL, "seccomp profile: defaultAction: missing");
	{
		json_t *d = json_object_get(root, "defaultErrnoRet");
		eret = 1; /* EPERM, Docker's default */
		if (d && !json_is_null(d) &&
		    (!json_is_integer(d) || json_integer_value(d) < 0 ||
		     json_integer_value(d) > 4095))
			return werr_set(
			    err, EINVAL,
			    "seccomp profile: defaultErrnoRet: must be a number from 0 to 4095");
		if (json_is_integer(d))
			eret = (int)json_integer_value(d);
	}
	if (sc_action(json_string_value(def), eret, &l->p.default_action) < 0)
		return werr_set(err, EINVAL, "seccomp profile: defaultAction: unknown action '%s'",
		                json_string_value(def));
	if (arches && !json_is_null(arches)) {
		if (!json_is_array(arches))
			return werr_set(err, EINVAL,
			                "seccomp profile: architectures: must be an array");
		json_array_foreach(arches, i, v)
		{
			uint32_t a;
			if (!json_is_string(v) || sc_arch(json_string_value(v), &a) < 0)
				return werr_set(
				    err, EINVAL,
				    "seccomp profile: architectures[%zu]: unknown architecture", i);
			if (a != seccomp_arch_native() && l->p.n_arches < ARRAY_SIZE(l->p.arches))
				l->p.arches[l->p.n_arches++] = a;
		}
	}
	if (sys && !json_is_null(sys) && !json_is_array(sys))
		return werr_set(err, EINVAL, "seccomp profile: syscalls: must be an array");
	l->rules = calloc(json_array_size(sys) + 1, sizeof(*l->rules));
	l->strings = calloc(json_array_size(sys) + 1, sizeof(char *));
	if (!l->rules || !l->strings)
		return werr_errno(err, ENOMEM, "seccomp profile");
	l->p.rules = l->rules;
	json_array_foreach(sys, i, v) if (sc_load_rule(v, i, l, err) < 0) return -err->code;
	return 0;
}

/* add one rule for one syscall; repeated indexes become separate rules, as
 * libseccomp wants one comparison per argument in a rule */
static int sc_add(scmp_filter_ctx ctx, const struct sc_rule *r, int nr)
{
	struct scmp_arg_cmp cmp[SC_MAX_ARGS];
	bool repeat = false;
	int rc;

	for (size_t i = 0; i < r->n_args; i++) {
		cmp[i] = (struct scmp_arg_cmp){ r->args[i].index, r->args[i].op, r->args[i].value,
			                        r->args[i].value_two };
		for (size_t j = 0; j < i; j++)
			if (r->args[j].index == r->args[i].index)
				repeat = true;
	}
	if (!repeat)
		return seccomp_rule_add_array(ctx, r->action, nr, (unsigned int)r->n_args, cmp);
	for (size_t i = 0; i < r->n_args; i++) {
		rc = seccomp_rule_add_array(ctx, r->action, nr, 1, &cmp[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int sc_build(const struct sc_profile *p, caps_mask_t caps, struct seccomp_bpf *out,
                    struct werr *err)
{
	scmp_filter_ctx ctx = seccomp_init(p->default_action);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *bpf = NULL;
	size_t len;
	int rc;

	if (!ctx)
		return werr_set(err, EINVAL, "seccomp: cannot create a filter");
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* the runtime sets no_new_privs itself */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; i < p->n_arches; i++) {
		rc = seccomp_arch_add(ctx, p->arches[i]);
		if (rc < 0 && rc != -EEXIST) {
			seccomp_release(ctx);
			return werr_errno(err, -rc, "seccomp: adding an architecture");
		}
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sc_rule *r = &p->rules[i];
		if ((r->caps_all & caps) != r->caps_all || (r->caps_none & caps))
			continue;
		if (r->action == p->default_action)
			continue; /* libseccomp refuses rules that repeat the default */
		for (const char *const *n = r->names; *n; n++) {
			int nr = seccomp_syscall_resolve_name(*n);
			if (nr == __NR_SCMP_ERROR)
				continue; /* not a syscall of this architecture */
			rc = sc_add(ctx, r, nr);
			if (rc < 0 && rc != -EEXIST) {
				seccomp_release(ctx);
				return werr_errno(err, -rc, "seccomp profile: rule for %s", *n);
			}
		}
	}
	fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		return werr_errno(err, -rc, "seccomp: exporting the filter");
	if (lseek(fd, 0, SEEK_SET) < 0 || util_read_fd_all(fd, 1 << 20, &bpf, &len, err) < 0)
		return werr_errno(err, errno, "seccomp: reading the filter back");
	out->insns = steal_ptr(&bpf);
	out->count = len / sizeof(struct sock_filter);
	return 0;
}

static void sc_loaded_free(struct sc_loaded *l)
{
	for (size_t i = 0; i < l->n_strings; i++)
		free(l->strings[i]);
	free(l->strings);
	free(l->rules);
}

int seccomp_compile(const char *profile_json, caps_mask_t caps, struct seccomp_bpf *out,
                    struct werr *err)
{
	struct sc_loaded l = { 0 };
	json_error_t jerr;
	json_t *root;
	int r;

	out->insns = NULL;
	out->count = 0;
	if (!profile_json)
		return sc_build(seccomp_default_profile(), caps, out, err);
	root = json_loads(profile_json, 0, &jerr);
	if (!root)
		return werr_set(err, EINVAL, "seccomp profile: invalid JSON at line %d: %s",
		                jerr.line, jerr.text);
	r = sc_load_json(root, &l, err);
	if (r == 0)
		r = sc_build(&l.p, caps, out, err);
	sc_loaded_free(&l);
	json_decref(root);
	return r;
}

int seccomp_install(const struct seccomp_bpf *prog)
{
	struct sock_fprog fprog = { .len = (unsigned short)prog->count,
		                    .filter = (struct sock_filter *)prog->insns };

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
		return -errno;
	return 0;
}

void seccomp_bpf_free(struct seccomp_bpf *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->count = 0;
}
