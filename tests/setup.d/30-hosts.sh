#!/bin/bash
# Hosts as clusters have them (as root, idempotent, offline):
#   - libsubid_warrentest.so (tests/fixtures/libsubid_warrentest.c), a subid
#     source for shadow's libsubid, where libsubid looks for one (the
#     system's library directory): a test's private nsswitch.conf with
#     "subid: warrentest" makes libsubid, shadow's newuidmap and warren
#     take ranges from it instead of /etc/subuid, as SSSD's do on
#     LDAP/FreeIPA sites
#   - /etc/warren-test-subid, empty: the module's list, which a test binds
#     its own over in a private mount namespace (run_as_in)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/fixtures/libsubid_warrentest.c
libdir=/usr/lib/$(gcc -print-multiarch)
out=$libdir/libsubid_warrentest.so
if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
	gcc -O2 -Wall -Werror -shared -fPIC -o "$out.$$" "$src"
	mv -f "$out.$$" "$out"
	ldconfig
fi
[ -f /etc/warren-test-subid ] || install -m 0644 /dev/null /etc/warren-test-subid
