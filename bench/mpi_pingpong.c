/* mpi_pingpong.c - bench/mpi's MPI ping-pong between ranks 0 and 1, as
 * osu_latency and osu_bw measure (Debian has no osu-micro-benchmarks):
 * the one-way latency of 8-byte messages (half a round trip, averaged over
 * many) and the bandwidth of 1 MiB messages sent in windows of 16.
 * Prints one line from rank 0: "latency_us 1.23 bandwidth_MBps 4567.8". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define LAT_ITERS 20000
#define BW_SIZE   (1 << 20)
#define BW_WINDOW 16
#define BW_ITERS  200
#define WARMUP    100

int main(int argc, char **argv)
{
	int rank;
	char *buf = malloc(BW_SIZE), ack = 0;
	MPI_Request req[BW_WINDOW];
	double t0, lat, bw;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	for (int i = 0; i < LAT_ITERS + WARMUP; i++) {
		if (i == WARMUP)
			t0 = MPI_Wtime();
		if (rank == 0) {
			MPI_Send(buf, 8, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
			MPI_Recv(buf, 8, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else if (rank == 1) {
			MPI_Recv(buf, 8, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(buf, 8, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
		}
	}
	lat = (MPI_Wtime() - t0) * 1e6 / LAT_ITERS / 2;
	MPI_Barrier(MPI_COMM_WORLD);
	for (int i = 0; i < BW_ITERS + 10; i++) {
		if (i == 10)
			t0 = MPI_Wtime();
		for (int w = 0; w < BW_WINDOW; w++) {
			if (rank == 0)
				MPI_Isend(buf, BW_SIZE, MPI_CHAR, 1, 1, MPI_COMM_WORLD, &req[w]);
			else
				MPI_Irecv(buf, BW_SIZE, MPI_CHAR, 0, 1, MPI_COMM_WORLD, &req[w]);
		}
		MPI_Waitall(BW_WINDOW, req, MPI_STATUSES_IGNORE);
		if (rank == 0)
			MPI_Recv(&ack, 1, MPI_CHAR, 1, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		else
			MPI_Send(&ack, 1, MPI_CHAR, 0, 2, MPI_COMM_WORLD);
	}
	bw = (double)BW_SIZE * BW_WINDOW * BW_ITERS / (MPI_Wtime() - t0) / 1e6;
	if (rank == 0)
		printf("latency_us %.3f bandwidth_MBps %.1f\n", lat, bw);
	free(buf);
	MPI_Finalize();
	return 0;
}
