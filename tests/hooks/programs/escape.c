/* escape: one way out of a clone per mode, as an attacker would write it.
 *
 *   escape MODE ARG...
 *
 * Each attempt prints one line, "OK what [value]" (it got through; value: what it read)
 * or "ERR what ERRNO_NAME" (held), like fsops. Modes:
 *   read PATH | create PATH          plain open(2): the baseline (and the static binary's)
 *   raw-read PATH | raw-create PATH  syscall(SYS_openat, ...)
 *   inline-read PATH                 an inline "syscall" instruction (no libc at all)
 *   openat2 PATH                     openat2(2) with RESOLVE_NO_MAGICLINKS unset
 *   io_uring                         io_uring_setup(2) (IORING_OP_OPENAT needs a ring)
 *   handle PATH                      raw name_to_handle_at + open_by_handle_at
 *   task-root PATH                   /proc/self/task/<tid>/root/PATH
 *   proc-other PID PATH              /proc/PID/{cwd,task/PID/cwd,root,fd/N,map_files}
 *   hold PATH                        the victim: open+mmap PATH, chdir to its dir, sleep
 *   dlmopen PATH                     open() of a second libc (dlmopen LM_ID_NEWLM)
 *   spawn-read PATH | spawn-create PATH   posix_spawn file actions (addopen) + cat/true
 *   traceme PATH                     child: PTRACE_TRACEME, then execve "escape read PATH"
 *   raw-execve PATH                  syscall(SYS_execve) of "escape read PATH"
 *   exec PROG ARG...                 execv(PROG) (e.g. of a static binary)
 *   chroot DIR PATH                  chroot(DIR), then read PATH in it
 *   unshare-bind SRC DST             unshare(CLONE_NEWNS|NEWUSER), bind SRC on DST, read
 *   bind-unix PATH                   bind(2) an AF_UNIX socket at PATH
 *   serve-unix DIR SECRET            the victim: a stream socket DIR/sock that sends SECRET
 *                                    to whoever connects, a datagram one DIR/dgram that
 *                                    prints what it gets; prints "SERVE PID", serves 60 s
 *   connect-unix PATH                connect(2) to the stream socket at PATH, read from it
 *   sendto-unix PATH                 sendto(2) a datagram to the socket at PATH
 *   umount-connect TREE PATH         umount2(2) TREE (detached: what hides it), then
 *                                    connect-unix PATH
 *   clone-exec raw|clone3 PROG ARG...  a child made by a raw clone(2) / clone3(2) syscall
 *                                    (no fork wrapper) that execs PROG; the parent waits
 *                                    and prints "OK clone-exec STATUS" or ERR
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *self;

static void report(const char *what, int rc) {
  if (rc >= 0) return;
  const char *name = strerrorname_np(errno);
  printf("ERR %s %s\n", what, name ? name : "UNKNOWN");
  fflush(stdout);
}

/* Reads fd to the end and prints "OK what content" (the leak, if any). */
static void drain(const char *what, int fd) {
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) {
    report(what, -1);
  } else {
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    printf("OK %s %s\n", what, buf);
  }
  close(fd);
  fflush(stdout);
}

static void got(const char *what, int fd) {
  if (fd < 0)
    report(what, -1);
  else
    drain(what, fd);
}

static void wrote(const char *what, int fd) {
  if (fd < 0) {
    report(what, -1);
    return;
  }
  if (write(fd, "pwned\n", 6) == 6) printf("OK %s\n", what);
  else report(what, -1);
  close(fd);
  fflush(stdout);
}

static long inline_openat(const char *path) {
  long ret;
  register long r10 __asm__("r10") = 0;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "0"((long)SYS_openat), "D"((long)AT_FDCWD), "S"(path), "d"((long)O_RDONLY),
                     "r"(r10)
                   : "rcx", "r11", "memory");
  if (ret < 0) {
    errno = (int)-ret;
    return -1;
  }
  return ret;
}

struct how {
  unsigned long long flags, mode, resolve;
};

static void proc_other(const char *pid, const char *path) {
  char p[PATH_MAX];
  const char *base = strrchr(path, '/') + 1;
  snprintf(p, sizeof p, "/proc/%s/cwd/%s", pid, base);
  got("proc-cwd", open(p, O_RDONLY));
  snprintf(p, sizeof p, "/proc/%s/task/%s/cwd/%s", pid, pid, base);
  got("proc-task-cwd", open(p, O_RDONLY));
  snprintf(p, sizeof p, "/proc/%s/root%s", pid, path);
  got("proc-root", open(p, O_RDONLY));
  snprintf(p, sizeof p, "/proc/%s/task/%s/root%s", pid, pid, path);
  got("proc-task-root", open(p, O_RDONLY));
  for (const char *dir = "fd"; dir; dir = strcmp(dir, "fd") == 0 ? "task-fd" : NULL) {
    char d[128];
    if (strcmp(dir, "fd") == 0) snprintf(d, sizeof d, "/proc/%s/fd", pid);
    else snprintf(d, sizeof d, "/proc/%s/task/%s/fd", pid, pid);
    int leaked = 0;
    for (int n = 3; n < 16; n++) { /* 0-2 are the terminal or pipes */
      snprintf(p, sizeof p, "%s/%d", d, n);
      int fd = open(p, O_RDONLY);
      if (fd >= 0) {
        drain(strcmp(dir, "fd") == 0 ? "proc-fd" : "proc-task-fd", fd);
        leaked = 1;
      }
    }
    if (!leaked) {
      snprintf(p, sizeof p, "%s/3", d);
      report(strcmp(dir, "fd") == 0 ? "proc-fd" : "proc-task-fd", open(p, O_RDONLY));
    }
  }
  snprintf(p, sizeof p, "/proc/%s/map_files", pid);
  DIR *dir = opendir(p);
  if (!dir) {
    report("proc-map-files", -1);
    return;
  }
  struct dirent *e;
  int opened = 0;
  while ((e = readdir(dir))) {
    if (e->d_name[0] == '.') continue;
    char f[PATH_MAX + 512];
    snprintf(f, sizeof f, "%s/%s", p, e->d_name);
    int fd = open(f, O_RDONLY);
    if (fd >= 0) {
      drain("proc-map-files", fd);
      opened = 1;
      break;
    }
  }
  closedir(dir);
  if (!opened) printf("ERR proc-map-files NONE_OPENED\n");
}

static int run_self(const char *mode, const char *path, int raw) {
  char *argv[] = {(char *)self, (char *)mode, (char *)path, NULL};
  if (raw) return (int)syscall(SYS_execve, self, argv, environ);
  return execv(self, argv);
}

static void spawn(const char *what, const char *path, int write_it) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (write_it)
    posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  else
    posix_spawn_file_actions_addopen(&fa, 0, path, O_RDONLY, 0);
  char *cat[] = {"/bin/cat", NULL};
  char *echo[] = {"/bin/echo", "pwned", NULL};
  pid_t pid;
  fflush(stdout);
  int rc = posix_spawn(&pid, write_it ? echo[0] : cat[0], &fa, NULL, write_it ? echo : cat,
                       environ);
  if (rc != 0) {
    errno = rc;
    report(what, -1);
    return;
  }
  int status;
  waitpid(pid, &status, 0);
  printf("%s %s %d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "OK" : "ERR", what,
         status);
}

static int unix_socket(int type, const char *path, struct sockaddr_un *addr) {
  *addr = (struct sockaddr_un){.sun_family = AF_UNIX};
  snprintf(addr->sun_path, sizeof addr->sun_path, "%s", path);
  return socket(AF_UNIX, type, 0);
}

/* The victim's side: serves its secret on DIR/sock, prints datagrams got on DIR/dgram. */
static int serve_unix(const char *dir, const char *secret) {
  struct sockaddr_un sa, da;
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/sock", dir);
  int s = unix_socket(SOCK_STREAM, p, &sa);
  snprintf(p, sizeof p, "%s/dgram", dir);
  int d = unix_socket(SOCK_DGRAM, p, &da);
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 8) != 0) return 3;
  if (bind(d, (struct sockaddr *)&da, sizeof da) != 0) return 4;
  printf("SERVE %d\n", getpid());
  fflush(stdout);
  struct pollfd fds[2] = {{s, POLLIN, 0}, {d, POLLIN, 0}};
  while (poll(fds, 2, 60000) > 0) {
    if (fds[0].revents & POLLIN) {
      int c = accept(s, NULL, NULL);
      if (c >= 0 && write(c, secret, strlen(secret)) < 0) perror("write");
      if (c >= 0) close(c);
    }
    if (fds[1].revents & POLLIN) {
      char buf[64] = {0};
      if (recv(d, buf, sizeof buf - 1, 0) > 0) printf("GOT %s\n", buf);
      fflush(stdout);
    }
  }
  return 0;
}

struct clone3_args {
  unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void clone_exec(const char *how, char **argv) {
  struct clone3_args args = {.exit_signal = SIGCHLD};
  fflush(stdout);
  long pid = !strcmp(how, "clone3") ? syscall(SYS_clone3, &args, sizeof args)
                                    : syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
  if (pid == 0) {
    execv(argv[0], argv);
    _exit(127);
  }
  if (pid < 0) {
    report("clone-exec", -1);
    return;
  }
  int status;
  if (waitpid((pid_t)pid, &status, 0) < 0) report("clone-exec", -1);
  else printf("OK clone-exec %d\n", status);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  self = argv[0];
  if (argc < 2) return 2;
  const char *m = argv[1], *a = argc > 2 ? argv[2] : "", *b = argc > 3 ? argv[3] : "";
  if (!strcmp(m, "read")) got("read", open(a, O_RDONLY));
  else if (!strcmp(m, "create")) wrote("create", open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  else if (!strcmp(m, "raw-read")) got("raw-read", (int)syscall(SYS_openat, AT_FDCWD, a, O_RDONLY));
  else if (!strcmp(m, "raw-create"))
    wrote("raw-create", (int)syscall(SYS_openat, AT_FDCWD, a, O_WRONLY | O_CREAT, 0644));
  else if (!strcmp(m, "inline-read")) got("inline-read", (int)inline_openat(a));
  else if (!strcmp(m, "openat2")) {
    struct how how = {O_RDONLY, 0, 0};
    got("openat2", (int)syscall(SYS_openat2, AT_FDCWD, a, &how, sizeof how));
  } else if (!strcmp(m, "io_uring")) {
    char params[120] = {0};
    long fd = syscall(SYS_io_uring_setup, 4, params);
    if (fd >= 0) printf("OK io_uring_setup\n");
    else report("io_uring_setup", -1);
  } else if (!strcmp(m, "handle")) {
    struct file_handle *h = calloc(1, sizeof *h + MAX_HANDLE_SZ);
    h->handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    /* raw: libc's name_to_handle_at is hooked, the syscall is not */
    report("name_to_handle_at", (int)syscall(SYS_name_to_handle_at, AT_FDCWD, a, h, &mount_id, 0));
    int root = open("/", O_RDONLY | O_DIRECTORY);
    got("open_by_handle_at", open_by_handle_at(root, h, O_RDONLY));
  } else if (!strcmp(m, "task-root")) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "/proc/self/task/%d/root%s", gettid(), a);
    got("task-root", open(p, O_RDONLY));
  } else if (!strcmp(m, "proc-other")) proc_other(a, b);
  else if (!strcmp(m, "hold")) {
    int fd = open(a, O_RDONLY);
    if (fd < 0 || mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED) return 3;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", a);
    *strrchr(dir, '/') = 0;
    if (chdir(dir) != 0) return 4;
    printf("HOLD %d\n", getpid());
    sleep(60);
  } else if (!strcmp(m, "dlmopen")) {
    void *h = dlmopen(LM_ID_NEWLM, "libc.so.6", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      printf("ERR dlmopen %s\n", "DLERROR");
      return 1;
    }
    int (*open2)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(h, "open");
    int *(*errno2)(void) = (int *(*)(void))dlsym(h, "__errno_location");
    int fd = open2(a, O_RDONLY);
    if (fd < 0) errno = *errno2(); /* the second libc has its own errno */
    got("dlmopen-read", fd);
  } else if (!strcmp(m, "spawn-read")) spawn("spawn-read", a, 0);
  else if (!strcmp(m, "spawn-create")) spawn("spawn-create", a, 1);
  else if (!strcmp(m, "traceme")) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) report("traceme", -1);
      else printf("OK traceme\n");
      fflush(stdout);
      run_self("read", a, 0);
      _exit(127);
    }
    int status;
    waitpid(pid, &status, WUNTRACED);
    if (WIFSTOPPED(status)) kill(pid, SIGKILL), waitpid(pid, &status, 0);
  } else if (!strcmp(m, "exec")) {
    fflush(stdout);
    report("exec", execv(a, argv + 2));
  } else if (!strcmp(m, "raw-execve")) {
    fflush(stdout);
    report("raw-execve", run_self("read", a, 1));
  } else if (!strcmp(m, "chroot")) {
    if (chroot(a) != 0) report("chroot", -1);
    else got("chroot-read", open(b, O_RDONLY));
  } else if (!strcmp(m, "unshare-bind")) {
    report("unshare-user", unshare(CLONE_NEWUSER));
    report("unshare-ns", unshare(CLONE_NEWNS));
    report("bind-mount", mount(a, b, NULL, MS_BIND, NULL));
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/login", b);
    got("bind-read", open(p, O_RDONLY));
  } else if (!strcmp(m, "bind-unix")) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", a);
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) == 0) printf("OK bind-unix\n");
    else report("bind-unix", -1);
  } else if (!strcmp(m, "serve-unix")) return serve_unix(a, b);
  else if (!strcmp(m, "clone-exec") && argc > 3) clone_exec(a, argv + 3);
  else if (!strcmp(m, "connect-unix") || !strcmp(m, "umount-connect")) {
    struct sockaddr_un addr;
    if (!strcmp(m, "umount-connect")) {
      if (umount2(a, MNT_DETACH) == 0) printf("OK umount\n");
      else report("umount", -1);
      a = b;
    }
    int s = unix_socket(SOCK_STREAM, a, &addr);
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) report("connect-unix", -1);
    else drain("connect-unix", s);
  } else if (!strcmp(m, "sendto-unix")) {
    struct sockaddr_un addr;
    int s = unix_socket(SOCK_DGRAM, a, &addr);
    if (sendto(s, "pwned", 5, 0, (struct sockaddr *)&addr, sizeof addr) == 5)
      printf("OK sendto-unix\n");
    else
      report("sendto-unix", -1);
  } else {
    return 2;
  }
  return 0;
}
