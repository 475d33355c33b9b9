#!/bin/bash
# Static probe programs to copy into the busybox root filesystem (as root,
# idempotent, offline): iouring-probe for the seccomp tests in run.bats.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
out=$WARREN_TEST_ROOT/probes
mkdir -p "$out"
chmod 0755 "$out"
if [ ! -x "$out/iouring-probe" ] || [ "$here/fixtures/iouring-probe.c" -nt "$out/iouring-probe" ]; then
	gcc -static -O2 -o "$out/iouring-probe" "$here/fixtures/iouring-probe.c"
fi
