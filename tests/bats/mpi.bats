#!/usr/bin/env bats
# Open MPI across containers (issue 24): `mpirun -n 2 warren run --rm --hpc
# IMAGE ./prog`, each rank in a container of its own, on this machine. The
# program (a ring of messages and an MPI_Allreduce) is built here with
# Debian's mpicc and run on the host first: the containers must print what
# the host printed, over shared memory (vader, with CMA) and over TCP. The
# image holds no MPI: the host's Open MPI is bound in read-only, as a
# cluster user binds the site's MPI (docs/hpc.md).

bats_require_minimum_version 1.5.0

load helpers
load lifecycle_helpers

# the host's Open MPI runtime (and its C library) at the same paths inside;
# /etc/alternatives holds Debian's links to the PSM libraries it loads
MPI_BINDS=(-v /usr/lib:/usr/lib:ro -v /usr/lib64:/usr/lib64:ro
	-v /usr/share/openmpi:/usr/share/openmpi:ro -v /etc/openmpi:/etc/openmpi:ro
	-v /etc/alternatives:/etc/alternatives:ro)

setup() {
	command -v mpicc > /dev/null || skip "Open MPI is not installed (scripts/packages/test-hpc.txt)"
	lc_setup
	pkill -KILL -u "$NOSUB_USER" 2>/dev/null || true
	rm -rf "/home/$NOSUB_USER/.local/share/warren"
	D=$(user_tmpdir)
	cat > "$D/ring.c" <<'EOF'
#include <mpi.h>
#include <stdio.h>

#define BIG (1 << 20)

/* a token around the ring (each rank adds its rank times 10), then the
 * sum of the ranks by MPI_Allreduce, then one of 4 MiB (each element the
 * sum of the ranks plus its index modulo 7) */
static int big_in[BIG], big_out[BIG];

int main(int argc, char **argv)
{
	int rank, size, token = 1, sum = 0, bad = 0;
	char host[MPI_MAX_PROCESSOR_NAME];
	int len;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Get_processor_name(host, &len);
	if (rank == 0) {
		MPI_Send(&token, 1, MPI_INT, 1 % size, 0, MPI_COMM_WORLD);
		MPI_Recv(&token, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	} else {
		MPI_Recv(&token, 1, MPI_INT, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		token += rank * 10;
		MPI_Send(&token, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD);
	}
	MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	for (int i = 0; i < BIG; i++)
		big_in[i] = rank + i % 7;
	MPI_Allreduce(big_in, big_out, BIG, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	for (int i = 0; i < BIG; i++)
		bad += big_out[i] != sum + size * (i % 7);
	if (rank == 0)
		printf("size %d ring %d allreduce %d big-wrong %d host %s\n", size, token, sum, bad,
		       host);
	MPI_Finalize();
	return 0;
}
EOF
	mpicc -O2 -o "$D/ring" "$D/ring.c"
	# the busybox image with the merged /usr of Debian, where the binds go
	mkdir -p "$D/img"
	cp -a "$ROOTFS_PRISTINE/." "$D/img/"
	mkdir -p "$D/img/usr/lib" "$D/img/usr/lib64" "$D/img/usr/share/openmpi" \
		"$D/img/etc/openmpi" "$D/img/etc/alternatives"
	ln -s usr/lib "$D/img/lib"
	ln -s usr/lib64 "$D/img/lib64"
	tar -C "$D/img" -cf "$D/img.tar" .
	chmod 0644 "$D/img.tar"
	chown -R "$TEST_USER" "$D"
	chmod 0777 "$D"
}

teardown() {
	pkill -KILL -u "$NOSUB_USER" 2>/dev/null || true
	rm -rf "/home/$NOSUB_USER/.local/share/warren"
	lc_teardown
}

# mpi_as USER ARGS...: mpirun -n 2 ARGS as USER in $D. hwloc's gl plugin
# is left out: it probes X display :0, TCP port 6000 of this machine,
# which may be another lane's registry that never answers
mpi_as() {
	local user=$1
	shift
	(cd "$D" && setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
		env -i HOME="/home/$user" USER="$user" PATH=/usr/local/bin:/usr/bin:/bin \
		HWLOC_COMPONENTS=-gl timeout -s KILL 120 mpirun -n 2 "$@")
}

# the containers' line is the host's
mpi_check() {
	local user=$1 want
	shift
	want=$(mpi_as "$user" "$@" ./ring)
	[ "$want" = "size 2 ring 11 allreduce 1 big-wrong 0 host $(hostname)" ]
	run_as "$user" "$WARREN" import "$D/img.tar" mpi:1 > /dev/null 2>&1
	run --separate-stderr mpi_as "$user" "$@" "$WARREN" run --rm --hpc "${MPI_BINDS[@]}" mpi:1 ./ring
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

# vader's single copy (CMA) is refused by Open MPI itself between
# processes of two user namespaces ("CMA is not available due to different
# user namespaces") and its fallback hangs on large messages: --hpc sets
# btl_vader_single_copy_mechanism=none (the 4 MiB MPI_Allreduce checks it)
@test "mpirun -n 2 across two containers: shared memory (vader), with ranges" {
	mpi_check "$TEST_USER" --mca btl self,vader
}

@test "mpirun -n 2 across two containers: TCP, with ranges" {
	mpi_check "$TEST_USER" --mca btl self,tcp
}

@test "mpirun -n 2 across two containers: shared memory and TCP, single-ID user" {
	mpi_check "$NOSUB_USER" --mca btl self,vader
	mpi_check "$NOSUB_USER" --mca btl self,tcp
}
