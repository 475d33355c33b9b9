#!/usr/bin/env bats
# Images: pull from a real registry (Debian's docker-registry started by
# tests/setup.d/20-registry.sh), the store, the image commands, and
# `warren run IMAGE`. Every warren command runs as the unprivileged test user.

load helpers
load images_helpers

setup() { fresh_store; }
teardown() { common_teardown; }

# what the three layers of warren/layers define (tests/fixtures/images/mkimages.py)
LAYERS_TREE='. 0:0 755 directory
./abslink 0:0 777 symbolic link
./dir2file 0:0 444 regular file
./hl1 1000:1000 644 regular file
./hl2 1000:1000 644 regular file
./hl3 0:0 644 regular file
./keep 0:0 644 regular file
./link 0:0 777 symbolic link
./newdir 1000:1000 750 directory
./newdir/f 0:0 644 regular file
./nobody 65534:65534 640 regular file
./opq 0:0 755 directory
./opq/c 0:0 644 regular file
./owned1000 1000:1000 600 regular file
./replaced 65534:65534 600 regular file
./sgid 1000:1000 2755 regular file
./sticky 0:0 1777 directory
./suid 0:0 4755 regular file'

@test "pull then run shows the tree, owners and modes the three layers define (overlay)" {
	run warren_s pull -q "$REG/warren/layers"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run warren_s run "$REG/warren/layers" sh -c "$TREE_CMD"
	[ "$status" -eq 0 ]
	[ "$output" = "$LAYERS_TREE" ]
	# the driver this suite runs with (the suite also runs on fuse-overlay)
	want=overlay
	[ "${WARREN_STORAGE_DRIVER:-}" = fuse-overlay ] && want=fuse.warren-overlay
	run warren_s run "$REG/warren/layers" awk '$2 == "/" {print $3}' /proc/mounts
	[ "$(echo "$output" | tail -1)" = "$want" ]
}

@test "the same tree in copy mode, where layers are applied to a private copy" {
	warren_s pull -q "$REG/warren/layers"
	export WARREN_STORAGE_DRIVER=vfs
	run warren_s run "$REG/warren/layers" sh -c "$TREE_CMD"
	[ "$status" -eq 0 ]
	[ "$output" = "$LAYERS_TREE" ]
}

@test "whiteouts, opaque dirs, replaced files and hard links read as the layers say" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s run "$REG/warren/layers" sh -c \
		'cat replaced hl1 hl2 dir2file newdir/f hl3; readlink link; ls opq; ls -d gone dirgone 2>&1 | wc -l; [ "$(stat -c %i newdir/f)" = "$(stat -c %i hl3)" ] && echo same-inode'
	[ "$status" -eq 0 ]
	[ "$output" = "v2
changed
linked
now a file
new
new
replaced
c
2
same-inode" ]
}

@test "layer files belong to the subordinate IDs on the host" {
	warren_s pull -q "$REG/warren/layers"
	local f
	f=$(find "$STORE/layers" -path '*/diff/data/owned1000')
	[ "$(stat -c %u:%g "$f")" = "$((TEST_SUBUID_START + 999)):$((TEST_SUBUID_START + 999))" ]
	f=$(find "$STORE/layers" -path '*/diff/data/nobody')
	[ "$(stat -c %u "$f")" = "$((TEST_SUBUID_START + 65533))" ]
}

@test "run uses the config's Entrypoint, Cmd, User, WorkingDir and Env" {
	run warren_s run "$REG/warren/config"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "ep default-arg" ]
	run warren_s run "$REG/warren/config" one two
	[ "$output" = "ep one two" ]
	run warren_s run --entrypoint sh "$REG/warren/config" -c 'id -u; id -g; pwd; echo "$GREETING"'
	[ "$output" = "1000
1000
/home/tester/work
hi there" ]
	run warren_s run -u 0 -w /tmp -e GREETING=bye --entrypoint sh "$REG/warren/config" -c 'id -u; pwd; echo "$GREETING"'
	[ "$output" = "0
/tmp
bye" ]
}

@test "--entrypoint replaces the image's entrypoint and drops its Cmd" {
	warren_s pull -q "$REG/warren/config"
	run warren_s run --entrypoint /bin/echo "$REG/warren/config"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "run pulls a missing image first" {
	run warren_s run "$REG/warren/shared"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "shared" ]
	run warren_s images -q
	[ "${#lines[@]}" -eq 1 ]
}

@test "each container has its own writable layer; the image is unchanged" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s run --rm "$REG/warren/layers" sh -c 'echo changed > keep; rm replaced; mkdir newthing; cat keep'
	[ "$output" = "changed" ]
	run warren_s run --rm "$REG/warren/layers" sh -c 'cat keep replaced; ls -d newthing 2>/dev/null | wc -l'
	[ "$output" = "keep
v2
0" ]
	# nothing of --rm containers stays behind
	[ -z "$(ls "$STORE/containers")" ]
}

@test "the config's Volumes become anonymous volumes, filled from the image" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s run "$REG/warren/layers" sh -c 'stat -c "%u:%g %a" /vol /vol/seed; cat /vol/seed; readlink /vol/escape; echo x > /vol/f && cat /vol/f && grep -c " /vol " /proc/mounts'
	[ "$status" -eq 0 ]
	[ "$output" = "1000:1000 750
65534:65534 640
seeded
/etc
x
1" ]
	# the volume is the container's: the next container starts from the image again
	run warren_s run "$REG/warren/layers" ls /vol
	[ "$output" = "escape
seed" ]
}

@test "an index: the host's platform by default, --platform picks another" {
	run warren_s pull -q "$REG/warren/multi"
	[ "$status" -eq 0 ]
	run warren_s run "$REG/warren/multi"
	[ "$output" = "amd64" ]
	run warren_s pull -q --platform linux/arm64 "$REG/warren/multi"
	[ "$status" -eq 0 ]
	run warren_s image inspect "$REG/warren/multi"
	[[ "$output" == *'"Architecture": "arm64"'* ]]
	run warren_s pull --platform linux/s390x "$REG/warren/multi"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no image for platform linux/s390x"*"linux/amd64, linux/arm64"* ]]
}

@test "a Docker schema2 image and its OCI twin have one image ID" {
	run warren_s pull -q "$REG/warren/schema2"
	[ "$status" -eq 0 ]
	local a=$output
	run warren_s pull -q "$REG/warren/shared"
	[ "$output" = "$a" ]
	run warren_s image inspect "$REG/warren/schema2"
	[[ "$output" == *'"ManifestMediaType": "application/vnd.oci.image.manifest.v1+json"'* ]]
	run warren_s images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[[ "$output" == *"$REG/warren/schema2:latest ${a:0:12}"* ]]
	[[ "$output" == *"$REG/warren/shared:latest ${a:0:12}"* ]]
}

@test "layers shared by images are stored once (system df)" {
	warren_s pull -q "$REG/warren/shared"
	run warren_s system df
	[[ "$output" == *"Layers       2 "* ]]
	warren_s pull -q "$REG/warren/config"
	warren_s pull -q "$REG/warren/layers"
	run warren_s system df
	[ "$status" -eq 0 ]
	# base + shared's layer + layers' three: 5, not the 1 + 2 + 4 = 7 the images list
	[[ "$output" == *"Images       3 "* ]]
	[[ "$output" == *"Layers       5 "* ]]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 5 ]
}

@test "pulling again skips what is present" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s pull "$REG/warren/layers"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'already exists' <<< "$output")" -eq 4 ]
	[[ "$output" != *"Copying blob"* ]]
}

@test "images: columns, -q, --format json, --filter reference=" {
	warren_s pull -q "$REG/warren/shared"
	warren_s pull -q "$REG/warren/config"
	run warren_s images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[ "${#lines[@]}" -eq 3 ]
	run warren_s images -q
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[0-9a-f]{12}$ ]]
	# Docker's json: one object a line, with the keys of its template fields
	run warren_s images --format json
	python3 -c 'import json,sys; d=[json.loads(l) for l in sys.argv[1].splitlines()]; assert len(d)==2 and all(len(i["ID"])==12 and i["Repository"] and i["Tag"]=="latest" for i in d)' "$output"
	run warren_s images --filter "reference=*/warren/shar*" --format '{{.Repository}}'
	[ "$output" = "$REG/warren/shared" ]
}

@test "tag adds a name; rmi of one name untags; rmi of the last name removes the layers" {
	warren_s pull -q "$REG/warren/shared"
	run warren_s tag "$REG/warren/shared" mine:v1
	[ "$status" -eq 0 ]
	run warren_s run --rm mine:v1
	[ "$output" = "shared" ]
	run warren_s rmi mine:v1
	[ "$status" -eq 0 ]
	[[ "$output" == *"Untagged: docker.io/library/mine:v1"* ]]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 2 ]
	run warren_s rmi "$REG/warren/shared"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$STORE/layers")" ]
	[ -z "$(ls "$STORE/blobs/sha256")" ]
	run warren_s rmi "$REG/warren/shared"
	[ "$status" -eq 1 ]
	[[ "$output" == "warren: image not known: $REG/warren/shared"* ]]
}

@test "rmi -f refuses while a foreground container uses the image" {
	warren_s pull -q "$REG/warren/layers"
	warren_s run --rm "$REG/warren/layers" sh -c 'sleep 20' &
	local i
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ls "$STORE/containers" 2>/dev/null)" ] && break
		sleep 0.1
	done
	sleep 0.5
	run warren_s rmi -f "$REG/warren/layers"
	[ "$status" -eq 1 ]
	[[ "$output" == *"(cannot be forced): it is being used by a running foreground container"* ]]
	pkill -KILL -u "$TEST_USER" || true
	wait || true
}

@test "image inspect is Docker-shaped JSON; history lists the layers" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s image inspect "$REG/warren/layers"
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])[0]
assert d["Id"].startswith("sha256:")
assert d["Config"]["Cmd"] == ["cat", "/data/keep"]
assert d["Config"]["ExposedPorts"] == {"8080/tcp": {}}
assert d["RootFS"]["Type"] == "layers" and len(d["RootFS"]["Layers"]) == 4
assert d["Os"] == "linux" and d["Architecture"] == "amd64"
assert d["RepoDigests"][0].split("@")[1].startswith("sha256:")
PY
	run warren_s image inspect --format '{{.Id}} {{.Config.WorkingDir}} {{.Config.Cmd}}' "$REG/warren/layers"
	# a list prints as Go prints it, as Docker's does
	[[ "$output" =~ ^sha256:[0-9a-f]{64}\ /data\ \[cat\ /data/keep\]$ ]]
	run warren_s history "$REG/warren/layers"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[1]}" == *"layer 3"* ]]
}

@test "a short name through registries.conf: an alias, then unqualified-search registries" {
	local conf
	conf=$(user_tmpdir)/registries.conf
	printf 'unqualified-search-registries = ["%s"]\n[aliases]\n"myalias" = "%s/warren/config"\n' "$REG" "$REG" > "$conf"
	chmod 644 "$conf"
	export CONTAINERS_REGISTRIES_CONF=$conf AS_USER_ENV=CONTAINERS_REGISTRIES_CONF
	run warren_s pull -q myalias
	[ "$status" -eq 0 ]
	run warren_s pull -q warren/shared
	[ "$status" -eq 0 ]
	run warren_s images --format '{{.Repository}}'
	[[ "$output" == *"$REG/warren/config"* ]]
	[[ "$output" == *"$REG/warren/shared"* ]]
	run warren_s run shared
	[ "$output" = "shared" ]
}

@test "system check reports a damaged blob, and no damage otherwise" {
	warren_s pull -q "$REG/warren/shared"
	run warren_s system check
	[ "$status" -eq 0 ]
	[[ "$output" == "no damage found"* ]]
	local b
	b=$(ls "$STORE/blobs/sha256" | head -1)
	chmod u+w "$STORE/blobs/sha256/$b"
	echo garbage >> "$STORE/blobs/sha256/$b"
	run warren_s system check
	[ "$status" -eq 1 ]
	[[ "$output" == *"blob sha256:$b is damaged"* ]]
}

@test "pull, images and run work for a user without subordinate IDs" {
	local d
	d=$(user_tmpdir)
	chown "$NOSUB_USER" "$d"
	run as_nosub "$WARREN" --root "$d/store" pull -q "$REG/warren/layers"
	[ "$status" -eq 0 ]
	run as_nosub "$WARREN" --root "$d/store" run "$REG/warren/layers" cat /data/replaced
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "v2" ]
}

@test "a pull output is plain lines without a terminal, silent with -q" {
	run warren_s pull "$REG/warren/shared"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Copying blob sha256:"* ]]
	[[ "$output" != *$'\033['* ]]
	run warren_s rmi "$REG/warren/shared"
	run warren_s pull -q "$REG/warren/shared"
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
}

@test "a pull on a terminal redraws one line per layer" {
	tmux_start "$WARREN --root $STORE pull $REG/warren/layers; echo PULLED-\$?"
	tmux_wait_for "PULLED-0" 30
	run tmux_screen
	[[ "$output" == *"Pull complete"* ]]
	[ "$(grep -c 'Pull complete' <<< "$output")" -eq 4 ]
}

@test "a registry with a self-signed certificate: refused with the fix, pulled with --tls-verify=false" {
	run warren_s pull "$TLS_REG/warren/tls"
	[ "$status" -eq 1 ]
	[[ "$output" == *"TLS certificate of registry $TLS_REG is not trusted"*"--tls-verify=false"* ]]
	run warren_s pull -q --tls-verify=false "$TLS_REG/warren/tls"
	[ "$status" -eq 0 ]
	run warren_s run "$TLS_REG/warren/tls"
	[ "$output" = "shared" ]
}

@test "run, create and build pull from a self-signed registry with --tls-verify=false, as pull does" {
	run warren_s run --rm "$TLS_REG/warren/tls"
	[ "$status" -eq 125 ]
	[[ "$output" == *"TLS certificate of registry $TLS_REG is not trusted"* ]]
	run warren_s run --rm --tls-verify=false "$TLS_REG/warren/tls"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "shared" ] # after the implicit pull's progress
	warren_s rmi -f "$TLS_REG/warren/tls" > /dev/null
	run warren_s create --tls-verify=false --name fromtls "$TLS_REG/warren/tls"
	[ "$status" -eq 0 ]
	warren_s rm fromtls > /dev/null
	warren_s rmi -f "$TLS_REG/warren/tls" > /dev/null
	ctx=$(user_tmpdir)
	printf 'FROM %s\nRUN true\n' "$TLS_REG/warren/tls" > "$ctx/Dockerfile"
	chown -R "$TEST_USER" "$ctx"
	run warren_s build -q -t fromtls:1 "$ctx"
	[ "$status" -eq 125 ]
	run warren_s build -q --tls-verify=false -t fromtls:1 "$ctx"
	[ "$status" -eq 0 ]
	[ "$(warren_s run --rm fromtls:1)" = shared ]
}

@test "two pulls at once of images sharing layers both complete; the store checks clean" {
	warren_s pull -q "$REG/warren/layers" > /dev/null &
	warren_s pull -q "$REG/warren/config" > /dev/null &
	warren_s pull -q "$REG/warren/layers" > /dev/null
	wait
	run warren_s images -q
	[ "${#lines[@]}" -eq 2 ]
	run warren_s system check
	[ "$status" -eq 0 ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 4 ]
	run warren_s run "$REG/warren/layers" cat /data/keep
	[ "$output" = "keep" ]
}

@test "pull and run by digest; images shows the repository without a tag" {
	local digest
	digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/warren/shared:latest")
	run warren_s pull -q "$REG/warren/shared@$digest"
	[ "$status" -eq 0 ]
	run warren_s run "$REG/warren/shared@$digest"
	[ "$output" = "shared" ]
	run warren_s images --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	[ "$output" = "$REG/warren/shared <none> $digest" ]
	run warren_s pull -q "$REG/warren/shared@sha256:$(printf '%064d' 0)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not found on registry"* ]]
}
