/* rr.c - connection latency for bench/net_bridge: "rr -s PORT" accepts
 * connections and answers each one-byte request with one byte; "rr -c IP
 * PORT N" makes N connections one after another, each a request and its
 * answer, and prints the median and the mean time of one, in microseconds.
 * Built static by the bench and copied into the container's root. */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int rr_server(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 128) < 0) {
		perror("rr: listen");
		return 1;
	}
	for (;;) {
		char c;
		int f = accept(s, NULL, NULL);
		if (f < 0)
			continue;
		if (read(f, &c, 1) == 1 && write(f, &c, 1) != 1)
			perror("rr: write");
		close(f);
	}
}

static int rr_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int rr_client(const char *ip, int port, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	double *us = calloc((size_t)n, sizeof(double)), sum = 0;

	if (!us || inet_pton(AF_INET, ip, &a.sin_addr) != 1)
		return 2;
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		char c = 'x';
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 || write(s, &c, 1) != 1 ||
		    read(s, &c, 1) != 1) {
			perror("rr: request");
			return 1;
		}
		close(s);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] =
		    (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		sum += us[i];
	}
	qsort(us, (size_t)n, sizeof(double), rr_cmp);
	printf("%.1f %.1f\n", us[n / 2], sum / n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-s"))
		return rr_server(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "-c"))
		return rr_client(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: rr -s PORT | rr -c IP PORT N\n");
	return 2;
}
