/*
 * The floor of a user-space TCP relay, for `npm run bench:proxy -- --floor BINARY`: the least a
 * proxy process can do per chunk (one read, one write; a blocked read wakes it), in C with a
 * thread per direction (as Toxiproxy copies each direction on its own goroutine), no toxics,
 * no API. Not part of faultline: a yardstick for the figures in docs/proxy-and-network.md.
 *   cc -O2 -pthread -o /tmp/floor-proxy bench/floor-proxy.c
 *   ./floor-proxy UPSTREAM_PORT   -> prints the port it listens on (127.0.0.1), relays until killed
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct pair { int from, to; };

static void *relay(void *arg) {
  struct pair p = *(struct pair *)arg;
  free(arg);
  static __thread char buf[1 << 16];
  for (;;) {
    ssize_t n = read(p.from, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(p.to, buf + off, (size_t)(n - off));
      if (w <= 0) goto done;
      off += w;
    }
  }
done:
  shutdown(p.to, SHUT_WR);
  return NULL;
}

static void start(int from, int to, pthread_t *t) {
  struct pair *p = malloc(sizeof *p);
  p->from = from;
  p->to = to;
  pthread_create(t, NULL, relay, p);
}

static int upstream_port;

static void *connection(void *arg) {
  int client = (int)(long)arg, one = 1;
  int up = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(upstream_port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(up, (struct sockaddr *)&a, sizeof a) == 0) {
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_t t1, t2;
    start(client, up, &t1);
    start(up, client, &t2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
  }
  close(up);
  close(client);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: floor-proxy UPSTREAM_PORT\n");
    return 3;
  }
  upstream_port = atoi(argv[1]);
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t len = sizeof a;
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 64) || getsockname(ls, (struct sockaddr *)&a, &len)) {
    perror("floor-proxy");
    return 1;
  }
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    int c = accept(ls, NULL, NULL);
    if (c < 0) continue;
    pthread_t t;
    pthread_create(&t, NULL, connection, (void *)(long)c);
    pthread_detach(t);
  }
}
