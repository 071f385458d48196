/*
 * log-indexer: appends log records to a segment file and, every --scan-every, re-reads the newest
 * --scan-window of it to index it, the way a log shipper, a search indexer or a broker reads back
 * what it has just written. Segments roll at --segment; the newest two are kept, older ones
 * deleted. The process's own memory stays small and flat; its cgroup's page cache grows with
 * every record, and each page written and then read is *active* page cache, which the working
 * set (usage minus inactive page cache) counts until the cgroup reaches its limit and the kernel
 * deactivates and drops pages to make room. Nothing leaks: page cache is reclaimed, never a
 * cause of an OOM kill. The segments are removed when the program is stopped. Scenario
 * c-log-indexer-page-cache.
 *
 *   log-indexer --write-rate 4MiB --record 4KiB --scan-every 10s --scan-window 64MiB \
 *       --segment 512MiB --dir .
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const NAME = "log-indexer";

#include "scenario.h"

static char segments_dir[512];
static long segment_number;
static long oldest_kept;

static void segment_path(char *path, size_t size, long n) {
  snprintf(path, size, "%s/segment-%08ld.log", segments_dir, n);
}

/* Opens segment n for appending; deletes the segments before the previous one. */
static int open_segment(long n) {
  char path[600];
  for (; oldest_kept < n - 1; oldest_kept++) {
    segment_path(path, sizeof path, oldest_kept);
    unlink(path);
  }
  segment_path(path, sizeof path, n);
  return open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
}

/* Reads the newest window bytes of the segment back, as an indexer scanning new records. */
__attribute__((noinline)) static long index_recent(int fd, long written, long window, char *buf,
                                                   long buf_size) {
  long from = written > window ? written - window : 0;
  long sum = 0;
  for (long off = from; off < written; off += buf_size) {
    ssize_t n = pread(fd, buf, (size_t)buf_size, off);
    if (n <= 0) {
      break;
    }
    for (ssize_t i = 0; i < n; i += 512) {
      sum += buf[i];
    }
  }
  return sum;
}

static void remove_segments(void) {
  char path[600];
  for (long n = oldest_kept; n <= segment_number; n++) {
    segment_path(path, sizeof path, n);
    unlink(path);
  }
  rmdir(segments_dir);
}

int main(int argc, char **argv) {
  static const char *const known[] = {"write-rate", "record", "scan-every", "scan-window",
                                      "segment", "dir", NULL};
  check_options(argc, argv, known);
  double write_rate = parse_size(option(argc, argv, "write-rate", "4MiB"));
  long record = (long)parse_size(option(argc, argv, "record", "4KiB"));
  double scan_every = parse_duration(option(argc, argv, "scan-every", "10s"));
  long scan_window = (long)parse_size(option(argc, argv, "scan-window", "64MiB"));
  long segment = (long)parse_size(option(argc, argv, "segment", "512MiB"));
  const char *dir = option(argc, argv, "dir", ".");
  if (record <= 0 || segment < record || scan_every <= 0) {
    usage_error("--record, --segment and --scan-every must be positive, --segment >= --record",
                "");
  }
  stop_on_signal();
  snprintf(segments_dir, sizeof segments_dir, "%s/%s-%d", dir, NAME, (int)getpid());
  if (mkdir(segments_dir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "%s: cannot create %s: %s\n", NAME, segments_dir, strerror(errno));
    return 1;
  }
  int fd = open_segment(0);
  if (fd < 0) {
    fprintf(stderr, "%s: cannot open a segment in %s: %s\n", NAME, segments_dir,
            strerror(errno));
    return 1;
  }
  char *line = malloc((size_t)record);
  const long buf_size = 1 << 20;
  char *buf = malloc((size_t)buf_size);
  memset(line, 'l', (size_t)record);
  line[record - 1] = '\n';
  printf("%s pid=%d: writing %.1f MiB/s of %ld-byte records into %s, indexing the newest "
         "%.0f MiB every %.0f s, segments of %.0f MiB\n",
         NAME, (int)getpid(), mib(write_rate), record, segments_dir, mib((double)scan_window),
         scan_every, mib((double)segment));
  fflush(stdout);
  struct pace records = pace_start(write_rate / (double)record);
  double start = now_seconds();
  double next_scan = start + scan_every;
  double next_status = start + 10;
  long written = 0;
  long total = 0;
  long indexed = 0;
  while (!stopping) {
    double now = now_seconds();
    for (long n = pace_due(&records, now); n > 0 && !stopping; n--) {
      if (written + record > segment) {
        close(fd);
        fd = open_segment(++segment_number);
        if (fd < 0) {
          fprintf(stderr, "%s: cannot roll to segment %ld: %s\n", NAME, segment_number,
                  strerror(errno));
          return 1;
        }
        written = 0;
      }
      if (write(fd, line, (size_t)record) != (ssize_t)record) {
        fprintf(stderr, "%s: write failed: %s\n", NAME, strerror(errno));
        return 1;
      }
      written += record;
      total += record;
    }
    if (now >= next_scan) {
      indexed += index_recent(fd, written, scan_window, buf, buf_size) != 0;
      next_scan = now + scan_every;
    }
    if (now >= next_status) {
      printf("%s t=%.0fs written=%.1f MiB segment=%ld scans=%ld\n", NAME, now - start,
             mib((double)total), segment_number, indexed);
      fflush(stdout);
      next_status = now + 10;
    }
    tick();
  }
  close(fd);
  remove_segments();
  free(line);
  free(buf);
  return 0;
}
