/*
 * ingest-proxy: receives requests, parses them with short-lived malloc'd buffers (freed), and
 * queues a copy of each request body for a downstream writer, whose acknowledgement frees the
 * copy. Until --leak-after the writer acknowledges every copy by the next round; from then on
 * the acknowledgement path is never taken (a code path that drops it), so every copy made by
 * leak_request_buffer() stays allocated: 1 MiB/s at the defaults, every byte written, so it is
 * resident. The parse churn is about 20x that in malloc/free pairs. Scenarios c-malloc-leak
 * (--leak-after 0, the default: nothing is ever acknowledged) and c-late-malloc-leak
 * (--leak-after 180s).
 *
 *   ingest-proxy --leak-rate 1MiB --body 16KiB --churn-rate 20MiB --leak-after 180s
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char *const NAME = "ingest-proxy";

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

/* 0, 500ms, 45s, 3m, 1h, 1.5s: seconds. */
static double parse_duration(const char *text) {
  char *end;
  double v = strtod(text, &end);
  double unit = -1;
  if (strcmp(end, "ms") == 0) {
    unit = 1e-3;
  } else if (strcmp(end, "s") == 0) {
    unit = 1;
  } else if (strcmp(end, "m") == 0) {
    unit = 60;
  } else if (strcmp(end, "h") == 0) {
    unit = 3600;
  } else if (*end == '\0' && v == 0) {
    unit = 0;
  }
  if (end == text || unit < 0 || v < 0) {
    usage_error("expected a duration like 500ms, 45s or 3m, got ", text);
  }
  return v * unit;
}

static double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

/* A queued request body; the list is the downstream writer's backlog. */
struct pending {
  struct pending *next;
  size_t bytes;
  char body[];
};

static struct pending *backlog;
static unsigned long pending_count;
static unsigned long acked_count;

/* Copies one request body for the writer: the allocation that leaks once acks stop. */
__attribute__((noinline)) struct pending *leak_request_buffer(const char *request, size_t bytes) {
  struct pending *p = malloc(sizeof *p + bytes);
  if (p == NULL) {
    return NULL;
  }
  p->bytes = bytes;
  for (size_t i = 0; i < bytes; i++) {
    p->body[i] = request[i % 64];
  }
  p->next = backlog;
  backlog = p;
  pending_count++;
  return p;
}

/* The writer's acknowledgement: every queued copy was written, so all are freed. */
static void ack_backlog(void) {
  while (backlog != NULL) {
    struct pending *p = backlog;
    backlog = p->next;
    free(p);
    pending_count--;
    acked_count++;
  }
}

/* Parses one request in scratch buffers that are freed before it returns. */
__attribute__((noinline)) static unsigned long parse_request(unsigned long seed, size_t bytes) {
  char *headers = malloc(256 + seed % 768);
  char *body = malloc(bytes);
  unsigned long sum = 0;
  if (headers != NULL && body != NULL) {
    memset(headers, 'h', 256);
    memset(body, (int)(seed & 0x7f), bytes);
    sum = (unsigned long)headers[17] + (unsigned long)body[bytes - 1];
  }
  free(body);
  free(headers);
  return sum;
}

int main(int argc, char **argv) {
  static const char *const known[] = {"leak-rate", "body", "churn-rate", "leak-after", NULL};
  check_options(argc, argv, known);
  double leak_rate = parse_size(option(argc, argv, "leak-rate", "1MiB"));
  size_t body = (size_t)parse_size(option(argc, argv, "body", "16KiB"));
  double churn_rate = parse_size(option(argc, argv, "churn-rate", "20MiB"));
  double leak_after = parse_duration(option(argc, argv, "leak-after", "0"));
  if (body < 64) {
    usage_error("--body must be at least 64 bytes, got ", option(argc, argv, "body", ""));
  }
  stop_on_signal();
  if (leak_after > 0) {
    printf("%s pid=%d: queues request copies, freed when acknowledged until %gs and never "
           "after, leak %.1fMiB/s, malloc/free churn %.1fMiB/s\n", NAME, (int)getpid(),
           leak_after, mib(leak_rate), mib(churn_rate));
  } else {
    printf("%s pid=%d: queues request copies that are never freed, leak %.1fMiB/s, malloc/free "
           "churn %.1fMiB/s\n", NAME, (int)getpid(), mib(leak_rate), mib(churn_rate));
  }
  fflush(stdout);

  char request[64];
  for (int i = 0; i < 64; i++) {
    request[i] = (char)('a' + i % 26);
  }
  double start = now_seconds();
  double next_status = start + 10;
  struct pace copies = pace_start(leak_rate / (double)body);
  struct pace parses = pace_start(churn_rate / 8192.0);
  unsigned long checksum = 0, parsed = 0;
  while (!stopping) {
    double now = now_seconds();
    if (now - start < leak_after) {
      ack_backlog();
    }
    for (long n = pace_due(&copies, now); n > 0; n--) {
      if (leak_request_buffer(request, body) == NULL) {
        fprintf(stderr, "%s: out of memory\n", NAME);
        return 1;
      }
    }
    for (long n = pace_due(&parses, now); n > 0; n--) {
      checksum += parse_request(parsed, 1024 + (parsed * 7919) % 14336);
      parsed++;
    }
    if (now >= next_status) {
      next_status = now + 10;
      printf("%s t=%.0fs queued=%lu retained=%.1fMiB acked=%lu parsed=%lu checksum=%lu\n",
             NAME, now - start, pending_count, mib((double)pending_count * (double)body),
             acked_count, parsed, checksum);
      fflush(stdout);
    }
    tick();
  }
  printf("%s t=%.0fs stopping\n", NAME, now_seconds() - start);
  return 0;
}
