// The prologue plan: what the analysis of libc's prologues decided (which hooked exports only
// tail-call another, and how the direct installer replaces each of the others), as a plain
// JSON value. Decoding the prologues with Capstone and scanning their bytes is most of an
// agent's init (~6 ms), and its answer depends only on libc's bytes, the same in every
// process of the machine: the host learns the plan from the first agent that computed one
// and hands it to the next ones (hooks/agent_bundle.py), which then only compare bytes.
//
// Keyed by libc's GNU build-id, the arch, and the exports found (their names and offsets);
// what the key cannot vouch for is checked: the bytes in memory each decision read from
// (its `head`: the instructions decoded, which include every byte the direct installer
// copies), since a process may have had libc patched before the agent came (Frida's child
// gating hooks execve and opendir, and anything else may too). An export whose bytes differ is
// decided afresh, by the same code as without a plan. A plan for another build, arch or set
// of exports, or malformed in any way, is ignored.
//
// The bytes the direct installer scans past the head for branches back into it (SCAN in
// direct.ts) are vouched for by the build-id alone: a hook is written at a function's entry.
//
// Plans are made and taken only where the direct installer is used (x86_64, a kept agent,
// before the process runs); elsewhere the analysis runs as it always did.
import { type Branch, type DirectPlan, type DirectRequest, feasible } from "./direct.js";

/** The plan's layout; the host also keeps plans apart by agent build (hooks/agent_bundle.py). */
const FORMAT = 1;
const ELF64_HEADER = 64;
const NT_GNU_BUILD_ID = 3;
const PT_LOAD = 1;
const PT_NOTE = 4;
const PF_X = 1;
const PF_W = 2;

/** One export as the analysis saw it; offsets are from libc's base. */
export interface PlannedExport {
  readonly at: number;
  /** hex of the bytes the decision read (the instructions decoded from `at`) */
  readonly head: string;
  /** only tail-calls another hooked export */
  readonly covered: boolean;
  /** the direct installer's plan (`resume`, and each branch as [at in the copy, size,
   * condition code, to], from libc's base); null when the export is not for it */
  readonly direct: {
    readonly copy: number;
    readonly resume: number;
    readonly branches: readonly (readonly [number, number, number, number])[];
  } | null;
}

export interface ProloguePlan {
  readonly format: number;
  readonly arch: string;
  readonly buildId: string;
  readonly exports: Readonly<Record<string, PlannedExport>>;
}

/** A hooked export found in libc. */
export interface Target {
  readonly name: string;
  readonly target: NativePointer;
}

let offered: unknown = null;

/** Takes the plans the host has (before init); which one fits is decided at init. */
export function offerPlans(plans: unknown): void {
  offered = plans;
}

function num(p: NativePointer): number {
  return Number(p.toString());
}

/** `p` - `base` (within a library: 32 bits), the cheapest way in QuickJS. */
export function offset(p: NativePointer, base: NativePointer): number {
  return p.sub(base).toInt32();
}

const HEX = "0123456789abcdef";

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

const HEX_ONLY = /^(?:[0-9a-f]{2})+$/;

/** The bytes at `target` when they are those `head` (checked hex: plannedExport) spells, else
 * null. Compared four bytes at a time: a loop per byte costs ~1 µs a byte in QuickJS. */
export function matching(target: NativePointer, head: string): Uint8Array | null {
  const n = head.length >> 1;
  let buffer: ArrayBuffer;
  try {
    buffer = target.readByteArray(n) as ArrayBuffer;
  } catch {
    return null;
  }
  const view = new DataView(buffer);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    if (view.getUint32(i) !== parseInt(head.substring(2 * i, 2 * i + 8), 16)) {
      return null;
    }
  }
  for (; i < n; i++) {
    if (view.getUint8(i) !== parseInt(head.substring(2 * i, 2 * i + 2), 16)) {
      return null;
    }
  }
  return new Uint8Array(buffer);
}

/** An address span, [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** What the fast path reads from libc's ELF headers in memory. */
export interface LibcImage {
  /** its GNU build-id (hex); null when it has none */
  readonly id: string | null;
  /** where its code is mapped: the PT_LOAD segments that are executable, not writable (r-x) */
  readonly code: readonly Span[];
}

/** libc's image as its headers in memory describe it; null when they are not a 64-bit ELF's. */
export function readImage(libc: Module): LibcImage | null {
  const base = libc.base;
  const header = new DataView(base.readByteArray(ELF64_HEADER) as ArrayBuffer);
  if (header.getUint32(0, true) !== 0x464c457f || header.getUint8(4) !== 2) {
    return null; // not a 64-bit ELF
  }
  const phoff = Number(header.getBigUint64(0x20, true));
  const phentsize = header.getUint16(0x36, true);
  const phnum = header.getUint16(0x38, true);
  const table = new DataView(base.add(phoff).readByteArray(phentsize * phnum) as ArrayBuffer);
  const headers = Array.from({ length: phnum }, (_, i) => ({
    type: table.getUint32(i * phentsize, true),
    flags: table.getUint32(i * phentsize + 4, true),
    vaddr: Number(table.getBigUint64(i * phentsize + 0x10, true)),
    fileSize: Number(table.getBigUint64(i * phentsize + 0x20, true)),
    memSize: Number(table.getBigUint64(i * phentsize + 0x28, true)),
  }));
  // the load bias: the base is where the lowest PT_LOAD segment (page-aligned) was mapped
  const lowest = Math.min(...headers.filter(({ type }) => type === PT_LOAD).map(({ vaddr }) => vaddr));
  const bias = base.sub(Number.isFinite(lowest) ? lowest - (lowest % Process.pageSize) : 0);
  let id: string | null = null;
  for (const { type, vaddr, fileSize } of headers) {
    if (type === PT_NOTE && id === null) {
      id = buildIdNote(new DataView(bias.add(vaddr).readByteArray(fileSize) as ArrayBuffer));
    }
  }
  const code = headers.filter(({ type, flags }) => type === PT_LOAD && (flags & (PF_X | PF_W)) === PF_X)
    .map(({ vaddr, memSize }) => ({ start: num(bias.add(vaddr)), end: num(bias.add(vaddr + memSize)) }));
  return { id, code };
}

/** The NT_GNU_BUILD_ID note's descriptor (hex) among the notes in `notes`, or null. */
function buildIdNote(notes: DataView): string | null {
  const align4 = (n: number): number => (n + 3) & ~3;
  for (let at = 0; at + 12 <= notes.byteLength;) {
    const namesz = notes.getUint32(at, true);
    const descsz = notes.getUint32(at + 4, true);
    const type = notes.getUint32(at + 8, true);
    const desc = at + 12 + align4(namesz);
    if (desc + descsz > notes.byteLength) {
      return null;
    }
    const name = namesz === 4 ? notes.getUint32(at + 12, true) : 0;
    if (type === NT_GNU_BUILD_ID && name === 0x00554e47) { // "GNU\0"
      return toHex(new Uint8Array(notes.buffer, notes.byteOffset + desc, descsz));
    }
    at = desc + align4(descsz);
  }
  return null;
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** `value` as a planned export, or null when it is malformed. */
function plannedExport(value: unknown): PlannedExport | null {
  if (typeof value !== "object" || value === null) {
    return null;
  }
  const { at, head, covered, direct } = value as Record<string, unknown>;
  if (!isInt(at) || typeof head !== "string" || !HEX_ONLY.test(head) || typeof covered !== "boolean") {
    return null;
  }
  if (direct === null) {
    return { at, head, covered, direct: null };
  }
  if (typeof direct !== "object" || covered) {
    return null;
  }
  const { copy, resume, branches } = direct as Record<string, unknown>;
  if (!isInt(copy) || !isInt(resume) || !Array.isArray(branches)) {
    return null;
  }
  // plain loops: this runs for every export of a plan, in the time of a process's start
  const shape: Branch[] = [];
  for (const b of branches as unknown[]) {
    if (!Array.isArray(b) || b.length !== 4 || !isInt(b[0]) || !isInt(b[3]) || (b[1] !== 2 && b[1] !== 6)
      || !isInt(b[2]) || b[2] < 0 || b[2] > 15) {
      return null;
    }
    shape.push({ at: b[0], size: b[1], cc: b[2], to: b[3] });
  }
  if (!feasible(copy, head.length / 2, shape)) {
    return null;
  }
  return { at, head, covered, direct: { copy, resume, branches: branches as [number, number, number, number][] } };
}

/** The offered plan for this libc (build-id `id`), arch and `targets` (every hooked export
 * found, none missing, none more, each where the plan has it), or null. */
export function givenPlan(libc: Module, id: string, targets: readonly Target[]): Map<string, PlannedExport> | null {
  if (!Array.isArray(offered)) {
    return null;
  }
  const plan: unknown = offered.find((p: unknown) => typeof p === "object" && p !== null
    && (p as Record<string, unknown>)["buildId"] === id && (p as Record<string, unknown>)["arch"] === Process.arch
    && (p as Record<string, unknown>)["format"] === FORMAT);
  const exports = (plan as Record<string, unknown> | undefined)?.["exports"];
  if (typeof exports !== "object" || exports === null || Object.keys(exports).length !== targets.length) {
    return null;
  }
  const base = libc.base;
  const accepted = new Map<string, PlannedExport>();
  for (const { name, target } of targets) {
    const entry = Object.hasOwn(exports, name) ? plannedExport((exports as Record<string, unknown>)[name]) : null;
    if (entry === null || entry.at !== offset(target, base)) {
      return null;
    }
    accepted.set(name, entry);
  }
  return accepted;
}

/**
 * The direct installer's plan for `request` as `entry` has it (null: not for the installer),
 * where `bytes` are the target's, found to be the entry's head (`matching`); or undefined
 * when another export the installer is asked about (`candidates`, offsets from `base`)
 * starts inside the bytes it would copy: the export is then decided afresh.
 */
export function givenDirect(
  entry: PlannedExport,
  request: DirectRequest,
  bytes: Uint8Array,
  base: NativePointer,
  candidates: ReadonlySet<number>,
): DirectPlan | null | undefined {
  const { direct } = entry;
  if (direct === null) {
    return null;
  }
  for (let i = 1; i < direct.copy; i++) {
    if (candidates.has(entry.at + i)) {
      return undefined;
    }
  }
  const b = num(base);
  const branches: Branch[] = direct.branches.map(([at, size, cc, to]) => ({ at, size, cc, to: b + to }));
  return { ...request, bytes, copy: direct.copy, resume: base.add(direct.resume), branches };
}

/** What the analysis decided for one export, in a plan's terms: whether it is `covered`, and
 * `direct` the installer's plan for it; `head`: the bytes the decision read. */
export function plannedFrom(
  target: NativePointer,
  base: NativePointer,
  head: Uint8Array,
  covered: boolean,
  direct: DirectPlan | null,
): PlannedExport {
  const b = num(base);
  return {
    at: num(target) - b,
    head: toHex(head),
    covered,
    direct: direct === null ? null : {
      copy: direct.copy,
      resume: num(direct.resume) - b,
      branches: direct.branches.map(({ at, size, cc, to }) => [at, size, cc, to - b] as const),
    },
  };
}

export function makePlan(id: string, exports: Record<string, PlannedExport>): ProloguePlan {
  return { format: FORMAT, arch: Process.arch, buildId: id, exports };
}
