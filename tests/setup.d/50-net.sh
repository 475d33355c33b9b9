#!/bin/bash
# The network tests' fixtures (as root, idempotent, offline): a static UDP
# echo server to copy into the busybox root filesystem. dnsmasq and the HTTP
# servers are started by tests/bats/net.bats itself, on 127.0.0.x.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
out=$WARREN_TEST_ROOT/net
mkdir -p "$out"
chmod 0755 "$out"
if [ ! -x "$out/udp-echo" ] || [ "$here/fixtures/udp-echo.c" -nt "$out/udp-echo" ]; then
	gcc -static -O2 -o "$out/udp-echo" "$here/fixtures/udp-echo.c"
fi
