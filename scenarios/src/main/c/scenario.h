/*
 * scenario.h: the scaffold every C scenario program shares, so that they all behave as the
 * corpus README says a program behaves.
 *
 *   - Options: "--name value" or "--name=value"; check_options() exits with status 2 on one the
 *     program does not know, so a typo in a label's args fails at start. Sizes read as 512,
 *     64KiB, 1MiB (parse_size), durations as 500ms, 45s, 3m (parse_duration).
 *   - Pacing by wall clock: pace_due() says how many units are due so that a rate holds since
 *     the start whatever the CPU speed, catching up after a stall; tick() sleeps the 20 ms
 *     between rounds.
 *   - SIGTERM and SIGINT set stopping; the main loop ends and the program exits 0.
 *
 * A header rather than a second .c file because each program is still built alone, one file
 * and one command (ScenarioBuilds copies this header next to it; by hand, gcc finds it beside
 * the program's source). Define NAME, the program's name in its messages, before including:
 *
 *   static const char *const NAME = "ingest-proxy";
 *   #include "scenario.h"
 *
 * Everything here is static and marked unused: a program that calls only part of it builds
 * without warnings, and the compiler drops what it does not call.
 */
#ifndef MEMFLEET_SCENARIO_H
#define MEMFLEET_SCENARIO_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCENARIO_SHARED static __attribute__((unused))

static volatile sig_atomic_t stopping;

SCENARIO_SHARED void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

/* SIGTERM and SIGINT end the main loop; exit status 0. A closed stdout (the supervisor went
 * away first) must not turn that into death by SIGPIPE, so writes there just fail. */
SCENARIO_SHARED void stop_on_signal(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

SCENARIO_SHARED double now_seconds(void) {
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

SCENARIO_SHARED struct pace pace_start(double per_second) {
  struct pace p = {now_seconds(), per_second, 0};
  return p;
}

SCENARIO_SHARED long pace_due(struct pace *p, double now) {
  long target = (long)((now - p->start) * p->per_second);
  long n = target - p->done;
  p->done = target;
  return n > 0 ? n : 0;
}

SCENARIO_SHARED void tick(void) {
  struct timespec ts = {0, 20 * 1000 * 1000}; /* 20 ms; a signal cuts it short */
  nanosleep(&ts, NULL);
}

SCENARIO_SHARED void usage_error(const char *problem, const char *value) {
  fprintf(stderr, "%s: %s%s\n", NAME, problem, value);
  exit(2);
}

/* The value of --name in argv, or fallback. Accepts "--name value" and "--name=value". */
SCENARIO_SHARED const char *option(int argc, char **argv, const char *name, const char *fallback) {
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
SCENARIO_SHARED void check_options(int argc, char **argv, const char *const *known) {
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
SCENARIO_SHARED double parse_size(const char *text) {
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
SCENARIO_SHARED double parse_duration(const char *text) {
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

SCENARIO_SHARED double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

#endif /* MEMFLEET_SCENARIO_H */
