#!/bin/bash
# mkdebian.sh DIR - the multi-layer image (~300 MB unpacked, ~100 MB gzip) bench/pull uses: a Debian
# bookworm root made with debootstrap (it reaches the Debian archive), split
# into five gzip layers and written as an OCI layout in DIR/layout. Cached:
# nothing is done when DIR/layout exists.
set -euo pipefail
dir=${1:?usage: mkdebian.sh DIR}
[ -f "$dir/layout/index.json" ] && exit 0
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$dir"
if [ ! -f "$dir/rootfs/etc/debian_version" ]; then
	rm -rf "$dir/rootfs"
	debootstrap --variant=minbase \
		--include=perl,python3-minimal,libpython3.11-stdlib,locales,openssl,ca-certificates,curl,less,vim-tiny,xz-utils,bzip2,file,procps \
		bookworm "$dir/rootfs" "$mirror" > "$dir/debootstrap.log" 2>&1
fi
rm -rf "$dir/layers" "$dir/layout.tmp"
mkdir -p "$dir/layers"
r=$dir/rootfs
# five layers, as a Dockerfile-built image would have them
tar -C "$r" --numeric-owner -cf "$dir/layers/1.tar" --exclude=./usr --exclude=./var .
tar -C "$r" --numeric-owner -cf "$dir/layers/2.tar" ./usr/lib
tar -C "$r" --numeric-owner -cf "$dir/layers/3.tar" ./usr/share
tar -C "$r" --numeric-owner -cf "$dir/layers/4.tar" --exclude=./usr/lib --exclude=./usr/share ./usr
tar -C "$r" --numeric-owner -cf "$dir/layers/5.tar" --exclude="./var/cache/apt/archives/*.deb" ./var
python3 - "$dir" <<'PY'
import gzip, hashlib, json, os, shutil, sys
d = sys.argv[1]
out = os.path.join(d, "layout.tmp")
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, h), "wb").write(data)
    return "sha256:" + h
layers, diff_ids = [], []
for i in range(1, 6):
    raw = open(os.path.join(d, "layers", "%d.tar" % i), "rb").read()
    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    gz = gzip.compress(raw, compresslevel=6, mtime=0)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": put(gz), "size": len(gz)})
cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2025-05-20T00:00:00Z",
                  "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                             "Cmd": ["bash"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": put(cfg), "size": len(cfg)},
                "layers": layers}).encode()
md = put(m)
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": len(m), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]},
          open(os.path.join(out, "index.json"), "w"))
PY
rm -rf "$dir/layers"
mv "$dir/layout.tmp" "$dir/layout"
