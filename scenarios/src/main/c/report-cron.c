/*
 * report-cron: a cron job that builds a daily report. Each run loads its input into memory
 * (about 50 MiB in 1 MiB blocks, written, over about 3 s), aggregates it, frees everything and
 * exits. Run every 5 s, the host sees a new short-lived process each time, each growing fast
 * and then gone: not a leak. Scenario c-cron-short-lived.
 *
 *   report-cron --input 50MiB --duration 3s
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char *const NAME = "report-cron";

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
