/* race: symlinks that change meaning when their directory moves, as an attacker would
 * race them past the hooks (which judge a symlink's text where it stands when it is made,
 * and scan a moved tree for symlinks only so deep).
 *
 *   race rename-race read|create TEXT DEEP SHALLOW SECONDS
 *     two threads make DEEP/l -> TEXT again and again through a dirfd of DEEP (where TEXT
 *     is harmless), while another renames DEEP to SHALLOW (where TEXT leads out), tries
 *     SHALLOW/l, and renames it back; until it had 3 tries or SECONDS passed.
 *   race deep-move read|create TEXT TREE LINK_DIR DEST
 *     makes LINK_DIR (inside TREE, deeper than the hooks scan) and LINK_DIR/l -> TEXT,
 *     renames TREE to DEST (up: TEXT now leads out), then tries the moved link.
 *
 * Each try through the link prints "OK what [value]" if it got through (value: what it
 * read) or, once at the end, "ERR what ERRNO_NAME" (the last refusal); then always
 * "TRIED what N": how many times the moved link was there to try (the hooks were beaten).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAKERS 2

static const char *text;
static int deep_fd;
static volatile int stop;

static void *make_links(void *arg) {
  (void)arg;
  while (!stop) {
    symlinkat(text, deep_fd, "l");
    sched_yield();
  }
  return NULL;
}

/* One try through LINK: 1 if it got through (and printed OK), else 0 (errno kept). */
static int try_link(const char *what, const char *link, int create) {
  int fd = create ? open(link, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open(link, O_RDONLY);
  if (fd < 0) return 0;
  if (create) {
    printf("OK %s %zd\n", what, write(fd, "pwned\n", 6));
  } else {
    char buf[256] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    printf("OK %s %s\n", what, buf);
  }
  close(fd);
  return 1;
}

static void refused(const char *what, int err) {
  const char *name = err ? strerrorname_np(err) : "NONE";
  printf("ERR %s %s\n", what, name ? name : "UNKNOWN");
}

static int mkdirs(const char *path) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0755) != 0 && errno != EEXIST) return -1;
    *s = '/';
  }
  return mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int rename_race(int create, const char *deep, const char *shallow, int seconds) {
  if (mkdirs(deep) != 0 || (deep_fd = open(deep, O_RDONLY | O_DIRECTORY)) < 0) {
    perror(deep);
    return 3;
  }
  char moved[PATH_MAX], made[PATH_MAX];
  snprintf(moved, sizeof moved, "%s/l", shallow);
  snprintf(made, sizeof made, "%s/l", deep);
  pthread_t makers[MAKERS];
  for (int i = 0; i < MAKERS; i++) pthread_create(&makers[i], NULL, make_links, NULL);
  const char *what = create ? "race-create" : "race-read";
  time_t end = time(NULL) + seconds;
  long tried = 0;
  int err = 0, leaked = 0;
  while (!leaked && tried < 3 && time(NULL) < end) {
    unlink(made); /* a link standing there makes the hooks refuse the move */
    if (rename(deep, shallow) != 0) continue;
    struct stat st;
    int there = lstat(moved, &st) == 0;
    for (int spin = 0; !there && spin < 100; spin++) /* a link in flight lands meanwhile */
      there = lstat(moved, &st) == 0;
    if (there) {
      tried++;
      leaked = try_link(what, moved, create);
      if (!leaked) err = errno;
    }
    if (rename(shallow, deep) != 0) break;
  }
  stop = 1;
  for (int i = 0; i < MAKERS; i++) pthread_join(makers[i], NULL);
  if (!leaked) refused(what, err);
  printf("TRIED %s %ld\n", what, tried);
  return 0;
}

static int deep_move(int create, const char *tree, const char *link_dir, const char *dest) {
  char link[PATH_MAX], moved[PATH_MAX];
  snprintf(link, sizeof link, "%s/l", link_dir);
  if (mkdirs(link_dir) != 0 || symlink(text, link) != 0) {
    printf("ERR deep-made %s\n", strerrorname_np(errno));
    return 0;
  }
  if (rename(tree, dest) != 0) {
    printf("ERR deep-rename %s\n", strerrorname_np(errno));
    return 0;
  }
  snprintf(moved, sizeof moved, "%s%s/l", dest, link_dir + strlen(tree));
  struct stat st;
  const char *what = create ? "deep-create" : "deep-read";
  int there = lstat(moved, &st) == 0;
  if (!try_link(what, moved, create)) refused(what, errno);
  printf("TRIED %s %d\n", what, there);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 7) return 2;
  int create = !strcmp(argv[2], "create");
  text = argv[3];
  if (!strcmp(argv[1], "rename-race")) return rename_race(create, argv[4], argv[5], atoi(argv[6]));
  if (!strcmp(argv[1], "deep-move")) return deep_move(create, argv[4], argv[5], argv[6]);
  return 2;
}
