/*
 * report-cron: a cron job that builds a daily report. Each run loads its input into memory
 * (about 50 MiB in 1 MiB blocks, written, over about 3 s), aggregates it, frees everything and
 * exits. Run every 5 s, the host sees a new short-lived process each time, each growing fast
 * and then gone: not a leak. Scenario c-cron-short-lived.
 *
 *   report-cron --input 50MiB --duration 3s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const NAME = "report-cron";

#include "scenario.h"

#define BLOCK (1024 * 1024)

/* Loads one block of input. */
__attribute__((noinline)) static unsigned char *load_block(unsigned long index) {
  unsigned char *b = malloc(BLOCK);
  if (b != NULL) {
    for (size_t i = 0; i < BLOCK; i += 256) {
      b[i] = (unsigned char)(index + i / 256);
    }
  }
  return b;
}

int main(int argc, char **argv) {
  static const char *const known[] = {"input", "duration", NULL};
  check_options(argc, argv, known);
  size_t input = (size_t)parse_size(option(argc, argv, "input", "50MiB"));
  const char *duration_text = option(argc, argv, "duration", "3s");
  char *end;
  double duration = strtod(duration_text, &end);
  if (end == duration_text || strcmp(end, "s") != 0 || duration <= 0) {
    usage_error("--duration must be seconds like 3s, got ", duration_text);
  }
  size_t blocks = input / BLOCK;
  unsigned char **loaded = calloc(blocks + 1, sizeof *loaded);
  if (loaded == NULL) {
    return 1;
  }
  stop_on_signal();
  printf("%s pid=%d: loads %.0fMiB over %.1f s, aggregates, frees and exits\n", NAME,
         (int)getpid(), mib((double)input), duration);
  fflush(stdout);

  double start = now_seconds();
  struct pace loads = pace_start((double)blocks / duration);
  size_t done = 0;
  unsigned long sum = 0;
  while (done < blocks && !stopping) {
    for (long n = pace_due(&loads, now_seconds()); n > 0 && done < blocks; n--) {
      loaded[done] = load_block(done);
      if (loaded[done] == NULL) {
        fprintf(stderr, "%s: out of memory\n", NAME);
        return 1;
      }
      done++;
    }
    tick();
  }
  for (size_t i = 0; i < done; i++) {
    sum += loaded[i][BLOCK / 2];
    free(loaded[i]);
  }
  free(loaded);
  printf("%s t=%.1fs report done: %zu blocks aggregated, checksum %lu\n", NAME,
         now_seconds() - start, done, sum);
  return 0;
}
