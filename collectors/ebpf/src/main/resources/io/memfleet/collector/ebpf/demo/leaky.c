/*
 * memfleet native leak demo: leaks malloc'd blocks from leak_blocks() and anonymous mappings
 * from leak_mappings(), at a fixed rate, so the eBPF collector has a known culprit to find.
 *
 * usage: leaky [rate-per-second] [block-bytes] [seconds] [mmap-every]
 *   rate-per-second  allocations per second; 0 means as fast as possible (cost measurement)
 *   block-bytes      size of each leaked block (default 4096)
 *   seconds          run time, 0 = until killed (default 0)
 *   mmap-every       leak one 64 KiB mapping every N allocations, 0 = never (default 10)
 *
 * Build: gcc -g -O0 -fno-omit-frame-pointer -o leaky leaky.c
 * (frame pointers let bpftrace and perf unwind the demo's own frames; glibc has none.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAPPING_BYTES (64 * 1024)

static volatile unsigned long sink;

/* Never freed: the leak memfleet must attribute to this function. */
__attribute__((noinline)) void *leak_blocks(size_t bytes) {
  char *block = malloc(bytes);
  if (block != NULL) {
    memset(block, 0x5a, bytes);
    sink += (unsigned long)block[bytes / 2];
  }
  return block;
}

/* Never unmapped: the mapping leak memfleet must see as growing outstanding mapped bytes. */
__attribute__((noinline)) void *leak_mappings(void) {
  char *region = mmap(NULL, MAPPING_BYTES, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region != MAP_FAILED) {
    memset(region, 0x6b, MAPPING_BYTES);
    return region;
  }
  return NULL;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static unsigned long run_loop(long rate, size_t bytes, long seconds,
                                                        long mmap_every) {
  double start = now_seconds();
  unsigned long done = 0;
  for (;;) {
    leak_blocks(bytes);
    done++;
    if (mmap_every > 0 && done % (unsigned long)mmap_every == 0) {
      leak_mappings();
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
