/*
 * capture-ring: a packet-capture daemon that keeps the most recent captures in a ring bounded
 * at 64 MiB. Every capture is a malloc'd block of 8-64 KiB, written in full; when the ring is
 * over its bound the oldest captures are freed. It allocates and frees about 5 MiB/s
 * continuously and holds a steady 64 MiB once the ring has filled (about 13 s). Not a leak.
 * Scenario c-ring-buffer.
 *
 *   capture-ring --ring 64MiB --capture-rate 5MiB
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char *const NAME = "capture-ring";

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
