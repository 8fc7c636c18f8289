// Installs the CModule fast path: loads redirect.c compiled ahead of time (a shared object the
// host hands over, or that a clone's payload carries in this bundle (carried.ts), built by
// scripts/build-cmodule.mjs with a wrapper for every export of the hook table) or, when none
// fits, compiles redirect.c plus one wrapper per libc export found with Frida's TinyCC;
// copies the policy's tables into it, and replaces the exports with the C wrappers. Which
// exports are left out as tail calls, and how the direct installer replaces the others, comes
// from the host's prologue plan for this libc where it has one (plan.ts), else is computed.
import { inOwnProcess } from "../events.js";
import { cloneHostname } from "../identity/hostname.js";
import { identityValues } from "../identity/types.js";
import { offlineAllowed, replaceFast } from "../live.js";
import type { Emit, Host, Policy } from "../policy.js";
import { CARRIED } from "./carried.js";
import { type DirectPlan, jumpsWrittenBy, patchDirect, planDirect, releaseDirect, within } from "./direct.js";
import {
  givenDirect, givenPlan, makePlan, matching, offset, type LibcImage, type PlannedExport, type ProloguePlan, plannedFrom, readImage, type Span,
} from "./plan.js";
import { Prologues } from "./prologue.js";
import { REDIRECT_C, REDIRECT_KEY } from "./redirect.generated.js";
import { EXEC_NAMES, HOOKS, type HookSpec, wrapperLine } from "./table.js";

export interface FileHookStats {
  readonly installed: readonly string[];
  readonly skipped: readonly string[];
  readonly slow: readonly string[];
  /** installed by the x86_64 direct installer (direct.ts); the rest of `installed` went through Gum */
  readonly patched: readonly string[];
  /** exports that only tail-call another hooked export (glibc's stat -> fstatat) */
  readonly covered: readonly string[];
  readonly redirects: number;
  readonly denies: number;
  readonly dropped: number;
  /** "prebuilt", or "tinycc: " and why no prebuilt module was used (null before init) */
  readonly cmodule: string | null;
  /** where the prologue analysis came from (plan.ts): "given" (the host's plan for this libc),
   * "computed" (none fitted), null (no plan: off x64, an agent not kept, or before init) */
  readonly prologues: "given" | "computed" | null;
  /** exports of a given plan decided afresh: their bytes in memory were not the plan's */
  readonly afresh: readonly string[];
  /** how the direct installer wrote its jumps into libc (direct.ts, writeJumps): "in place"
   * or "patchCode"; null when it wrote none */
  readonly jumps: "in place" | "patchCode" | null;
}

/** A fast path compiled ahead of time, as the host offers it (hooks/agent_bundle.py). */
export interface PrebuiltOffer {
  readonly arch: string;
  readonly key: string;
  readonly so: ArrayBuffer;
}

const STATE_BYTES = 320 * 1024;
const EVENT_BYTES = 544;
const DRAIN_MAX = 128;
const DRAIN_MS = 50;
const EVENT_KINDS: Record<number, "redirect" | "deny" | "spoof"> = { 1: "redirect", 2: "deny", 3: "spoof" };

/** Everything the C module points into must stay reachable from JS. */
const keepAlive: unknown[] = [];
let module: CModule | null = null;
let installed: string[] = [];
let skipped: string[] = [];
let slow: string[] = [];
let patched: string[] = [];
let covered: string[] = [];
let origin: string | null = null;
let prologueOrigin: "given" | "computed" | null = null;
let afresh: string[] = [];
/** the plan this process computed, made on demand (computedPlan); null when it computed none */
let makeComputedPlan: (() => ProloguePlan) | null = null;
let offered: PrebuiltOffer | null = null;
let drainEvents = (): void => {};

/** The module the payload carries in this bundle, read out; null when it carries none. */
function carriedOffer(): PrebuiltOffer | null {
  const carried = CARRIED;
  if (carried === null) {
    return null;
  }
  const db = SqliteDatabase.openInline(carried.db);
  try {
    const row = db.prepare("SELECT so FROM fastpath").step();
    const so: unknown = row === null ? null : row[0];
    if (!(so instanceof ArrayBuffer)) {
      throw new Error("no shared object in it");
    }
    return { arch: carried.arch, key: carried.key, so };
  } finally {
    db.close();
  }
}

/** Takes the host's prebuilt fast path (before init; used by installFileHooks). */
export function offerPrebuilt(offer: PrebuiltOffer): void {
  offered = offer;
}

/** Hands the events recorded by the C side to the emitter (call before exit/exec too). */
export function drainFileEvents(): void {
  drainEvents();
}

function findLibc(): Module | null {
  for (const name of ["libc.so.6", "libc.so"]) {
    const m = Process.findModuleByName(name);
    if (m !== null) {
      return m;
    }
  }
  return null;
}

function findExport(libc: Module | null, name: string): NativePointer | null {
  return libc !== null ? libc.findExportByName(name) : Module.findGlobalExportByName(name);
}

function requireExport(libc: Module | null, names: readonly string[]): NativePointer {
  for (const name of names) {
    const p = findExport(libc, name);
    if (p !== null) {
      return p;
    }
  }
  throw new Error(`libc exports none of ${names.join(", ")}`);
}

/** A pthread function: in libc, or (glibc before 2.34) in libpthread. */
function requireThreadExport(libc: Module | null, name: string): NativePointer {
  const p = findExport(libc, name) ?? Module.findGlobalExportByName(name);
  if (p === null) {
    throw new Error(`no ${name} in this process`);
  }
  return p;
}

/** The thread-specific flag the C side sets while the original realpath runs (cs_raw). */
function setRawKey(cm: CModule, libc: Module | null): void {
  const create = new NativeFunction(requireThreadExport(libc, "pthread_key_create"), "int", ["pointer", "pointer"]);
  const key = zeroed(4);
  if (create(key, NULL) !== 0) {
    throw new Error("pthread_key_create failed");
  }
  new NativeFunction(symbol(cm, "cs_set_raw_key"), "void", ["long"])(key.readU32());
}

function symbol(cm: CModule, name: string): NativePointer {
  const p = cm[name];
  if (p === undefined) {
    throw new Error(`CModule lacks symbol ${name}`);
  }
  return p;
}

function loadTables(cm: CModule, policy: Policy): void {
  const str = (s: string): NativePointer => {
    const p = Memory.allocUtf8String(s);
    keepAlive.push(p);
    return p;
  };
  new NativeFunction(symbol(cm, "cs_init"), "void", [])();
  const addRule = new NativeFunction(symbol(cm, "cs_add_rule"), "int", ["pointer", "pointer"]);
  const addDeny = new NativeFunction(symbol(cm, "cs_add_deny"), "int", ["pointer"]);
  const addAllow = new NativeFunction(symbol(cm, "cs_add_allow"), "int", ["pointer"]);
  for (const r of policy.redirects) {
    if (addRule(str(r.virtual), str(r.real)) !== 0) {
      throw new Error("too many redirects (at most 64)");
    }
  }
  for (const d of policy.deny) {
    if (addDeny(str(d)) !== 0) {
      throw new Error("too many deny prefixes (at most 64)");
    }
  }
  for (const a of policy.allow) {
    if (addAllow(str(a)) !== 0) {
      throw new Error("too many allow prefixes (at most 64)");
    }
  }
  new NativeFunction(symbol(cm, "cs_prepare"), "void", [])();
  new NativeFunction(symbol(cm, "cs_set_deny_errno"), "void", ["int"])(policy.deny_errno);
}

/** The clone's host name for gethostname and uname to answer (none on Android). */
function setHostname(cm: CModule, policy: Policy): void {
  const name = policy.platform === "android" ? null : cloneHostname(identityValues(policy.identity));
  if (name !== null) {
    new NativeFunction(symbol(cm, "cs_set_hostname"), "void", ["pointer"])(Memory.allocUtf8String(name));
  }
}

/** The host-name exports (gethostname, uname) the fast path replaced: identity/hooks.ts
 * attaches to the others itself. */
export function hostnameAnswered(): ReadonlySet<string> {
  return new Set(installed.filter((name) => name === "gethostname" || name === "uname"));
}

/** Moves the events the C side recorded to `emit`. */
function drainInto(cm: CModule, emit: Emit): () => void {
  const buffer = zeroed(EVENT_BYTES * DRAIN_MAX);
  const drain = new NativeFunction(symbol(cm, "cs_drain"), "int", ["pointer", "int"]);
  return (): void => {
    if (!inOwnProcess()) {
      return; // a fork child's copy of the parent's events: the parent reports them
    }
    let n: number;
    do {
      n = drain(buffer, DRAIN_MAX);
      for (let i = 0; i < n; i++) {
        const e = buffer.add(i * EVENT_BYTES);
        const type = EVENT_KINDS[e.readS32()] ?? "deny";
        const op = e.add(4).readUtf8String() ?? "?";
        const path = e.add(32).readUtf8String() ?? "";
        // a spoof is a host name answered (gethostname, uname), as identity/hooks.ts reports one
        emit(type === "spoof" ? { type, op, field: "hostname", value: path }
          : { type, op, path, real: e.add(32 + 256).readUtf8String() ?? "" });
      }
    } while (n === DRAIN_MAX);
  };
}

function connectEmitter(cm: CModule, emit: Emit): void {
  if (Number(new NativeFunction(symbol(cm, "cs_event_size"), "long", [])()) !== EVENT_BYTES) {
    throw new Error("CModule event layout differs from the agent's");
  }
  new NativeFunction(symbol(cm, "cs_set_trace"), "void", ["int"])(1);
  drainEvents = drainInto(cm, emit);
  setInterval(drainEvents, DRAIN_MS);
}

/** `size` bytes of zeros, kept alive. A multiple of the page size is fresh pages from the OS
 * (Memory.alloc maps them), zero already: writing the C state's 320 kB of zeros again cost
 * ~0.45 ms of init, and touched every page of it. */
function zeroed(size: number): NativePointer {
  const p = Memory.alloc(size);
  if (size % Process.pageSize !== 0) {
    p.writeByteArray(new ArrayBuffer(size)); // from Frida's heap: zeroed too, but not said so
  }
  keepAlive.push(p);
  return p;
}

function setSys(cm: CModule, getcwd: NativePointer, readlink: NativePointer, realpath: NativePointer): void {
  new NativeFunction(symbol(cm, "cs_set_sys"), "void", ["pointer", "pointer", "pointer"])(getcwd, readlink, realpath);
}

/**
 * Replaces `target` with its C wrapper; returns the pointer through which the original is
 * reached. replaceFast (no trampoline) first; "offline" lets Gum overwrite past a syscall
 * instruction (fine: init runs while the process is suspended); plain replace last. While
 * offline is allowed it alone is tried: Gum rewrites the same bytes as "online" wherever
 * that would succeed (it only stops "online" at a call or syscall), without the failed try.
 */
function replaceOne(cm: CModule, spec: HookSpec, target: NativePointer): NativePointer {
  const replacement = symbol(cm, `cs_r_${spec.name}`);
  if (!EXEC_NAMES.has(spec.name)) {
    const scenarios = offlineAllowed() ? (["offline"] as const) : (["online", "offline"] as const);
    for (const scenario of scenarios) {
      try {
        return replaceFast(target, scenario, replacement); // offline: refused once running
      } catch {
        // try the next way
      }
    }
  }
  Interceptor.replace(target, replacement);
  slow.push(spec.name);
  return target; // calling the target from inside its replacement reaches the original
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

/** The exec family refuses to start a program once the host is gone (host_refuses in
 * redirect.c); `open` is the original, not the hook. */
function setHost(cm: CModule, libc: Module | null, host: Host, open: NativePointer): void {
  new NativeFunction(symbol(cm, "cs_set_host"), "void",
    ["long", "long", "pointer", "pointer", "pointer"])(
    host.pid, host.start, open, requireExport(libc, ["read"]), requireExport(libc, ["close"]));
}

/**
 * Whether the direct installer (direct.ts) is used: on x86_64, for an agent its host keeps
 * (`keep`, see index.ts), while the process does not run yet (where Gum's "offline" scenario
 * would be used).
 */
function direct(keep: boolean): boolean {
  return keep && Process.arch === "x64" && offlineAllowed();
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

/** At unload: the directly replaced exports run their originals again (Gum reverts its own). */
export function releaseFileHooks(): void {
  releaseDirect();
}

interface Found {
  readonly spec: HookSpec;
  readonly target: NativePointer;
  /** its index in HOOKS: the slot of its original in cs_orig */
  readonly index: number;
}

/** The module's layout is the agent's (both were built from the same redirect.c). */
function checkLayout(cm: CModule, found: readonly Found[]): void {
  for (const { spec } of found) {
    symbol(cm, `cs_r_${spec.name}`);
  }
  if (Number(new NativeFunction(symbol(cm, "cs_state_size"), "long", [])()) > STATE_BYTES) {
    throw new Error("CModule state larger than allocated");
  }
}

/** The prebuilt module (the host's, else the payload's) when it is for this process and these
 * sources, else why not. */
function prebuiltModule(found: readonly Found[], symbols: CSymbols): CModule | string {
  let offer: PrebuiltOffer | null;
  try {
    offer = offered ?? carriedOffer(); // the host's, else the payload's
  } catch (e) {
    return `the carried module could not be read (${String(e)})`;
  }
  if (offer === null) {
    return "no prebuilt module offered";
  }
  if (offer.arch !== Process.arch) {
    return `the prebuilt module is for ${offer.arch}, not ${Process.arch}`;
  }
  if (offer.key !== REDIRECT_KEY) {
    return "the prebuilt module was built from other sources";
  }
  let cm: CModule;
  try {
    cm = new CModule(offer.so, symbols);
  } catch (e) {
    return `the prebuilt module did not load (${String(e)})`;
  }
  try {
    checkLayout(cm, found);
  } catch (e) {
    cm.dispose();
    return `the prebuilt module does not fit (${String(e)})`;
  }
  return cm;
}

/** The fast path: prebuilt when one fits, else redirect.c compiled here by TinyCC. */
function loadModule(found: readonly Found[], symbols: CSymbols): CModule {
  const prebuilt = prebuiltModule(found, symbols);
  let cm: CModule;
  if (typeof prebuilt === "string") {
    origin = `tinycc: ${prebuilt}`;
    const wrappers = found.map(({ spec, index }) => wrapperLine(spec, index));
    cm = new CModule(REDIRECT_C + "\n" + wrappers.join("\n") + "\n", symbols);
    checkLayout(cm, found);
  } else {
    origin = "prebuilt";
    cm = prebuilt;
  }
  keepAlive.push(cm);
  return cm;
}

/** libc's image (its build-id, where its code is), when the direct installer is used and its
 * headers read as expected; else null. */
function libcImage(keep: boolean, libc: Module | null): LibcImage | null {
  if (!direct(keep) || libc === null) {
    return null;
  }
  try {
    return readImage(libc);
  } catch {
    return null; // headers not readable as expected: no plan, the analysis as without one
  }
}

/** libc and its build-id, when the prologue analysis can be planned (the direct installer is
 * used and libc names its build); else null. */
function planKey(libc: Module | null, image: LibcImage | null): { libc: Module; id: string } | null {
  return libc === null || image?.id == null ? null : { libc, id: image.id };
}

/**
 * The prologue analysis of the exports found: from the host's plan (`given`) for each export
 * whose bytes are still the plan's, otherwise computed (Capstone, through `prologues`).
 */
class Analysis {
  readonly prologues = new Prologues();
  /** the given plan's entries whose bytes matched: the bytes read */
  private readonly heads = new Map<string, Uint8Array>();

  constructor(
    private readonly given: ReadonlyMap<string, PlannedExport> | null,
    private readonly base: NativePointer,
    found: readonly Found[],
    /** libc's code segments (readImage): a jump out of them is another hook's */
    private readonly code: readonly Span[],
  ) {
    if (given !== null) {
      for (const { spec, target } of found) {
        const bytes = matching(target, given.get(spec.name)!.head);
        if (bytes !== null) {
          this.heads.set(spec.name, bytes);
        } else {
          afresh.push(spec.name);
        }
      }
    }
  }

  /** Whether `f` only tail-calls another of the hooked exports (`targets`). */
  covered(f: Found, targets: ReadonlySet<string>): boolean {
    const entry = this.heads.has(f.spec.name) ? this.given?.get(f.spec.name) : undefined;
    return entry !== undefined ? entry.covered : tailCallTarget(f.target, targets, this.prologues) !== null;
  }

  /** The direct installer's plan for each of `candidates` that is for it: none for an export
   * another hook holds (hookedElsewhere), unless the plan given vouches for its bytes (a plan
   * never has a direct entry for such an export: the process that made it left it out). */
  direct(candidates: readonly Found[], cm: CModule): DirectPlan[] {
    const others = new Set(candidates.map(({ target }) => target.toString()));
    const offsets = this.given === null ? new Set<number>()
      : new Set(candidates.map(({ target }) => offset(target, this.base)));
    return candidates.flatMap(({ spec, target }) => {
      const request = { target, replacement: symbol(cm, `cs_r_${spec.name}`) };
      const bytes = this.heads.get(spec.name);
      let plan = bytes === undefined ? undefined : givenDirect(this.given!.get(spec.name)!, request, bytes, this.base, offsets);
      if (plan === undefined) {
        if (bytes !== undefined) {
          afresh.push(spec.name);
        }
        plan = hookedElsewhere(target, this.code) ? null : planDirect(request, this.prologues, others);
      }
      return plan === null ? [] : [plan];
    });
  }
}

/** The plan of what `analysis` computed for `found` (covered or not; `plans`: the direct
 * installer's), its bytes read now, before anything is patched; made into JSON on demand. */
function recordPlan(
  key: { libc: Module; id: string },
  found: readonly Found[],
  coveredNames: ReadonlySet<string>,
  plans: readonly DirectPlan[],
  prologues: Prologues,
): () => ProloguePlan {
  const base = key.libc.base;
  const byTarget = new Map(plans.map((p) => [p.target.toString(), p]));
  const heads = found.map(({ spec, target }) => ({
    spec, target, head: new Uint8Array(target.readByteArray(prologues.span(target)) as ArrayBuffer),
  }));
  return () => {
    const exports: Record<string, PlannedExport> = {};
    for (const { spec, target, head } of heads) {
      const plan = byTarget.get(target.toString()) ?? null;
      exports[spec.name] = plannedFrom(target, base, head, coveredNames.has(spec.name), plan);
    }
    return makePlan(key.id, exports);
  };
}

/** Loads (or compiles) the fast path for `policy` and replaces the libc file functions. Once per process. */
export function installFileHooks(policy: Policy, emit: Emit, keep: boolean): void {
  if (module !== null) {
    return;
  }
  const libc = findLibc();
  const seen = new Map<string, HookSpec>();
  let found: Found[] = [];
  skipped = [];
  HOOKS.forEach((spec, index) => {
    if (spec.kind === "hostname" && policy.platform === "android") {
      return; // a phone answers "localhost" to every app: nothing to hide, nothing to hook
    }
    const p = findExport(libc, spec.name);
    if (p === null || seen.has(p.toString())) {
      skipped.push(spec.name);
      return;
    }
    seen.set(p.toString(), spec);
    found.push({ spec, target: p, index });
  });
  const all = found;
  const targets = new Set(found.map(({ target }) => target.toString()));
  const image = libcImage(keep, libc);
  const key = planKey(libc, image);
  const given = key === null ? null
    : givenPlan(key.libc, key.id, found.map(({ spec, target }) => ({ name: spec.name, target })));
  prologueOrigin = key === null ? null : given !== null ? "given" : "computed";
  afresh = [];
  const analysis = new Analysis(given, key?.libc.base ?? NULL, found, image?.code ?? []);
  covered = found.filter((f) => analysis.covered(f, targets)).map(({ spec }) => spec.name);
  found = found.filter(({ spec }) => !covered.includes(spec.name));
  const state = zeroed(STATE_BYTES);
  const origs = zeroed(HOOKS.length * Process.pointerSize); // by index in HOOKS
  const cm = loadModule(found, {
    cs_st: state,
    cs_orig: origs,
    cs_errno_location: requireExport(libc, ["__errno_location", "__errno"]),
    cs_malloc: requireExport(libc, ["malloc"]),
    cs_strlen: requireExport(libc, ["strlen"]),
    cs_memcpy: requireExport(libc, ["memcpy"]),
    cs_strncmp: requireExport(libc, ["strncmp"]),
    cs_strstr: requireExport(libc, ["strstr"]),
    cs_opendir: requireExport(libc, ["opendir"]),
    cs_readdir64: requireExport(libc, ["readdir64", "readdir"]),
    cs_closedir: requireExport(libc, ["closedir"]),
    cs_getspecific: requireThreadExport(libc, "pthread_getspecific"),
    cs_setspecific: requireThreadExport(libc, "pthread_setspecific"),
  });
  module = cm;
  const getcwd = requireExport(libc, ["getcwd"]);
  const readlink = requireExport(libc, ["readlink"]);
  const realpath = requireExport(libc, ["realpath"]);
  setSys(cm, getcwd, readlink, realpath);
  loadTables(cm, policy);
  setHostname(cm, policy);
  setRawKey(cm, libc);
  if (policy.trace) {
    connectEmitter(cm, emit);
  }
  const originals = new Map<string, NativePointer>();
  const publish = (target: NativePointer, index: number, original: NativePointer): void => {
    origs.add(index * Process.pointerSize).writePointer(original);
    originals.set(target.toString(), original);
  };
  const plans = direct(keep) ? analysis.direct(found, cm) : [];
  if (key !== null && given === null) {
    try {
      makeComputedPlan = recordPlan(key, all, new Set(covered), plans, analysis.prologues);
    } catch {
      makeComputedPlan = null; // a head not readable: no plan to hand on, the hooks as always
    }
  }
  const replaced = patchDirect(plans, (direct) => {
    for (const { target, index } of found) {
      const original = direct.get(target.toString());
      if (original !== undefined) {
        publish(target, index, original);
      }
    }
  }, image?.code ?? []);
  patched = found.filter(({ target }) => replaced.has(target.toString())).map(({ spec }) => spec.name);
  for (const { spec, target, index } of found) {
    if (!replaced.has(target.toString())) {
      publish(target, index, replaceOne(cm, spec, target));
    }
  }
  const orig = (p: NativePointer): NativePointer => originals.get(p.toString()) ?? p;
  setSys(cm, orig(getcwd), orig(readlink), orig(realpath));
  if (policy.host !== null) {
    setHost(cm, libc, policy.host, orig(requireExport(libc, ["open"])));
  }
  installed = found.map(({ spec }) => spec.name);
}

/** "prebuilt" or "tinycc": how this process got its fast path (null before init). */
export function fastPathKind(): string | null {
  return origin === null ? null : origin.startsWith("tinycc") ? "tinycc" : "prebuilt";
}

/** The prologue plan this process computed (for the host to hand to the next ones), or null:
 * it was given one, or had none to make. */
export function computedPlan(): ProloguePlan | null {
  return prologueOrigin === "computed" && makeComputedPlan !== null ? makeComputedPlan() : null;
}

/** How this process's prologue analysis went: "given", "computed" or null (see FileHookStats). */
export function prologuesKind(): "given" | "computed" | null {
  return prologueOrigin;
}

export function fileHookStats(): FileHookStats {
  const cm = module;
  const count = (which: number): number =>
    cm !== null ? Number(new NativeFunction(symbol(cm, "cs_count"), "long", ["int"])(which)) : 0;
  return {
    installed, skipped, slow, patched, covered, redirects: count(1), denies: count(2), dropped: count(3), cmodule: origin,
    prologues: prologueOrigin, afresh, jumps: jumpsWrittenBy(),
  };
}
