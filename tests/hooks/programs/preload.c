/* preload: an LD_PRELOAD library whose constructor runs before the hooks are in; it reads
 * $ESCAPE_READ and creates $ESCAPE_CREATE with plain libc calls, printing OK/ERR lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void attempt(void) {
  const char *path = getenv("ESCAPE_READ"), *out = getenv("ESCAPE_CREATE");
  if (path) {
    int fd = open(path, O_RDONLY);
    char buf[128] = {0};
    if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0)
      printf("ERR preload-read %s\n", strerrorname_np(errno));
    else
      printf("OK preload-read %s\n", buf);
  }
  if (out) {
    int fd = open(out, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) printf("ERR preload-create %s\n", strerrorname_np(errno));
    else printf("OK preload-create\n");
  }
  fflush(stdout);
}
