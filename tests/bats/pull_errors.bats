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

@test "kill -9 in the middle of a pull, then the same pull completes and the store checks clean" {
	# pull 32 MB in the background and kill it once it is downloading or unpacking
	warren_s pull "$REG/warren/big" > /dev/null 2>&1 &
	local i
	for ((i = 0; i < 500; i++)); do
		[ -n "$(ls "$STORE/tmp" 2>/dev/null)" ] && break
		sleep 0.01
	done
	sleep 0.05
	# every process of the pull gone, a child forked while pkill read the
	# process list too (one alive still holds the staging's lock)
	for ((i = 0; i < 500; i++)); do
		pkill -KILL -u "$TEST_USER" || break
		sleep 0.02
	done
	wait || true
	# it did not finish: no record, and what it staged is not in the store
	run warren_s images -q
	[ "${#lines[@]}" -eq 1 ]
	[ -n "$(ls "$STORE/tmp")" ]
	run warren_s pull -q "$REG/warren/big"
	[ "$status" -eq 0 ]
	run warren_s system check
	echo "$output"
	[ "$status" -eq 0 ]
	run warren_s run "$REG/warren/big" sh -c 'ls /big | wc -l'
	[ "$output" = "32" ]
	# the next pull took the killed pull's staging with its own
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
