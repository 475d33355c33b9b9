#!/bin/bash
# POSIX conformance run: the checks of posix.c on a plain directory (the
# reference), on the kernel overlay and on warren-overlay, in one user
# namespace, the fixture of each check made in the plain directory and in
# the overlays' lower layer alike. Fails when warren-overlay's result of
# any check differs from the plain directory's; the kernel overlay's
# differences are printed beside it, not required. Prints the count of
# checks and of the lines compared.
#   posix.sh WARREN_OVERLAY [CHECK...]
# Run as an unprivileged user; it enters its own user namespace.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/mounts.sh"
BIN=$1
shift

if [ "${OVL_POSIX_INNER:-}" != 1 ]; then
	export OVL_POSIX_INNER=1
	if unshare --map-root-user --map-auto -m true 2>/dev/null; then
		exec unshare --map-root-user --map-auto -m "$0" "$BIN" "$@"
	fi
	exec unshare -Urm "$0" "$BIN" "$@"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/ovl-posix.XXXXXX")
cleanup() {
	umount "$W/wo/m" 2>/dev/null || umount -l "$W/wo/m" 2>/dev/null
	umount "$W/ko/m" 2>/dev/null
	[ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
gcc -O1 -o "$W/posix" "$here/posix.c" || exit 1

# the fixture, in the lower layer and in the plain directory, its times fixed
mkdir -p "$W/lower" "$W/plain" "$W"/wo/{u,w,m} "$W"/ko/{u,w,m}
for t in lower plain; do
	"$W/posix" setup "$W/$t" || exit 1
	find "$W/$t" -mindepth 1 -depth -execdir touch -h -d @1600000000 {} +
done
ovl_mount_both "$W/lower"

"$W/posix" run "$W/plain" >"$W/out.plain" 2>&1
"$W/posix" run "$W/wo/m" >"$W/out.warren" 2>&1
[ "$KERNEL" = 1 ] && "$W/posix" run "$W/ko/m" >"$W/out.kernel" 2>&1

# block NAME FILE: the lines of check NAME in FILE
block() { awk -v n="== $1" '/^== / { on = ($0 == n); next } on' "$2"; }

checks=0 lines=0 failed=() kdiff=()
for name in $("$W/posix" list); do
	[ $# -gt 0 ] && [[ " $* " != *" $name "* ]] && continue
	checks=$((checks + 1))
	block "$name" "$W/out.plain" >"$W/p"
	lines=$((lines + $(wc -l <"$W/p")))
	block "$name" "$W/out.warren" >"$W/w"
	if cmp -s "$W/p" "$W/w"; then
		echo "ok $name: warren-overlay as the plain directory ($(wc -l <"$W/p") results)"
	else
		failed+=("$name")
		echo "FAIL $name: warren-overlay differs from the plain directory:"
		diff "$W/p" "$W/w" | sed 's/^/#   /' | head -40
	fi
	if [ "$KERNEL" = 1 ]; then
		block "$name" "$W/out.kernel" >"$W/k"
		if ! cmp -s "$W/p" "$W/k"; then
			kdiff+=("$name")
			echo "# kernel overlay differs in $name (not required):"
			diff "$W/p" "$W/k" | sed 's/^/#   /' | head -${KDIFF_LINES:-12}
		fi
	fi
done
echo "posix: $checks checks ($lines results) on a plain directory, warren-overlay and" \
	"$([ "$KERNEL" = 1 ] && echo "the kernel overlay" || echo "no kernel overlay")"
echo "posix: warren-overlay differs in ${#failed[@]}${failed:+ (${failed[*]})}; the kernel" \
	"overlay in ${#kdiff[@]}${kdiff:+ (${kdiff[*]})}"
[ ${#failed[@]} -eq 0 ] && [ "$checks" -gt 0 ]
