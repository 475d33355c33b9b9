#!/bin/bash
# layers-selftest.sh - tests layers.sh itself on a small fake tree in a
# temporary directory: it must pass the tree as made, then fail naming the
# file once image/ includes a runtime/ header, and fail on a header name two
# other folders share. Exits 0 only if layers.sh behaves in every case.
set -uo pipefail
check=$(cd "$(dirname "$0")" && pwd)/layers.sh
tmp=$(mktemp -d /tmp/layers-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0

# put FILE LINE...: write the lines into $tmp/FILE
put() {
	local f=$tmp/$1
	shift
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$@" >"$f"
}

# expect WHAT STATUS PATTERN: layers.sh on the tree exits STATUS and prints
# a line matching PATTERN (grep -E)
expect() {
	local what=$1 status=$2 pattern=$3 out r
	out=$("$check" "$tmp" 2>&1)
	r=$?
	if [ "$r" = "$status" ] && grep -qE -- "$pattern" <<<"$out"; then
		echo "ok - $what"
	else
		echo "not ok - $what (exit $r, expected $status and /$pattern/):"
		sed 's/^/#   /' <<<"$out"
		fails=$((fails + 1))
	fi
}

put src/common/werr.h '/* werr.h */'
put src/common/util.h '#include "werr.h"'
put src/common/util.c '#include "util.h"' '#include <stdio.h>'
put src/userns/idmap.h '#include "werr.h"'
put src/runtime/container.h '#include "idmap.h"' '#include "werr.h"'
put src/runtime/container.c '#include "container.h"' '#include "util.h"'
put src/image/store.h '#include "idmap.h"'
put src/image/store.c '#include "store.h"' '  #  include "util.h"' '#include <jansson.h>' \
	'#include "jansson_private.h"'
put net/net.h '#include "werr.h"'
put net/main.c '#include "net.h"' '#include "util.h"'
put tests/unit/test_store.c '#include "store.h"' '#include "container.h"' '#include "tap.h"'
put tests/unit/tap.h '/* tap.h */'
expect "a tree that keeps the rule passes, counting its includes" 0 \
	'^layers: 13 includes checked, all allowed$'

put src/image/store.c '#include "store.h"' '#include "util.h"' '#include "container.h"'
expect "image including a runtime header fails, naming the file" 1 \
	'^src/image/store\.c: includes runtime/container\.h \(image may include: userns common\)$'

put src/image/store.c '#include "store.h"' '#include "util.h"'
put monitor/idle.h '#include "werr.h"'
put src/container/idle.h '#include "werr.h"'
put src/container/idle.c '#include "idle.h"'
put src/cli/main.c '#include "idle.h"'
expect "a name two other folders have is reported; a folder's own header wins" 1 \
	'^src/cli/main\.c: includes "idle\.h", which more than one folder has: container/idle\.h monitor/idle\.h'
if "$check" "$tmp" 2>&1 | grep -q '^src/container/idle\.c'; then
	echo "not ok - src/container/idle.c's own idle.h was taken as ambiguous"
	fails=$((fails + 1))
fi

[ "$fails" -eq 0 ]
