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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char *const NAME = "tile-server";

static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

/* SIGTERM and SIGINT end the main loop; exit status 0. A closed stdout (the supervisor went
 * away first) must not turn that into death by SIGPIPE, so writes there just fail. */
static void stop_on_signal(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall-clock pacing: units due so that per_second happen per second since start. */
struct pace {
  double start;
  double per_second;
  long done;
};

static struct pace pace_start(double per_second) {
  struct pace p = {now_seconds(), per_second, 0};
  return p;
}

static long pace_due(struct pace *p, double now) {
  long target = (long)((now - p->start) * p->per_second);
  long n = target - p->done;
  p->done = target;
  return n > 0 ? n : 0;
}

static void tick(void) {
  struct timespec ts = {0, 20 * 1000 * 1000}; /* 20 ms; a signal cuts it short */
  nanosleep(&ts, NULL);
}

static void usage_error(const char *problem, const char *value) {
  fprintf(stderr, "%s: %s%s\n", NAME, problem, value);
  exit(2);
}

/* The value of --name in argv, or fallback. Accepts "--name value" and "--name=value". */
static const char *option(int argc, char **argv, const char *name, const char *fallback) {
  size_t len = strlen(name);
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--", 2) != 0 || strncmp(argv[i] + 2, name, len) != 0) {
      continue;
    }
    const char *rest = argv[i] + 2 + len;
    if (*rest == '=') {
      return rest + 1;
    }
    if (*rest == '\0' && i + 1 < argc) {
      return argv[i + 1];
    }
  }
  return fallback;
}

/* Exits with status 2 on an option not in the NULL-terminated list known. */
static void check_options(int argc, char **argv, const char *const *known) {
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--", 2) != 0) {
      usage_error("expected --name value, got ", argv[i]);
    }
    size_t len = strcspn(argv[i] + 2, "=");
    int ok = 0;
    for (const char *const *k = known; *k != NULL; k++) {
      if (strlen(*k) == len && strncmp(argv[i] + 2, *k, len) == 0) {
        ok = 1;
      }
    }
    if (!ok) {
      usage_error("unknown option ", argv[i]);
    }
    if (argv[i][2 + len] == '\0') {
      i++; /* skip the value */
    }
  }
}

/* 512, 64KiB, 1MiB, 1.5MiB; an optional trailing /s is ignored. */
static double parse_size(const char *text) {
  char *end;
  double v = strtod(text, &end);
  double unit = 1;
  if (strncmp(end, "KiB", 3) == 0) {
    unit = 1024, end += 3;
  } else if (strncmp(end, "MiB", 3) == 0) {
    unit = 1024.0 * 1024, end += 3;
  } else if (strncmp(end, "GiB", 3) == 0) {
    unit = 1024.0 * 1024 * 1024, end += 3;
  }
  if (strcmp(end, "/s") == 0) {
    end += 2;
  }
  if (end == text || *end != '\0' || v < 0) {
    usage_error("expected a size like 512, 64KiB or 1MiB, got ", text);
  }
  return v * unit;
}

static double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

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
