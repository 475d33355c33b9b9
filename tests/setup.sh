#!/bin/bash
# Prepares this machine for the suite (as root, idempotent): /dev/fuse and
# /dev/net/tun as a distribution ships them, then for each of the suite's
# $WARREN_LANES lanes (default 4, see lane_env in tests/env.sh) its
# unprivileged test users, its pristine busybox root filesystem and each
# part's own steps in tests/setup.d/*.sh (registry, resolver, ...), in name
# order. Lanes are prepared one after the other; /etc/subuid and
# /etc/subgid are edited only through tests/subid-set.sh (a lock, a rename).
#   $WARREN_TEST_USER   subordinate IDs $WARREN_TEST_SUBUID:65536 in /etc/subuid and /etc/subgid
#   $WARREN_NOSUB_USER  no subordinate IDs at all (single-ID mode)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "tests/setup.sh must run as root" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

ensure_user() {
	id "$1" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$1"
}

for dev in /dev/fuse /dev/net/tun; do
	[ -e "$dev" ] && chmod 0666 "$dev"
done

if [ -e /proc/sys/kernel/unprivileged_userns_clone ] &&
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
	sysctl -qw kernel.unprivileged_userns_clone=1
fi
if [ "$(cat /proc/sys/user/max_user_namespaces)" = 0 ]; then
	sysctl -qw user.max_user_namespaces=15000
fi
mkdir -p "$WARREN_TEST_ROOT"
chmod 0755 "$WARREN_TEST_ROOT"

# setup_lane: the current lane's users, fixtures and services
setup_lane() {
	ensure_user "$WARREN_TEST_USER"
	ensure_user "$WARREN_NOSUB_USER"
	"$here/subid-set.sh" "$WARREN_NOSUB_USER"
	"$here/subid-set.sh" "$WARREN_TEST_USER" "$WARREN_TEST_SUBUID" 65536

	mkdir -p "$WARREN_TEST_ROOT"
	chmod 0755 "$WARREN_TEST_ROOT"
	"$here/fixtures/mkrootfs-busybox.sh" "$WARREN_TEST_ROOT/rootfs"
	mkdir -p "$WARREN_BATS_TMP"
	chmod 0755 "$WARREN_BATS_TMP"

	local step
	for step in "$here"/setup.d/*.sh; do
		[ -e "$step" ] || continue
		bash "$step"
	done
}

for ((lane = 1; lane <= ${WARREN_LANES:-4}; lane++)); do
	(lane_env "$lane"; setup_lane)
done
