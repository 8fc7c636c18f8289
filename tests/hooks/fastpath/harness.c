/*
 * Native harness of the agent's file-redirect fast path (hooks/agent/src/fastpath/redirect.c),
 * for tests/hooks/fastpath: the CModule source is compiled by gcc with AddressSanitizer and
 * UBSan, the externs the agent binds are implemented with libc, and the "kernel" is faked.
 *
 * stdin: batches of tab-separated lines, each batch ended by "sync" (the whole batch is read
 * before any of it runs, so a caller may write it in one go without reading in between):
 *
 *   policy ERRNO             reset all state, cs_set_sys, cs_init (index.ts loadTables order)
 *   rule VIRTUAL REAL        cs_add_rule
 *   deny PREFIX              cs_add_deny
 *   allow PREFIX             cs_add_allow
 *   load                     cs_prepare, cs_set_deny_errno
 *   case OP CWD PATH [EXTRA] one call, see run_placed; OP is one of
 *       open, execvp, fopen       cs_hook_path relative to the cwd (fopen: refusal returns 0;
 *                                 execvp: slash_only)
 *       opendir                   as fopen, but its original is bionic's: it calls the hooked
 *                                 open (cs_r_open) with the path it got, so what the kernel
 *                                 receives went through the hooks twice
 *       openat, openat-cwd        cs_hook_path on the dirfd DIRFD (whose directory is CWD)
 *                                 or on AT_FDCWD
 *       realpath, realpath-buf    cs_hook_realpath, resolved NULL or a caller's buffer
 *       readlinkN                 cs_hook_readlink into a caller's buffer of N bytes
 *       getcwd, getcwdN           cs_hook_getcwd: buf NULL and size 0, or a buffer of N bytes
 *
 * stdout: one line per "load" ("loaded") and per case, then "sync" per batch:
 *
 *   same                     the original was called with the caller's own path pointer
 *   path RECEIVED            the original was called with another string
 *   err ERRNO                refused without calling the original
 *   ... RESULT               (realpath, readlink) what the caller got back
 *   cwd VIRTUAL              (getcwd) what the caller got back
 *   ... FLAG                 a misused caller's buffer: caller's-path-changed,
 *                            not-the-caller's-buffer; any other first word: a harness complaint
 *
 * Each case runs twice: with its path ending right before a PROT_NONE page (an over-read
 * past the NUL faults even where ASan sees nothing, as with argv strings at the top of the
 * stack) and in an exact-size malloc block (ASan reports heap over-reads). Both runs must
 * print the same line, or "placement-differs" is printed.
 *
 * The fake kernel (the restrictions the test's model relies on):
 *  - getcwd returns the case's CWD: the *real* current directory, as the kernel reports it;
 *  - readlink knows no symlinks: it answers only the magic links /proc/{self,thread-self,N}/root
 *    (with "/", as for any process of the same mount namespace) and /proc/self/fd/DIRFD (with
 *    CWD: the directory "openat" is relative to); anything else fails with EINVAL, so ".."
 *    after a component never climbs through a symlink and /proc/self/cwd, /proc/self/fd/N and
 *    /dev/fd/N are plain names;
 *  - the originals record the path they receive and return a sentinel; realpath and readlink
 *    answer with EXTRA (the kernel's canonical result, the link's text).
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "redirect.c"

/* redirect.c names its state fields with short macros; keep them out of the harness */
#undef rv
#undef rvl
#undef rr
#undef rrl
#undef nrules
#undef dn
#undef dnl
#undef ndeny
#undef al
#undef all
#undef nallow
#undef interesting
#undef rsafe

#define DIRFD 777777
#define OPEN_RET 4242L
#define GUARD_SPAN (4 * 4096)

struct cs_state cs_st;
cs_fn6 cs_orig[8];

cs_size cs_strlen (const char * s) { return strlen (s); }
void * cs_memcpy (void * d, const void * s, cs_size n) { return memcpy (d, s, n); }
int cs_strncmp (const char * a, const char * b, cs_size n) { return strncmp (a, b, n); }
char * cs_strstr (const char * h, const char * n) { return strstr (h, n); }
void * cs_malloc (cs_size n) { return malloc (n); }
int * cs_errno_location (void) { return &errno; }
void * cs_opendir (const char * p) { return opendir (p); }
void * cs_readdir64 (void * d) { return readdir64 ((DIR *) d); }
int cs_closedir (void * d) { return closedir ((DIR *) d); }
/* one thread: the event ring's lock has nothing to exclude */
void g_mutex_lock (void * m) { (void) m; }
void g_mutex_unlock (void * m) { (void) m; }
/* the "inside realpath" flag (cs_raw): a real thread-specific value, as index.ts sets up */
void * cs_getspecific (unsigned int key) { return pthread_getspecific ((pthread_key_t) key); }
int cs_setspecific (unsigned int key, const void * v) { return pthread_setspecific ((pthread_key_t) key, v); }

/* the wrappers index.ts would append (see table.ts wrapperLine) */
CS_HOOK_PATH (open, 0, -1, 0, 0, 0)
CS_HOOK_PATH (openat, 1, 0, 1, 0, 0)
CS_HOOK_PATH (fopen, 2, -1, 0, 1, 0)
CS_HOOK_PATH (execvp, 3, -1, 0, 0, 1)
CS_HOOK_GETCWD (getcwd, 4)
CS_HOOK_REALPATH (realpath, 5)
CS_HOOK_READLINK (readlink, 6, -1, 0, 0)
CS_HOOK_PATH (opendir, 7, -1, 0, 1, 0)

/* -- the current case, as the fakes see it --------------------------------------------- */

static const char * case_cwd;
static const char * case_extra;
static int calls;
static const char * got_ptr;
static char * got;

static void
record_path (long p)
{
  calls++;
  got_ptr = (const char *) p;
  free (got);
  got = strdup ((const char *) p);
}

static long
fake_getcwd (long buf, long size, long a2, long a3, long a4, long a5)
{
  size_t n = strlen (case_cwd);
  (void) a2; (void) a3; (void) a4; (void) a5;
  if ((long) n + 1 > size)
  {
    errno = ERANGE;
    return 0;
  }
  memcpy ((char *) buf, case_cwd, n + 1);
  return buf;
}

static int
is_proc_root (const char * p)
{
  const char * s;
  size_t n;
  if (strncmp (p, "/proc/", 6) != 0)
    return 0;
  s = p + 6;
  n = strcspn (s, "/");
  if (strcmp (s + n, "/root") != 0)
    return 0;
  if ((n == 4 && strncmp (s, "self", 4) == 0) || (n == 11 && strncmp (s, "thread-self", 11) == 0))
    return 1;
  return n > 0 && strspn (s, "0123456789") == n;
}

static long
fake_readlink (long path, long buf, long size, long a3, long a4, long a5)
{
  char fd_link[64];
  const char * text = 0;
  size_t n;
  (void) a3; (void) a4; (void) a5;
  snprintf (fd_link, sizeof fd_link, "/proc/self/fd/%d", DIRFD);
  if (is_proc_root ((const char *) path))
    text = "/";
  else if (strcmp ((const char *) path, fd_link) == 0)
    text = case_cwd;
  if (text == 0)
  {
    errno = EINVAL;
    return -1;
  }
  n = strlen (text);
  if ((long) n > size)
    n = (size_t) size;
  memcpy ((char *) buf, text, n);
  return (long) n;
}

static long
fake_sys_realpath (long a0, long a1, long a2, long a3, long a4, long a5)
{
  (void) a0; (void) a1; (void) a2; (void) a3; (void) a4; (void) a5;
  fprintf (stderr, "harness: sys_realpath is not used by these wrappers\n");
  abort ();
}

static long
orig_open (long a0, long a1, long a2, long a3, long a4, long a5)
{
  (void) a1; (void) a2; (void) a3; (void) a4; (void) a5;
  record_path (a0);
  return OPEN_RET;
}

static long
orig_openat (long a0, long a1, long a2, long a3, long a4, long a5)
{
  (void) a2; (void) a3; (void) a4; (void) a5;
  if (a0 != DIRFD && a0 != CS_AT_FDCWD)
    abort ();
  record_path (a1);
  return OPEN_RET;
}

/* bionic's opendir (and fopen): the original calls the exported, hooked open with the path
 * it was given -- the translated one */
static long
bionic_opendir (long a0, long a1, long a2, long a3, long a4, long a5)
{
  (void) a1; (void) a2; (void) a3; (void) a4; (void) a5;
  return cs_r_open (a0, 0, 0, 0, 0, 0) == OPEN_RET ? OPEN_RET : 0;
}

static long
orig_realpath (long a0, long a1, long a2, long a3, long a4, long a5)
{
  (void) a2; (void) a3; (void) a4; (void) a5;
  record_path (a0);
  if (strlen (case_extra) >= CS_PMAX)
    abort ();
  strcpy ((char *) a1, case_extra);
  return a1;
}

static long
orig_readlink (long a0, long a1, long a2, long a3, long a4, long a5)
{
  size_t n = strlen (case_extra);
  (void) a3; (void) a4; (void) a5;
  record_path (a0);
  if ((long) n > a2)
    n = (size_t) a2;
  memcpy ((char *) a1, case_extra, n);
  return (long) n;
}

/* -- policy ----------------------------------------------------------------------------- */

static int policy_errno;
static char * owned[4 * CS_MAX_RULES];
static int nowned;

/* an exact-size heap copy the tables point into (ASan sees over-reads of rule strings) */
static const char *
keep (const char * s)
{
  if (nowned == (int) (sizeof owned / sizeof owned[0]))
    abort ();
  return owned[nowned++] = strdup (s);
}

static pthread_key_t raw_key;
static int have_raw_key;

static void
reset_policy (void)
{
  while (nowned > 0)
    free (owned[--nowned]);
  memset (&cs_st, 0, sizeof cs_st);
  cs_orig[0] = orig_open;
  cs_orig[1] = orig_openat;
  cs_orig[2] = orig_open;
  cs_orig[3] = orig_open;
  cs_orig[4] = fake_getcwd;
  cs_orig[5] = orig_realpath;
  cs_orig[6] = orig_readlink;
  cs_orig[7] = bionic_opendir;
  cs_set_sys ((void *) fake_getcwd, (void *) fake_readlink, (void *) fake_sys_realpath);
  cs_init ();
  if (!have_raw_key && pthread_key_create (&raw_key, 0) != 0)
    abort ();
  have_raw_key = 1;
  cs_set_raw_key ((long) raw_key);
}

/* -- cases ------------------------------------------------------------------------------ */

static char * guard_area;

/* a growing output line */
struct line
{
  char * s;
  size_t len, cap;
};

static void
putn (struct line * o, const char * s, size_t n)
{
  if (o->len + n + 1 > o->cap)
  {
    o->cap = (o->len + n + 1) * 2;
    o->s = realloc (o->s, o->cap);
  }
  memcpy (o->s + o->len, s, n);
  o->len += n;
  o->s[o->len] = 0;
}

static void
put (struct line * o, const char * s)
{
  putn (o, s, strlen (s));
}

/* what the original received, or the refusal */
static void
describe_call (struct line * o, const char * given, long ret, long ok_ret, long refused_ret, int err)
{
  char num[64];
  if (calls > 1)
    put (o, "called-twice");
  else if (calls == 0)
  {
    if (ret != refused_ret)
      snprintf (num, sizeof num, "bad-return %ld", ret);
    else
      snprintf (num, sizeof num, "err\t%d", err);
    put (o, num);
  }
  else if (ok_ret != 0 && ret != ok_ret)
  {
    snprintf (num, sizeof num, "bad-return %ld", ret);
    put (o, num);
  }
  else if (got_ptr == given)
    put (o, "same");
  else
  {
    put (o, "path\t");
    put (o, got);
  }
}

/* runs one case with `path` at `p` (the placement under test); returns the output line */
static char *
run_placed (const char * op, char * p, const char * path)
{
  struct line o = { 0, 0, 0 };
  long ret = 0;
  int err;
  calls = 0;
  got_ptr = 0;
  errno = 0;
  if (strcmp (op, "open") == 0 || strcmp (op, "execvp") == 0)
  {
    ret = strcmp (op, "open") == 0 ? cs_r_open ((long) p, 0, 0, 0, 0, 0)
                                   : cs_r_execvp ((long) p, 0, 0, 0, 0, 0);
    err = errno;
    describe_call (&o, p, ret, OPEN_RET, -1, err);
  }
  else if (strcmp (op, "openat") == 0 || strcmp (op, "openat-cwd") == 0)
  {
    long fd = strcmp (op, "openat") == 0 ? DIRFD : CS_AT_FDCWD;
    ret = cs_r_openat (fd, (long) p, 0, 0, 0, 0);
    err = errno;
    describe_call (&o, p, ret, OPEN_RET, -1, err);
  }
  else if (strcmp (op, "fopen") == 0 || strcmp (op, "opendir") == 0)
  {
    ret = strcmp (op, "fopen") == 0 ? cs_r_fopen ((long) p, (long) "r", 0, 0, 0, 0)
                                    : cs_r_opendir ((long) p, 0, 0, 0, 0, 0);
    err = errno;
    describe_call (&o, p, ret, OPEN_RET, 0, err);
  }
  else if (strcmp (op, "realpath") == 0 || strcmp (op, "realpath-buf") == 0)
  {
    char * buf = strcmp (op, "realpath") == 0 ? 0 : malloc (CS_PMAX);
    ret = cs_r_realpath ((long) p, (long) buf, 0, 0, 0, 0);
    err = errno;
    describe_call (&o, p, ret, 0, 0, err);
    if (calls == 1 && ret != 0)
    {
      if (buf != 0 && ret != (long) buf)
        put (&o, "\tnot-the-caller's-buffer");
      put (&o, "\t");
      put (&o, (const char *) ret);
      if (buf == 0)
        free ((void *) ret);
    }
    free (buf);
  }
  else if (strncmp (op, "readlink", 8) == 0)
  {
    long size = strtol (op + 8, 0, 10); /* "readlink7": the caller's buffer holds 7 bytes */
    char * buf = malloc ((size_t) size);
    ret = cs_r_readlink ((long) p, (long) buf, size, 0, 0, 0);
    err = errno;
    describe_call (&o, p, ret, 0, -1, err);
    if (calls == 1 && ret >= 0)
    {
      put (&o, "\t");
      putn (&o, buf, (size_t) ret);
    }
    free (buf);
  }
  else if (strncmp (op, "getcwd", 6) == 0)
  {
    /* "getcwd": buf NULL, size 0 (malloc'd); "getcwdN": a caller's buffer of N bytes */
    long size = strtol (op + 6, 0, 10);
    char * buf = size > 0 ? malloc ((size_t) size) : 0;
    ret = cs_r_getcwd ((long) buf, size, 0, 0, 0, 0);
    err = errno;
    if (ret == 0)
    {
      char num[32];
      snprintf (num, sizeof num, "err\t%d", err);
      put (&o, num);
    }
    else
    {
      put (&o, "cwd\t");
      put (&o, (const char *) ret);
      if (buf != 0 && ret != (long) buf)
        put (&o, "\tnot-the-caller's-buffer");
    }
    if (buf == 0 && ret != 0)
      free ((void *) ret);
    free (buf);
  }
  else
  {
    fprintf (stderr, "harness: unknown op %s\n", op);
    exit (2);
  }
  if (strcmp (p, path) != 0)
    put (&o, "\tcaller's-path-changed");
  put (&o, "");
  return o.s;
}

static void
run_case (const char * op, const char * cwd, const char * path, const char * extra)
{
  size_t n = strlen (path);
  char * guarded, * heap, * a, * b;
  if (n + 1 > GUARD_SPAN - 4096)
  {
    fprintf (stderr, "harness: path of %zu bytes is longer than the guarded area\n", n);
    exit (2);
  }
  case_cwd = cwd;
  case_extra = extra;
  guarded = guard_area + (GUARD_SPAN - 4096) - (n + 1);
  memcpy (guarded, path, n + 1);
  a = run_placed (op, guarded, path);
  heap = malloc (n + 1);
  memcpy (heap, path, n + 1);
  b = run_placed (op, heap, path);
  free (heap);
  if (strcmp (a, b) != 0)
    printf ("placement-differs\t%s\t%s\n", a, b);
  else
    printf ("%s\n", a);
  free (a);
  free (b);
}

/* splits line at tabs into at most max fields; returns how many */
static int
split (char * line, char ** f, int max)
{
  int n = 0;
  f[n++] = line;
  for (char * s = line; *s != 0 && n < max; s++)
    if (*s == '\t')
    {
      *s = 0;
      f[n++] = s + 1;
    }
  return n;
}

static void
run_line (char * line)
{
  char * f[5];
  int n = split (line, f, 5);
  if (strcmp (f[0], "policy") == 0 && n == 2)
  {
    reset_policy ();
    policy_errno = atoi (f[1]);
  }
  else if (strcmp (f[0], "rule") == 0 && n == 3)
  {
    if (cs_add_rule (keep (f[1]), keep (f[2])) != 0)
      printf ("table-full\n");
  }
  else if (strcmp (f[0], "deny") == 0 && n == 2)
  {
    if (cs_add_deny (keep (f[1])) != 0)
      printf ("table-full\n");
  }
  else if (strcmp (f[0], "allow") == 0 && n == 2)
  {
    if (cs_add_allow (keep (f[1])) != 0)
      printf ("table-full\n");
  }
  else if (strcmp (f[0], "load") == 0 && n == 1)
  {
    cs_prepare ();
    cs_set_deny_errno (policy_errno);
    printf ("loaded\n");
  }
  else if (strcmp (f[0], "case") == 0 && (n == 4 || n == 5))
    run_case (f[1], f[2], f[3], n == 5 ? f[4] : "");
  else
  {
    fprintf (stderr, "harness: bad line %s\n", f[0]);
    exit (2);
  }
}

int
main (void)
{
  char ** batch = 0;
  size_t nbatch = 0, capbatch = 0, linecap = 0;
  char * line = 0;
  ssize_t got_len;
  setvbuf (stdout, 0, _IOLBF, 0); /* a crash still leaves the lines of the cases before it */
  guard_area = mmap (0, GUARD_SPAN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (guard_area == MAP_FAILED || mprotect (guard_area + GUARD_SPAN - 4096, 4096, PROT_NONE) != 0)
  {
    perror ("harness: guard page");
    return 2;
  }
  reset_policy ();
  while ((got_len = getline (&line, &linecap, stdin)) >= 0)
  {
    if (got_len > 0 && line[got_len - 1] == '\n')
      line[--got_len] = 0;
    if (strcmp (line, "sync") != 0)
    {
      if (nbatch == capbatch)
        batch = realloc (batch, (capbatch = capbatch * 2 + 64) * sizeof *batch);
      batch[nbatch++] = strdup (line);
      continue;
    }
    for (size_t i = 0; i < nbatch; i++)
    {
      run_line (batch[i]);
      free (batch[i]);
    }
    nbatch = 0;
    printf ("sync\n");
  }
  free (line);
  free (batch);
  free (got);
  reset_policy ();
  return 0;
}
