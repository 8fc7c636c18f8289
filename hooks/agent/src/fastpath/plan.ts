// The prologue plan: what the analysis of libc's prologues decided (which hooked exports only
// tail-call another, and how the direct installer replaces each of the others), as a plain
// JSON value. Decoding the prologues with Capstone and scanning their bytes is most of an
// agent's init (~6 ms), and its answer depends only on libc's bytes, the same in every
// process of the machine: the host learns the plan from the first agent that computed one,
// packs it (hooks/prologue_plan.py) and hands the packed form to the next agents, whose C
// module carries it out (direct.c: it compares each export's bytes with the plan's and
// writes the stubs and jumps), with no JavaScript per export.
//
// Keyed by libc's GNU build-id and the arch; the host keeps plans apart by agent build too (a
// plan's slots are indices into this build's hook table). The build-id vouches for where
// each export is, and which are absent; what it cannot vouch for is checked: the bytes in
// memory each decision read from (its `head`: the instructions decoded, which include every
// byte the direct installer copies), since a process may have had libc patched before the
// agent came (Frida's child gating hooks execve and opendir, and anything else may too). An
// export whose bytes differ is decided afresh, by the same code as without a plan. A packed
// plan that is malformed in any way is refused whole (direct.c).
//
// The bytes the direct installer scans past the head for branches back into it (SCAN in
// direct.ts) are vouched for by the build-id alone: a hook is written at a function's entry.
//
// Plans are made and taken only where the direct installer is used (x86_64, a kept agent,
// before the process runs); elsewhere the analysis runs as it always did.
import type { DirectPlan } from "./direct.js";

/** The plan's layout; the host also keeps plans apart by agent build (hooks/agent_bundle.py). */
const FORMAT = 2;
const ELF64_HEADER = 64;
const NT_GNU_BUILD_ID = 3;
const PT_LOAD = 1;
const PT_NOTE = 4;
const PF_X = 1;
const PF_W = 2;

/** One export as the analysis saw it; offsets are from libc's base. */
export interface PlannedExport {
  readonly at: number;
  /** its index in the hook table (HOOKS) */
  readonly slot: number;
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
  /** the hook table's other exports (not in libc, or another's alias), by name: their slots */
  readonly absent: Readonly<Record<string, number>>;
}

function num(p: NativePointer): number {
  return Number(p.toString());
}

const HEX = "0123456789abcdef";

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
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

/** What the analysis decided for one export, in a plan's terms: whether it is `covered`, and
 * `direct` the installer's plan for it; `head`: the bytes the decision read. */
export function plannedFrom(
  target: NativePointer,
  slot: number,
  base: NativePointer,
  head: Uint8Array,
  covered: boolean,
  direct: DirectPlan | null,
): PlannedExport {
  const b = num(base);
  return {
    at: num(target) - b,
    slot,
    head: toHex(head),
    covered,
    direct: direct === null ? null : {
      copy: direct.copy,
      resume: num(direct.resume) - b,
      branches: direct.branches.map(({ at, size, cc, to }) => [at, size, cc, to - b] as const),
    },
  };
}

export function makePlan(
  id: string,
  exports: Record<string, PlannedExport>,
  absent: Record<string, number>,
): ProloguePlan {
  return { format: FORMAT, arch: Process.arch, buildId: id, exports, absent };
}

/** A packed plan the host offered: for libc build `buildId` on `arch`. */
interface PackedOffer {
  readonly buildId: string;
  readonly arch: string;
  readonly plan: ArrayBuffer;
}

let offered: readonly PackedOffer[] = [];

/**
 * Takes the packed plans the host has (before init): `index` lists them ({buildId, arch,
 * size} each), `data` holds them one after another. Anything else is no plan.
 */
export function offerPlans(index: unknown, data: ArrayBuffer | null): void {
  offered = [];
  if (!Array.isArray(index) || data === null) {
    return;
  }
  const plans: PackedOffer[] = [];
  let at = 0;
  for (const item of index as unknown[]) {
    const { buildId, arch, size } = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof buildId !== "string" || typeof arch !== "string" || !Number.isSafeInteger(size)
      || (size as number) < 0 || at + (size as number) > data.byteLength) {
      return;
    }
    plans.push({ buildId, arch, plan: data.slice(at, at + (size as number)) });
    at += size as number;
  }
  offered = plans;
}

/** The packed plan offered for libc build `id` on this arch, or null. */
export function packedPlan(id: string): ArrayBuffer | null {
  return offered.find((p) => p.buildId === id && p.arch === Process.arch)?.plan ?? null;
}
