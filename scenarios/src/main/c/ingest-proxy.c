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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const NAME = "ingest-proxy";

#include "scenario.h"

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
