// x86_64 only: replaces libc exports with their C wrappers without Gum's relocator, where
// Frida's "offline" scenario would be used (a process spawned suspended, before it runs).
//
// Interceptor.replaceFast sets up a Capstone relocator for every hook (cs_open each time:
// about 0.25 ms a hook, most of the agent's init). Most libc entry points begin with a few
// position-independent instructions (`mov eax, NR`, `mov r10, rcx`, `push rbp`,
// `sub rsp, imm`): the whole instructions covering the first 5 bytes are copied verbatim into
// a trampoline that then jumps back past them (the original, what cs_orig holds; a
// conditional jump among them is written there as `jcc rel32` to the same place), and the 5
// bytes become a `jmp rel32` to a stub near libc that jumps on to the C replacement. A
// leading run that ends in a direct `jmp` (a tail call) is copied up to the jump, and the
// trampoline jumps to the jump's target. Anything else stays with Gum: a call, other
// branch, syscall or RIP-relative operand among those instructions, a function that ends
// within them, another hooked export inside them, a branch from them into them, or a
// relative branch found in the bytes that follow (up to SCAN of them) that lands inside
// them. Like Gum, it cannot see every branch of the function; unlike Gum it looks at the
// near ones.
//
// Here the decision (planDirect); the C module carries decisions out (direct.c), packed as
// it reads them (packDirect), as it carries out the plan a host hands over (plan.ts): one
// call for every export, no JavaScript per stub or jump.
//
// Only for an agent its host keeps (`keep` beside the policy: hooks/session.py makes it
// eternal once init returns). A fork child inherits a kept agent, stubs, C module and all; an agent that is not
// kept is torn down in a fork child by Frida without its dispose, which would free the C module
// the inherited stubs jump to, so such agents stay with Gum, whose hooks go with the script.
//
// The stubs and trampolines live in pages mapped here with mmap, not Memory.alloc: Frida
// frees its allocations when the script unloads, while the 5-byte jumps stay in libc. Should
// a kept agent be unloaded after all (its host failed before making it eternal), dispose()
// points each stub at its trampoline instead (releaseDirect), one aligned 8-byte store in a
// data page, so the process goes on with the original functions, as after Gum's revert.
// Those pages stay mapped for the life of the process (a few kB). The C module stays too:
// Frida unmaps a CModule only when it is disposed, which a kept agent's never is.
//
// No instruction-cache flush is needed on x86 (the caches are coherent with stores), so the
// jumps are written in place (cs_direct_jump), without Memory.patchCode's per-page work.
import type { Span } from "./plan.js";
import type { Prologues } from "./prologue.js";

const PATCH = 5; // jmp rel32
// direct.c's layout: a hook's code bytes (its stub, 8, then its trampoline), and its data
const SLOT = 48;
const MAX_COPY = SLOT - 8 - 6; // bytes of trampoline before its jump back
const QUADS = 16;
const SCAN = 64; // bytes from the target searched for relative branches back into the patch

/** Instructions copied as they are: neither branches nor dependent on where they run (the
 * operands are checked for RIP too). */
const MOVABLE: ReadonlySet<string> = new Set([
  "endbr64", "nop", "mov", "movabs", "movzx", "movsx", "movsxd", "push", "pop", "lea",
  "add", "sub", "and", "or", "xor", "test", "cmp", "shl", "shr", "sar", "neg", "not",
]);

export interface DirectRequest {
  readonly target: NativePointer;
  readonly replacement: NativePointer;
}

/** How the direct installer replaces one target: computed here (planDirect), or taken from a
 * prologue plan computed by another process for the same libc (plan.ts). */
export interface DirectPlan extends DirectRequest {
  /** the target's first bytes, at least `copy` of them (empty until read) */
  readonly bytes: Uint8Array;
  /** how many bytes of whole instructions the trampoline copies from the target */
  readonly copy: number;
  /** where the trampoline goes on after them */
  readonly resume: NativePointer;
  /** the conditional jumps among them (re-encoded with rel32 for the trampoline) */
  readonly branches: readonly Branch[];
}

export interface Branch {
  /** offset in the copied bytes, size there */
  readonly at: number;
  readonly size: number;
  /** condition code (the low nibble of the opcode) */
  readonly cc: number;
  readonly to: number;
}

/** How the jumps were written: "in place" (one mprotect span in libc's code: direct.c,
 * cs_direct_jump), "patchCode" (Memory.patchCode), null before any was. */
let jumpsWritten: "in place" | "patchCode" | null = null;

export function jumpsWrittenBy(): "in place" | "patchCode" | null {
  return jumpsWritten;
}

function num(p: NativePointer): number {
  return Number(p.toString());
}

/** Whether [at, at + size) lies inside one of `spans` (libc's code segments: plan.ts). */
export function within(spans: readonly Span[], at: NativePointer, size: number): boolean {
  const start = num(at);
  return spans.some((s) => start >= s.start && start + size <= s.end);
}

/** RIP in an operand (the mnemonics copied never read it otherwise); the text, not
 * `operands`, which Frida builds object by object. */
function ripRelative(insn: Instruction): boolean {
  return insn.opStr.includes("rip");
}

/** The direct jump's destination when `insn` is `jmp imm`, else null. */
function jumpTarget(insn: Instruction): NativePointer | null {
  if (insn.mnemonic !== "jmp") {
    return null;
  }
  const operands = (insn as X86Instruction).operands;
  const op = operands[0];
  return operands.length === 1 && op !== undefined && op.type === "imm" ? ptr(String(op.value)) : null;
}

/** `insn` as a conditional jump (`jcc rel8` or `jcc rel32`, no prefix), or null. */
function conditional(insn: Instruction, at: number): Branch | null {
  if (!insn.mnemonic.startsWith("j") || insn.mnemonic === "jmp") {
    return null;
  }
  const first = insn.address.readU8();
  const cc = insn.size === 2 && (first & 0xf0) === 0x70 ? first & 0xf
    : insn.size === 6 && first === 0x0f && (insn.address.add(1).readU8() & 0xf0) === 0x80
    ? insn.address.add(1).readU8() & 0xf : null;
  const op = (insn as X86Instruction).operands[0];
  return cc === null || op === undefined || op.type !== "imm" ? null
    : { at, size: insn.size, cc, to: Number(String(op.value)) };
}

/** What to copy from `target`, or null when the target is not for this installer. */
function plan(request: DirectRequest, prologues: Prologues, others: ReadonlySet<string>): DirectPlan | null {
  const { target } = request;
  const branches: Branch[] = [];
  let copy = 0;
  for (let i = 0; copy < PATCH; i++) {
    const insn = prologues.at(target, i);
    if (insn === null) {
      return null;
    }
    if (i > 0 && others.has(insn.address.toString())) {
      return null; // another hooked export starts inside the patch
    }
    const to = jumpTarget(insn);
    if (to !== null) {
      // a tail call: the trampoline jumps where it goes; it must end past the patch
      return copy + insn.size >= PATCH ? checked({ ...request, bytes: new Uint8Array(0), copy, resume: to, branches })
        : null;
    }
    const branch = conditional(insn, copy);
    if (branch !== null) {
      branches.push(branch);
      copy += insn.size;
      continue;
    }
    if (!MOVABLE.has(insn.mnemonic) || ripRelative(insn)) {
      return null;
    }
    copy += insn.size;
  }
  return checked({ ...request, bytes: new Uint8Array(0), copy, resume: target.add(copy), branches });
}

/** `p`, unless too long for its slot or one of its branches goes into the copied bytes. */
function checked(p: DirectPlan): DirectPlan | null {
  const start = num(p.target);
  return p.copy + 4 * p.branches.length > MAX_COPY || p.branches.some(({ to }) => to > start && to < start + p.copy)
    ? null : p;
}

/** Opcode bytes that begin a relative branch: 1 rel8 (jcc, jmp, loop, jcxz), 2 rel32 (call,
 * jmp), 3 the 0x0f escape (jcc rel32 when 0x80-0x8f follows). */
const BRANCH = new Uint8Array(256);
for (let b = 0x70; b <= 0x7f; b++) {
  BRANCH[b] = 1;
}
for (const b of [0xe0, 0xe1, 0xe2, 0xe3, 0xeb]) {
  BRANCH[b] = 1;
}
BRANCH[0xe8] = 2;
BRANCH[0xe9] = 2;
BRANCH[0x0f] = 3;

/** Whether a relative branch in `bytes` (read from the target) lands inside (0, end). Every
 * offset counts as a possible instruction start: a false alarm leaves the export to Gum. */
function branchesInto(bytes: Uint8Array, end: number): boolean {
  const view = new DataView(bytes.buffer);
  const last = bytes.length - 6; // room for the longest form
  for (let i = 0; i <= last; i++) {
    const kind = BRANCH[bytes[i]!]!;
    if (kind === 0) {
      continue;
    }
    const at = kind === 1 ? i + 2 + view.getInt8(i + 1)
      : kind === 2 ? i + 5 + view.getInt32(i + 1, true)
      : (bytes[i + 1]! & 0xf0) === 0x80 ? i + 6 + view.getInt32(i + 2, true) : 0;
    if (at > 0 && at < end) {
      return true;
    }
  }
  return false;
}


/**
 * How the direct installer would replace `request`'s target, or null when it is not for it
 * (see above). `others`: every target the installer is asked to replace.
 */
export function planDirect(
  request: DirectRequest,
  prologues: Prologues,
  others: ReadonlySet<string>,
): DirectPlan | null {
  const p = plan(request, prologues, others);
  if (p === null) {
    return null;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(p.target.readByteArray(SCAN) as ArrayBuffer);
  } catch {
    return null;
  }
  return branchesInto(bytes, p.copy) ? null : { ...p, bytes };
}

/** A plan's export as direct.c packs it: its slot in the hook table, and its plan. */
export interface Slotted {
  readonly slot: number;
  readonly plan: DirectPlan;
}

const PLAN_MAGIC = 0x50505343; // "CSPP"
const PLAN_VERSION = 1;
const DIRECT = 2; // an entry's flag: replaced by the installer

/** `plans` packed as direct.c reads them (offsets from libc's `base`); those whose offsets
 * do not fit are left out (for Gum). */
export function packDirect(plans: readonly Slotted[], base: NativePointer): ArrayBuffer {
  const b = num(base);
  const fits = (v: number): boolean => v >= -0x80000000 && v <= 0x7fffffff;
  const entries = plans.filter(({ plan: p }) => fits(num(p.target) - b) && fits(num(p.resume) - b)
    && p.branches.every(({ to }) => fits(to - b)));
  const headOf = (p: DirectPlan): number => Math.max(p.copy, PATCH);
  const size = entries.reduce((n, { plan: p }) => n + 16 + 8 * p.branches.length + ((headOf(p) + 3) & ~3), 8);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, PLAN_MAGIC, true);
  view.setUint16(4, PLAN_VERSION, true);
  view.setUint16(6, entries.length, true);
  let at = 8;
  for (const { slot, plan: p } of entries) {
    view.setUint32(at, num(p.target) - b, true);
    view.setInt32(at + 4, num(p.resume) - b, true);
    bytes.set([slot, DIRECT, headOf(p), p.copy, p.branches.length], at + 8);
    at += 16;
    for (const branch of p.branches) {
      bytes.set([branch.at, branch.size, branch.cc], at);
      view.setInt32(at + 4, branch.to - b, true);
      at += 8;
    }
    bytes.set(p.bytes.subarray(0, headOf(p)), at);
    at += (headOf(p) + 3) & ~3;
  }
  return bytes.buffer as ArrayBuffer;
}

/** A slot's status after direct.c carried out a plan. */
export const Status = { none: 0, covered: 1, patched: 2, gum: 3, afresh: 4, absent: 5 } as const;

/** What direct.c made of a plan. */
export interface Carried {
  /** each slot's status (Status) */
  readonly status: Uint8Array;
  /** the export of `slot` as the plan places it (NULL: none) */
  target(slot: number): NativePointer;
}

/** The pages holding stubs (their code), and how many: for releaseDirect and patchedDirectly. */
interface Block {
  readonly start: NativePointer;
  readonly codeSize: number;
  readonly count: number;
}

const blocks: Block[] = [];
let release: NativeFunction<void, [NativePointer, number, number]> | null = null;

function pageRound(n: number): number {
  return Math.ceil(n / Process.pageSize) * Process.pageSize;
}

/** `size` bytes of pages (read-write), mapped near `near` when the kernel can; null on failure. */
function mapNear(near: NativePointer, size: number): NativePointer | null {
  const at = Module.findGlobalExportByName("mmap");
  if (at === null) {
    return null;
  }
  const mmap = new NativeFunction(at, "pointer", ["pointer", "size_t", "int", "int", "int", "int64"]);
  const PROT_RW = 3;
  const MAP_PRIVATE_ANONYMOUS = 0x22;
  const hint = near.sub(size + 0x200000).and(ptr(Process.pageSize - 1).not());
  const p = mmap(hint, size, PROT_RW, MAP_PRIVATE_ANONYMOUS, -1, 0) as NativePointer;
  return p.equals(ptr("0xffffffffffffffff")) ? null : p;
}

function unmap(p: NativePointer, size: number): void {
  const at = Module.findGlobalExportByName("munmap");
  if (at !== null) {
    new NativeFunction(at, "int", ["pointer", "size_t"])(p, size);
  }
}

/** `bytes` copied into memory that stays (the C module reads it in place). */
function inMemory(bytes: ArrayBuffer | number): NativePointer {
  const size = typeof bytes === "number" ? bytes : bytes.byteLength;
  const p = Memory.alloc(Math.max(size, 8));
  p.writeByteArray(typeof bytes === "number" ? new ArrayBuffer(size) : bytes);
  return p;
}

/**
 * Carries out the packed `plan` with the C module `cm` (direct.c) on libc at `base`, whose code
 * segments are `code`: stubs built in pages mapped near libc, each original published in
 * cs_orig, then the jumps written. `slots`: the hook table's length; `complete`: the plan must
 * place every slot (a host's plan; the agent's own names only those it replaces). Null when
 * the plan was refused (malformed) or nothing could be mapped: nothing was changed.
 */
export function carryOut(
  cm: CModule,
  plan: ArrayBuffer,
  base: NativePointer,
  code: readonly Span[],
  slots: number,
  complete: boolean,
): Carried | null {
  const count = plan.byteLength >= 8 ? new DataView(plan).getUint16(6, true) : 0;
  const codeSize = pageRound(Math.max(count, 1) * SLOT);
  const dataSize = pageRound(Math.max(count, 1) * QUADS);
  const block = mapNear(base, codeSize + dataSize);
  if (block === null) {
    return null;
  }
  const spans = inMemory(16 * code.length);
  code.forEach(({ start, end }, i) => {
    spans.add(16 * i).writePointer(ptr(start));
    spans.add(16 * i + 8).writePointer(ptr(end));
  });
  const status = inMemory(slots);
  const targets = inMemory(slots * Process.pointerSize);
  const jumps = inMemory(16 * count);
  const build = new NativeFunction(symbol(cm, "cs_direct_build"), "long", [
    "pointer", "long", "pointer", "pointer", "long", "pointer", "long", "long", "pointer", "long", "long", "pointer",
    "pointer",
  ]);
  const n = Number(build(inMemory(plan), plan.byteLength, base, spans, code.length, block, codeSize, dataSize,
    status, slots, complete ? 1 : 0, targets, jumps));
  if (n <= 0) {
    unmap(block, codeSize + dataSize); // nothing in it is used
    if (n === -1) {
      return null;
    }
  } else {
    release = new NativeFunction(symbol(cm, "cs_direct_release"), "void", ["pointer", "long", "long"]);
    blocks.push({ start: block, codeSize, count: n });
    writeJumps(cm, jumps, n, spans, code.length);
  }
  return {
    status: new Uint8Array(status.readByteArray(slots) as ArrayBuffer),
    target: (slot) => targets.add(slot * Process.pointerSize).readPointer(),
  };
}

/** The C module's `name`; throws when it has none. */
export function symbol(cm: CModule, name: string): NativePointer {
  const p = cm[name];
  if (p === undefined) {
    throw new Error(`CModule lacks symbol ${name}`);
  }
  return p;
}

/**
 * Writes the `n` jumps listed in `jumps` (address, rel32 to its stub). The pages they span
 * (~160: libc's hooked exports lie far apart) are made writable with one mprotect and
 * executable again with another, as Gum does on a system that allows rwx pages, but for the
 * whole span at once: Memory.patchCode changes them page by page, twice each, which cost
 * ~0.5 ms, a tenth of the agent's init. That needs the span inside one of libc's code
 * segments, known to be r-x without reading /proc/self/maps (~0.2 ms); otherwise, or where
 * rwx is refused, Memory.patchCode writes them.
 */
function writeJumps(cm: CModule, jumps: NativePointer, n: number, spans: NativePointer, nspans: number): void {
  const inPlace = new NativeFunction(symbol(cm, "cs_direct_jump"), "long", ["pointer", "long", "pointer", "long", "long"]);
  const r = Number(inPlace(jumps, n, spans, nspans, Process.pageSize));
  if (r === -2) {
    throw new Error("libc's code could not be made read-only again");
  }
  if (r === 0) {
    jumpsWritten = "in place";
    return;
  }
  const list = Array.from({ length: n }, (_, i) => ({
    target: jumps.add(16 * i).readPointer(), rel: jumps.add(16 * i + 8).readS32(),
  })).sort((a, b) => a.target.compare(b.target));
  const start = list[0]!.target;
  const size = num(list[list.length - 1]!.target) - num(start) + PATCH;
  Memory.patchCode(start, size, (writable) => {
    const jump = new Uint8Array(PATCH);
    const view = new DataView(jump.buffer);
    jump[0] = 0xe9;
    for (const { target, rel } of list) {
      view.setInt32(1, rel, true);
      writable.add(num(target) - num(start)).writeByteArray(jump.buffer as ArrayBuffer);
    }
  });
  jumpsWritten = "patchCode";
}

/** Whether `target` was replaced here (Interceptor does not know it is taken): it begins with
 * a jump into one of the stub blocks. */
export function patchedDirectly(target: NativePointer): boolean {
  if (blocks.length === 0 || target.readU8() !== 0xe9) {
    return false;
  }
  return within(blocks.map(({ start, codeSize }) => ({ start: num(start), end: num(start) + codeSize })),
    target.add(PATCH + target.add(1).readS32()), 1);
}

/** Points every stub at its trampoline: the originals run again (the script is unloading). */
export function releaseDirect(): void {
  for (const { start, codeSize, count } of blocks) {
    release?.(start, codeSize, count);
  }
  blocks.length = 0;
}
