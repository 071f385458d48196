/*
 * A cache that maps a 256 KiB segment per entry with mmap, from map_segment(), fills it and
 * never unmaps it: a mapping leak memfleet must see as growing outstanding mapped bytes with
 * map_segment in the mmap stacks and in the page-fault stacks, host-wide.
 *
 * usage: segment_leak [segments-per-second=20] [seconds=0 (forever)]
 * Build: gcc -O1 -g -fno-omit-frame-pointer -o segment_leak segment_leak.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SEGMENT_BYTES (256 * 1024)

static void *segments[1 << 16];
static unsigned count;

/* Maps and fills one segment; nothing ever unmaps it. */
__attribute__((noinline)) void *map_segment(size_t bytes, unsigned seq) {
  char *segment = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (segment == MAP_FAILED) {
    return NULL;
  }
  memset(segment, (int)(seq & 0x7f), bytes);
  return segment;
}

__attribute__((noinline)) static void cache_entry(unsigned seq) {
  void *segment = map_segment(SEGMENT_BYTES, seq);
  if (segment != NULL && count < sizeof(segments) / sizeof(segments[0])) {
    segments[count++] = segment;
  }
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long rate = argc > 1 ? atol(argv[1]) : 20;
  long seconds = argc > 2 ? atol(argv[2]) : 0;
  printf("ready pid=%d\n", (int)getpid());
  fflush(stdout);
  double start = now_seconds();
  for (unsigned seq = 1;; seq++) {
    cache_entry(seq);
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
