/* fsops: run file-system operations in order and report each one on stdout.
 *
 *   fsops OP ARG... [: OP ARG...]...
 *
 * Each operation prints one line, "OK op [value]" or "ERR op ERRNO_NAME", and the run
 * continues; the exit status is 0 when every operation succeeded, 1 otherwise.
 * After "dirfd DIR" the path operations use their *at form on that directory
 * (openat, fstatat, renameat, linkat, symlinkat, readlinkat, mkdirat, unlinkat; rmdir:
 * unlinkat with AT_REMOVEDIR);
 * "nodirfd" goes back to the plain calls (open, stat, rename, link, ...). In any argument,
 * "{fd}" stands for the number of the last "dirfd" (e.g. "/proc/self/fd/{fd}/x").
 * Used by the host behaviour and escape suites: a real program under the real hooks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int dfd = AT_FDCWD;
static int last_fd = -1; /* the last "dirfd", kept by "nodirfd" for "{fd}" */
static int failures = 0;

static void ok(const char *op, const char *value) {
  if (value)
    printf("OK %s %s\n", op, value);
  else
    printf("OK %s\n", op);
}

static void fail(const char *op) {
  const char *name = strerrorname_np(errno);
  printf("ERR %s %s\n", op, name ? name : "UNKNOWN");
  failures++;
}

static int open_path(const char *path, int flags) {
  if (dfd == AT_FDCWD) return open(path, flags, 0644);
  return openat(dfd, path, flags, 0644);
}

static void op_write(const char *op, const char *path, const char *text, int flags) {
  int fd = open_path(path, O_WRONLY | O_CREAT | flags);
  if (fd < 0) return fail(op);
  size_t n = strlen(text);
  if (write(fd, text, n) != (ssize_t)n) {
    close(fd);
    return fail(op);
  }
  close(fd);
  ok(op, NULL);
}

static void op_creat(const char *path, const char *text) {
  int fd = creat(path, 0644);
  if (fd < 0) return fail("creat");
  if (write(fd, text, strlen(text)) < 0) fail("creat");
  close(fd);
  ok("creat", NULL);
}

static void op_read(const char *path) {
  int fd = open_path(path, O_RDONLY);
  if (fd < 0) return fail("read");
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) return fail("read");
  buf[n] = 0;
  buf[strcspn(buf, "\n")] = 0;
  ok("read", buf);
}

static void op_fopen_read(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return fail("fopen");
  char buf[4096] = {0};
  if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
  fclose(f);
  buf[strcspn(buf, "\n")] = 0;
  ok("fopen", buf);
}

static void op_stat(const char *op, const char *path, int follow) {
  struct stat st;
  int rc;
  if (dfd == AT_FDCWD)
    rc = follow ? stat(path, &st) : lstat(path, &st);
  else
    rc = fstatat(dfd, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (rc < 0) return fail(op);
  char value[32];
  snprintf(value, sizeof value, "%lld", (long long)st.st_size);
  ok(op, value);
}

/* stat(PATH) with PATH's last byte (its NUL) the last byte of a page and nothing mapped
 * after it, as argv and environ strings sit at the top of the stack: a hook that reads
 * past the NUL crashes the program */
static void op_edgestat(const char *path) {
  long page = sysconf(_SC_PAGESIZE);
  size_t n = strlen(path) + 1;
  if (n > (size_t)page) { errno = ENAMETOOLONG; return fail("edgestat"); }
  char *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED || mprotect(area + page, page, PROT_NONE) < 0) return fail("edgestat");
  char *edge = memcpy(area + page - n, path, n);
  struct stat st;
  int rc = stat(edge, &st);
  munmap(area, 2 * page);
  if (rc < 0) return fail("edgestat");
  ok("edgestat", NULL);
}

static void op_access(const char *path) {
  int rc = dfd == AT_FDCWD ? access(path, F_OK) : faccessat(dfd, path, F_OK, 0);
  if (rc < 0) return fail("access");
  ok("access", NULL);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void op_list(const char *path) {
  DIR *d;
  if (dfd == AT_FDCWD) {
    d = opendir(path);
  } else {
    int fd = openat(dfd, path, O_RDONLY | O_DIRECTORY);
    d = fd < 0 ? NULL : fdopendir(fd);
  }
  if (!d) return fail("list");
  char *names[512];
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) && count < 512)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[count++] = strdup(e->d_name);
  closedir(d);
  qsort(names, count, sizeof names[0], by_name);
  char value[8192] = "";
  for (int i = 0; i < count; i++) {
    if (i) strncat(value, ",", sizeof value - strlen(value) - 1);
    strncat(value, names[i], sizeof value - strlen(value) - 1);
    free(names[i]);
  }
  ok("list", value);
}

static void op_mkdir(const char *path) {
  int rc = dfd == AT_FDCWD ? mkdir(path, 0755) : mkdirat(dfd, path, 0755);
  if (rc < 0) return fail("mkdir");
  ok("mkdir", NULL);
}

static void op_rmdir(const char *path) {
  int rc = dfd == AT_FDCWD ? rmdir(path) : unlinkat(dfd, path, AT_REMOVEDIR);
  if (rc < 0) return fail("rmdir");
  ok("rmdir", NULL);
}

static void op_rename(const char *from, const char *to) {
  int rc = dfd == AT_FDCWD ? rename(from, to) : renameat(dfd, from, dfd, to);
  if (rc < 0) return fail("rename");
  ok("rename", NULL);
}

static void op_link(const char *from, const char *to) {
  int rc = dfd == AT_FDCWD ? link(from, to) : linkat(dfd, from, dfd, to, 0);
  if (rc < 0) return fail("link");
  ok("link", NULL);
}

static void op_symlink(const char *target, const char *path) {
  int rc = dfd == AT_FDCWD ? symlink(target, path) : symlinkat(target, dfd, path);
  if (rc < 0) return fail("symlink");
  ok("symlink", NULL);
}

static void op_readlink(const char *path) {
  char buf[PATH_MAX];
  ssize_t n = dfd == AT_FDCWD ? readlink(path, buf, sizeof buf - 1)
                              : readlinkat(dfd, path, buf, sizeof buf - 1);
  if (n < 0) return fail("readlink");
  buf[n] = 0;
  ok("readlink", buf);
}

static void op_unlink(const char *path) {
  int rc = dfd == AT_FDCWD ? unlink(path) : unlinkat(dfd, path, 0);
  if (rc < 0) return fail("unlink");
  ok("unlink", NULL);
}

static void op_truncate(const char *path) {
  if (truncate(path, 0) < 0) return fail("truncate");
  ok("truncate", NULL);
}

static void op_chmod(const char *path) {
  int rc = dfd == AT_FDCWD ? chmod(path, 0600) : fchmodat(dfd, path, 0600, 0);
  if (rc < 0) return fail("chmod");
  ok("chmod", NULL);
}

static void op_chdir(const char *path) {
  if (chdir(path) < 0) return fail("chdir");
  ok("chdir", NULL);
}

static void op_getcwd(void) {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) return fail("getcwd");
  ok("getcwd", buf);
}

/* glibc's scandir calls the exported opendir, both hooked: the shape of bionic's fopen and
 * opendir, which call the exported open */
static void op_scandir(const char *path) {
  struct dirent **list;
  int n = scandir(path, &list, NULL, alphasort);
  if (n < 0) return fail("scandir");
  char value[8192] = "";
  for (int i = 0; i < n; i++) {
    const char *name = list[i]->d_name;
    if (strcmp(name, ".") && strcmp(name, "..") && strlen(value) + strlen(name) + 2 < sizeof value) {
      if (value[0]) strcat(value, ",");
      strcat(value, name);
    }
    free(list[i]);
  }
  free(list);
  ok("scandir", value);
}

static void op_realpath(const char *path) {
  char buf[PATH_MAX];
  if (!realpath(path, buf)) return fail("realpath");
  ok("realpath", buf);
}

static void op_dirfd(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return fail("dirfd");
  if (dfd != AT_FDCWD) close(dfd);
  dfd = last_fd = fd;
  ok("dirfd", NULL);
}

static void op_status(const char *op, int status) {
  if (status < 0) return fail(op);
  char value[32];
  snprintf(value, sizeof value, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  ok(op, value);
}

/* fork + execvp of argv[0..n) (a child under the same policy); waits for it. */
static void op_spawn(char **argv, int n) {
  char *args[64];
  if (n <= 0 || n >= 64) {
    errno = EINVAL;
    return fail("spawn");
  }
  memcpy(args, argv, n * sizeof *args);
  args[n] = NULL;
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return fail("spawn");
  if (pid == 0) {
    execvp(args[0], args);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) return fail("spawn");
  op_status("spawn", status);
}

static int need(int have, int want, const char *op) {
  if (have >= want) return 1;
  fprintf(stderr, "fsops: %s needs %d argument(s)\n", op, want);
  exit(2);
}

/* arg with "{fd}" replaced by the last directory fd (a new string or argv[i]). */
static char *expand(char *arg) {
  char *at = strstr(arg, "{fd}");
  if (!at) return arg;
  char *out = malloc(strlen(arg) + 16);
  if (!out) exit(3);
  sprintf(out, "%.*s%d%s", (int)(at - arg), arg, last_fd, at + 4);
  return out;
}

/* Runs the operation at argv[0] with its n-1 arguments. */
static void run(char **argv, int n) {
  const char *op = argv[0];
  for (int i = 1; i < n; i++) argv[i] = expand(argv[i]);
  if (!strcmp(op, "write") && need(n, 3, op)) op_write(op, argv[1], argv[2], O_TRUNC);
  else if (!strcmp(op, "append") && need(n, 3, op)) op_write(op, argv[1], argv[2], O_APPEND);
  else if (!strcmp(op, "creat") && need(n, 3, op)) op_creat(argv[1], argv[2]);
  else if (!strcmp(op, "read") && need(n, 2, op)) op_read(argv[1]);
  else if (!strcmp(op, "fopen") && need(n, 2, op)) op_fopen_read(argv[1]);
  else if (!strcmp(op, "stat") && need(n, 2, op)) op_stat(op, argv[1], 1);
  else if (!strcmp(op, "lstat") && need(n, 2, op)) op_stat(op, argv[1], 0);
  else if (!strcmp(op, "edgestat") && need(n, 2, op)) op_edgestat(argv[1]);
  else if (!strcmp(op, "access") && need(n, 2, op)) op_access(argv[1]);
  else if (!strcmp(op, "list") && need(n, 2, op)) op_list(argv[1]);
  else if (!strcmp(op, "scandir") && need(n, 2, op)) op_scandir(argv[1]);
  else if (!strcmp(op, "mkdir") && need(n, 2, op)) op_mkdir(argv[1]);
  else if (!strcmp(op, "rmdir") && need(n, 2, op)) op_rmdir(argv[1]);
  else if (!strcmp(op, "rename") && need(n, 3, op)) op_rename(argv[1], argv[2]);
  else if (!strcmp(op, "link") && need(n, 3, op)) op_link(argv[1], argv[2]);
  else if (!strcmp(op, "symlink") && need(n, 3, op)) op_symlink(argv[1], argv[2]);
  else if (!strcmp(op, "readlink") && need(n, 2, op)) op_readlink(argv[1]);
  else if (!strcmp(op, "unlink") && need(n, 2, op)) op_unlink(argv[1]);
  else if (!strcmp(op, "truncate") && need(n, 2, op)) op_truncate(argv[1]);
  else if (!strcmp(op, "chmod") && need(n, 2, op)) op_chmod(argv[1]);
  else if (!strcmp(op, "chdir") && need(n, 2, op)) op_chdir(argv[1]);
  else if (!strcmp(op, "getcwd")) op_getcwd();
  else if (!strcmp(op, "realpath") && need(n, 2, op)) op_realpath(argv[1]);
  else if (!strcmp(op, "dirfd") && need(n, 2, op)) op_dirfd(argv[1]);
  else if (!strcmp(op, "nodirfd")) dfd = AT_FDCWD;
  else if (!strcmp(op, "system") && need(n, 2, op)) {
    fflush(stdout);
    op_status(op, system(argv[1]));
  } else if (!strcmp(op, "spawn")) op_spawn(argv + 1, n - 1);
  else {
    fprintf(stderr, "fsops: unknown operation %s\n", op);
    exit(2);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  int start = 1;
  for (int i = 1; i <= argc; i++) {
    if (i == argc || !strcmp(argv[i], ":")) {
      if (i > start) run(argv + start, i - start);
      start = i + 1;
    }
  }
  return failures ? 1 : 0;
}
