#!/bin/bash
# layers.sh [SRC_ROOT] - the include rule between folders (docs/ARCHITECTURE.md,
# "Dependency rules"): every #include "x.h" in a .c or .h file under a
# folder of ours must name a header of its own folder or of a folder it may
# include, as ALLOWED below says. Headers are included by bare name (meson's
# include directories), so a name is looked up as the compiler would find it
# first: the including file's own folder wins; otherwise the one folder that
# has a header of that name. A name that two other folders both have is
# reported too: which one the build takes depends on include-path order.
# Quoted names found in no folder of ours (a library's) are not checked.
# Prints each forbidden include, exits 1 if there is any; else prints
# "layers: N includes checked, all allowed" and exits 0.
set -euo pipefail

# The rule, as data: a folder, then the folders it may include besides its
# own. Folder names are src/NAME for the libraries of src/, else top-level
# folders (the helper programs). tests/ may include anything and is not
# checked; its headers are still found, so that no folder includes them.
ALLOWED='
cli            builder container image userns common
builder        container image userns common
container      image runtime userns common
image          userns common
runtime        userns common
userns         common
common
fuse-overlayfs common
net            common
monitor        common
uidmap         common
tests          *
'

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -d "$root" ] || { echo "layers.sh: $root is not a directory" >&2; exit 2; }
cd "$root"

# the folder of each name in ALLOWED: src/NAME if it exists, else NAME
dirs=()
while read -r name _; do
	[ -n "$name" ] || continue
	if [ -d "src/$name" ]; then
		dirs+=("$name=src/$name")
	elif [ -d "$name" ]; then
		dirs+=("$name=$name")
	fi
done <<<"$ALLOWED"
[ ${#dirs[@]} -gt 0 ] || { echo "layers.sh: no folder of the rule under $root" >&2; exit 2; }

# each header as "FOLDER PATH", each include as "PATH:LINE"
headers=$(for d in "${dirs[@]}"; do
	find "${d#*=}" -name '*.h' -type f | sed "s|^|${d%%=*} |"
done | sort)
includes=$(for d in "${dirs[@]}"; do
	[ "${d%%=*}" = tests ] && continue
	find "${d#*=}" \( -name '*.c' -o -name '*.h' \) -type f
done | sort | xargs -r grep -HE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' || true)

awk -v allowed="$ALLOWED" -v dirlist="${dirs[*]}" -v headers="$headers" '
function folder_of(path,   i, n, d) {
	for (i = 1; i <= ndirs; i++)
		if (substr(path, 1, length(dirpath[i]) + 1) == dirpath[i] "/")
			return dirname[i]
	return ""
}
# how a header is named in a message: its path below src/, else from the top
function shown(path) { return substr(path, 1, 4) == "src/" ? substr(path, 5) : path }
function base(path) { sub(/.*\//, "", path); return path }
BEGIN {
	n = split(allowed, lines, "\n")
	for (i = 1; i <= n; i++) {
		m = split(lines[i], w, /[ \t]+/)
		if (w[1] == "") continue
		may[w[1]] = ""
		for (j = 2; j <= m; j++) {
			may[w[1]] = may[w[1]] (may[w[1]] == "" ? "" : " ") w[j]
			ok[w[1], w[j]] = 1
		}
	}
	ndirs = split(dirlist, dl, " ")
	for (i = 1; i <= ndirs; i++) {
		dirname[i] = substr(dl[i], 1, index(dl[i], "=") - 1)
		dirpath[i] = substr(dl[i], index(dl[i], "=") + 1)
	}
	n = split(headers, hl, "\n")
	for (i = 1; i <= n; i++) {
		if (split(hl[i], w, " ") != 2) continue
		b = base(w[2])
		if (!((b, w[1]) in where)) {
			where[b, w[1]] = w[2]
			folders[b] = folders[b] (folders[b] == "" ? "" : " ") w[1]
		}
	}
	checked = 0
	bad = 0
}
{
	file = $0; sub(/:.*/, "", file)
	name = $0; sub(/^[^:]*:[^"]*"/, "", name); sub(/".*/, "", name)
	from = folder_of(file)
	b = base(name)
	if (name ~ /\//) {
		# a path: the folder it names, found from the file or from src/
		dir = file; sub(/\/[^\/]*$/, "", dir)
		to = ""
		for (t = 1; t <= 2 && to == ""; t++) {
			p = (t == 1 ? dir "/" : "src/") name
			while (sub(/\/[^\/]+\/\.\.\//, "/", p)) ;
			gsub(/\/\.\//, "/", p)
			f = folder_of(p)
			if (f != "" && (b, f) in where && where[b, f] == p) to = f
		}
		if (to == "") next
	} else if ((b, from) in where) {
		to = from
	} else if (!(b in folders)) {
		next # a library header
	} else if ((nc = split(folders[b], c, " ")) > 1) {
		checked++
		bad++
		list = ""
		for (k = 1; k <= nc; k++) list = list " " shown(where[b, c[k]])
		printf "%s: includes \"%s\", which more than one folder has:%s (rename one)\n", file, name, list
		next
	} else {
		to = folders[b]
	}
	checked++
	if (to == from || ok[from, to] || ok[from, "*"]) next
	bad++
	printf "%s: includes %s (%s may include: %s)\n", file, shown(where[b, to]), from,
	    may[from] == "" ? "nothing else" : may[from]
}
END {
	if (bad) exit 1
	printf "layers: %d includes checked, all allowed\n", checked
}' <<<"$includes"
