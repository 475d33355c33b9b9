/* mpi_pingpong.c - bench/mpi's MPI ping-pong between ranks 0 and 1, as
 * osu_latency and osu_bw measure (Debian has no osu-micro-benchmarks):
 * the one-way latency of 8-byte messages (half a round trip, averaged over
 * all of them) and the bandwidth of 1 MiB messages sent in windows of 16.
 * Each of the two runs for a fixed time (argv[1] seconds, default 1), not
 * a fixed count, so that the fast transports are timed long enough to be
 * steady and the slow ones do not take minutes; rank 0 decides when to stop
 * and says so in the next message. Prints one line from rank 0:
 * "latency_us 1.23 bandwidth_MBps 4567.8". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BW_SIZE   (1 << 20)
#define BW_WINDOW 16
#define WARMUP    1000

int main(int argc, char **argv)
{
	int rank;
	char *buf = calloc(1, BW_SIZE), go = 1, ack = 0;
	MPI_Request req[BW_WINDOW];
	double secs = argc > 1 ? atof(argv[1]) : 1.0, t0 = 0, lat, bw;
	long n = 0;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	/* latency: buf[0] = 1 in rank 0's message ends the loop after its reply */
	for (long i = 0;; i++) {
		if (i == WARMUP) {
			t0 = MPI_Wtime();
			n = 0;
		}
		if (rank == 0) {
			buf[0] = i > WARMUP && (i & 1023) == 0 && MPI_Wtime() - t0 >= secs;
			MPI_Send(buf, 8, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
			MPI_Recv(buf, 8, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else if (rank == 1) {
			MPI_Recv(buf, 8, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(buf, 8, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
		}
		n++;
		if (buf[0])
			break;
	}
	lat = (MPI_Wtime() - t0) * 1e6 / n / 2;
	buf[0] = 0;
	MPI_Barrier(MPI_COMM_WORLD);
	/* bandwidth: before each window rank 0 says whether one follows */
	for (long i = 0;; i++) {
		if (i == 10) {
			t0 = MPI_Wtime();
			n = 0;
		}
		if (rank == 0)
			go = i < 10 || MPI_Wtime() - t0 < secs;
		MPI_Bcast(&go, 1, MPI_CHAR, 0, MPI_COMM_WORLD);
		if (!go)
			break;
		for (int w = 0; w < BW_WINDOW; w++) {
			if (rank == 0)
				MPI_Isend(buf, BW_SIZE, MPI_CHAR, 1, 1, MPI_COMM_WORLD, &req[w]);
			else if (rank == 1)
				MPI_Irecv(buf, BW_SIZE, MPI_CHAR, 0, 1, MPI_COMM_WORLD, &req[w]);
		}
		if (rank <= 1)
			MPI_Waitall(BW_WINDOW, req, MPI_STATUSES_IGNORE);
		if (rank == 0)
			MPI_Recv(&ack, 1, MPI_CHAR, 1, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		else if (rank == 1)
			MPI_Send(&ack, 1, MPI_CHAR, 0, 2, MPI_COMM_WORLD);
		n++;
	}
	bw = (double)BW_SIZE * BW_WINDOW * n / (MPI_Wtime() - t0) / 1e6;
	if (rank == 0)
		printf("latency_us %.3f bandwidth_MBps %.1f\n", lat, bw);
	free(buf);
	MPI_Finalize();
	return 0;
}
