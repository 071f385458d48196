/*
 * log-shipper: tails application logs and ships them in batches. The shipping endpoint is
 * down, and the shipper keeps every unsent line in memory (buffer_lines(), malloc'd and
 * written) instead of spilling to disk or dropping: 3 MiB/s at the defaults. In a 96 MiB
 * memory cgroup the kernel OOM-kills it about half a minute in. Scenario c-fast-oom.
 *
 *   log-shipper --leak-rate 3MiB --chunk 64KiB
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char *const NAME = "log-shipper";

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
