#!/usr/bin/env bats
# Resource limits (-m, --cpus, --pids-limit...) through the cgroups this
# host delegates to the test user (cgroup v1 here: tests/setup.d/40-cgroups.sh
# makes them as pam_cgfs would), and the refusals where it delegates none.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

@test "run -m writes the memory limit into the container's own cgroup" {
	run warren run --rm -m 32m --rootfs "$ROOTFS" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	echo "$output"
	[ "$status" -eq 0 ]
}
