#!/bin/bash
# The suite's static test programs to copy into the busybox root filesystem
# (as root, idempotent, offline): udp-echo for net.bats, nbconnect and nbaccept for net_bypass.bats (in
# $WARREN_TEST_ROOT/net), iouring-probe for run.bats' seccomp tests (in
# $WARREN_TEST_ROOT/probes). dnsmasq and the HTTP servers are started by
# tests/bats/net.bats itself, on 127.0.0.x.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
for prog in net/udp-echo net/nbconnect net/nbaccept probes/iouring-probe; do
	out=$WARREN_TEST_ROOT/$prog src=$here/fixtures/${prog#*/}.c
	mkdir -p "${out%/*}"
	chmod 0755 "${out%/*}"
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		gcc -static -O2 -o "$out" "$src"
	fi
done
