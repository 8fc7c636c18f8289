/* statloop: time N calls of stat() on PATH and report, for the hook overhead benchmark.
 *
 *   statloop PATH N
 *
 * Prints "ns_per_call=<float> rss_kb=<VmRSS of this process>" after the loop. The loop
 * runs once untimed first so both the hooked and the plain run are measured warm.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) kb = strtol(line + 6, NULL, 10);
  if (f) fclose(f);
  return kb;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: statloop PATH N\n");
    return 2;
  }
  long n = strtol(argv[2], NULL, 10);
  struct stat st;
  int failed = 0;
  for (long i = 0; i < n / 10 + 1; i++) failed |= stat(argv[1], &st);
  double t0 = now_ns();
  for (long i = 0; i < n; i++) failed |= stat(argv[1], &st);
  double t1 = now_ns();
  printf("ns_per_call=%.1f rss_kb=%ld failed=%d\n", (t1 - t0) / n, rss_kb(), failed != 0);
  return 0;
}
