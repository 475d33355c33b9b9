#!/usr/bin/env bats
# Bad input to pull: each is one line "warren: ...", exit 1, and the store
# as it was. The faulty peer (tests/fixtures/images/faulty-registry.py) and
# the registries are started by tests/setup.d/20-registry.sh.

load helpers
load images_helpers

setup() {
	fresh_store
	# the store holds one good image, which must survive every failure as is
	warren_s pull -q "$REG/warren/shared" >/dev/null
	BEFORE=$(store_listing)
}
teardown() { common_teardown; }

# pull_fails REF PATTERN: exit 1, one line matching PATTERN, store unchanged
pull_fails() {
	run warren_s pull "$1"
	echo "$output"
	[ "$status" -eq 1 ]
	local err
	err=$(grep '^warren: ' <<< "$output")
	[ "$(wc -l <<< "$err")" -eq 1 ]
	[[ "$err" == $2 ]]
	[ "$(store_listing)" = "$BEFORE" ]
	[ -z "$(ls "$STORE/tmp")" ]
}

@test "a blob whose content does not match its digest" {
	pull_fails "$FAULTY_REG/warren/digest" "*does not match its digest*"
}

@test "a layer cut off in the middle of its download" {
	pull_fails "$FAULTY_REG/warren/truncated" "*truncated*"
}

@test "a layer that is a truncated tar (its digest is right)" {
	pull_fails "$FAULTY_REG/warren/cuttar" "*unpacking layer sha256:*"
}

@test "malformed manifest JSON" {
	pull_fails "$FAULTY_REG/warren/malformed" "*malformed manifest JSON*"
}

@test "an unknown layer media type" {
	pull_fails "$FAULTY_REG/warren/mediatype" "*unknown layer media type*application/vnd.example.unknown.layer*"
}

@test "registry answers 500" {
	pull_fails "$FAULTY_REG/warren/e500" "*HTTP 500*try again later*"
}

@test "registry drops the connection" {
	pull_fails "$FAULTY_REG/warren/drop" "*dropped*"
}

@test "registry answers 401 without credentials" {
	pull_fails "$FAULTY_REG/warren/e401" "*requires authentication*warren login*"
}

@test "an image that is not there: 404" {
	pull_fails "$REG/warren/nosuchimage" "*not found on registry $REG*"
}

@test "nothing listens on the port" {
	pull_fails "127.0.0.1:1/warren/x" "*cannot connect to registry 127.0.0.1:1*"
}

@test "a layer with ../ entries" {
	pull_fails "$REG/warren/evil-dotdot" "*unpacking layer*"
	[ ! -e "$STORE/../escaped-dotdot" ] && [ ! -e "$(dirname "$STORE")/escaped-dotdot" ]
}

@test "a layer with absolute paths" {
	pull_fails "$REG/warren/evil-abs" "*unpacking layer*"
	[ ! -e /tmp/escaped-abs ]
}

@test "a layer that writes through a symlink to outside" {
	pull_fails "$REG/warren/evil-symlink" "*unpacking layer*"
	[ ! -e /tmp/escaped-symlink ]
}

@test "a layer with a hard link to outside" {
	pull_fails "$REG/warren/evil-hardlink" "*unpacking layer*"
}

@test "an invalid reference" {
	pull_fails "Not/A/Valid:ref:x" "*invalid reference*"
}

@test "kill -9 at random points of a pull that unpacks as it downloads, then the same pull completes and the store checks clean" {
	local i round
	for round in 1 2 3; do
		# pull 32 MB in the background; kill it 0-400 ms after it staged
		warren_s pull "$REG/warren/big" > /dev/null 2>&1 &
		for ((i = 0; i < 500; i++)); do
			[ -n "$(ls "$STORE/tmp" 2>/dev/null)" ] && break
			sleep 0.01
		done
		sleep "0.$(printf %03d $((RANDOM % 400)))"
		# every process of the pull gone, a child forked while pkill read the
		# process list too (one alive still holds the staging's lock)
		for ((i = 0; i < 500; i++)); do
			pkill -KILL -u "$TEST_USER" || break
			sleep 0.02
		done
		wait || true
		# unless it finished first: no record, and its staging left behind
		# (a kill during the commit may have moved whole blobs and layers
		# in, each by one rename: the check at the end judges them)
		if [ "$(warren_s images -q | wc -l)" -eq 1 ]; then
			[ -n "$(ls "$STORE/tmp")" ]
		else
			warren_s rmi "$REG/warren/big" > /dev/null
		fi
	done
	run warren_s pull -q "$REG/warren/big"
	[ "$status" -eq 0 ]
	run warren_s system check
	echo "$output"
	[ "$status" -eq 0 ]
	run warren_s run "$REG/warren/big" sh -c 'ls /big | wc -l'
	[ "$output" = "32" ]
	# the next pull took the killed pulls' staging with its own
	[ -z "$(ls "$STORE/tmp")" ]
}

@test "a write killed before its rename leaves a hidden temp file: check is clean, prune removes it once old" {
	warren_s pull -q "$REG/warren/shared" > /dev/null
	local b="$STORE/blobs/sha256" i="$STORE/images"
	local hex
	hex=$(ls "$b" | head -1)
	cp "$b/$hex" "$b/.$hex.tmp-0badf00d"
	cp "$b/$hex" "$b/.$hex.tmp-0000beef"
	echo '{"half' > "$i/.0123.json.tmp-0badf00d"
	touch -d '2 hours ago' "$b/.$hex.tmp-0badf00d" "$i/.0123.json.tmp-0badf00d"
	run warren_s system check
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(warren_s images -q | wc -l)" -eq 1 ]
	warren_s image prune -f > /dev/null
	# the old ones were a killed writer's; the new one may be a live one's
	[ ! -e "$b/.$hex.tmp-0badf00d" ]
	[ ! -e "$i/.0123.json.tmp-0badf00d" ]
	[ -e "$b/.$hex.tmp-0000beef" ]
	[ -e "$b/$hex" ]
}

@test "a layer is unpacked while it downloads, and enters the store only when whole" {
	# the faulty registry's "stall" sends half of a tar layer, then nothing
	warren_s pull "$FAULTY_REG/warren/stall" > /dev/null 2>&1 &
	local i f=
	for ((i = 0; i < 600; i++)); do
		f=$(find "$STORE/tmp" -path '*/layer-0/diff/hello' 2>/dev/null | head -1)
		[ -n "$f" ] && [ "$(cat "$f" 2>/dev/null)" = hello ] && break
		sleep 0.05
	done
	# the layer's first file is there, whole, while its blob is half-way
	[ "$(cat "$f")" = hello ]
	[ "$(store_listing)" = "$BEFORE" ]
	for ((i = 0; i < 500; i++)); do
		pkill -KILL -u "$TEST_USER" || break
		sleep 0.02
	done
	wait || true
	[ "$(store_listing)" = "$BEFORE" ]
	warren_s pull -q "$REG/warren/shared" > /dev/null
	[ -z "$(ls "$STORE/tmp")" ]
}

@test "login to a registry with basic auth; pull; logout" {
	local auth
	auth=$(user_tmpdir)
	chown "$TEST_USER" "$auth"
	export REGISTRY_AUTH_FILE=$auth/auth.json AS_USER_ENV=REGISTRY_AUTH_FILE
	run warren_s pull "$AUTH_REG/warren/private"
	[ "$status" -eq 1 ]
	[[ "$output" == *"requires authentication"* ]]
	run warren_s login -u warren -p wrong "$AUTH_REG"
	[ "$status" -eq 1 ]
	[ ! -e "$auth/auth.json" ]
	run warren_s login -u warren --password-stdin "$AUTH_REG" <<< "sesame"
	[ "$status" -eq 0 ]
	grep -q "\"$AUTH_REG\"" "$auth/auth.json"
	[ "$(stat -c %a "$auth/auth.json")" = 600 ]
	run warren_s pull -q "$AUTH_REG/warren/private"
	[ "$status" -eq 0 ]
	run warren_s logout "$AUTH_REG"
	[ "$status" -eq 0 ]
	! grep -q "\"$AUTH_REG\"" "$auth/auth.json"
}

@test "credentials in ~/.docker/config.json are used" {
	local home=/home/$TEST_USER
	mkdir -p "$home/.docker"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$AUTH_REG" "$(printf warren:sesame | base64)" > "$home/.docker/config.json"
	chown -R "$TEST_USER" "$home/.docker"
	run warren_s pull -q "$AUTH_REG/warren/private"
	rm -rf "$home/.docker"
	[ "$status" -eq 0 ]
}

@test "an anonymous bearer-token challenge is answered (as Docker Hub does it)" {
	run warren_s pull -q "$FAULTY_REG/warren/bearer"
	[ "$status" -eq 0 ]
	run warren_s images --format '{{.Repository}}'
	[[ "$output" == *"$FAULTY_REG/warren/bearer"* ]]
}
