/*
 * memfleet overhead fleet: forks N idle processes that hold real memory, for measuring what the
 * node collector costs per process (ScanOverheadIT / OverheadHarness).
 *
 *   idle-fleet N
 *
 * Child i mallocs and touches 1 + i % 8 MiB; every 4th child also starts 3 sleeping threads,
 * every 5th maps 64 small anonymous regions (more mappings for smaps_rollup to walk). Then each
 * child sleeps. The parent prints "ready N" once all children hold their memory and waits.
 * Every child dies with the parent (PR_SET_PDEATHSIG), and the parent with the process that
 * started it, so killing the parent (or its JVM) ends the whole fleet.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

static void die_with_parent(pid_t expected_parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != expected_parent) _exit(0); /* the parent died before prctl */
}

static void child(int i, int ready_fd) {
  size_t mib = 1 + (size_t)(i % 8);
  char *block = malloc(mib << 20);
  if (block == NULL) _exit(2);
  memset(block, i & 0xff, mib << 20);
  if (i % 4 == 0) {
    for (int t = 0; t < 3; t++) {
      pthread_t thread;
      pthread_create(&thread, NULL, sleeper, NULL);
    }
  }
  if (i % 5 == 0) {
    for (int m = 0; m < 64; m++) {
      /* alternate protections so neighbouring regions do not merge into one mapping */
      char *p = mmap(NULL, 8192, (m % 2) ? PROT_READ | PROT_WRITE : PROT_READ,
          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED && (m % 2)) p[0] = 1;
    }
  }
  char ok = 1;
  if (write(ready_fd, &ok, 1) != 1) _exit(3);
  close(ready_fd);
  for (;;) pause();
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: idle-fleet N\n");
    return 64;
  }
  int n = atoi(argv[1]);
  pid_t starter = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != starter) return 0;
  int ready[2];
  if (pipe(ready) != 0) return 1;
  pid_t self = getpid();
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0) {
      close(ready[0]);
      die_with_parent(self);
      child(i, ready[1]);
    }
  }
  close(ready[1]);
  char c;
  int count = 0;
  while (count < n && read(ready[0], &c, 1) == 1) count++;
  printf("ready %d\n", count);
  fflush(stdout);
  while (wait(NULL) > 0) {
  }
  return 0;
}
