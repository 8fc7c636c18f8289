/*
 * Clonespace file-redirect fast path (Frida CModule, compiled by TinyCC in the process).
 *
 * Per call: make the path absolute (virtual cwd or the dirfd's directory mapped back to
 * virtual), canonicalise lexically, longest-prefix match virtual -> real, deny check on the
 * real path, then call the original. Paths that cannot concern the policy (absolute, first
 * character not in `interesting`, no "/..") go straight to the original.
 *
 * The per-function wrappers (cs_r_<name>) are appended by the agent at run time with the
 * CS_HOOK_* macros below, one per libc export that exists in the process.
 */

typedef long (*cs_fn6) (long, long, long, long, long, long);
typedef unsigned long cs_size;

#define CS_PMAX 4096
#define CS_MAX_RULES 64
#define CS_AT_FDCWD (-100)
#define CS_ERANGE 34
#define CS_ENAMETOOLONG 36
#define CS_EV_REDIRECT 1
#define CS_EV_DENY 2
#define CS_EV_SPOOF 3
/* each field of struct utsname on Linux (glibc and bionic); nodename is the second */
#define CS_UTS_LENGTH 65
#define CS_RING 512
#define CS_EV_PATH 256

/* one event as the agent reads it: fixed layout, no pointers */
struct cs_event
{
  int kind;
  char op[28];
  char path[CS_EV_PATH];
  char real[CS_EV_PATH];
};

extern void g_mutex_lock (void * mutex);
extern void g_mutex_unlock (void * mutex);

/* provided by the agent through CModule symbols */
extern int * cs_errno_location (void);
extern void * cs_malloc (cs_size n);
extern void * cs_memcpy (void * d, const void * s, cs_size n);

/*
 * All mutable state lives in memory the agent allocates and passes in as symbols
 * (the module's own image is not writable).
 */
struct cs_state
{
  cs_fn6 sys_getcwd;
  cs_fn6 sys_readlink;
  cs_fn6 sys_realpath;
  long trace;
  long dropped;
  long nevents;
  long mutex[4];
  struct cs_event events[CS_RING];
  long deny_errno;
  long count_redirect;
  long count_deny;
  long nrules;
  long ndeny;
  long nallow;
  const char * rv[CS_MAX_RULES];
  long rvl[CS_MAX_RULES];
  const char * rr[CS_MAX_RULES];
  long rrl[CS_MAX_RULES];
  const char * dn[CS_MAX_RULES];
  long dnl[CS_MAX_RULES];
  const char * al[CS_MAX_RULES];
  long all[CS_MAX_RULES];
  long rsafe[CS_MAX_RULES];
  unsigned char interesting[256];
  long raw_key; /* 1 + the pthread key of the "inside realpath" flag; 0: none */
  /* the host run that loaded the agent (host_gone); pid 0: none */
  long host_pid;
  long host_start;
  cs_fn6 host_open;
  cs_fn6 host_read;
  cs_fn6 host_close;
  /* the clone's host name (cs_set_hostname); length 0: the real one */
  long hostname_len;
  char hostname[CS_UTS_LENGTH];
};

extern struct cs_state cs_st;
extern cs_fn6 cs_orig[];

#define cs_sys_getcwd cs_st.sys_getcwd
#define cs_sys_readlink cs_st.sys_readlink
#define cs_sys_realpath cs_st.sys_realpath
#define cs_deny_errno cs_st.deny_errno
#define cs_count_redirect cs_st.count_redirect
#define cs_count_deny cs_st.count_deny
#define rv cs_st.rv
#define rvl cs_st.rvl
#define rr cs_st.rr
#define rrl cs_st.rrl
#define nrules cs_st.nrules
#define dn cs_st.dn
#define dnl cs_st.dnl
#define ndeny cs_st.ndeny
#define al cs_st.al
#define all cs_st.all
#define nallow cs_st.nallow
#define interesting cs_st.interesting
#define rsafe cs_st.rsafe

long
cs_state_size (void)
{
  return sizeof (struct cs_state);
}

void
cs_set_sys (void * getcwd_fn, void * readlink_fn, void * realpath_fn)
{
  cs_sys_getcwd = (cs_fn6) getcwd_fn;
  cs_sys_readlink = (cs_fn6) readlink_fn;
  cs_sys_realpath = (cs_fn6) realpath_fn;
}

void
cs_set_trace (int on)
{
  cs_st.trace = on;
}

/*
 * The host run's process (hooks/agent/src/host.ts), for the exec family: a process whose
 * agent is eternal outlives its session when the host dies, hooks and all, until the
 * agent's watch on the host ends it (host.ts, watchHost: every 200 ms), but a program it
 * starts would get no agent (the gating went with the session), so it starts none. The
 * functions come as pointers (libc's, open's original), not as module symbols.
 */
void
cs_set_host (long pid, long start, void * open_fn, void * read_fn, void * close_fn)
{
  cs_st.host_open = (cs_fn6) open_fn;
  cs_st.host_read = (cs_fn6) read_fn;
  cs_st.host_close = (cs_fn6) close_fn;
  cs_st.host_start = start;
  cs_st.host_pid = pid;
}

#define CS_O_RDONLY_CLOEXEC 0x80000
#define CS_PF_EXITING 0x4
#define CS_EPERM 1

/* /proc/<pid>/stat into buf (cap bytes, NUL-terminated); its length, or -1 */
static long
read_stat (long pid, char * buf, long cap)
{
  char path[40], digits[24];
  long fd, n;
  int i = 6, k = 0;
  /* no initialiser: a compiler may make that a call to memcpy, which a module built ahead
   * of time has nobody to resolve (see cs_drain) */
  cs_memcpy (path, "/proc/", 6);
  if (pid < 0)
    cs_memcpy (path + i, "self", 4), i += 4;
  else
  {
    do
      digits[k++] = (char) ('0' + pid % 10);
    while ((pid /= 10) > 0);
    while (k > 0)
      path[i++] = digits[--k];
  }
  cs_memcpy (path + i, "/stat", 6);
  fd = cs_st.host_open ((long) path, CS_O_RDONLY_CLOEXEC, 0, 0, 0, 0);
  if (fd < 0)
    return -1;
  n = cs_st.host_read (fd, (long) buf, cap - 1, 0, 0, 0);
  cs_st.host_close (fd, 0, 0, 0, 0, 0);
  if (n <= 0)
    return -1;
  buf[n] = 0;
  return n;
}

/* as host.ts's hostGone: dead, a zombie, exiting, or its pid now another process's. When
 * /proc cannot be read at all (not even this process's own entry) nothing can be told:
 * not gone (the agent's timer still watches, host.ts) */
static int
host_gone (void)
{
  char buf[1024];
  const char * s = 0, * q;
  long n, flags = 0, start = 0;
  int field = 0;
  char state;
  if (cs_st.host_pid <= 0)
    return 0;
  n = read_stat (cs_st.host_pid, buf, sizeof (buf));
  if (n < 0)
    return read_stat (-1, buf, sizeof (buf)) >= 0;
  for (q = buf; *q != 0; q++)
    if (*q == ')')
      s = q;
  if (s == 0 || s[1] != ' ')
    return 1;
  s += 2;
  state = s[0];
  for (q = s; *q != 0 && field < 19; q++)
  {
    if (*q != ' ')
      continue;
    field++;
    if (field == 6)
      for (flags = 0, s = q + 1; *s >= '0' && *s <= '9'; s++)
        flags = flags * 10 + (*s - '0');
    if (field == 19)
      for (start = 0, s = q + 1; *s >= '0' && *s <= '9'; s++)
        start = start * 10 + (*s - '0');
  }
  return state == 'Z' || state == 'X' || (flags & CS_PF_EXITING) != 0 || field < 19 ||
      start != cs_st.host_start;
}

/*
 * Before any exec or spawn: with the host gone, it fails (EPERM) and no program starts
 * without the hooks. Failing, not killing this process: the exec family is replaced through
 * Gum, which keeps per-thread state of the call in progress, and a vfork child (dash starts
 * commands so) shares its parent's memory: one that died inside the replacement left the
 * parent's thread marked as inside it, and the parent's next child then reached the
 * original execve unchecked (seen here).
 */
static void set_errno (int e);

static int
host_refuses (void)
{
  if (!host_gone ())
    return 0;
  set_errno (CS_EPERM);
  return 1;
}

static void
copy_trunc (char * d, const char * s, int cap)
{
  int i;
  for (i = 0; i < cap - 1 && s[i] != 0; i++)
    d[i] = s[i];
  d[i] = 0;
}

static void
record (int kind, const char * op, const char * path, const char * real)
{
  struct cs_event * e;
  g_mutex_lock (cs_st.mutex);
  if (cs_st.nevents == CS_RING)
  {
    cs_st.dropped++;
    g_mutex_unlock (cs_st.mutex);
    return;
  }
  e = &cs_st.events[cs_st.nevents++];
  e->kind = kind;
  copy_trunc (e->op, op, sizeof (e->op));
  copy_trunc (e->path, path, CS_EV_PATH);
  copy_trunc (e->real, real, CS_EV_PATH);
  g_mutex_unlock (cs_st.mutex);
}

/* moves up to `max` recorded events to `out`; returns how many */
int
cs_drain (struct cs_event * out, int max)
{
  int n, i;
  g_mutex_lock (cs_st.mutex);
  n = (int) cs_st.nevents;
  if (n > max)
    n = max;
  /* cs_memcpy, not struct assignment: a compiler may turn that into a call to memcpy, which
   * a module built ahead of time has nobody to resolve (gcc does for arm and arm64) */
  for (i = 0; i < n; i++)
    cs_memcpy (&out[i], &cs_st.events[i], sizeof (struct cs_event));
  for (i = n; i < cs_st.nevents; i++)
    cs_memcpy (&cs_st.events[i - n], &cs_st.events[i], sizeof (struct cs_event));
  cs_st.nevents -= n;
  g_mutex_unlock (cs_st.mutex);
  return n;
}

long
cs_event_size (void)
{
  return sizeof (struct cs_event);
}

void
cs_set_deny_errno (int e)
{
  cs_deny_errno = e;
}

long
cs_count (int which)
{
  return which == 2 ? cs_count_deny : which == 3 ? cs_st.dropped : cs_count_redirect;
}

/* libc's optimised string functions (TinyCC's own loops are slow); cs_memcpy is above */
extern cs_size cs_strlen (const char * s);
/* strncmp, not memcmp: a path shorter than the prefix may end just before an unmapped page
 * (argv and environ strings sit at the very top of the stack), and memcmp may read all n
 * bytes of both; strncmp stops at the path's NUL */
extern int cs_strncmp (const char * a, const char * b, cs_size n);
extern char * cs_strstr (const char * haystack, const char * needle);
extern void * cs_opendir (const char * path);
extern void * cs_readdir64 (void * dir);
extern int cs_closedir (void * dir);
extern void * cs_getspecific (unsigned int key);
extern int cs_setspecific (unsigned int key, const void * value);

void
cs_set_raw_key (long key)
{
  cs_st.raw_key = key + 1;
}

/*
 * Whether this thread runs inside the original realpath(). glibc's (and bionic's before
 * Android 11) walks the real path a component at a time with getcwd, lstat and readlink,
 * all hooked: the ancestors of a real root that lies under its own virtual prefix
 * (.../P/clonespace, .../P/clonespace/N) would be rewritten into the clone's root and not
 * found, and getcwd would answer the virtual cwd. realpath runs no code of the caller's, so
 * its inner calls go to the originals untouched; the outer call judged the path and maps the
 * result back.
 */
static int
cs_raw (void)
{
  return cs_st.raw_key != 0 && cs_getspecific ((unsigned int) (cs_st.raw_key - 1)) != 0;
}

static void
cs_set_raw (int on)
{
  if (cs_st.raw_key != 0)
    cs_setspecific ((unsigned int) (cs_st.raw_key - 1), on ? (const void *) 1 : (const void *) 0);
}

#define cs_len(s) ((int) cs_strlen (s))
#define cs_copy(d, s, n) cs_memcpy ((d), (s), (cs_size) (n))

static void
mark_interesting (const char * p)
{
  int c;
  /* the prefix "/" (a deny of everything but the allowed) concerns every path: without this,
   * "/etc/passwd" went through untouched unless some rule started with 'e'
   * (found by tests/hooks/fastpath) */
  if (p[1] == 0)
    for (c = 1; c < 256; c++)
      interesting[c] = 1;
  interesting[(unsigned char) p[1]] = 1;
}

int
cs_add_rule (const char * virt, const char * real)
{
  if (nrules == CS_MAX_RULES)
    return -1;
  rv[nrules] = virt; rvl[nrules] = cs_len (virt);
  rr[nrules] = real; rrl[nrules] = cs_len (real);
  mark_interesting (virt);
  nrules++;
  return 0;
}

int
cs_add_deny (const char * p)
{
  if (ndeny == CS_MAX_RULES)
    return -1;
  dn[ndeny] = p; dnl[ndeny] = cs_len (p);
  mark_interesting (p);
  ndeny++;
  return 0;
}

int
cs_add_allow (const char * p)
{
  if (nallow == CS_MAX_RULES)
    return -1;
  al[nallow] = p; all[nallow] = cs_len (p);
  nallow++;
  return 0;
}

void
cs_init (void)
{
  interesting['/'] = 1;
  interesting['.'] = 1;
  interesting['p'] = 1; /* /proc/self/root, /proc/<pid>/root */
  interesting[0] = 0;
}

static void
set_errno (int e)
{
  *cs_errno_location () = e;
}

/* prefix p (length n) of s at a component boundary */
static int
has_prefix (const char * s, const char * p, int n)
{
  if (n == 1 && p[0] == '/')
    return 1;
  if (s[1] != p[1] || cs_strncmp (s, p, n) != 0)
    return 0;
  return s[n] == 0 || s[n] == '/';
}

/* the per-call hot path sits together at the end of this file, next to the wrappers the
 * agent appends (fewer code pages touched per call) */
static int clean_len (const char * p);
static int quick_unrelated (const char * p);
static int longest (const char * s, const char ** pre, const long * lens, long count, int * which);
static int forward (const char * s, int * which);
static int denied (const char * real);
static int swap_prefix (const char * s, int slen, int plen, const char * to, int tlen, char * out);
static void report (int kind, const char * op, const char * path, const char * real);
static int translate_core (const char * op, int dirfd, const char * path, char * v, char * r,
                           int ancestor_ok);
static int keep_dir (const char * path, char * r);
static int bare_len (const char * r);

static int is_digits (const char * s, int n);

/* out[0..o) is a /proc magic link: /proc/P/root, /proc/P/cwd or /proc/P/fd/N, with P one of
 * self, thread-self or a pid */
static int
is_magic (const char * out, int o)
{
  int i = 6, n = 0, k;
  if (o > 8 && out[1] == 'd' && out[2] == 'e' && out[3] == 'v' && out[4] == '/' && out[5] == 'f' &&
      out[6] == 'd' && out[7] == '/' && is_digits (out + 8, o - 8))
    return 1; /* /dev/fd/N */
  if (o < 11 || out[0] != '/' || out[1] != 'p' || out[2] != 'r' || out[3] != 'o' ||
      out[4] != 'c' || out[5] != '/')
    return 0;
  while (i + n < o && out[i + n] != '/')
    n++;
  if (!((n == 4 && out[i] == 's' && out[i + 1] == 'e' && out[i + 2] == 'l' && out[i + 3] == 'f') ||
        (n == 11 && out[i] == 't' && out[i + 7] == 's') || is_digits (out + i, n)))
    return 0;
  i += n + 1;
  k = o - i;
  if (k == 4 && out[i] == 'r' && out[i + 1] == 'o' && out[i + 2] == 'o' && out[i + 3] == 't')
    return 1;
  if (k == 3 && out[i] == 'c' && out[i + 1] == 'w' && out[i + 2] == 'd')
    return 1;
  if (k > 3 && out[i] == 'f' && out[i + 1] == 'd' && out[i + 2] == '/' && is_digits (out + i + 3, k - 3))
    return 1;
  return 0;
}

/* replaces the magic link out[0..o) by where the kernel takes it; returns the new length */
static int
follow_magic (char * out, int o)
{
  char target[CS_PMAX];
  long n;
  out[o] = 0;
  n = cs_sys_readlink ((long) out, (long) target, CS_PMAX - 1, 0, 0, 0);
  if (n <= 0 || target[0] != '/')
    return o;
  while (n > 1 && target[n - 1] == '/')
    n--;
  cs_copy (out, target, (int) n);
  return n == 1 ? 1 : (int) n;
}

#define CS_MAX_LINK_DEPTH 4

static int canon_d (const char * in, char * out, int depth);

/*
 * ".." after a symlink climbs from where the link points, not lexically: if out[0..o) (a
 * virtual or real path) names a symlink in the real tree, out becomes its canonical target.
 * Returns the new length, or o when it is no symlink.
 */
static int
follow_link (char * out, int o, int depth)
{
  char a[CS_PMAX], b[CS_PMAX];
  int w, n, k;
  long t;
  out[o] = 0;
  n = forward (out, &w);
  if (n >= 0 && n > 1)
  {
    if (rrl[w] + o - n + 1 >= CS_PMAX)
      return o;
    cs_copy (a, rr[w], (int) rrl[w]);
    cs_copy (a + rrl[w], out + n, o - n + 1);
  }
  else
    cs_copy (a, out, o + 1);
  t = cs_sys_readlink ((long) a, (long) b, CS_PMAX - 1, 0, 0, 0);
  if (t <= 0)
    return o;
  b[t] = 0;
  if (b[0] != '/')
  {
    k = cs_len (a);
    while (k > 1 && a[k - 1] != '/')
      k--;
    if (k + t + 1 >= CS_PMAX)
      return o;
    cs_copy (a + k, b, (int) t + 1);
  }
  else
    cs_copy (a, b, (int) t + 1);
  n = canon_d (a, out, depth + 1);
  return n < 0 ? o : n;
}

/* canonicalise absolute path `in` into `out` (CS_PMAX). returns length or -1 */
static int
canon (const char * in, char * out)
{
  return canon_d (in, out, 0);
}

static int
canon_d (const char * in, char * out, int depth)
{
  int o = 0, i = 0;
  out[0] = '/';
  o = 1;
  for (;;)
  {
    int start, n;
    while (in[i] == '/')
      i++;
    if (in[i] == 0)
      break;
    start = i;
    while (in[i] != 0 && in[i] != '/')
      i++;
    n = i - start;
    if (n == 1 && in[start] == '.')
      continue;
    if (n == 2 && in[start] == '.' && in[start + 1] == '.')
    {
      if (o > 1 && depth < CS_MAX_LINK_DEPTH)
        o = follow_link (out, o, depth);
      while (o > 1 && out[o - 1] != '/')
        o--;
      if (o > 1)
        o--;
      continue;
    }
    if (o + n + 2 >= CS_PMAX)
      return -1;
    if (o > 1)
      out[o++] = '/';
    cs_copy (out + o, in + start, n);
    o += n;
    if (is_magic (out, o))
      o = follow_magic (out, o);
  }
  out[o] = 0;
  return o;
}

static int
is_digits (const char * s, int n)
{
  int i;
  if (n == 0)
    return 0;
  for (i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

/* strip /proc/self/root, /proc/thread-self/root, /proc/<pid>/root (repeatedly); in place */
static int
strip_proc_root (char * p, int len)
{
  for (;;)
  {
    int i, n;
    if (len < 6 || !has_prefix (p, "/proc", 5))
      return len;
    i = 6;
    n = 0;
    while (p[i + n] != 0 && p[i + n] != '/')
      n++;
    if (!((n == 4 && has_prefix (p + 5, "/self", 5)) ||
          (n == 11 && has_prefix (p + 5, "/thread-self", 12)) || is_digits (p + 6, n)))
      return len;
    i += n;
    if (!has_prefix (p + i, "/root", 5))
      return len;
    i += 5;
    if (p[i] == 0)
    {
      p[0] = '/'; p[1] = 0;
      return 1;
    }
    cs_copy (p, p + i, len - i + 1);
    len -= i;
  }
}

/*
 * After the tables are loaded: rule k is "safe" when no path under its real root can be
 * denied, i.e. the root itself is not denied and no deny prefix lies strictly below it
 * (then the deny prefixes that match root/rest are exactly those that match root, and the
 * allow prefixes matching root still match root/rest). The hot path skips the deny check
 * for such rules.
 */
void
cs_prepare (void)
{
  int k, j;
  for (k = 0; k < nrules; k++)
  {
    rsafe[k] = !denied (rr[k]);
    for (j = 0; j < ndeny; j++)
      if (dnl[j] > rrl[k] && has_prefix (dn[j], rr[k], (int) rrl[k]))
        rsafe[k] = 0;
  }
}

/* a proper ancestor of an allow prefix (e.g. the stores' directory): libc's realpath() walks
 * through it with readlink(), which reveals nothing (EINVAL for a directory) */
static int
allow_ancestor (const char * real)
{
  int k, n = cs_len (real);
  for (k = 0; k < nallow; k++)
    if (all[k] > n && has_prefix (al[k], real, n) && al[k][n] == '/')
      return 1;
  return 0;
}

/* real -> virtual, into out. returns 1 if mapped */
static int
map_back (const char * real, char * out)
{
  int w, len = cs_len (real), n = longest (real, rr, rrl, nrules, &w);
  if (n < 0 || swap_prefix (real, len, n, rv[w], (int) rvl[w], out) < 0)
  {
    if (len >= CS_PMAX)
      len = CS_PMAX - 1;
    cs_copy (out, real, len);
    out[len] = 0;
    return 0;
  }
  return 1;
}

static char *
fmt_fd (char * b, int fd)
{
  char digits[16];
  int n = 0, i = 0;
  cs_copy (b, "/proc/self/fd/", 14);
  i = 14;
  if (fd == 0)
    digits[n++] = '0';
  while (fd > 0)
  {
    digits[n++] = (char) ('0' + fd % 10);
    fd /= 10;
  }
  while (n > 0)
    b[i++] = digits[--n];
  b[i] = 0;
  return b;
}

/* the virtual directory a relative path is resolved against; -1 on failure (errno set) */
static int
base_dir (int dirfd, char * out)
{
  char tmp[CS_PMAX];
  long n;
  if (dirfd == CS_AT_FDCWD)
  {
    if (cs_sys_getcwd ((long) tmp, CS_PMAX, 0, 0, 0, 0) == 0)
      return -1;
  }
  else
  {
    char link[32];
    n = cs_sys_readlink ((long) fmt_fd (link, dirfd), (long) tmp, CS_PMAX - 1, 0, 0, 0);
    if (n < 0)
    {
      set_errno (9); /* EBADF */
      return -1;
    }
    tmp[n] = 0;
    if (tmp[0] != '/')
    {
      set_errno (20); /* ENOTDIR: not a directory fd (pipe:, socket:) */
      return -1;
    }
  }
  map_back (tmp, out);
  return 0;
}

/* absolute canonical virtual path of (dirfd, path) into v; length or -1 (errno set) */
static int
to_virtual (int dirfd, const char * path, char * v)
{
  char joined[CS_PMAX];
  int len, n;
  if (path[0] == '/')
  {
    if (canon (path, v) < 0)
    {
      set_errno (CS_ENAMETOOLONG);
      return -1;
    }
    return strip_proc_root (v, cs_len (v));
  }
  if (base_dir (dirfd, joined) < 0)
    return -1;
  len = cs_len (joined);
  n = cs_len (path);
  if (len + n + 2 >= CS_PMAX)
  {
    set_errno (CS_ENAMETOOLONG);
    return -1;
  }
  joined[len] = '/';
  cs_copy (joined + len + 1, path, n + 1);
  if (canon (joined, v) < 0)
  {
    set_errno (CS_ENAMETOOLONG);
    return -1;
  }
  return strip_proc_root (v, cs_len (v));
}

static int
translate_ex (const char * op, int dirfd, const char * path, char * v, char * r, int ancestor_ok)
{
  if (path == 0 || path[0] == 0 || quick_unrelated (path))
    return 0;
  return translate_core (op, dirfd, path, v, r, ancestor_ok);
}

static int
translate (const char * op, int dirfd, const char * path, char * v, char * r)
{
  return translate_ex (op, dirfd, path, v, r, 0);
}

#define CS_CALL(o, a) (o) (a[0], a[1], a[2], a[3], a[4], a[5])

#define CS_SCAN_MAX 1024
#define CS_SCAN_DEPTH 6
#define CS_DT_DIR 4
#define CS_DT_LNK 10
#define CS_DIRENT_TYPE 18 /* struct dirent64: d_ino, d_off (8 bytes each), d_reclen (2) */
#define CS_DIRENT_NAME 19

static int resolve_beside (const char * p, const char * t, char * out);
static int magic_text (const char * t);

/* would a symlink with this text, standing at at_real (seen by the program as at_virt),
 * lead the kernel into a denied place? */
static int
link_escapes (const char * text, const char * at_real, const char * at_virt)
{
  char a[CS_PMAX], b[CS_PMAX];
  int w, n;
  if (magic_text (text))
    return 1;
  if (text[0] == '/' ? canon (text, a) < 0 : resolve_beside (at_real, text, a) < 0)
    return 1;
  if (denied (a))
    return 1;
  if (text[0] != '/' && resolve_beside (at_virt, text, a) < 0)
    return 1;
  n = forward (a, &w);
  if (n >= 0 && (swap_prefix (a, cs_len (a), n, rr[w], (int) rrl[w], b) < 0 || denied (b)))
    return 1;
  return 0;
}

static int
join_name (char * out, const char * dir, const char * name)
{
  int d = cs_len (dir), n = cs_len (name);
  if (d + n + 2 >= CS_SCAN_MAX)
    return -1;
  cs_copy (out, dir, d);
  out[d] = '/';
  cs_copy (out + d + 1, name, n + 1);
  return 0;
}

/*
 * A symlink made where its text was harmless, then renamed or linked elsewhere (alone or in
 * a directory): checks every symlink moved, from where it will stand. 1: refuse.
 */
static int
moved_escapes (const char * src, const char * dst, const char * dstv, int depth)
{
  char text[CS_SCAN_MAX], s2[CS_SCAN_MAX], d2[CS_SCAN_MAX], v2[CS_SCAN_MAX];
  long t = cs_sys_readlink ((long) src, (long) text, CS_SCAN_MAX - 1, 0, 0, 0);
  void * dir;
  void * e;
  int bad = 0;
  if (t >= 0)
  {
    text[t] = 0;
    return link_escapes (text, dst, dstv);
  }
  if (depth >= CS_SCAN_DEPTH || (dir = cs_opendir (src)) == 0)
    return 0;
  while (!bad && (e = cs_readdir64 (dir)) != 0)
  {
    const char * name = (const char *) e + CS_DIRENT_NAME;
    unsigned char type = *((unsigned char *) e + CS_DIRENT_TYPE);
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
      continue;
    if (type != CS_DT_DIR && type != CS_DT_LNK && type != 0)
      continue;
    if (join_name (s2, src, name) < 0 || join_name (d2, dst, name) < 0 || join_name (v2, dstv, name) < 0)
      bad = 1;
    else
      bad = moved_escapes (s2, d2, v2, depth + 1);
  }
  cs_closedir (dir);
  return bad;
}

/* two path arguments (rename, link): (d1, p1) and (d2, p2) */
long
cs_hook_path2 (cs_fn6 orig, const char * op, long * a, int d1, int p1, int d2, int p2)
{
  char v1[CS_PMAX], v2[CS_PMAX], r1[CS_PMAX], r2[CS_PMAX];
  int t1, t2;
  const char * p = (const char *) a[p1];
  const char * q = (const char *) a[p2];
  t1 = translate (op, d1 < 0 ? CS_AT_FDCWD : (int) a[d1], p, v1, r1);
  if (t1 < 0)
    return -1;
  t2 = translate (op, d2 < 0 ? CS_AT_FDCWD : (int) a[d2], q, v2, r2);
  if (t2 < 0)
    return -1;
  if (p != 0 && q != 0 && p[0] != 0 && q[0] != 0 &&
      to_virtual (d1 < 0 ? CS_AT_FDCWD : (int) a[d1], p, v1) >= 0 &&
      to_virtual (d2 < 0 ? CS_AT_FDCWD : (int) a[d2], q, v2) >= 0)
  {
    /* judged on the canonical paths: r1, r2 without their keep_dir suffixes */
    char * src = t1 == 1 ? r1 : v1, * dst = t2 == 1 ? r2 : v2;
    int sn = bare_len (src), dl = bare_len (dst), bad;
    char sc = src[sn], dc = dst[dl];
    src[sn] = 0;
    dst[dl] = 0;
    bad = moved_escapes (src, dst, v2, 0);
    src[sn] = sc;
    dst[dl] = dc;
    if (bad)
    {
      report (CS_EV_DENY, op, p, dst);
      set_errno (cs_deny_errno);
      return -1;
    }
  }
  if (t1 == 1)
    a[p1] = (long) r1;
  if (t2 == 1)
    a[p2] = (long) r2;
  return CS_CALL (orig, a);
}

/* the directory part of canonical absolute p (or of one translate handed over: its keep_dir
 * suffix aside), joined with relative t, canonicalised */
static int
resolve_beside (const char * p, const char * t, char * out)
{
  char j[CS_PMAX];
  int n = bare_len (p), m = cs_len (t);
  while (n > 1 && p[n - 1] != '/')
    n--;
  if (n + m + 2 >= CS_PMAX)
    return -1;
  cs_copy (j, p, n);
  j[n] = '/';
  cs_copy (j + n + 1, t, m + 1);
  if (canon (j, out) < 0)
    return -1;
  return strip_proc_root (out, cs_len (out));
}

static int
starts (const char * s, const char * w)
{
  while (*w != 0)
    if (*s++ != *w++)
      return 0;
  return 1;
}

/* a link text that goes through a magic link (/proc/P/cwd, /proc/P/fd/N, /proc/P/root,
 * /dev/fd/N): its meaning changes with the process that follows it, so it is refused */
static int
magic_text (const char * t)
{
  const char * s;
  int proc = 0;
  for (s = t; *s != 0; s++)
  {
    if (s != t && s[-1] != '/')
      continue;
    if (starts (s, "dev/fd/") || (starts (s, "dev/fd") && s[6] == 0))
      return 1;
    if (starts (s, "proc/"))
      proc = 1;
    else if (proc && (starts (s, "cwd") || starts (s, "fd/") || starts (s, "root")))
      return 1;
  }
  return 0;
}

/* symlink(target, linkpath) / symlinkat(target, dirfd, linkpath) */
long
cs_hook_symlink (cs_fn6 orig, const char * op, long * a, int ti, int di, int li)
{
  char v[CS_PMAX], r[CS_PMAX], tv[CS_PMAX], tr[CS_PMAX];
  const char * target = (const char *) a[ti];
  const char * lp = (const char *) a[li];
  int t, w, n;
  if (target == 0 || lp == 0)
    return CS_CALL (orig, a);
  if (lp[0] == 0 || to_virtual (di < 0 ? CS_AT_FDCWD : (int) a[di], lp, v) < 0)
    return CS_CALL (orig, a);
  t = translate (op, di < 0 ? CS_AT_FDCWD : (int) a[di], lp, v, r);
  if (t < 0)
    return -1;
  if (t == 0)
    cs_copy (r, v, cs_len (v) + 1);
  /* where the target points, seen from the virtual and from the real side */
  if (target[0] == '/')
  {
    if (canon (target, tv) < 0)
      return -1;
    strip_proc_root (tv, cs_len (tv));
  }
  else if (resolve_beside (v, target, tv) < 0)
    return -1;
  n = forward (tv, &w);
  if (n < 0)
    cs_copy (tr, tv, cs_len (tv) + 1);
  else if (swap_prefix (tv, cs_len (tv), n, rr[w], (int) rrl[w], tr) < 0)
  {
    set_errno (CS_ENAMETOOLONG); /* (tr was left unwritten, and then judged) */
    return -1;
  }
  if (denied (tr) || magic_text (target) ||
      (target[0] != '/' && resolve_beside (r, target, tv) >= 0 && denied (tv)))
  {
    report (CS_EV_DENY, op, target, tr);
    set_errno (cs_deny_errno);
    return -1;
  }
  if (target[0] == '/' && n >= 0)
  {
    /* the text is handed to the kernel too (on every follow): "dir/" stays "<real>/" */
    if (keep_dir (target, tr) < 0)
    {
      set_errno (CS_ENAMETOOLONG);
      return -1;
    }
    a[ti] = (long) tr;
    report (CS_EV_REDIRECT, op, target, tr);
  }
  if (t == 1)
    a[li] = (long) r;
  return CS_CALL (orig, a);
}

/* readlink(path, buf, size) / readlinkat(dirfd, path, buf, size): result mapped back */
long
cs_hook_readlink (cs_fn6 orig, const char * op, long * a, int di, int pi, int checked)
{
  char v[CS_PMAX], r[CS_PMAX], res[CS_PMAX], back[CS_PMAX];
  char * buf = (char *) a[pi + 1];
  long size = a[pi + 2], n;
  int t, m;
  t = translate_ex (op, di < 0 ? CS_AT_FDCWD : (int) a[di], (const char *) a[pi], v, r, 1);
  if (t < 0)
    return -1;
  if (t == 1)
    a[pi] = (long) r;
  a[pi + 1] = (long) res;
  a[pi + 2] = CS_PMAX - 1;
  if (checked)
    a[pi + 3] = CS_PMAX; /* __readlink_chk: the size of our buffer */
  n = CS_CALL (orig, a);
  if (n < 0)
    return n;
  res[n] = 0;
  if (res[0] != '/')
    cs_copy (back, res, n + 1);
  /* text made without the hooks may spell a store path another way ("//", "/./", "..") */
  else if (!map_back (res, back) && canon (res, v) >= 0 && map_back (v, r))
    cs_copy (back, r, cs_len (r) + 1);
  m = cs_len (back);
  if (m > size)
    m = (int) size;
  cs_copy (buf, back, m);
  return m;
}

/* getcwd(buf, size): the virtual cwd */
long
cs_hook_getcwd (cs_fn6 orig, long * a)
{
  char tmp[CS_PMAX], back[CS_PMAX];
  char * buf = (char *) a[0];
  long size = a[1];
  int n;
  a[0] = (long) tmp;
  a[1] = CS_PMAX;
  a[2] = CS_PMAX; /* __getcwd_chk: the size of our buffer */
  if (CS_CALL (orig, a) == 0)
    return 0;
  map_back (tmp, back);
  n = cs_len (back);
  if (buf == 0)
  {
    if (size == 0)
      size = n + 1;
    if (size < n + 1)
    {
      set_errno (CS_ERANGE);
      return 0;
    }
    buf = (char *) cs_malloc (size);
    if (buf == 0)
      return 0;
  }
  else if (size < n + 1)
  {
    set_errno (CS_ERANGE);
    return 0;
  }
  cs_copy (buf, back, n + 1);
  return (long) buf;
}

/* realpath(path, resolved) and friends: the argument mapped in, the result mapped back */
long
cs_hook_realpath (cs_fn6 orig, const char * op, long * a)
{
  char v[CS_PMAX], r[CS_PMAX], tmp[CS_PMAX], back[CS_PMAX];
  char * resolved = (char *) a[1];
  long res;
  int t, n;
  t = translate (op, CS_AT_FDCWD, (const char *) a[0], v, r);
  if (t < 0)
    return 0;
  if (t == 1)
    a[0] = (long) r;
  a[1] = (long) tmp;
  cs_set_raw (1);
  res = CS_CALL (orig, a);
  cs_set_raw (0);
  if (res == 0)
    return 0;
  map_back (tmp, back);
  n = cs_len (back);
  if (resolved == 0)
  {
    resolved = (char *) cs_malloc (n + 1);
    if (resolved == 0)
      return 0;
  }
  cs_copy (resolved, back, n + 1);
  return (long) resolved;
}

/* mkstemp(template) family: the generated name is copied back into the caller's template */
long
cs_hook_template (cs_fn6 orig, const char * op, long * a, int ret_ptr)
{
  char v[CS_PMAX], r[CS_PMAX];
  char * tpl = (char *) a[0];
  long res;
  int t, k, tl, rl;
  t = translate (op, CS_AT_FDCWD, tpl, v, r);
  if (t < 0)
    return ret_ptr ? 0 : -1;
  if (t == 0)
    return CS_CALL (orig, a);
  a[0] = (long) r;
  res = CS_CALL (orig, a);
  if ((ret_ptr && res == 0) || (!ret_ptr && (int) res < 0))
    return res;
  tl = cs_len (tpl);
  rl = cs_len (r);
  for (k = 0; k < tl && k < rl && tpl[tl - 1 - k] != '/'; k++)
    tpl[tl - 1 - k] = r[rl - 1 - k];
  return ret_ptr ? (long) tpl : res;
}

/* length of p when it is absolute and already canonical (no "//", "/./", "/../", trailing
 * "/" or "/.", not under /proc); otherwise -1. The hot path: libc's vectorised strlen and
 * strstr do the scanning (TinyCC's own byte loops cost more than the rest of a call). */
static int
clean_len (const char * p)
{
  const char * s;
  int n;
  if (p[0] != '/' || p[1] == 'p')
    return -1;
  n = cs_len (p);
  if (n > 1 && p[n - 1] == '/')
    return -1;
  if (cs_strstr (p, "//") != 0)
    return -1;
  for (s = cs_strstr (p, "/."); s != 0; s = cs_strstr (s + 2, "/."))
    if (s[2] == '/' || s[2] == 0 || (s[2] == '.' && (s[3] == '/' || s[3] == 0)))
      return -1;
  return n;
}

/* 1: certainly unrelated, call the original with the untouched path */
static int
quick_unrelated (const char * p)
{
  if (p[0] != '/' || interesting[(unsigned char) p[1]])
    return 0;
  return cs_strstr (p, "/..") == 0;
}

/* has_prefix inlined: this loop runs on every call that reaches the tables */
static int
longest (const char * s, const char ** pre, const long * lens, long count, int * which)
{
  int k, n, best = -1;
  char c1 = s[1];
  *which = -1;
  for (k = 0; k < count; k++)
  {
    n = (int) lens[k];
    if (n <= best)
      continue;
    if (n != 1 || pre[k][0] != '/')
    {
      if (pre[k][1] != c1 || cs_strncmp (s, pre[k], n) != 0 || (s[n] != 0 && s[n] != '/'))
        continue;
    }
    best = n;
    *which = k;
  }
  return best;
}

/*
 * The rule that rewrites canonical virtual path s: the longest virtual prefix, or -1. A path
 * already under a real root at least as long as that prefix is left as it is: it is what a
 * rewrite made. Translation is thus idempotent, which the virtual backend needs, its real
 * roots lying under their own virtual prefixes (/data/user/0/P/clonespace/N/data under
 * /data/user/0/P): bionic's fopen and opendir, glibc's scandir and realpath call another
 * hooked export with the path already rewritten, and /proc/self/fd/N leads to a real path;
 * rewriting those again made .../clonespace/N/data/clonespace/N/data/... A per-thread
 * re-entry guard would not do: scandir's and nftw's callbacks and signal handlers run inside
 * the original and would go unjudged.
 */
static int
forward (const char * s, int * which)
{
  int n = longest (s, rv, rvl, nrules, which), w;
  if (n >= 0 && longest (s, rr, rrl, nrules, &w) >= n)
  {
    *which = -1;
    return -1;
  }
  return n;
}

static int
denied (const char * real)
{
  int w, d = longest (real, dn, dnl, ndeny, &w);
  if (d < 0)
    return 0;
  /* an allow exception only counts strictly below a deny prefix (make_deny): an allow equal
   * to a deny prefix (deny /ch allow /ch/home, and deny /ch/home) let /ch/home through
   * (found by tests/hooks/fastpath) */
  return longest (real, al, all, nallow, &w) <= d;
}

/* replace prefix: from[k] -> to[k]; returns new length or -1 */
static int
swap_prefix (const char * s, int slen, int plen, const char * to, int tlen, char * out)
{
  int rest = slen - plen;
  if (plen == 1 && slen > 1)
    rest = slen, plen = 0; /* prefix "/": the whole path is the rest */
  /* to "/": the rest starts with its own '/'. "/" + "/x" made "//x", which no deny prefix
   * matched (a rule to the real "/" let /v/ch/x through to /ch/x), and "/" mapped back to
   * "/v/" (found by tests/hooks/fastpath) */
  if (tlen == 1 && rest > 0)
    tlen = 0;
  if (tlen + rest + 1 >= CS_PMAX)
    return -1;
  cs_copy (out, to, tlen);
  cs_copy (out + tlen, s + plen, rest + 1);
  if (out[0] == 0)
    out[0] = '/', out[1] = 0;
  return tlen + rest;
}

static void
report (int kind, const char * op, const char * path, const char * real)
{
  if (kind == CS_EV_DENY)
    cs_count_deny++;
  else
    cs_count_redirect++;
  if (cs_st.trace)
    record (kind, op, path, real);
}

/*
 * What the end of the caller's path says that canon() drops (vfs_redirect.paths
 * directory_suffix): 2 when its last component is "." or ".." (trailing slashes aside), 1
 * when it ends in "/", else 0. "file/", "file/." and "dir/sub/.." require a directory where
 * the canonical path alone would also take a file; a last "." or ".." also makes mkdir,
 * rmdir, rename and unlink fail ("rmdir dir/." is EINVAL; "rmdir dir/" removes dir).
 */
static int
dir_suffix (const char * path)
{
  int n = cs_len (path), end = n, s;
  while (end > 0 && path[end - 1] == '/')
    end--;
  if (end > 0 && path[end - 1] == '.')
  {
    s = end - 1;
    if (s > 0 && path[s - 1] == '.')
      s--;
    if (s == 0 || path[s - 1] == '/')
      return 2;
  }
  return end < n ? 1 : 0;
}

/*
 * Appends to canonical r (a CS_PMAX buffer) what dir_suffix(path) says: "/" for 1, "/." for
 * 2 ("/" stays "/"; "/" with "/." is "/."). -1 when that does not fit CS_PMAX (PATH_MAX: the
 * kernel would refuse it too); r is then unchanged.
 */
static int
keep_dir (const char * path, char * r)
{
  int k = dir_suffix (path), rl;
  if (k == 0)
    return 0;
  rl = cs_len (r);
  if (rl == 1)
  {
    if (k == 1)
      return 0;
    rl = 0;
  }
  if (rl + k + 1 > CS_PMAX)
    return -1;
  r[rl] = '/';
  if (k == 2)
    r[rl + 1] = '.';
  r[rl + k] = 0;
  return 0;
}

/* the length of r without what keep_dir appended (a canonical path ends in neither "/",
 * unless it is "/", nor "/.") */
static int
bare_len (const char * r)
{
  int n = cs_len (r);
  if (n > 1 && r[n - 1] == '/')
    return n - 1;
  if (n > 1 && r[n - 1] == '.' && r[n - 2] == '/')
    return n == 2 ? 1 : n - 2;
  return n;
}

/*
 * Translate (dirfd, path). Returns 0: call with the original path; 1: call with `r`
 * (absolute: the real path, or the judged path of a relative one, with the keep_dir suffix
 * of `path`); -1: refuse (errno set). `v` receives the canonical virtual path unless `path`
 * already is one (absolute and canonical: the common case, matched in place).
 */
static int
translate_core (const char * op, int dirfd, const char * path, char * v, char * r, int ancestor_ok)
{
  const char * vp = v;
  int vlen, w, n;
  vlen = clean_len (path);
  if (vlen >= 0 && vlen < CS_PMAX)
    vp = path;
  else
    vlen = to_virtual (dirfd, path, v);
  if (vlen < 0)
    return -1;
  n = forward (vp, &w);
  if (n < 0)
  {
    if (denied (vp) && !(ancestor_ok && allow_ancestor (vp)))
    {
      report (CS_EV_DENY, op, path, vp);
      set_errno (cs_deny_errno);
      return -1;
    }
    if (path[0] == '/')
      return 0;
    /* a relative path was judged against the virtual cwd (or dirfd directory), but the
     * kernel takes it from the real one: with the cwd in the store, "../../../2/data/0/login"
     * is /2/data/0/login to the check and clone 2's login to the kernel. Hand over the path
     * that was judged (found by tests/hooks/fastpath) */
    cs_copy (r, vp, vlen + 1);
  }
  else
  {
    if (swap_prefix (vp, vlen, n, rr[w], (int) rrl[w], r) < 0)
    {
      set_errno (CS_ENAMETOOLONG);
      return -1;
    }
    if (!rsafe[w] && denied (r) && !(ancestor_ok && allow_ancestor (r)))
    {
      report (CS_EV_DENY, op, path, r);
      set_errno (cs_deny_errno);
      return -1;
    }
  }
  /* a clean path has no suffix; the canonical form of any other dropped what its end said */
  if (vp != path && keep_dir (path, r) < 0)
  {
    set_errno (CS_ENAMETOOLONG);
    return -1;
  }
  if (n >= 0)
    report (CS_EV_REDIRECT, op, path, r);
  return 1;
}

/* one path argument a[pi], relative to dirfd a[di] (di < 0: cwd) */
long
cs_hook_path (cs_fn6 orig, const char * op, long * a, int di, int pi, int ret_ptr, int slash_only)
{
  char v[CS_PMAX], r[CS_PMAX];
  const char * p = (const char *) a[pi];
  int t;
  if (p == 0 || p[0] == 0 || quick_unrelated (p) || cs_raw ())
    return CS_CALL (orig, a);
  if (slash_only)
  {
    const char * s = p;
    while (*s != 0 && *s != '/')
      s++;
    if (*s == 0)
      return CS_CALL (orig, a);
  }
  t = translate_core (op, di < 0 ? CS_AT_FDCWD : (int) a[di], p, v, r, 0);
  if (t < 0)
    return ret_ptr ? 0 : -1;
  if (t == 1)
    a[pi] = (long) r;
  return CS_CALL (orig, a);
}

/*
 * The clone's host name, which gethostname and uname answer from now on (the agent decides
 * it, identity/hostname.ts: shorter than a utsname field, and none on Android); an empty or
 * longer one leaves the real name.
 */
void
cs_set_hostname (const char * name)
{
  int n = cs_len (name);
  if (n >= CS_UTS_LENGTH)
    n = 0;
  cs_copy (cs_st.hostname, name, n);
  cs_st.hostname[n] = 0;
  cs_st.hostname_len = n;
}

static void
spoofed (const char * op)
{
  if (cs_st.trace)
    record (CS_EV_SPOOF, op, cs_st.hostname, "");
}

/* gethostname(buf, len): the clone's name where it fits with its NUL, else ENAMETOOLONG
 * (as glibc answers a name too long for the buffer) */
long
cs_hook_gethostname (cs_fn6 orig, long * a)
{
  char * buf = (char *) a[0];
  unsigned long len = (unsigned long) a[1];
  long r = CS_CALL (orig, a);
  if (r != 0 || cs_st.hostname_len == 0)
    return r;
  if ((unsigned long) cs_st.hostname_len + 1 > len)
  {
    set_errno (CS_ENAMETOOLONG);
    return -1;
  }
  cs_copy (buf, cs_st.hostname, cs_st.hostname_len + 1);
  spoofed ("gethostname");
  return 0;
}

/* uname(buf): the real answer, its nodename the clone's */
long
cs_hook_uname (cs_fn6 orig, long * a)
{
  char * uts = (char *) a[0];
  long r = CS_CALL (orig, a);
  if (r != 0 || cs_st.hostname_len == 0)
    return r;
  cs_copy (uts + CS_UTS_LENGTH, cs_st.hostname, cs_st.hostname_len + 1);
  spoofed ("uname");
  return 0;
}

#define CS_ARGS long a0, long a1, long a2, long a3, long a4, long a5
#define CS_PACK long a[6]; a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3; a[4] = a4; a[5] = a5
/* inside the original realpath: the original, untouched (cs_hook_path checks it itself,
 * after its cheaper test) */
#define CS_RAW(o) if (cs_raw ()) return CS_CALL ((o), a)
#define CS_HOOK_PATH(name, idx, di, pi, ret_ptr, slash_only) \
  long cs_r_##name (CS_ARGS) { CS_PACK; return cs_hook_path (cs_orig[idx], #name, a, di, pi, ret_ptr, slash_only); }
/* the exec family: as CS_HOOK_PATH, once the host is known to live (host_refuses);
 * posix_spawn and posix_spawnp return their error number instead of setting errno */
#define CS_HOOK_EXEC(name, idx, di, pi, slash_only, returns_error) \
  long cs_r_##name (CS_ARGS) { CS_PACK; if (host_refuses ()) return (returns_error) ? CS_EPERM : -1; \
    return cs_hook_path (cs_orig[idx], #name, a, di, pi, 0, slash_only); }
#define CS_HOOK_PATH2(name, idx, d1, p1, d2, p2) \
  long cs_r_##name (CS_ARGS) { CS_PACK; CS_RAW (cs_orig[idx]); return cs_hook_path2 (cs_orig[idx], #name, a, d1, p1, d2, p2); }
#define CS_HOOK_SYMLINK(name, idx, ti, di, li) \
  long cs_r_##name (CS_ARGS) { CS_PACK; CS_RAW (cs_orig[idx]); return cs_hook_symlink (cs_orig[idx], #name, a, ti, di, li); }
#define CS_HOOK_READLINK(name, idx, di, pi, checked) \
  long cs_r_##name (CS_ARGS) { CS_PACK; CS_RAW (cs_orig[idx]); return cs_hook_readlink (cs_orig[idx], #name, a, di, pi, checked); }
#define CS_HOOK_CWDNAME(name, idx) \
  long cs_r_##name (void) { long a[6] = { 0, 0, 0, 0, 0, 0 }; CS_RAW (cs_orig[idx]); \
    return cs_hook_getcwd (cs_sys_getcwd, a); }
#define CS_HOOK_CANONICALIZE(name, idx) \
  long cs_r_##name (long a0) { long a[6] = { a0, 0, 0, 0, 0, 0 }; CS_RAW (cs_orig[idx]); \
    return cs_hook_realpath (cs_sys_realpath, #name, a); }
#define CS_HOOK_GETCWD(name, idx) \
  long cs_r_##name (CS_ARGS) { CS_PACK; CS_RAW (cs_orig[idx]); return cs_hook_getcwd (cs_orig[idx], a); }
#define CS_HOOK_REALPATH(name, idx) \
  long cs_r_##name (CS_ARGS) { CS_PACK; CS_RAW (cs_orig[idx]); return cs_hook_realpath (cs_orig[idx], #name, a); }
/* gethostname and uname: cs_hook_gethostname, cs_hook_uname */
#define CS_HOOK_HOSTNAME(name, idx) \
  long cs_r_##name (CS_ARGS) { CS_PACK; return cs_hook_##name (cs_orig[idx], a); }
#define CS_HOOK_TEMPLATE(name, idx, ret_ptr) \
  long cs_r_##name (CS_ARGS) { CS_PACK; CS_RAW (cs_orig[idx]); return cs_hook_template (cs_orig[idx], #name, a, ret_ptr); }
