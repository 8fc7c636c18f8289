/* The boundary's entry, compiled at install time (make setup): the same as enter.py, which
 * the runner uses where this is not built, without a Python start-up on every run.
 *
 *   enter RULESET_FD FILTER_HEX -- ARGV...
 *
 * Sets no_new_privs, enters the Landlock domain of RULESET_FD ("-": none), loads the
 * seccomp filter (hex of struct sock_filter entries), then execs ARGV. Anything failing
 * exits 125 with one stderr line: the program never runs outside the boundary. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

static void fail(const char *what) {
  fprintf(stderr, "clonespace-boundary: %s: %s\n", what, strerror(errno));
  exit(125);
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: enter RULESET_FD FILTER_HEX -- ARGV...\n");
    return 125;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  if (strcmp(argv[1], "-") != 0) {
    int fd = atoi(argv[1]);
    if (syscall(SYS_landlock_restrict_self, fd, 0) != 0) fail("landlock_restrict_self");
    close(fd);
  }
  size_t len = strlen(argv[2]) / 2;
  unsigned char *code = malloc(len ? len : 1);
  if (!code || len % sizeof(struct sock_filter) != 0) {
    errno = EINVAL;
    fail("seccomp filter");
  }
  for (size_t i = 0; i < len; i++) {
    int hi = nibble(argv[2][2 * i]), lo = nibble(argv[2][2 * i + 1]);
    if (hi < 0 || lo < 0) {
      errno = EINVAL;
      fail("seccomp filter");
    }
    code[i] = (unsigned char)(hi << 4 | lo);
  }
  struct sock_fprog prog = {(unsigned short)(len / sizeof(struct sock_filter)),
                            (struct sock_filter *)code};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) fail("seccomp");
  execv(argv[4], argv + 4);
  fail(argv[4]);
}
