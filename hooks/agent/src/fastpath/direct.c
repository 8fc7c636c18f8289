/*
 * The direct installer's patcher (x86_64; direct.ts decides, this carries out): replaces libc
 * exports with their C wrappers by a packed plan, without Gum. Compiled with redirect.c, in
 * the same module (after it: cs_orig, cs_size), plus cs_wrapper, which the build generates
 * from the hook table (cs_wrapper (slot): the wrapper cs_r_<name> of HOOKS[slot], or 0).
 *
 * A packed plan (little-endian), made by the host from the prologue plan an agent computed
 * for this libc build (hooks/prologue_plan.py), or by the agent from its own analysis
 * (direct.ts, packDirect):
 *   header  "CSPP", u16 version (1), u16 count
 *   entry   u32 at (offset of the export from libc's base), s32 resume (where the trampoline
 *           goes on, from the base), u8 slot (in HOOKS), u8 what the plan says of it (0 Gum
 *           replaces it; 1 covered: it only tail-calls another hooked export; 2 direct:
 *           replaced here; 4 absent: no such export, or an alias of another), u8 head length, u8 copy, u8 branches, 3 bytes of zeros,
 *           then per branch: u8 at (in the copy), u8 size (2 or 6), u8 condition code, u8 0,
 *           s32 to (from the base); then the head (the bytes the decision read), padded to 4.
 *
 * Each slot gets a status: covered; patched; left to Gum (the plan says not for this
 * installer, or its target is out of the stubs' reach); afresh (its bytes in memory are not
 * the head, or its entry cannot be carried out: the agent decides it again); absent. A plan
 * that does not parse, names a slot twice or (`complete`) leaves a slot out is refused whole.
 *
 * Per patched export: a stub (`jmp [rip + disp32]` through a data quad, the wrapper's
 * address) and a trampoline (the copied instructions, each conditional jump among them as
 * `jcc rel32` to its old destination, then `jmp [rip + disp32]` through the next quad back
 * into the export: the original, published in cs_orig before any jump is written). The
 * stubs live in a block the agent maps near libc: code (CS_DIRECT_SLOT bytes an export)
 * then data (CS_DIRECT_QUADS an export). cs_direct_jump then writes each export's first five
 * bytes as `jmp rel32` to its stub.
 */

#define CS_PLAN_MAGIC 0x50505343UL /* "CSPP" */
#define CS_PLAN_VERSION 1
#define CS_PLAN_HEADER 8
#define CS_PLAN_ENTRY 16
#define CS_PLAN_BRANCH 8
#define CS_PLAN_MAX 256
#define CS_PLAN_COVERED 1
#define CS_PLAN_DIRECT 2
#define CS_PLAN_ABSENT 4

#define CS_DIRECT_PATCH 5 /* jmp rel32 */
#define CS_DIRECT_SLOT 48 /* code bytes an export: its stub, then its trampoline */
#define CS_DIRECT_STUB 8 /* jmp [rip + disp32], two bytes of int3 */
#define CS_DIRECT_MAX_COPY (CS_DIRECT_SLOT - CS_DIRECT_STUB - 6)
#define CS_DIRECT_QUADS 16 /* data bytes an export: the wrapper, where the original goes on */
#define CS_DIRECT_REACH 0x7fff0000UL

/* a slot's status, as direct.ts reads it */
#define CS_ST_COVERED 1
#define CS_ST_PATCHED 2
#define CS_ST_GUM 3
#define CS_ST_AFRESH 4
#define CS_ST_ABSENT 5

#define CS_PROT_RX 5
#define CS_PROT_RWX 7

extern int cs_mprotect (void * addr, cs_size len, int prot);
void * cs_wrapper (long slot);

static unsigned long
cs_u32 (const unsigned char * p)
{
  return (unsigned long) p[0] | (unsigned long) p[1] << 8 | (unsigned long) p[2] << 16 |
      (unsigned long) p[3] << 24;
}

static long
cs_s32 (const unsigned char * p)
{
  return (long) (int) (unsigned int) cs_u32 (p);
}

static void
cs_put32 (unsigned char * p, long v)
{
  unsigned long u = (unsigned long) v;
  p[0] = u & 0xff;
  p[1] = (u >> 8) & 0xff;
  p[2] = (u >> 16) & 0xff;
  p[3] = (u >> 24) & 0xff;
}

static int
cs_within (const long * spans, long nspans, unsigned long at, unsigned long size)
{
  long i;
  for (i = 0; i < nspans; i++)
    if (at >= (unsigned long) spans[2 * i] && at + size <= (unsigned long) spans[2 * i + 1])
      return 1;
  return 0;
}

static int
cs_near (unsigned long a, unsigned long b)
{
  return (a > b ? a - b : b - a) < CS_DIRECT_REACH;
}

static long
cs_entry_size (const unsigned char * e)
{
  return CS_PLAN_ENTRY + CS_PLAN_BRANCH * (long) e[12] + (((long) e[10] + 3) & ~3L);
}

/* `jmp [rip + disp32]` at `at`, through the quad at `quad` */
static void
cs_absolute_jump (unsigned char * at, unsigned char * quad)
{
  at[0] = 0xff;
  at[1] = 0x25;
  cs_put32 (at + 2, (long) (quad - (at + 6)));
}

/* whether the entry's shape can be carried out: the jump written over its first bytes falls
 * within the head, and the copy (each branch 4 bytes longer as rel32) fits its trampoline */
static int
cs_feasible (const unsigned char * e)
{
  long copy = e[11], head = e[10], n = e[12], i;
  const unsigned char * b = e + CS_PLAN_ENTRY;
  if (head < copy || head < CS_DIRECT_PATCH || copy + 4 * n > CS_DIRECT_MAX_COPY)
    return 0;
  for (i = 0; i < n; i++, b += CS_PLAN_BRANCH)
    if ((b[1] != 2 && b[1] != 6) || b[2] > 15 || (long) b[0] + b[1] > copy)
      return 0;
  return 1;
}

/* whether another export the plan replaces begins inside the bytes this one's patch reads */
static int
cs_overlapped (const unsigned char ** entries, long count, const unsigned char * e)
{
  unsigned long at = cs_u32 (e), end = at + (e[11] > CS_DIRECT_PATCH ? e[11] : CS_DIRECT_PATCH), o;
  long i;
  for (i = 0; i < count; i++)
  {
    if (entries[i] == e || (entries[i][9] & (CS_PLAN_COVERED | CS_PLAN_ABSENT)) != 0)
      continue;
    o = cs_u32 (entries[i]);
    if (o > at && o < end)
      return 1;
  }
  return 0;
}

static int
cs_same (const unsigned char * a, const unsigned char * b, long n)
{
  long i;
  for (i = 0; i < n; i++)
    if (a[i] != b[i])
      return 0;
  return 1;
}

/* The plan's entries into `entries`, each slot marked afresh in `status` (zeros on entry);
 * their count, or -1 when the plan is malformed. */
static long
cs_plan_entries (const unsigned char * plan, long len, long nslots, int complete,
    const unsigned char ** entries, unsigned char * status)
{
  long count, i, at = CS_PLAN_HEADER, size;
  if (len < CS_PLAN_HEADER || cs_u32 (plan) != CS_PLAN_MAGIC ||
      (plan[4] | plan[5] << 8) != CS_PLAN_VERSION)
    return -1;
  count = plan[6] | plan[7] << 8;
  if (count > CS_PLAN_MAX || count > nslots || (complete && count != nslots))
    return -1;
  for (i = 0; i < count; i++)
  {
    const unsigned char * e = plan + at;
    if (len - at < CS_PLAN_ENTRY)
      return -1;
    size = cs_entry_size (e);
    if (len - at < size || e[8] >= nslots || status[e[8]] != 0 ||
        (e[9] != 0 && e[9] != CS_PLAN_COVERED && e[9] != CS_PLAN_DIRECT && e[9] != CS_PLAN_ABSENT))
      return -1;
    status[e[8]] = CS_ST_AFRESH;
    entries[i] = e;
    at += size;
  }
  return at == len ? count : -1;
}

/*
 * Carries out `plan` (len bytes) on libc at `base`, whose code is `spans` (pairs of start,
 * end); builds the stubs in `block` (code_size bytes of code, then data_size of data, mapped
 * read-write; its code is made read-execute) and publishes each original in cs_orig.
 * `status` gets each slot's (nslots of them), `targets` each slot's export address (or 0)
 * and `jumps` (two longs an export patched: its address, the rel32 to its stub) what
 * cs_direct_jump writes. Returns how many were patched; -1: the plan is malformed (nothing
 * done); -2: the block could not be made executable (nothing published).
 */
long
cs_direct_build (const unsigned char * plan, long len, unsigned char * base, const long * spans,
    long nspans, unsigned char * block, long code_size, long data_size, unsigned char * status,
    long nslots, long complete, unsigned char ** targets, long * jumps)
{
  const unsigned char * entries[CS_PLAN_MAX];
  unsigned char slots[CS_PLAN_MAX];
  long count, i, j, n = 0;
  long capacity = code_size / CS_DIRECT_SLOT < data_size / CS_DIRECT_QUADS ?
      code_size / CS_DIRECT_SLOT : data_size / CS_DIRECT_QUADS;
  unsigned long lo = (unsigned long) block, hi = lo + (unsigned long) code_size;

  count = cs_plan_entries (plan, len, nslots, complete != 0, entries, status);
  if (count < 0)
    return -1;
  for (i = 0; i < count; i++)
  {
    const unsigned char * e = entries[i];
    const unsigned char * b = e + CS_PLAN_ENTRY;
    const unsigned char * head = b + CS_PLAN_BRANCH * e[12];
    unsigned char * t = base + cs_u32 (e), * code, * quad, * to;
    unsigned char slot = e[8], flags = e[9];
    long copy = e[11], from = 0;
    void * wrapper;

    if (flags == CS_PLAN_ABSENT)
    {
      status[slot] = CS_ST_ABSENT;
      continue;
    }
    targets[slot] = t;
    if (!cs_within (spans, nspans, (unsigned long) t, e[10]) || !cs_same (t, head, e[10]))
      continue; /* afresh */
    if (flags != CS_PLAN_DIRECT)
    {
      status[slot] = flags == CS_PLAN_COVERED ? CS_ST_COVERED : CS_ST_GUM;
      continue;
    }
    wrapper = cs_wrapper (slot);
    if (!cs_feasible (e) || cs_overlapped (entries, count, e) || wrapper == 0)
      continue; /* afresh */
    status[slot] = CS_ST_GUM;
    if (n >= capacity || !cs_near (lo, (unsigned long) t) || !cs_near (hi, (unsigned long) t))
      continue;
    for (j = 0; j < e[12]; j++)
    {
      unsigned long dest = (unsigned long) (base + cs_s32 (b + j * CS_PLAN_BRANCH + 4));
      if (!cs_near (lo, dest) || !cs_near (hi, dest))
        break;
    }
    if (j < e[12])
      continue;

    code = block + n * CS_DIRECT_SLOT;
    quad = block + code_size + n * CS_DIRECT_QUADS;
    for (j = 0; j < CS_DIRECT_SLOT; j++)
      code[j] = 0xcc;
    cs_absolute_jump (code, quad);
    to = code + CS_DIRECT_STUB;
    for (j = 0; j < e[12]; j++, b += CS_PLAN_BRANCH)
    {
      for (; from < b[0]; from++)
        *to++ = head[from];
      to[0] = 0x0f;
      to[1] = 0x80 | b[2];
      cs_put32 (to + 2, (long) (base + cs_s32 (b + 4) - (to + 6)));
      to += 6;
      from = b[0] + b[1];
    }
    for (; from < copy; from++)
      *to++ = head[from];
    cs_absolute_jump (to, quad + 8);
    *(void **) quad = wrapper;
    *(void **) (quad + 8) = base + cs_s32 (e + 4);
    jumps[2 * n] = (long) t;
    jumps[2 * n + 1] = (long) (code - (t + CS_DIRECT_PATCH));
    slots[n] = slot;
    n++;
  }
  if (n == 0)
    return 0;
  if (cs_mprotect (block, (cs_size) code_size, CS_PROT_RX) != 0)
  {
    for (i = 0; i < n; i++)
      status[slots[i]] = CS_ST_GUM;
    return -2;
  }
  for (i = 0; i < n; i++)
  {
    cs_orig[slots[i]] = (cs_fn6) (block + i * CS_DIRECT_SLOT + CS_DIRECT_STUB);
    status[slots[i]] = CS_ST_PATCHED;
  }
  return n;
}

/*
 * Writes the `n` jumps cs_direct_build listed, in place: the pages they span are made
 * writable and executable with one mprotect and read-execute again with another, when the
 * span lies inside one of libc's code segments (`spans`: known r-x). 0 when written; -1
 * when not (outside the code, or rwx refused: nothing written, the agent writes them with
 * Memory.patchCode); -2 when libc's code could not be made read-execute again.
 */
long
cs_direct_jump (const long * jumps, long n, const long * spans, long nspans, long page)
{
  unsigned long lo = (unsigned long) -1, hi = 0, start;
  long i;
  if (n <= 0)
    return 0;
  for (i = 0; i < n; i++)
  {
    unsigned long t = (unsigned long) jumps[2 * i];
    lo = t < lo ? t : lo;
    hi = t + CS_DIRECT_PATCH > hi ? t + CS_DIRECT_PATCH : hi;
  }
  if (!cs_within (spans, nspans, lo, hi - lo))
    return -1;
  start = lo & ~((unsigned long) page - 1);
  if (cs_mprotect ((void *) start, hi - start, CS_PROT_RWX) != 0)
    return -1;
  for (i = 0; i < n; i++)
  {
    unsigned char * t = (unsigned char *) jumps[2 * i];
    t[0] = 0xe9;
    cs_put32 (t + 1, jumps[2 * i + 1]);
  }
  return cs_mprotect ((void *) start, hi - start, CS_PROT_RX) == 0 ? 0 : -2;
}

/* At unload: each stub in `block` (n of them) jumps to its trampoline again, the original. */
void
cs_direct_release (unsigned char * block, long code_size, long n)
{
  long i;
  for (i = 0; i < n; i++)
    *(void **) (block + code_size + i * CS_DIRECT_QUADS) = block + i * CS_DIRECT_SLOT + CS_DIRECT_STUB;
}
