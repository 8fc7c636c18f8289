// Which hooked libc export is replaced how: left out (it only tail-calls another hooked one),
// patched by the direct installer (direct.ts, direct.c), or replaced through Gum. Decided by
// the host's packed plan for this libc where there is one, carried out by the C module in
// one call (fromPlan: each export whose bytes differ from the plan's decided afresh), else by
// analysing libc's prologues here (computed), which also makes the plan the host hands to
// the next processes (plan.ts).
import type { Policy } from "../policy.js";
import { carryOut, packDirect, planDirect, type Slotted, Status, symbol, within } from "./direct.js";
import { makePlan, type PlannedExport, plannedFrom, type ProloguePlan, type Span } from "./plan.js";
import { Prologues } from "./prologue.js";
import { HOOKS, type HookSpec } from "./table.js";

/** `name` in libc (or anywhere, without libc), or null. */
export function findExport(libc: Module | null, name: string): NativePointer | null {
  return libc !== null ? libc.findExportByName(name) : Module.findGlobalExportByName(name);
}

/** A hooked export libc has. */
export interface Found {
  readonly spec: HookSpec;
  readonly target: NativePointer;
  /** its index in HOOKS: its slot (of its original in cs_orig, of its wrapper in cs_wrapper) */
  readonly index: number;
}

/** An entry of the hook table. */
export interface Entry {
  readonly spec: HookSpec;
  readonly index: number;
}

/** The hook table's entries for a process of `policy`'s platform. */
export function entriesFor(policy: Policy): Entry[] {
  return HOOKS.map((spec, index) => ({ spec, index }))
    // a phone answers "localhost" to every app: nothing to hide, nothing to hook
    .filter(({ spec }) => !(spec.kind === "hostname" && policy.platform === "android"));
}

/** The exports of `entries` that libc has, each address once; the others (absent, or an
 * alias of one found before) in `absent`. */
export function findAll(libc: Module | null, entries: readonly Entry[]): { found: Found[]; absent: Entry[] } {
  const seen = new Set<string>();
  const found: Found[] = [];
  const absent: Entry[] = [];
  for (const entry of entries) {
    const p = findExport(libc, entry.spec.name);
    if (p === null || seen.has(p.toString())) {
      absent.push(entry);
      continue;
    }
    seen.add(p.toString());
    found.push({ ...entry, target: p });
  }
  return { found, absent };
}

const CONDITIONAL = /^(j(?!mp$)|b\.|cb|tb|ret|call|bl|syscall|svc|ud)/;

/**
 * The hooked export `target` jumps to straight away (a tail call with no conditional branch,
 * call or return before it), or null. Hooking such a stub too would translate paths twice.
 */
function tailCallTarget(target: NativePointer, hooked: ReadonlySet<string>, prologues: Prologues): NativePointer | null {
  for (let i = 0; i < 8; i++) {
    const insn = prologues.at(target, i);
    if (insn === null) {
      return null;
    }
    if (insn.mnemonic === "jmp" || insn.mnemonic === "b") {
      const op = (insn as unknown as { operands: { type: string; value: unknown }[] }).operands[0];
      if (op === undefined || op.type !== "imm") {
        return null;
      }
      const to = ptr(String(op.value));
      return hooked.has(to.toString()) && !to.equals(target) ? to : null;
    }
    if (CONDITIONAL.test(insn.mnemonic)) {
      return null;
    }
  }
  return null;
}

/**
 * Whether `target` begins with a jump out of libc's code (`code`): another hook's, such as
 * those Frida's child gating puts on execve and opendir. The direct installer would write
 * over it, and that hook, when it goes (gating disabled, its session detached), would write
 * libc's original bytes back over ours: the export would run unhooked. Gum's Interceptor
 * shares a function with Frida's own hooks instead, and either can go without the other.
 * A jump within libc is a tail call (the prologue analysis decides about those).
 */
function hookedElsewhere(target: NativePointer, code: readonly Span[]): boolean {
  let head: DataView;
  try {
    head = new DataView(target.readByteArray(6) as ArrayBuffer);
  } catch {
    return true; // not readable: not for the direct installer either
  }
  const first = head.getUint8(0);
  if (first === 0xff && head.getUint8(1) === 0x25) {
    return true; // jmp [rip + disp32]: an absolute jump, as Gum writes one when far away
  }
  if (first !== 0xe9) {
    return false;
  }
  return !within(code, target.add(5 + head.getInt32(1, true)), 1);
}

/** What became of the hooked exports. */
export interface Decided {
  readonly covered: Found[];
  readonly patched: Found[];
  /** to replace through Gum */
  readonly gum: Found[];
  readonly skipped: string[];
  /** those of a given plan decided afresh: their bytes in memory, or their entry, not the plan's */
  readonly afresh: string[];
  /** the plan of what the analysis decided, for the host (made on demand); null: none made */
  plan: (() => ProloguePlan) | null;
}

function nothingDecided(): Decided {
  return { covered: [], patched: [], gum: [], skipped: [], afresh: [], plan: null };
}

/** Where the direct installer may work: libc, its code segments. */
export interface Site {
  readonly base: NativePointer;
  readonly code: readonly Span[];
}

/** What the analysis decided for the exports it was given (the covered ones aside). */
interface Analysed {
  /** those to replace: the direct installer's plan for those it takes (`plans`), Gum the rest */
  readonly candidates: readonly Found[];
  readonly plans: readonly Slotted[];
}

/**
 * `subset` decided by analysis (Capstone, through `prologues`): covered (into `into`) when it
 * only tail-calls one of `hooked` (every hooked export's address); else replaced, by the
 * direct installer when it is for it (`site`: where it may work; null, not used), else by
 * Gum. `others`: what else the installer replaces.
 */
function analyse(
  cm: CModule,
  subset: readonly Found[],
  hooked: ReadonlySet<string>,
  others: readonly NativePointer[],
  site: Site | null,
  prologues: Prologues,
  into: Decided,
): Analysed {
  const candidates: Found[] = [];
  for (const f of subset) {
    (tailCallTarget(f.target, hooked, prologues) !== null ? into.covered : candidates).push(f);
  }
  if (site === null) {
    return { candidates, plans: [] };
  }
  const replaced = new Set([...others, ...candidates.map(({ target }) => target)].map(String));
  const plans: Slotted[] = [];
  for (const { spec, target, index } of candidates) {
    // another hook's (hookedElsewhere) stays with Gum, which shares the function with it
    const plan = hookedElsewhere(target, site.code) ? null
      : planDirect({ target, replacement: symbol(cm, `cs_r_${spec.name}`) }, prologues, replaced);
    if (plan !== null) {
      plans.push({ slot: index, plan });
    }
  }
  return { candidates, plans };
}

/** What `analysed` decided, carried out by the C module (direct.c) where `site` allows: each
 * candidate into `into`, patched or for Gum. */
function carryAnalysed(cm: CModule, analysed: Analysed, site: Site | null, into: Decided): void {
  const { candidates, plans } = analysed;
  const carried = site === null || plans.length === 0 ? null
    : carryOut(cm, packDirect(plans, site.base), site.base, site.code, HOOKS.length, false);
  for (const f of candidates) {
    (carried?.status[f.index] === Status.patched ? into.patched : into.gum).push(f);
  }
}

/**
 * The host's packed plan for this libc (`plan`) carried out by the C module; each export whose
 * bytes differ from the plan's decided afresh, as without a plan. Null when the plan was
 * refused (malformed, or no pages for the stubs): nothing was changed.
 */
export function fromPlan(
  cm: CModule,
  plan: ArrayBuffer,
  libc: Module,
  site: Site,
  entries: readonly Entry[],
): Decided | null {
  const carried = carryOut(cm, plan, site.base, site.code, HOOKS.length, true);
  if (carried === null) {
    return null;
  }
  const decided = nothingDecided();
  const again: Found[] = [];
  for (const { spec, index } of entries) {
    const status = carried.status[index];
    if (status === Status.absent || status === Status.none) {
      decided.skipped.push(spec.name);
    } else if (status === Status.afresh) {
      decided.afresh.push(spec.name);
      // where libc says it is: the plan's place is in doubt too
      const target = findExport(libc, spec.name);
      if (target === null) {
        decided.skipped.push(spec.name);
      } else {
        // another hook's (Frida's gating holds execve and opendir): Gum, with no analysis
        (hookedElsewhere(target, site.code) ? decided.gum : again).push({ spec, index, target });
      }
    } else {
      const f = { spec, index, target: carried.target(index) };
      (status === Status.covered ? decided.covered : status === Status.patched ? decided.patched : decided.gum).push(f);
    }
  }
  if (again.length > 0) {
    const others = [...decided.patched, ...decided.gum].map(({ target }) => target);
    const hooked = new Set([...others, ...[...decided.covered, ...again].map(({ target }) => target)].map(String));
    carryAnalysed(cm, analyse(cm, again, hooked, others, site, new Prologues(), decided), site, decided);
  }
  return decided;
}

/** The analysis of every export, without a plan; with `key` (libc's build-id, where the
 * direct installer is used), what it decided is kept as a plan for the host (`plan`). */
export function computed(
  cm: CModule,
  found: readonly Found[],
  absent: readonly Entry[],
  site: Site | null,
  key: string | null,
): Decided {
  const decided = nothingDecided();
  decided.skipped.push(...absent.map(({ spec }) => spec.name));
  const prologues = new Prologues();
  const hooked = new Set(found.map(({ target }) => target.toString()));
  const analysed = analyse(cm, found, hooked, [], site, prologues, decided);
  if (key !== null && site !== null) {
    try { // the heads read now, before anything is patched: the bytes the decisions read
      decided.plan = recordPlan(key, site.base, found, absent, decided, analysed.plans, prologues);
    } catch {
      decided.plan = null; // a head not readable: no plan to hand on, the hooks as always
    }
  }
  carryAnalysed(cm, analysed, site, decided);
  return decided;
}

/** The plan of what the analysis decided (`decided`, `plans`: the direct installer's), made
 * into JSON on demand. */
function recordPlan(
  id: string,
  base: NativePointer,
  found: readonly Found[],
  absent: readonly Entry[],
  decided: Decided,
  plans: readonly Slotted[],
  prologues: Prologues,
): () => ProloguePlan {
  const byTarget = new Map(plans.map(({ plan }) => [plan.target.toString(), plan]));
  const coveredNames = new Set(decided.covered.map(({ spec }) => spec.name));
  const heads = found.map(({ spec, target, index }) => ({
    spec, target, index, head: new Uint8Array(target.readByteArray(prologues.span(target)) as ArrayBuffer),
  }));
  return () => {
    const exports: Record<string, PlannedExport> = {};
    for (const { spec, target, index, head } of heads) {
      const plan = byTarget.get(target.toString()) ?? null;
      exports[spec.name] = plannedFrom(target, index, base, head, coveredNames.has(spec.name), plan);
    }
    return makePlan(id, exports, Object.fromEntries(absent.map(({ spec, index }) => [spec.name, index])));
  };
}

