/*
 * report-spool: renders reports into a spool directory on /dev/shm (tmpfs, memory-backed) for an
 * uploader that was never deployed, so nothing ever removes them: spool_report() writes one
 * 64 KiB file per report, 1 MiB/s at the defaults. The process's own memory stays flat; its
 * cgroup's shared memory grows (tmpfs pages are charged to the writer's cgroup and cannot be
 * reclaimed like page cache). The spool is removed when the program is stopped, so a test run
 * leaves nothing behind. Scenario c-shm-leak.
 *
 *   report-spool --leak-rate 1MiB --report 64KiB --dir /dev/shm
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const NAME = "report-spool";

#include "scenario.h"

/* "1MiB", "64KiB", "512" -> bytes; -1 when malformed. */
static long parse_bytes(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || v < 0) {
    return -1;
  }
  if (strcmp(end, "") == 0 || strcmp(end, "B") == 0) {
    return (long)v;
  } else if (strcmp(end, "KiB") == 0) {
    return (long)(v * 1024);
  } else if (strcmp(end, "MiB") == 0) {
    return (long)(v * 1024 * 1024);
  }
  return -1;
}

static char spool[512];
static long files;

/* One rendered report, kept on tmpfs for an uploader that never comes. */
__attribute__((noinline)) static int spool_report(long n, size_t bytes, const char *body) {
  char path[600];
  snprintf(path, sizeof path, "%s/report-%08ld.pdf", spool, n);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return -1;
  }
  size_t left = bytes;
  while (left > 0) {
    size_t chunk = left < 4096 ? left : 4096;
    if (write(fd, body, chunk) != (ssize_t)chunk) {
      close(fd);
      return -1;
    }
    left -= chunk;
  }
  close(fd);
  files++;
  return 0;
}

static void remove_spool(void) {
  char path[600];
  for (long n = 0; n < files; n++) {
    snprintf(path, sizeof path, "%s/report-%08ld.pdf", spool, n);
    unlink(path);
  }
  rmdir(spool);
}

int main(int argc, char **argv) {
  long rate = 1024 * 1024;
  long report = 64 * 1024;
  const char *dir = "/dev/shm";
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "--leak-rate") == 0) {
      rate = parse_bytes(argv[++i]);
    } else if (i + 1 < argc && strcmp(argv[i], "--report") == 0) {
      report = parse_bytes(argv[++i]);
    } else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0) {
      dir = argv[++i];
    } else {
      fprintf(stderr, "%s: unknown option %s (--leak-rate, --report, --dir)\n", NAME, argv[i]);
      return 2;
    }
  }
  if (rate < 0 || report <= 0) {
    fprintf(stderr, "%s: --leak-rate and --report take sizes like 1MiB, 64KiB\n", NAME);
    return 2;
  }
  stop_on_signal();
  snprintf(spool, sizeof spool, "%s/%s-%d", dir, NAME, (int)getpid());
  if (mkdir(spool, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "%s: cannot create %s: %s\n", NAME, spool, strerror(errno));
    return 1;
  }
  char *body = malloc(4096);
  memset(body, 'r', 4096);
  printf("%s pid=%d: spooling %ld-byte reports at %ld bytes/s into %s, never uploaded\n", NAME,
         (int)getpid(), report, rate, spool);
  fflush(stdout);
  double start = now_seconds();
  double next_status = start + 10;
  long done = 0;
  while (!stopping) {
    double now = now_seconds();
    long due = (long)((now - start) * (double)rate / (double)report);
    while (done < due && !stopping) {
      if (spool_report(done, (size_t)report, body) != 0) {
        fprintf(stderr, "%s: writing report %ld failed: %s\n", NAME, done, strerror(errno));
        break;
      }
      done++;
    }
    if (now >= next_status) {
      printf("%s: %ld reports spooled (%.1f MiB)\n", NAME, files,
             (double)files * (double)report / 1048576.0);
      fflush(stdout);
      next_status = now + 10;
    }
    tick();
  }
  remove_spool();
  free(body);
  return 0;
}
