/*
 * log-shipper: tails application logs and ships them in batches. The shipping endpoint is
 * down, and the shipper keeps every unsent line in memory (buffer_lines(), malloc'd and
 * written) instead of spilling to disk or dropping: 3 MiB/s at the defaults. In a 96 MiB
 * memory cgroup the kernel OOM-kills it about half a minute in. Scenario c-fast-oom.
 *
 *   log-shipper --leak-rate 3MiB --chunk 64KiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const NAME = "log-shipper";

#include "scenario.h"

struct chunk {
  struct chunk *next;
  char lines[];
};

static struct chunk *unsent;
static unsigned long unsent_chunks;

/* Keeps a chunk of log lines for a retry that never succeeds. */
__attribute__((noinline)) struct chunk *buffer_lines(size_t bytes, unsigned long seq) {
  struct chunk *c = malloc(sizeof *c + bytes);
  if (c == NULL) {
    return NULL;
  }
  for (size_t i = 0; i < bytes; i += 80) {
    size_t n = bytes - i < 80 ? bytes - i : 80;
    memset(c->lines + i, 'a' + (int)((seq + i) % 26), n);
    c->lines[i + n - 1] = '\n';
  }
  c->next = unsent;
  unsent = c;
  unsent_chunks++;
  return c;
}

int main(int argc, char **argv) {
  static const char *const known[] = {"leak-rate", "chunk", NULL};
  check_options(argc, argv, known);
  double leak_rate = parse_size(option(argc, argv, "leak-rate", "3MiB"));
  size_t chunk = (size_t)parse_size(option(argc, argv, "chunk", "64KiB"));
  if (chunk < 80) {
    usage_error("--chunk must be at least 80 bytes, got ", option(argc, argv, "chunk", ""));
  }
  stop_on_signal();
  printf("%s pid=%d: keeps every unsent log line while the endpoint is down, leak %.1fMiB/s\n",
         NAME, (int)getpid(), mib(leak_rate));
  fflush(stdout);

  double start = now_seconds();
  double next_status = start + 10;
  double next_retry = start + 1;
  struct pace chunks = pace_start(leak_rate / (double)chunk);
  unsigned long failed = 0;
  while (!stopping) {
    double now = now_seconds();
    for (long n = pace_due(&chunks, now); n > 0; n--) {
      if (buffer_lines(chunk, unsent_chunks) == NULL) {
        fprintf(stderr, "%s: out of memory\n", NAME);
        return 1;
      }
    }
    if (now >= next_retry) {
      next_retry = now + 1;
      failed++; /* connect(): connection refused; keep everything for the next retry */
    }
    if (now >= next_status) {
      next_status = now + 10;
      printf("%s t=%.0fs unsent=%.1fMiB failed-sends=%lu\n", NAME, now - start,
             mib((double)unsent_chunks * (double)chunk), failed);
      fflush(stdout);
    }
    tick();
  }
  printf("%s t=%.0fs stopping\n", NAME, now_seconds() - start);
  return 0;
}
