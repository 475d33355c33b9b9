#!/usr/bin/env python3
# manifest.py EXPORT.tar CONFIG.json - one image as the build conformance test
# compares it (tests/build-conformance/README.md has the format): every entry
# of a container's exported tree, then the config keys a Dockerfile sets.
# Owners come from the tar headers, so no ID mapping on the host matters.
# CONFIG.json is `warren image inspect` output or an image config blob.
# --configs: each image config of a docker-archive (podman save), by name.
# --cat EXPORT.tar PATH: a file's content, to show where two hashes differ.
import hashlib
import json
import sys
import tarfile

IGNORED = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc", "/sys", "/dev"}
IGNORED_BELOW = ("/proc/", "/sys/", "/dev/")
# mount points a builder's RUN step leaves behind (buildah does; BuildKit
# removes the stubs it made): ignored when nothing is below them
STUBS = {"/run"}
CONFIG_KEYS = ["User", "Env", "Entrypoint", "Cmd", "WorkingDir", "ExposedPorts", "Volumes",
               "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell"]
# labels a builder adds on its own, not the Dockerfile
BUILDER_LABELS = {"io.buildah.version"}


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    name = "/" + name.lstrip("/")
    return "/" if name in ("/", "/.") else name.rstrip("/")


def tree(path):
    entries = {}  # path -> [type, mode, uid, gid, data]
    links = {}  # hard link path -> target path
    with tarfile.open(path) as tar:
        for m in tar:
            p = norm(m.name)
            if p == "/" or p in IGNORED or p.startswith(IGNORED_BELOW):
                continue
            mode = m.mode & 0o7777
            if m.islnk():
                links[p] = norm(m.linkname)
                entries[p] = None
                continue
            links.pop(p, None)
            if m.isreg():
                h = hashlib.sha256()
                f = tar.extractfile(m)
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
                e = ["f", mode, "sha256:" + h.hexdigest()[:16]]
            elif m.isdir():
                e = ["d", mode, "-"]
            elif m.issym():
                # a symlink's mode is always 0777 on Linux; writers differ
                e = ["l", 0o777, m.linkname]
            elif m.ischr() or m.isblk():
                e = ["c" if m.ischr() else "b", mode, "%d,%d" % (m.devmajor, m.devminor)]
            elif m.isfifo():
                e = ["p", mode, "-"]
            else:
                continue
            entries[p] = e + [m.uid, m.gid]
    # a hard link shares its target's inode: type, mode, owner and data
    groups = {}
    for p, t in links.items():
        seen = set()
        while t in links and t not in seen:
            seen.add(t)
            t = links[t]
        if entries.get(t) is None:
            continue  # a link to an ignored or missing path
        entries[p] = entries[t]
        groups.setdefault(t, {t}).add(p)
    for p in STUBS:
        if entries.get(p) and entries[p][0] == "d" and not any(
                q.startswith(p + "/") for q in entries):
            del entries[p]
    first = {}
    for members in groups.values():
        for p in members:
            first[p] = min(members)
    out = []
    for p in sorted(entries):
        e = entries[p]
        if e is None:
            continue
        typ, mode, data, uid, gid = e
        line = "%s %s %04o %d:%d %s" % (p, typ, mode, uid, gid, data)
        if p in first:
            line += " =" + first[p]
        out.append(line)
    return out


def empty(v):
    return v is None or v == "" or v == {} or v == []


def config(path):
    with open(path) as f:
        j = json.load(f)
    if isinstance(j, list):
        j = j[0]
    cfg = j.get("Config") or j.get("config") or {}
    out = []
    for k in CONFIG_KEYS:
        v = cfg.get(k)
        if k == "Labels" and isinstance(v, dict):
            v = {a: b for a, b in v.items() if a not in BUILDER_LABELS}
        v = None if empty(v) else v
        out.append("config.%s %s" % (k, json.dumps(v, sort_keys=True, separators=(",", ":"))))
    return out


def configs(archive, outdir):
    """Each image config of a docker-archive, as OUTDIR/<repository>.json."""
    with tarfile.open(archive) as tar:
        for img in json.load(tar.extractfile("manifest.json")):
            blob = tar.extractfile(img["Config"]).read()
            for tag in img.get("RepoTags") or []:
                name = tag.rsplit(":", 1)[0].rsplit("/", 1)[-1]
                with open("%s/%s.json" % (outdir, name), "wb") as f:
                    f.write(blob)


def cat(archive, path):
    """The content of PATH in an exported tree (following hard links)."""
    with tarfile.open(archive) as tar:
        for m in tar:
            if norm(m.name) == path and (m.isreg() or m.islnk()):
                sys.stdout.buffer.write(tar.extractfile(m).read())
                return


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--configs":
        return configs(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "--cat":
        return cat(sys.argv[2], sys.argv[3])
    if len(sys.argv) != 3:
        sys.exit("usage: manifest.py EXPORT.tar CONFIG.json | --configs ARCHIVE.tar OUTDIR | --cat EXPORT.tar PATH")
    for line in tree(sys.argv[1]) + config(sys.argv[2]):
        print(line)


if __name__ == "__main__":
    main()
