#!/bin/bash
# Installs the Debian packages warren needs: to build (default) or, with
# --test, also to test and benchmark. The lists are scripts/packages/build-*.txt
# and test-*.txt (one package a line, # comments), one file per part of the
# project. Idempotent: installs only what is missing. Not root: prints the
# apt-get line to run and exits 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

lists=("$here"/packages/build-*.txt)
[ "${1:-}" = "--test" ] && lists+=("$here"/packages/test-*.txt)
mapfile -t want < <(sed 's/#.*//; s/[[:space:]]//g; /^$/d' "${lists[@]}" | sort -u)

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
