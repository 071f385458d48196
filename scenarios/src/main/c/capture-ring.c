/*
 * capture-ring: a packet-capture daemon that keeps the most recent captures in a ring bounded
 * at 64 MiB. Every capture is a malloc'd block of 8-64 KiB, written in full; when the ring is
 * over its bound the oldest captures are freed. It allocates and frees about 5 MiB/s
 * continuously and holds a steady 64 MiB once the ring has filled (about 13 s). Not a leak.
 * Scenario c-ring-buffer.
 *
 *   capture-ring --ring 64MiB --capture-rate 5MiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const NAME = "capture-ring";

#include "scenario.h"

#define MIN_CAPTURE (8 * 1024)
#define MAX_CAPTURE (64 * 1024)

/* FIFO of captures, oldest at head. */
struct ring {
  unsigned char **slots;
  size_t *sizes;
  size_t capacity, head, count;
  size_t bytes, max_bytes;
  unsigned long freed;
};

static void ring_drop_oldest(struct ring *r) {
  free(r->slots[r->head]);
  r->bytes -= r->sizes[r->head];
  r->head = (r->head + 1) % r->capacity;
  r->count--;
  r->freed++;
}

__attribute__((noinline)) static int capture_packet(struct ring *r, size_t bytes, unsigned seed) {
  unsigned char *p = malloc(bytes);
  if (p == NULL) {
    return -1;
  }
  memset(p, (int)(seed & 0xff), bytes);
  while (r->count > 0 && (r->bytes + bytes > r->max_bytes || r->count == r->capacity)) {
    ring_drop_oldest(r);
  }
  size_t tail = (r->head + r->count) % r->capacity;
  r->slots[tail] = p;
  r->sizes[tail] = bytes;
  r->count++;
  r->bytes += bytes;
  return 0;
}

int main(int argc, char **argv) {
  static const char *const known[] = {"ring", "capture-rate", NULL};
  check_options(argc, argv, known);
  size_t max_bytes = (size_t)parse_size(option(argc, argv, "ring", "64MiB"));
  double rate = parse_size(option(argc, argv, "capture-rate", "5MiB"));
  struct ring r = {0};
  r.capacity = max_bytes / MIN_CAPTURE + 1;
  r.max_bytes = max_bytes;
  r.slots = calloc(r.capacity, sizeof *r.slots);
  r.sizes = calloc(r.capacity, sizeof *r.sizes);
  if (r.slots == NULL || r.sizes == NULL) {
    fprintf(stderr, "%s: cannot allocate the ring\n", NAME);
    return 1;
  }
  stop_on_signal();
  printf("%s pid=%d: ring of captures bounded at %.0fMiB, churn %.1fMiB/s\n", NAME,
         (int)getpid(), mib((double)max_bytes), mib(rate));
  fflush(stdout);

  double start = now_seconds();
  double next_status = start + 10;
  struct pace captures = pace_start(rate / ((MIN_CAPTURE + MAX_CAPTURE) / 2.0));
  unsigned long captured = 0;
  unsigned seed = 12345;
  while (!stopping) {
    double now = now_seconds();
    for (long n = pace_due(&captures, now); n > 0; n--) {
      seed = seed * 1103515245u + 12345u;
      size_t bytes = MIN_CAPTURE + (seed >> 8) % (MAX_CAPTURE - MIN_CAPTURE + 1);
      if (capture_packet(&r, bytes, seed) != 0) {
        fprintf(stderr, "%s: out of memory\n", NAME);
        return 1;
      }
      captured++;
    }
    if (now >= next_status) {
      next_status = now + 10;
      printf("%s t=%.0fs captures=%lu ring=%.1fMiB held=%zu freed=%lu\n", NAME, now - start,
             captured, mib((double)r.bytes), r.count, r.freed);
      fflush(stdout);
    }
    tick();
  }
  printf("%s t=%.0fs stopping\n", NAME, now_seconds() - start);
  return 0;
}
