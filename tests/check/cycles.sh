#!/bin/bash
# tests/check/cycles.sh BUILD_DIR [TARGET...] - the files of each helper
# program form layers: no file uses a function or variable of a file that
# (through others) uses it back, and no header includes itself again. Never
# builds or changes BUILD_DIR; it only reads its objects and meson-info.
#
# Per program (default: every target defined in fuse-overlayfs/, monitor/,
# uidmap/ and net/), two file-level graphs:
#   uses:     A.c -> B.c when A.o has B.o's global symbol undefined (nm), the
#             objects taken from the target's .p directory; a custom target
#             (warren-monitor, built at once by musl-gcc) has none, so its
#             sources are compiled to a temporary directory with its command;
#   includes: A -> B.h for each #include "B.h" found in the sources or the
#             target's -I directories, followed into the headers.
# A loop in either prints it (a.c -> b.c (sym) -> a.c (sym)); the last line
# sums up; exit 1 when any program has a loop, else 0.
#
# BUILD_DIR must be built from the sources as they are (tests/run.sh builds
# first): the objects and meson's list of sources are what is read.
#
# Exercised by tests/check/cycles-selftest.sh, which sources this file
# (CYCLES_LIB=1) and runs cycles_check_program on two-file programs built in
# a temporary directory: one with a call loop, one with an include loop, one
# without. By hand: a call from fuse-overlayfs/layer.c to ovl_fs_close(),
# rebuilt, gives "cycles: warren-overlay: call cycle: fuse-overlayfs/dirlist.c
# -> fuse-overlayfs/layer.c (ovl_open_at) -> fuse-overlayfs/fs.c
# (ovl_fs_close) -> fuse-overlayfs/dirlist.c (ovl_dirlist_free)" and exit 1.
set -uo pipefail

# cycles_label OBJ: the source file an object came from, as LABEL=PATH pairs
# name them; a bare path is named by its file name without .o (meson's
# "main.c.o" is main.c)
cycles_label() {
	case $1 in
	*=*) echo "${1%%=*}" ;;
	*) basename "${1%.o}" ;;
	esac
}

# cycles_uses OBJ...: "A B SYM" for each global symbol of B that A uses
cycles_uses() {
	local o label path
	for o in "$@"; do
		label=$(cycles_label "$o")
		path=${o#*=}
		nm -g --defined-only "$path" | awk -v f="$label" 'NF == 3 { print "D", f, $3 }'
		nm -u "$path" | awk -v f="$label" '{ print "U", f, $NF }'
	done | awk '
		$1 == "D" { def[$3] = $2; next }
		{ use[++n] = $2 " " $3 }
		END {
			for (i = 1; i <= n; i++) {
				split(use[i], u, " ")
				if ((u[2] in def) && def[u[2]] != u[1])
					print u[1], def[u[2]], u[2]
			}
		}' | sort -u
}

# cycles_resolve ROOT DIR IDIRS NAME: the file #include "NAME" in DIR means,
# relative to ROOT, or nothing when it is outside ROOT (a system header)
cycles_resolve() {
	local root=$1 dir=$2 idirs=$3 name=$4 d
	for d in "$dir" $idirs; do
		if [ -f "$d/$name" ]; then
			d=$(realpath "$d/$name")
			case $d in
			"$root"/*) echo "${d#"$root"/}" ;;
			esac
			return
		fi
	done
}

# cycles_includes ROOT IDIRS SRC...: "A B" for each #include "B" in A, from
# the sources (paths relative to ROOT) into the headers they reach
cycles_includes() {
	local root=$1 idirs=$2 f inc to
	shift 2
	local -a todo=("$@")
	local -A seen=()
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		[ -n "${seen[$f]:-}" ] && continue
		seen[$f]=1
		while read -r inc; do
			to=$(cycles_resolve "$root" "$root/$(dirname "$f")" "$idirs" "$inc")
			[ -n "$to" ] || continue
			echo "$f $to"
			todo+=("$to")
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$root/$f")
	done | sort -u
}

# cycles_loop: the first loop in the graph of "A B [WHY]" lines on stdin,
# printed as "A -> B (WHY) -> ... -> A (WHY)"; Return: 1 when there is one
cycles_loop() {
	awk '
		function dfs(u,   i, k, vs, v) {
			state[u] = 1
			stack[++depth] = u
			k = split(adj[u], vs, " ")
			for (i = 1; i <= k; i++) {
				v = vs[i]
				if (state[v] == 1) {
					report(v)
					return 1
				}
				if (state[v] == 0 && dfs(v))
					return 1
			}
			state[u] = 2
			depth--
			return 0
		}
		function step(a, b) {
			return " -> " b (why[a, b] == "" ? "" : " (" why[a, b] ")")
		}
		function report(v,   i, k, s) {
			for (k = depth; stack[k] != v; k--)
				;
			s = v
			for (i = k; i < depth; i++)
				s = s step(stack[i], stack[i + 1])
			print s step(stack[depth], v)
		}
		!(($1) in state) { state[$1] = 0; order[++n] = $1 }
		!(($2) in state) { state[$2] = 0; order[++n] = $2 }
		$1 != $2 && !(($1, $2) in why) { adj[$1] = adj[$1] " " $2; why[$1, $2] = $3 }
		END {
			for (j = 1; j <= n; j++)
				if (state[order[j]] == 0 && dfs(order[j]))
					exit 1
		}'
}

# cycles_check_program NAME ROOT IDIRS SRCS OBJ...: check one program whose
# sources SRCS (paths relative to ROOT, space-separated) were compiled to
# OBJ (LABEL=PATH or PATH); IDIRS are its -I directories
# Return: 0 and one line when both graphs are free of loops, else 1
cycles_check_program() {
	local name=$1 root=$2 idirs=$3 srcs=$4 loop
	shift 4
	# shellcheck disable=SC2086 # SRCS is a list
	if loop=$(cycles_uses "$@" | cycles_loop); then
		if loop=$(cycles_includes "$root" "$idirs" $srcs | cycles_loop); then
			echo "cycles: $name: $# file$([ $# = 1 ] || echo s), no call or include cycle"
			return 0
		fi
		echo "cycles: $name: include cycle: $loop"
		return 1
	fi
	echo "cycles: $name: call cycle: $loop"
	return 1
}

# cycles_targets BUILD_DIR [TARGET...]: per target one line of six fields
# separated by \x1e, NAME KIND PDIR IDIRS SRCS COMMAND, from meson-info (KIND
# executable or custom; COMMAND, its words joined by \x1f, only for custom)
cycles_targets() {
	python3 - "$@" <<'EOF'
import json, os, sys
build = os.path.abspath(sys.argv[1])
want = sys.argv[2:]
info = os.path.join(build, "meson-info")
root = json.load(open(os.path.join(info, "meson-info.json")))["directories"]["source"]
programs = ("fuse-overlayfs", "monitor", "uidmap", "net")
for t in json.load(open(os.path.join(info, "intro-targets.json"))):
    rel = os.path.relpath(os.path.dirname(t["defined_in"]), root)
    if want and t["name"] not in want:
        continue
    if not want and rel not in programs:
        continue
    if t["type"] not in ("executable", "custom"):
        continue
    srcs, idirs, cmd = [], [], []
    for ts in t["target_sources"]:
        srcs += [os.path.relpath(s, root) for s in ts["sources"]]
        words = ts["compiler"] + ts["parameters"]
        idirs += [w[2:] for w in words if w.startswith("-I") and w[2:].startswith(root + "/")]
        if t["type"] == "custom":
            cmd = [w for w in ts["compiler"] if w not in ("-static", "@INPUT@", "-o", "@OUTPUT@")]
    srcs = [s for s in srcs if s.endswith(".c")]
    pdir = t["filename"][0] + ".p" if t["type"] == "executable" else ""
    print("\x1e".join([t["name"], t["type"], pdir, " ".join(idirs), " ".join(srcs), "\x1f".join(cmd)]))
EOF
}

# cycles_objects BUILD_DIR PDIR SRCS: LABEL=PATH per object of PDIR, the
# label the source path compile_commands.json gives it, relative to the
# source root; an object left from a source no longer in SRCS is skipped
cycles_objects() {
	python3 - "$@" <<'EOF'
import glob, json, os, sys
build, pdir, srcs = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3].split()
root = json.load(open(os.path.join(build, "meson-info", "meson-info.json")))["directories"]["source"]
src = {}
for c in json.load(open(os.path.join(build, "compile_commands.json"))):
    d = c["directory"]
    src[os.path.normpath(os.path.join(d, c["output"]))] = os.path.normpath(os.path.join(d, c["file"]))
for o in sorted(glob.glob(os.path.join(pdir, "*.o"))):
    s = src.get(os.path.normpath(o))
    label = os.path.relpath(s, root) if s else os.path.basename(o)[:-2]
    if s and label not in srcs:
        continue
    print(label + "=" + o)
EOF
}

# cycles_compile TMP ROOT COMMAND SRCS: compile each source with the custom
# target's COMMAND (its words joined by \x1f) into TMP; LABEL=PATH per object
cycles_compile() {
	local tmp=$1 root=$2 i=0 s
	local -a cmd
	IFS=$'\x1f' read -r -a cmd <<<"$3"
	for s in $4; do
		i=$((i + 1))
		"${cmd[@]}" -c "$root/$s" -o "$tmp/$i.o" || return 1
		echo "$s=$tmp/$i.o"
	done
}

cycles_main() {
	local build=${1:?usage: cycles.sh BUILD_DIR [TARGET...]} root tmp rc=0 n=0 bad=0
	local name kind pdir idirs srcs cmd objs
	shift
	root=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
		"$build/meson-info/meson-info.json") || return 1
	tmp=$(mktemp -d /tmp/cycles.XXXXXX) || return 1
	trap 'rm -rf "$tmp"' RETURN
	while IFS=$'\x1e' read -r name kind pdir idirs srcs cmd; do
		n=$((n + 1))
		if [ "$kind" = custom ]; then
			mkdir -p "$tmp/$name"
			objs=$(cycles_compile "$tmp/$name" "$root" "$cmd" "$srcs") ||
				{ echo "cycles: $name: cannot compile its sources"; rc=1; bad=$((bad + 1)); continue; }
		else
			objs=$(cycles_objects "$build" "$pdir" "$srcs")
		fi
		if [ -z "$objs" ]; then
			echo "cycles: $name: no objects in ${pdir:-its command} (build $build first)"
			rc=1
			bad=$((bad + 1))
			continue
		fi
		# shellcheck disable=SC2086 # one LABEL=PATH per word
		cycles_check_program "$name" "$root" "$idirs" "$srcs" $objs || { rc=1; bad=$((bad + 1)); }
	done < <(cycles_targets "$build" "$@")
	[ "$n" -gt 0 ] || { echo "cycles: no target found in $build"; return 1; }
	if [ $rc -eq 0 ]; then
		echo "cycles: $n program$([ "$n" = 1 ] || echo s), no call or include cycle"
	else
		echo "cycles: $bad of $n programs have a call or include cycle"
	fi
	return $rc
}

if [ "${CYCLES_LIB:-0}" != 1 ]; then
	cycles_main "$@"
	exit
fi
