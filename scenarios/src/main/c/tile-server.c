/*
 * tile-server: renders map tiles into anonymous memory segments. Each render batch maps a
 * segment with map_segment() and writes the rendered tiles into it; segments were meant to be
 * unmapped when their tiles are evicted, but eviction only drops the index entry, so mapped and
 * resident memory grows: 1 MiB/s at the defaults. A scratch mapping per request is mapped and
 * unmapped (churn that must not count), and request parsing churns malloc/free.
 * Scenario c-mmap-leak.
 *
 *   tile-server --leak-rate 1MiB --segment 256KiB --scratch-rate 8MiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const NAME = "tile-server";

#include "scenario.h"

static unsigned long segments;

/* Maps one segment and renders into every page of it: the mapping that is never unmapped. */
__attribute__((noinline)) void *map_segment(size_t bytes, unsigned seed) {
  unsigned char *seg = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
  if (seg == MAP_FAILED) {
    return NULL;
  }
  for (size_t i = 0; i < bytes; i += 64) {
    seg[i] = (unsigned char)(seed + i);
  }
  segments++;
  return seg;
}

/* One request: a scratch mapping for the composed image, unmapped before returning. */
__attribute__((noinline)) static unsigned long compose_tile(size_t bytes, unsigned seed) {
  unsigned char *scratch = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (scratch == MAP_FAILED) {
    return 0;
  }
  memset(scratch, (int)(seed & 0xff), bytes);
  char *query = malloc(512 + seed % 1024);
  unsigned long sum = scratch[bytes / 2];
  if (query != NULL) {
    query[0] = 'z';
    sum += (unsigned long)query[0];
  }
  free(query);
  munmap(scratch, bytes);
  return sum;
}

int main(int argc, char **argv) {
  static const char *const known[] = {"leak-rate", "segment", "scratch-rate", NULL};
  check_options(argc, argv, known);
  double leak_rate = parse_size(option(argc, argv, "leak-rate", "1MiB"));
  size_t segment = (size_t)parse_size(option(argc, argv, "segment", "256KiB"));
  double scratch_rate = parse_size(option(argc, argv, "scratch-rate", "8MiB"));
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (segment == 0 || segment % page != 0) {
    usage_error("--segment must be a positive multiple of the page size, got ",
                option(argc, argv, "segment", ""));
  }
  stop_on_signal();
  printf("%s pid=%d: maps a segment per render batch and never unmaps it, leak %.1fMiB/s, "
         "scratch mmap/munmap %.1fMiB/s\n", NAME, (int)getpid(), mib(leak_rate),
         mib(scratch_rate));
  fflush(stdout);

  double start = now_seconds();
  double next_status = start + 10;
  struct pace batches = pace_start(leak_rate / (double)segment);
  struct pace requests = pace_start(scratch_rate / (128.0 * 1024));
  unsigned long checksum = 0, served = 0;
  while (!stopping) {
    double now = now_seconds();
    for (long n = pace_due(&batches, now); n > 0; n--) {
      if (map_segment(segment, (unsigned)segments) == NULL) {
        fprintf(stderr, "%s: mmap failed\n", NAME);
        return 1;
      }
    }
    for (long n = pace_due(&requests, now); n > 0; n--) {
      checksum += compose_tile(128 * 1024, (unsigned)served++);
    }
    if (now >= next_status) {
      next_status = now + 10;
      printf("%s t=%.0fs segments=%lu mapped=%.1fMiB requests=%lu checksum=%lu\n", NAME,
             now - start, segments, mib((double)segments * (double)segment), served, checksum);
      fflush(stdout);
    }
    tick();
  }
  printf("%s t=%.0fs stopping\n", NAME, now_seconds() - start);
  return 0;
}
