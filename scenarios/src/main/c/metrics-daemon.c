/*
 * metrics-daemon: a healthy node agent, the control. It keeps a fixed table of metric series
 * (each with a malloc'd sample buffer), replaces series that go stale with new ones of the same
 * size, aggregates every second in scratch buffers that are freed, and flushes a report every
 * 10 s. malloc/free churn of about 4 MiB/s; resident memory level once the table is built.
 * Scenario c-healthy-daemon.
 *
 *   metrics-daemon --series 4000 --churn-rate 4MiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const NAME = "metrics-daemon";

#include "scenario.h"

#define SAMPLES 512 /* 4 KiB of samples per series */

struct series {
  unsigned long id;
  double *samples;
  size_t next;
};

static int series_init(struct series *s, unsigned long id) {
  s->id = id;
  s->next = 0;
  s->samples = malloc(SAMPLES * sizeof *s->samples);
  if (s->samples == NULL) {
    return -1;
  }
  for (size_t i = 0; i < SAMPLES; i++) {
    s->samples[i] = 0;
  }
  return 0;
}

/* One aggregation pass over a slice of the table, in a scratch buffer freed at the end. */
__attribute__((noinline)) static double aggregate(struct series *table, size_t count,
                                                  size_t from, size_t bytes) {
  double *scratch = malloc(bytes);
  double total = 0;
  if (scratch == NULL) {
    return 0;
  }
  size_t n = bytes / sizeof *scratch;
  for (size_t i = 0; i < n; i++) {
    struct series *s = &table[(from + i) % count];
    scratch[i] = s->samples[(s->next + SAMPLES - 1) % SAMPLES];
    total += scratch[i];
  }
  free(scratch);
  return total;
}

int main(int argc, char **argv) {
  static const char *const known[] = {"series", "churn-rate", NULL};
  check_options(argc, argv, known);
  long count = atol(option(argc, argv, "series", "4000"));
  double churn = parse_size(option(argc, argv, "churn-rate", "4MiB"));
  if (count <= 0) {
    usage_error("--series must be positive, got ", option(argc, argv, "series", ""));
  }
  struct series *table = calloc((size_t)count, sizeof *table);
  if (table == NULL) {
    return 1;
  }
  for (long i = 0; i < count; i++) {
    if (series_init(&table[i], (unsigned long)i) != 0) {
      return 1;
    }
  }
  stop_on_signal();
  printf("%s pid=%d: healthy agent, %ld series, malloc/free churn %.1fMiB/s\n", NAME,
         (int)getpid(), count, mib(churn));
  fflush(stdout);

  double start = now_seconds();
  double next_status = start + 10;
  struct pace samples = pace_start(20000);
  struct pace passes = pace_start(churn / (16.0 * 1024));
  struct pace replacements = pace_start(20);
  unsigned long next_id = (unsigned long)count, replaced = 0, seed = 99;
  double total = 0;
  while (!stopping) {
    double now = now_seconds();
    for (long n = pace_due(&samples, now); n > 0; n--) {
      seed = seed * 6364136223846793005ul + 1442695040888963407ul;
      struct series *s = &table[(seed >> 33) % (unsigned long)count];
      s->samples[s->next] = (double)(seed >> 40);
      s->next = (s->next + 1) % SAMPLES;
    }
    for (long n = pace_due(&passes, now); n > 0; n--) {
      total += aggregate(table, (size_t)count, (size_t)(seed % (unsigned long)count), 16 * 1024);
    }
    for (long n = pace_due(&replacements, now); n > 0; n--) {
      struct series *s = &table[(seed >> 20) % (unsigned long)count];
      free(s->samples);
      if (series_init(s, next_id++) != 0) {
        return 1;
      }
      replaced++;
    }
    if (now >= next_status) {
      next_status = now + 10;
      printf("%s t=%.0fs series=%ld replaced=%lu flushed-total=%.0f\n", NAME, now - start,
             count, replaced, total);
      fflush(stdout);
    }
    tick();
  }
  printf("%s t=%.0fs stopping\n", NAME, now_seconds() - start);
  return 0;
}
