#!/bin/bash
# A real Debian for the package-install tests (tests/bats/pkg_install.bats),
# as root, idempotent:
#   - a bookworm root made with `debootstrap --variant=minbase` (this needs
#     the Debian archive once: the one mirror the host's apt uses), kept with
#     its one-layer OCI layout in a cache shared by every lane and checkout
#     ($WARREN_DEBIAN_CACHE, default /var/cache/warren-test/debian), made
#     under a lock so that lanes set up at once debootstrap once
#   - the host's apt sources and Acquire settings copied into it (a mirror,
#     a proxy, snapshot dates), so that apt-get in a container reaches the
#     archive the way the host does
#   - pushed to this lane's registry as warren/debian:bookworm
# Without the archive (an offline machine) nothing is made and the tests
# that need the image skip.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
port=${WARREN_REGISTRY_PORT:-5000}
cache=${WARREN_DEBIAN_CACHE:-/var/cache/warren-test/debian}
root=$WARREN_TEST_ROOT/registry
mkdir -p "$cache"

# the host's apt configuration that says where and how to fetch
apt_conf_files() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && echo "$f"
	done
	grep -lE '^[[:space:]]*Acquire' /etc/apt/apt.conf.d/* 2>/dev/null || true
}
stamp=$(apt_conf_files | xargs -r cat | cat - "$0" | sha256sum | cut -c1-16)

build_layout() {
	local r=$cache/rootfs mirror
	if [ ! -f "$r/etc/debian_version" ]; then
		mirror=$(sed -n 's/^URIs:[[:space:]]*\([^ ]*\).*/\1/p; s/^deb[[:space:]]\+\(http[^ ]*\).*/\1/p' \
			$(apt_conf_files | grep sources) 2>/dev/null | grep -v security | head -1)
		rm -rf "$r.tmp"
		debootstrap --variant=minbase bookworm "$r.tmp" "${mirror:-http://deb.debian.org/debian}" \
			> "$cache/debootstrap.log" 2>&1 || { rm -rf "$r.tmp"; return 1; }
		mv "$r.tmp" "$r"
	fi
	# the host's sources and Acquire settings, in place of debootstrap's
	rm -f "$r/etc/apt/sources.list" "$r"/etc/apt/sources.list.d/*
	local f
	for f in $(apt_conf_files); do
		cp "$f" "$r$f"
	done
	rm -rf "$cache/layout"
	tar -C "$r" --numeric-owner -cf "$cache/layer.tar" \
		--exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
		--exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' .
	python3 - "$cache" <<'PY'
import gzip, hashlib, json, os, sys
d = sys.argv[1]
out = os.path.join(d, "layout.tmp")
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, h), "wb").write(data)
    return "sha256:" + h
raw = open(os.path.join(d, "layer.tar"), "rb").read()
gz = gzip.compress(raw, compresslevel=6, mtime=0)
layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz), "size": len(gz)}
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                             "Cmd": ["bash"]},
                  "rootfs": {"type": "layers",
                             "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode()
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": put(cfg), "size": len(cfg)},
                "layers": [layer]}).encode()
md = put(m)
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": len(m),
           "annotations": {"org.opencontainers.image.ref.name": "bookworm"}}]},
          open(os.path.join(out, "index.json"), "w"))
PY
	rm -f "$cache/layer.tar"
	mv "$cache/layout.tmp" "$cache/layout"
}

exec 8> "$cache/lock"
flock 8
if [ "$(cat "$cache/layout.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$cache/layout.tmp"
	if ! build_layout; then
		echo "35-debian: no Debian image (debootstrap failed, see $cache/debootstrap.log): the package-install tests skip" >&2
		exit 0
	fi
	echo "$stamp" > "$cache/layout.stamp"
fi
flock -u 8
if [ "$(cat "$root/debian.stamp" 2>/dev/null)" != "$stamp-$port" ]; then
	skopeo copy -q --dest-tls-verify=false "oci:$cache/layout:bookworm" \
		"docker://127.0.0.1:$port/warren/debian:bookworm"
	echo "$stamp-$port" > "$root/debian.stamp"
fi
