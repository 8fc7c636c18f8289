/*
 * Native harness of the direct installer's patcher (hooks/agent/src/fastpath/direct.c), for
 * tests/hooks/fastpath/test_direct_fuzz.py: compiled by gcc with AddressSanitizer and UBSan,
 * over a fake libc (pages holding the bytes the test sends), so that packed plans, damaged
 * or not, run through cs_direct_build as the agent runs them. It writes no jumps
 * (cs_direct_jump writes into real code; the agent tests cover it).
 *
 * stdin (little-endian): u32 n, then n bytes: the fake libc's code; then records, each
 *   u32 nslots, u32 complete, u32 len, then len bytes: a packed plan.
 * stdout: "base BASE" once (the fake libc's address, hex), then per record one line:
 *   RET S0 S1 ... (cs_direct_build's result, each slot's status)
 * then per export patched a line "stub SLOT TARGET REL CODE WRAPPER RESUME": the export's
 * address and the rel32 of its jump (cs_direct_jump's list), the bytes of its stub and
 * trampoline (hex), and its data quads (where the stub goes, where the trampoline goes on);
 * then "end". Each plan is copied to a block of its exact size (ASan reports any
 * read past it); status, targets and jumps are exactly as large as the agent makes them.
 */

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*cs_fn6) (long, long, long, long, long, long);
typedef unsigned long cs_size;

cs_fn6 cs_orig[256];

int
cs_mprotect (void * addr, cs_size len, int prot)
{
  return mprotect (addr, len, prot);
}

/* every slot below 200 has a wrapper (a recognisable address, never called) */
void *
cs_wrapper (long slot)
{
  return slot >= 0 && slot < 200 ? (void *) (uintptr_t) (0x5000000 + slot) : 0;
}

#include "direct.c"

static int
read_all (void * buf, size_t n)
{
  size_t got = 0;
  while (got < n)
  {
    size_t r = fread ((char *) buf + got, 1, n - got, stdin);
    if (r == 0)
      return -1;
    got += r;
  }
  return 0;
}

static int
read_u32 (uint32_t * v)
{
  unsigned char b[4];
  if (read_all (b, 4) != 0)
    return -1;
  *v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t) b[3] << 24;
  return 0;
}

static long
page_round (long n)
{
  long page = sysconf (_SC_PAGESIZE);
  return (n + page - 1) / page * page;
}

int
main (void)
{
  uint32_t n, nslots, complete, len;
  unsigned char * base;
  long span[2];

  if (read_u32 (&n) != 0)
    return 2;
  base = mmap (NULL, page_round (n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED || read_all (base, n) != 0)
    return 2;
  span[0] = (long) base;
  span[1] = (long) base + n;
  printf ("base %lx\n", (unsigned long) base);
  fflush (stdout);

  while (read_u32 (&nslots) == 0 && read_u32 (&complete) == 0 && read_u32 (&len) == 0)
  {
    unsigned char * plan = malloc (len > 0 ? len : 1);
    long count, code_size, data_size, r, i, k;
    unsigned char * block, * status, ** targets;
    long * jumps;

    if (plan == NULL || read_all (plan, len) != 0)
      return 2;
    /* as direct.ts (carryOut) sizes them, from the count the header claims */
    count = len >= 8 ? (plan[6] | plan[7] << 8) : 0;
    code_size = page_round ((count > 0 ? count : 1) * CS_DIRECT_SLOT);
    data_size = page_round ((count > 0 ? count : 1) * CS_DIRECT_QUADS);
    block = mmap (base - code_size - data_size - 0x200000, code_size + data_size,
        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    status = calloc (nslots > 0 ? nslots : 1, 1);
    targets = calloc (nslots > 0 ? nslots : 1, sizeof (void *));
    jumps = calloc (count > 0 ? 2 * count : 1, sizeof (long));
    if (block == MAP_FAILED || status == NULL || targets == NULL || jumps == NULL)
      return 2;
    memset (cs_orig, 0, sizeof cs_orig);

    r = cs_direct_build (plan, len, base, span, 1, block, code_size, data_size, status, nslots,
        complete, targets, jumps);
    printf ("%ld", r);
    for (i = 0; i < (long) nslots; i++)
      printf (" %d", status[i]);
    printf ("\n");
    for (i = 0; i < r; i++)
    {
      long slot = -1;
      for (k = 0; k < (long) nslots && k < 256; k++)
        if ((unsigned char *) cs_orig[k] == block + i * CS_DIRECT_SLOT + CS_DIRECT_STUB)
          slot = k;
      printf ("stub %ld %lx %ld ", slot, (unsigned long) jumps[2 * i], jumps[2 * i + 1]);
      for (k = 0; k < CS_DIRECT_SLOT; k++)
        printf ("%02x", block[i * CS_DIRECT_SLOT + k]);
      printf (" %lx %lx\n", (unsigned long) ((void **) (block + code_size + i * CS_DIRECT_QUADS))[0],
          (unsigned long) ((void **) (block + code_size + i * CS_DIRECT_QUADS))[1]);
    }
    printf ("end\n");
    fflush (stdout);
    munmap (block, code_size + data_size);
    free (plan);
    free (status);
    free (targets);
    free (jumps);
  }
  return 0;
}
