#!/bin/bash
# Installs the Debian packages warren needs: to build (default) or, with
# --test, also to test and benchmark. Idempotent: installs only what is
# missing. Not root: prints the apt-get line to run and exits 1.
set -euo pipefail

build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libseccomp-dev libcap-dev
	libjansson-dev libcurl4-openssl-dev libarchive-dev libssl-dev busybox-static)
# bats and tmux: the suite; util-linux (setpriv) and procps: running as the test
# users; bubblewrap, podman, runc, uidmap, hyperfine: benchmark and interop
# peers only, never warren's runtime dependencies; clang: fuzzing
test_pkgs=(bats tmux procps iproute2 util-linux bubblewrap hyperfine podman runc uidmap
	clang libclang-rt-14-dev python3 clang-format)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "warren needs these Debian packages: ${missing[*]}" >&2
	echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
