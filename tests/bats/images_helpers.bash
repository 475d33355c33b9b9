# Shared by the image tests (images.bats, pull_errors.bats, interop.bats):
# the registries started by tests/setup.d/20-registry.sh and a fresh store
# per test, owned by the test user.
REG=127.0.0.1:${WARREN_REGISTRY_PORT:-5000}
AUTH_REG=127.0.0.1:$((${WARREN_REGISTRY_PORT:-5000} + 1))
FAULTY_REG=127.0.0.1:$((${WARREN_REGISTRY_PORT:-5000} + 2))
TLS_REG=127.0.0.1:$((${WARREN_REGISTRY_PORT:-5000} + 3))

# fresh_store: $STORE, an empty store root the test user owns; warren_s
# runs warren on it
fresh_store() {
	local d
	d=$(user_tmpdir)
	chown "$TEST_USER:$(id -g "$TEST_USER")" "$d"
	STORE=$d/store
}

warren_s() { as_user "$WARREN" --root "$STORE" "$@"; }

# store_listing: what the store holds (blobs, layers, records), one per line
store_listing() {
	(cd "$STORE" && find blobs layers images -mindepth 1 -maxdepth 2 2>/dev/null | sort)
}

# the tree, owners and modes below DIR in a container of IMAGE
TREE_CMD='cd /data && for f in $(find . | sort); do stat -c "%n %u:%g %a %F" "$f"; done'
