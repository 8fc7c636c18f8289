/* The boundary's entry, compiled at install time (make setup): the same as enter.py, which
 * the runner uses where this is not built, without a Python start-up on every run.
 *
 *   enter RULESET_FD FILTER_HEX [-C DIR] [-h HIDDEN]... [-o OWN]... [-s SRC DST]...
 *         [-n HOSTNAME] [-r] [-p] -- ARGV...
 *
 * First changes to DIR (before anything is hidden, so a directory inside a hidden tree
 * stays the working directory, as it would be without the boundary). Then, in a mount
 * namespace of its own (with a user namespace where it is not root), covers each HIDDEN
 * tree with an empty read-only tmpfs and binds each OWN tree (inside one) back in place:
 * no path then leads into the trees kept out, not even for what Landlock does not check
 * (connecting to a named socket). Each SRC is then bound over its DST (a hidden tree,
 * which then gets no cover, or a file such as /etc/machine-id): the kernel serves the
 * clone's own data where the program asks for the real one, so what the hooks never see
 * (raw syscalls, io_uring, another libc) reaches the clone's store, as the hooks'
 * redirects would have sent it; with -n, a UTS namespace named HOSTNAME comes with it.
 * Where no such namespace can be made it warns in one line and goes on, or with -r exits
 * 125. Then sets no_new_privs, enters the Landlock domain of RULESET_FD ("-": none), loads
 * the seccomp filter (hex of struct sock_filter entries), and execs ARGV; with -p (which
 * implies -r) in a new PID namespace too, ARGV the only child of its init
 * (run_in_pid_namespace). Anything else failing exits 125 with one stderr line: the
 * program never runs outside the boundary. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

static void fail(const char *what) {
  fprintf(stderr, "clonespace-boundary: %s: %s\n", what, strerror(errno));
  exit(125);
}

#define MAX_TREES 16

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int more_namespaces; /* -p: CLONE_NEWPID, -n: CLONE_NEWUTS, with the mount one */
static const char *hostname;  /* -n NAME: the UTS namespace's */

/* A mount namespace where the current uid may mount: its own as root, else inside a new
 * user namespace mapping only this uid and gid (so the program sees the same ids). */
static int own_mount_namespace(void) {
  if (unshare(CLONE_NEWNS | more_namespaces) == 0) return 0;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS | more_namespaces) != 0) return -1;
  char map[64];
  snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
  if (write_file("/proc/self/uid_map", map) != 0) return -1;
  if (write_file("/proc/self/setgroups", "deny") != 0 && errno != ENOENT) return -1;
  snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
  return write_file("/proc/self/gid_map", map);
}

static int mkdirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    int rc = mkdir(path, 0755);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return -1;
  }
  return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int served_target(const char *path, char **dst, int ns) {
  for (int i = 0; i < ns; i++)
    if (!strcmp(path, dst[i])) return 1;
  return 0;
}

/* Binds the source open at fd over dst where dst exists and is of the same kind (a
 * directory over a directory, a file over a file); skipped otherwise. */
static int serve(int fd, const char *dst) {
  struct stat from, to;
  if (fstat(fd, &from) != 0) return -1;
  if (stat(dst, &to) != 0 || S_ISDIR(from.st_mode) != S_ISDIR(to.st_mode)) return 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return mount(path, dst, NULL, MS_BIND | MS_REC, NULL);
}

/* Hides each of hidden[] under an empty read-only tmpfs, own[] bound back, and binds each
 * src[] over its dst[] (a hidden tree so served gets no cover); -1 and errno, with *what
 * naming the step that failed. Paths: absolute, resolved; no hidden one inside another
 * (the runner's plan.hidden). A hidden tree or a dst that does not exist is skipped. */
static int hide(char **hidden, int nh, char **own, int no, char **src, char **dst, int ns,
                const char **what) {
  int fds[MAX_TREES], served[MAX_TREES];
  *what = "unshare";
  if (own_mount_namespace() != 0) return -1;
  *what = "sethostname";
  if (hostname && sethostname(hostname, strlen(hostname)) != 0) return -1;
  *what = "open"; /* in the new namespace: a bind takes its source from there only */
  for (int i = 0; i < no; i++)
    if ((fds[i] = open(own[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) return -1;
  for (int i = 0; i < ns; i++)
    if ((served[i] = open(src[i], O_PATH | O_CLOEXEC)) < 0) return -1;
  *what = "mount";
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) return -1;
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  int mounted[MAX_TREES] = {0};
  for (int i = 0; i < nh; i++) {
    struct stat st;
    if (served_target(hidden[i], dst, ns)) continue; /* served below, not covered */
    if (stat(hidden[i], &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (mount("clonespace-hidden", hidden[i], "tmpfs", flags, "mode=0755,size=64k") != 0)
      return -1;
    mounted[i] = 1;
  }
  for (int i = 0; i < no; i++) {
    char from[64];
    snprintf(from, sizeof from, "/proc/self/fd/%d", fds[i]);
    *what = "mkdir";
    if (mkdirs(own[i]) != 0) return -1;
    *what = "bind";
    if (mount(from, own[i], NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    close(fds[i]);
  }
  *what = "serve";
  for (int i = 0; i < ns; i++) {
    if (serve(served[i], dst[i]) != 0) return -1;
    close(served[i]);
  }
  *what = "remount";
  for (int i = 0; i < nh; i++)
    if (mounted[i] && mount(NULL, hidden[i], NULL, MS_REMOUNT | MS_RDONLY | flags, NULL) != 0)
      return -1;
  return 0;
}

static volatile pid_t relay_to;
static const int relayed[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

static void relay(int sig) {
  if (relay_to > 0) kill(relay_to, sig);
}

/* The relayed signals blocked (how = SIG_BLOCK) or not: they stay blocked across each
 * fork until the new process relays them, so none is lost or kills it meanwhile. */
static void mask_relayed(int how) {
  sigset_t set;
  sigemptyset(&set);
  for (size_t k = 0; k < sizeof relayed / sizeof *relayed; k++) sigaddset(&set, relayed[k]);
  sigprocmask(how, &set, NULL);
}

/* Passes on what is sent to this process alone (SIGINT and SIGQUIT come from the terminal
 * to the whole process group, the program included: they are not passed twice). */
static void relay_signals(pid_t to) {
  relay_to = to;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = relay;
  sigemptyset(&sa.sa_mask);
  for (size_t k = 0; k < sizeof relayed / sizeof *relayed; k++) sigaction(relayed[k], &sa, NULL);
  mask_relayed(SIG_UNBLOCK);
}

static int status_of(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

/* -p: the program as the only child of the init of the new PID namespace (this process's
 * first child). When the program exits, the init exits with its status and the kernel
 * kills whatever the program left in the namespace: the run ends, nothing outlives it. */
static void run_in_pid_namespace(char **program, pid_t parent) {
  /* each of the entry and its init ends with its parent, even one killed with SIGKILL,
   * and the namespace then with the init: nothing of the run outlives `clone` */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("pdeathsig");
  if (getppid() != parent) exit(125); /* gone already */
  int alive[2]; /* the init's view of its parent (outside the namespace, no pid there) */
  if (pipe2(alive, O_CLOEXEC) != 0) fail("pipe");
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  mask_relayed(SIG_BLOCK);
  pid_t init = fork();
  if (init < 0) fail("fork");
  if (init > 0) {
    close(alive[0]);
    relay_signals(init);
    int st;
    while (waitpid(init, &st, 0) < 0)
      if (errno != EINTR) fail("wait");
    exit(status_of(st));
  }
  close(alive[1]);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("pdeathsig");
  struct pollfd gone = {alive[0], POLLIN, 0};
  if (poll(&gone, 1, 0) != 0) exit(125); /* the entry's end closed: it is gone */
  close(alive[0]);
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    mask_relayed(SIG_UNBLOCK);
    execv(program[0], program);
    fprintf(stderr, "clonespace-boundary: %s: %s\n", program[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  relay_signals(child);
  for (;;) {
    int st;
    pid_t done = wait(&st);
    if (done == child) exit(status_of(st));
    if (done < 0 && errno != EINTR) fail("wait");
  }
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int main(int argc, char **argv) {
  pid_t parent = getppid();
  char *hidden[MAX_TREES], *own[MAX_TREES], *src[MAX_TREES], *dst[MAX_TREES];
  int nh = 0, no = 0, ns = 0, required = 0, i = 3;
  const char *dir = NULL;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (!strcmp(argv[i], "-r")) required = 1;
    else if (!strcmp(argv[i], "-p")) more_namespaces |= CLONE_NEWPID, required = 1;
    else if (!strcmp(argv[i], "-n") && i + 1 < argc) more_namespaces |= CLONE_NEWUTS, hostname = argv[++i];
    else if (!strcmp(argv[i], "-h") && i + 1 < argc && nh < MAX_TREES) hidden[nh++] = argv[++i];
    else if (!strcmp(argv[i], "-o") && i + 1 < argc && no < MAX_TREES) own[no++] = argv[++i];
    else if (!strcmp(argv[i], "-s") && i + 2 < argc && ns < MAX_TREES) {
      src[ns] = argv[++i];
      dst[ns++] = argv[++i];
    }
    else if (!strcmp(argv[i], "-C") && i + 1 < argc) dir = argv[++i];
    else break;
  }
  if (argc < 5 || i + 1 >= argc || strcmp(argv[i], "--") != 0) {
    fprintf(stderr, "usage: enter RULESET_FD FILTER_HEX [-C DIR] [-h DIR]... [-o DIR]... "
                    "[-s SRC DST]... [-n HOSTNAME] [-r] [-p] -- ARGV...\n");
    return 125;
  }
  char **program = argv + i + 1;
  const char *what = "";
  if (dir && chdir(dir) != 0) {
    fprintf(stderr, "clonespace-boundary: cd %s: %s\n", dir, strerror(errno));
    return 126;
  }
  if ((nh || ns || more_namespaces) && hide(hidden, nh, own, no, src, dst, ns, &what) != 0) {
    if (required || strcmp(what, "unshare") != 0) fail(what); /* half-made: never run */
    fprintf(stderr,
            "clone: warning: other clones' stores are not hidden (%s: %s): their named sockets "
            "stay reachable (--require-boundary makes this an error)\n",
            what, strerror(errno));
  } else if (dir) {
    /* started in a served tree: the working directory moves to the served view of the
     * same path (where that has no such directory it stays the real one, kept out) */
    for (int k = 0; k < ns; k++) {
      size_t n = strlen(dst[k]);
      if (!strncmp(dir, dst[k], n) && (dir[n] == 0 || dir[n] == '/')) {
        if (chdir(dir) != 0) errno = 0;
        break;
      }
    }
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
  if (more_namespaces & CLONE_NEWPID) run_in_pid_namespace(program, parent);
  execv(program[0], program);
  fail(program[0]);
}
