/*
 * A request handler that leaks one request buffer in eight through malloc, from
 * leak_request_buffer(): the stock native leak (dynamically linked glibc malloc) whose function
 * memfleet must name from page faults alone, host-wide, without allocator probes.
 *
 * usage: request_leak [requests-per-second=4000] [buffer-bytes=1024] [seconds=0 (forever)]
 * Build: gcc -O1 -g -fno-omit-frame-pointer -o request_leak request_leak.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

/* Allocates and fills the buffer a request is parsed into. The caller leaks some of them. */
__attribute__((noinline)) char *leak_request_buffer(size_t bytes, unsigned seq) {
  char *buf = malloc(bytes);
  if (buf != NULL) {
    memset(buf, (int)(seq & 0x7f), bytes);
  }
  return buf;
}

__attribute__((noinline)) static unsigned long checksum(const char *buf, size_t bytes) {
  unsigned long sum = 0;
  for (size_t i = 0; i < bytes; i += 64) {
    sum += (unsigned char)buf[i];
  }
  return sum;
}

/* One request: the bug is the early return that skips free() for every eighth request. */
__attribute__((noinline)) static void handle_request(unsigned seq, size_t bytes) {
  char *buf = leak_request_buffer(bytes, seq);
  if (buf == NULL) {
    return;
  }
  sink += checksum(buf, bytes);
  if (seq % 8 == 0) {
    return;
  }
  free(buf);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long rate = argc > 1 ? atol(argv[1]) : 4000;
  size_t bytes = argc > 2 ? (size_t)atol(argv[2]) : 1024;
  long seconds = argc > 3 ? atol(argv[3]) : 0;
  printf("ready pid=%d\n", (int)getpid());
  fflush(stdout);
  double start = now_seconds();
  for (unsigned seq = 1;; seq++) {
    handle_request(seq, bytes);
    double elapsed = now_seconds() - start;
    if (seconds > 0 && elapsed >= seconds) {
      break;
    }
    double due = (double)seq / (double)rate;
    if (due > elapsed) {
      usleep((useconds_t)((due - elapsed) * 1e6));
    }
  }
  return 0;
}
