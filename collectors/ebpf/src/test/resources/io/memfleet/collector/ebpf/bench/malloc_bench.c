/*
 * memfleet malloc-heavy benchmark: what the tracing-overhead harness runs untraced and traced.
 *
 * usage: malloc_bench SECONDS WORKLOAD[,WORKLOAD...]
 *   Prints "ready pid=N", waits for one line on stdin (so a tracer can attach first), then runs
 *   each workload flat out for SECONDS and prints
 *   "result workload=W ops=N seconds=S rate=OPS_PER_S mallocs=M cpu=CPU_SECONDS" (cpu: this
 *   process's CPU time in the workload, user and system: what tracing adds to the process itself
 *   shows there even when other processes compete for the CPUs).
 *
 * Workloads:
 *   documents  realistic malloc-heavy code: each op builds a small document (8-39 nodes, each a
 *              struct plus a text of 16-268 bytes, a pointer vector grown with realloc), indexes
 *              it in a binary search tree, walks and hashes it, and keeps it in a ring of the
 *              last 256 documents; the evicted one is freed. ~2 allocator calls per node and
 *              real work on every byte allocated.
 *   churn      the worst case for allocator probes: malloc of 16-1024 bytes, one byte written,
 *              free; nothing else.
 *   pages      the worst case for the default scripts (syscall tracepoints, page faults, resident
 *              counters): mmap 256 KiB, write one byte per 4 KiB page (64 page faults), munmap.
 *
 * Build: gcc -O2 -g -fno-omit-frame-pointer -o malloc_bench malloc_bench.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RING 256

struct node {
  struct node *left, *right;
  uint64_t key;
  size_t len;
  char *text;
};

struct document {
  struct node *root;
  struct node **items;
  size_t count, capacity;
  uint64_t checksum;
};

static volatile uint64_t sink;
static uint64_t mallocs;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t fnv1a(const char *text, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
  }
  return h;
}

/* A node with a freshly written text: the allocation and the first touch of its bytes. */
__attribute__((noinline)) struct node *new_node(void) {
  struct node *n = malloc(sizeof *n);
  size_t len = 16 + (next_random() % 64) * (next_random() % 4 + 1);
  n->text = malloc(len);
  mallocs += 2;
  uint64_t r = next_random();
  for (size_t i = 0; i < len; i++) {
    n->text[i] = (char)('a' + (r >> (i % 56)) % 26);
  }
  n->len = len;
  n->key = fnv1a(n->text, len);
  n->left = n->right = NULL;
  return n;
}

static void insert(struct node **root, struct node *n) {
  while (*root != NULL) {
    root = n->key < (*root)->key ? &(*root)->left : &(*root)->right;
  }
  *root = n;
}

static uint64_t walk(const struct node *n, uint64_t acc) {
  while (n != NULL) {
    acc = walk(n->left, acc);
    acc = acc * 31 + n->key + (unsigned char)n->text[n->len / 2];
    n = n->right;
  }
  return acc;
}

__attribute__((noinline)) struct document *build_document(void) {
  struct document *d = calloc(1, sizeof *d);
  mallocs++;
  size_t nodes = 8 + next_random() % 32;
  for (size_t i = 0; i < nodes; i++) {
    struct node *n = new_node();
    if (d->count == d->capacity) {
      d->capacity = d->capacity == 0 ? 4 : d->capacity * 2;
      d->items = realloc(d->items, d->capacity * sizeof *d->items);
      mallocs++;
    }
    d->items[d->count++] = n;
    insert(&d->root, n);
  }
  d->checksum = walk(d->root, 0);
  return d;
}

__attribute__((noinline)) void free_document(struct document *d) {
  for (size_t i = 0; i < d->count; i++) {
    free(d->items[i]->text);
    free(d->items[i]);
  }
  free(d->items);
  free(d);
}

__attribute__((noinline)) static uint64_t run_documents(double seconds) {
  struct document *ring[RING] = {0};
  double end = now_seconds() + seconds;
  uint64_t ops = 0;
  do {
    for (int i = 0; i < 64; i++, ops++) {
      size_t slot = ops % RING;
      if (ring[slot] != NULL) {
        sink += ring[slot]->checksum;
        free_document(ring[slot]);
      }
      ring[slot] = build_document();
    }
  } while (now_seconds() < end);
  for (size_t i = 0; i < RING; i++) {
    if (ring[i] != NULL) {
      free_document(ring[i]);
    }
  }
  return ops;
}

__attribute__((noinline)) static uint64_t run_churn(double seconds) {
  double end = now_seconds() + seconds;
  uint64_t ops = 0;
  do {
    for (int i = 0; i < 4096; i++, ops++) {
      char *p = malloc(16 + (ops * 37) % 1009);
      p[0] = (char)ops;
      sink += (unsigned char)p[0];
      free(p);
    }
  } while (now_seconds() < end);
  mallocs += ops;
  return ops;
}

__attribute__((noinline)) static uint64_t run_pages(double seconds) {
  const size_t bytes = 256 * 1024;
  double end = now_seconds() + seconds;
  uint64_t ops = 0;
  do {
    for (int i = 0; i < 16; i++, ops++) {
      char *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (region == MAP_FAILED) {
        perror("mmap");
        exit(3);
      }
      for (size_t off = 0; off < bytes; off += 4096) {
        region[off] = (char)off;
      }
      sink += (unsigned char)region[bytes / 2];
      munmap(region, bytes);
    }
  } while (now_seconds() < end);
  return ops;
}

/* CPU time of this process (all threads, user and system) in seconds. */
static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 2;
  char *workloads = argc > 2 ? argv[2] : "documents,churn";
  printf("ready pid=%d\n", (int)getpid());
  fflush(stdout);
  char line[64];
  if (fgets(line, sizeof line, stdin) == NULL) {
    return 1;
  }
  for (char *w = strtok(workloads, ","); w != NULL; w = strtok(NULL, ",")) {
    uint64_t before = mallocs;
    double cpu_start = cpu_seconds();
    double start = now_seconds();
    uint64_t ops;
    if (strcmp(w, "documents") == 0) {
      ops = run_documents(seconds);
    } else if (strcmp(w, "churn") == 0) {
      ops = run_churn(seconds);
    } else if (strcmp(w, "pages") == 0) {
      ops = run_pages(seconds);
    } else {
      fprintf(stderr, "unknown workload %s\n", w);
      return 2;
    }
    double elapsed = now_seconds() - start;
    double cpu = cpu_seconds() - cpu_start;
    printf("result workload=%s ops=%llu seconds=%.3f rate=%.0f mallocs=%llu cpu=%.4f\n", w,
           (unsigned long long)ops, elapsed, ops / elapsed,
           (unsigned long long)(mallocs - before), cpu);
    fflush(stdout);
  }
  return 0;
}
