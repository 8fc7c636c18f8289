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
// Those pages stay mapped for the life of the process (a few kB).
//
// What to copy from each target (planDirect) depends only on libc's bytes: it is part of the
// prologue plan (plan.ts) that a process computes once per libc build and the next ones are
// handed (patchDirect then takes those plans as they are).
//
// No instruction-cache flush is needed on x86 (the caches are coherent with stores), so the
// jumps are written in place (writeJumps), without Memory.patchCode's per-page work.
import type { Span } from "./plan.js";
import type { Prologues } from "./prologue.js";

const PATCH = 5; // jmp rel32
const SLOT = 48; // code bytes per hook: its stub (8), then its trampoline (at most 34 + 6)
const STUB = 8; // jmp [rip + disp32], two bytes of int3
const MAX_COPY = SLOT - STUB - 6; // bytes of trampoline before its jump back
const QUADS = 16; // data bytes per hook: the stub's destination, then the trampoline's
const SCAN = 64; // bytes from the target searched for relative branches back into the patch
const REACH = 0x7fff0000;

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

interface Installed {
  /** the data quad the stub jumps through */
  readonly via: NativePointer;
  readonly trampoline: NativePointer;
}

const installed = new Map<string, Installed>();

/** How the jumps were written (writeJumps): "in place" (one mprotect span in libc's code),
 * "patchCode" (Memory.patchCode), null before any was. */
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

function absoluteJump(bytes: Uint8Array, at: number, codeAddress: number, quadAddress: number): void {
  const disp = quadAddress - (codeAddress + at + 6);
  bytes.set([0xff, 0x25], at);
  new DataView(bytes.buffer).setInt32(at + 2, disp, true);
}

function pageRound(n: number): number {
  return Math.ceil(n / Process.pageSize) * Process.pageSize;
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

/** Whether a plan's shape is one this installer can carry out, `checked` bytes of its target
 * known (a plan handed over is checked): the jump written over the target's first bytes
 * must fall within them (a tail call's plan copies fewer: those before its `jmp`). */
export function feasible(copy: number, checked: number, branches: readonly Branch[]): boolean {
  return copy >= 0 && checked >= Math.max(copy, PATCH) && copy + 4 * branches.length <= MAX_COPY
    && branches.every(({ at, size }) => at >= 0 && at + size <= copy);
}

/**
 * Replaces the targets of `plans` (planDirect's, or a prologue plan's); those out of reach of
 * the pages mapped for the stubs are left for Gum. Only while the process does not run yet,
 * on x64. `publish` gets each one's original (its trampoline) by target before any jump is
 * written: Frida's threads run and may call them at once. `libcCode`: libc's code segments
 * (plan.ts, readImage), r-x, where the jumps may be written without Memory.patchCode.
 */
export function patchDirect(
  plans: readonly DirectPlan[],
  publish: (originals: ReadonlyMap<string, NativePointer>) => void,
  libcCode: readonly Span[] = [],
): ReadonlySet<string> {
  const done = new Map<string, NativePointer>();
  if (plans.length === 0) {
    return new Set();
  }
  const codeSize = pageRound(plans.length * SLOT);
  const dataSize = pageRound(plans.length * QUADS);
  const lowest = plans.reduce((a, p) => (p.target.compare(a) < 0 ? p.target : a), plans[0]!.target);
  const block = mapNear(lowest, codeSize + dataSize);
  if (block === null) {
    return new Set();
  }
  const code = block;
  const data = block.add(codeSize);
  const codeAt = num(code);
  const dataAt = num(data);
  const reach = (to: number): boolean => Math.abs(codeAt - to) < REACH && Math.abs(codeAt + codeSize - to) < REACH;
  const reachable = plans.filter(({ target, branches }) => reach(num(target)) && branches.every(({ to }) => reach(to)));
  const bytes = new Uint8Array(codeSize).fill(0xcc);
  const view = new DataView(bytes.buffer);
  const quads = new DataView(new ArrayBuffer(dataSize));
  const patches: { target: NativePointer; rel: number }[] = [];
  reachable.forEach((p, i) => {
    const stub = i * SLOT;
    const trampoline = stub + STUB;
    absoluteJump(bytes, stub, codeAt, dataAt + i * QUADS);
    let from = 0;
    let to = trampoline;
    for (const b of p.branches) {
      bytes.set(p.bytes.subarray(from, b.at), to);
      to += b.at - from;
      bytes.set([0x0f, 0x80 | b.cc], to);
      view.setInt32(to + 2, b.to - (codeAt + to + 6), true);
      to += 6;
      from = b.at + b.size;
    }
    bytes.set(p.bytes.subarray(from, p.copy), to);
    absoluteJump(bytes, to + p.copy - from, codeAt, dataAt + i * QUADS + 8);
    quads.setBigUint64(i * QUADS, BigInt(p.replacement.toString()), true);
    quads.setBigUint64(i * QUADS + 8, BigInt(p.resume.toString()), true);
    patches.push({ target: p.target, rel: codeAt + stub - num(p.target) - PATCH });
    const entry = { via: data.add(i * QUADS), trampoline: code.add(trampoline) };
    installed.set(p.target.toString(), entry);
    done.set(p.target.toString(), entry.trampoline);
  });
  code.writeByteArray(bytes.buffer as ArrayBuffer);
  data.writeByteArray(quads.buffer as ArrayBuffer);
  Memory.protect(code, codeSize, "r-x");
  publish(done);
  writeJumps(patches, libcCode);
  return new Set(done.keys());
}

/**
 * Writes the 5-byte jumps. The pages they span (~160: libc's hooked exports lie far apart)
 * are made writable with one mprotect and executable again with another, as Gum does on a
 * system that allows rwx pages, but for the whole span at once: Memory.patchCode changes
 * them page by page, twice each, which cost ~0.5 ms, a tenth of the agent's init. That
 * needs the span inside one of libc's code segments (`code`), known to be r-x without
 * reading /proc/self/maps (~0.2 ms); otherwise, or where rwx is refused, Memory.patchCode
 * writes them.
 */
function writeJumps(patches: readonly { target: NativePointer; rel: number }[], code: readonly Span[]): void {
  if (patches.length === 0) {
    return;
  }
  const sorted = [...patches].sort((a, b) => a.target.compare(b.target));
  const start = sorted[0]!.target;
  const size = num(sorted[sorted.length - 1]!.target) - num(start) + PATCH;
  const write = (writable: NativePointer): void => {
    const jump = new Uint8Array(PATCH);
    const view = new DataView(jump.buffer);
    jump[0] = 0xe9;
    for (const { target, rel } of sorted) {
      view.setInt32(1, rel, true);
      writable.add(num(target) - num(start)).writeByteArray(jump.buffer as ArrayBuffer);
    }
  };
  if (within(code, start, size) && Memory.protect(start, size, "rwx")) {
    write(start);
    if (!Memory.protect(start, size, "r-x")) {
      throw new Error("libc's code could not be made read-only again");
    }
    jumpsWritten = "in place";
    return;
  }
  Memory.patchCode(start, size, write);
  jumpsWritten = "patchCode";
}

/** Whether `target` was replaced here (Interceptor does not know it is taken). */
export function patchedDirectly(target: NativePointer): boolean {
  return installed.has(target.toString());
}

/** Points every stub at its trampoline: the originals run again (the script is unloading). */
export function releaseDirect(): void {
  for (const { via, trampoline } of installed.values()) {
    via.writePointer(trampoline);
  }
  installed.clear();
}
