/* unpatch: a program that takes the hooks out of its own libc, then tries the victim.
 *
 *   unpatch READ_PATH CREATE_PATH
 *
 * First makes CREATE_PATH through the hooks (redirected into the clone's store; prints
 * "OK hooked-create") and removes it again. Then copies libc's own bytes from disk (the
 * file its mapping came from) over the start of every open function, where the hooks
 * patched them, and prints "OK unpatched N" (N: functions whose bytes had been changed).
 * Then, with nothing in the process to redirect or refuse, opens READ_PATH and creates
 * CREATE_PATH: "OK unhooked-read value" / "OK unhooked-create" (it got through) or
 * "ERR unhooked-read|unhooked-create ERRNO_NAME" (the kernel held).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESTORED 64

static const char *const FUNCTIONS[] = {
    "open",       "open64",    "openat",      "openat64",     "__open_2", "__open64_2",
    "__openat_2", "__openat64_2", "creat",    "creat64",      "fopen",    "fopen64",
};

static void result(const char *what, int fd, int wrote) {
  if (fd < 0) {
    const char *name = strerrorname_np(errno);
    printf("ERR %s %s\n", what, name ? name : "UNKNOWN");
    return;
  }
  char buf[256] = {0};
  if (wrote) {
    printf("OK %s %zd\n", what, write(fd, "pwned\n", 6));
  } else {
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    printf("OK %s %s\n", what, buf);
  }
  close(fd);
}

/* The file offset of address rel (relative to the load base) in the ELF image at file. */
static long file_offset(const unsigned char *file, size_t size, uintptr_t rel) {
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
  if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return -1;
  for (int i = 0; i < eh->e_phnum; i++) {
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(file + eh->e_phoff + i * eh->e_phentsize);
    if (ph->p_type == PT_LOAD && rel >= ph->p_vaddr && rel + RESTORED <= ph->p_vaddr + ph->p_filesz)
      return (long)(rel - ph->p_vaddr + ph->p_offset);
  }
  return -1;
}

/* Puts back libc's bytes from disk at the start of each of FUNCTIONS; how many differed. */
static int unpatch(void) {
  Dl_info info;
  void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  if (!libc || !dladdr(dlsym(libc, "open"), &info)) return -1;
  int fd = open(info.dli_fname, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return -1;
  unsigned char *file = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (file == MAP_FAILED) return -1;
  long page = sysconf(_SC_PAGESIZE);
  int changed = 0;
  for (size_t i = 0; i < sizeof FUNCTIONS / sizeof *FUNCTIONS; i++) {
    unsigned char *at = dlsym(libc, FUNCTIONS[i]);
    if (!at) continue;
    long off = file_offset(file, st.st_size, (uintptr_t)(at - (unsigned char *)info.dli_fbase));
    if (off < 0) continue;
    if (memcmp(at, file + off, RESTORED) == 0) continue;
    uintptr_t start = (uintptr_t)at & ~(uintptr_t)(page - 1);
    size_t len = (uintptr_t)at + RESTORED - start;
    if (mprotect((void *)start, len, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) return -1;
    memcpy(at, file + off, RESTORED);
    mprotect((void *)start, len, PROT_READ | PROT_EXEC);
    changed++;
  }
  return changed;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc != 3) return 2;
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  result("hooked-create", fd, 1);
  unlink(argv[2]);
  int changed = unpatch();
  if (changed < 0) {
    printf("ERR unpatched %s\n", strerrorname_np(errno));
    return 1;
  }
  printf("OK unpatched %d\n", changed);
  result("unhooked-read", open(argv[1], O_RDONLY), 0);
  result("unhooked-create", open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
  return 0;
}
