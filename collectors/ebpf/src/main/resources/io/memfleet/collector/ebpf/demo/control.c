/*
 * memfleet native control demo: allocates and maps at the same rate as leaky.c but frees and
 * unmaps everything, so its outstanding bytes stay flat.
 *
 * usage: control [rate-per-second] [block-bytes] [seconds] [mmap-every]  (same as leaky)
 * Build: gcc -g -O0 -fno-omit-frame-pointer -o control control.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAPPING_BYTES (64 * 1024)
/* Blocks live this many iterations before being freed, like a short-lived cache. */
#define LIVE_BLOCKS 16

static volatile unsigned long sink;

/* Allocates a block that the caller frees a few iterations later. */
__attribute__((noinline)) void *churn_blocks(size_t bytes) {
  char *block = malloc(bytes);
  if (block != NULL) {
    memset(block, 0x5a, bytes);
    sink += (unsigned long)block[bytes / 2];
  }
  return block;
}

/* Maps, touches and unmaps again. */
__attribute__((noinline)) void churn_mappings(void) {
  char *region = mmap(NULL, MAPPING_BYTES, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region != MAP_FAILED) {
    memset(region, 0x6b, MAPPING_BYTES);
    munmap(region, MAPPING_BYTES);
  }
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static unsigned long run_loop(long rate, size_t bytes, long seconds,
                                                        long mmap_every) {
  void *live[LIVE_BLOCKS] = {0};
  double start = now_seconds();
  unsigned long done = 0;
  for (;;) {
    size_t slot = done % LIVE_BLOCKS;
    free(live[slot]);
    live[slot] = churn_blocks(bytes);
    done++;
    if (mmap_every > 0 && done % (unsigned long)mmap_every == 0) {
      churn_mappings();
    }
    double elapsed = now_seconds() - start;
    if (seconds > 0 && elapsed >= seconds) {
      break;
    }
    if (rate > 0) {
      double due = (double)done / (double)rate;
      if (due > elapsed) {
        usleep((useconds_t)((due - elapsed) * 1e6));
      }
    }
  }
  for (size_t i = 0; i < LIVE_BLOCKS; i++) {
    free(live[i]);
  }
  return done;
}

int main(int argc, char **argv) {
  long rate = argc > 1 ? atol(argv[1]) : 200;
  size_t bytes = argc > 2 ? (size_t)atol(argv[2]) : 4096;
  long seconds = argc > 3 ? atol(argv[3]) : 0;
  long mmap_every = argc > 4 ? atol(argv[4]) : 10;
  printf("ready pid=%d\n", (int)getpid());
  fflush(stdout);
  double start = now_seconds();
  unsigned long done = run_loop(rate, bytes, seconds, mmap_every);
  double elapsed = now_seconds() - start;
  printf("allocations=%lu seconds=%.3f rate=%.0f\n", done, elapsed, done / elapsed);
  return 0;
}
