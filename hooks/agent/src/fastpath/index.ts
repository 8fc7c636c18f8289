// Installs the CModule fast path: loads its C (redirect.c, the wrappers; direct.c, the direct
// installer's patcher) compiled ahead of time (a shared object the host hands over, or that a
// clone's payload carries in this bundle (carried.ts), built by scripts/build-cmodule.mjs with
// a wrapper for every export of the hook table) or, when none fits, compiles it plus one
// wrapper per libc export found with Frida's TinyCC; copies the policy's tables into it, and
// replaces the exports with the C wrappers. Where the host hands over a packed plan for this
// libc (plan.ts), the C module carries it out in one call; otherwise the exports are found
// and analysed here (which only tail-call another, which the direct installer takes).
import { inOwnProcess } from "../events.js";
import { cloneHostname } from "../identity/hostname.js";
import { identityValues } from "../identity/types.js";
import { offlineAllowed, replaceFast } from "../live.js";
import type { Emit, Host, Policy } from "../policy.js";
import { CARRIED } from "./carried.js";
import { computed, entriesFor, findAll, findExport, type Found, fromPlan } from "./decide.js";
import { jumpsWrittenBy, releaseDirect, symbol } from "./direct.js";
import { type LibcImage, packedPlan, type ProloguePlan, readImage } from "./plan.js";
import { FASTPATH_KEY } from "./redirect.generated.js";
import { fastPathSource } from "./source.js";
import { EXEC_NAMES, HOOKS, type HookSpec, wrapperLine, wrapperSwitch } from "./table.js";

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

/** At unload: the directly replaced exports run their originals again (Gum reverts its own). */
export function releaseFileHooks(): void {
  releaseDirect();
}

/** The module's layout is the agent's: every wrapper `found` needs, state that fits. */
function checkLayout(cm: CModule, found: readonly Found[]): void {
  for (const { spec } of found) {
    symbol(cm, `cs_r_${spec.name}`);
  }
  if (Number(new NativeFunction(symbol(cm, "cs_state_size"), "long", [])()) > STATE_BYTES) {
    throw new Error("CModule state larger than allocated");
  }
}

/** The prebuilt module (the host's, else the payload's) when it is for this process and these
 * sources (then it has a wrapper for every export of the table), else why not. */
function prebuiltModule(symbols: CSymbols): CModule | string {
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
  if (offer.key !== FASTPATH_KEY) {
    return "the prebuilt module was built from other sources";
  }
  let cm: CModule;
  try {
    cm = new CModule(offer.so, symbols);
  } catch (e) {
    return `the prebuilt module did not load (${String(e)})`;
  }
  try {
    checkLayout(cm, []);
  } catch (e) {
    cm.dispose();
    return `the prebuilt module does not fit (${String(e)})`;
  }
  return cm;
}

/** The fast path: prebuilt when one fits, else the C compiled here by TinyCC, with a wrapper
 * for each export `find` finds. */
function loadModule(find: () => readonly Found[], symbols: CSymbols): CModule {
  const prebuilt = prebuiltModule(symbols);
  let cm: CModule;
  if (typeof prebuilt === "string") {
    origin = `tinycc: ${prebuilt}`;
    const found = find();
    const wrappers = found.map(({ spec, index }) => wrapperLine(spec, index));
    cm = new CModule(`${fastPathSource()}\n${wrappers.join("\n")}\n${wrapperSwitch(found)}\n`, symbols);
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

/** Loads (or compiles) the fast path for `policy` and replaces the libc file functions. Once per process. */
export function installFileHooks(policy: Policy, emit: Emit, keep: boolean): void {
  if (module !== null) {
    return;
  }
  const libc = findLibc();
  const entries = entriesFor(policy);
  const image = libcImage(keep, libc);
  const site = libc === null || image === null ? null : { base: libc.base, code: image.code };
  const plan = site === null || image?.id == null ? null : packedPlan(image.id);
  let all: ReturnType<typeof findAll> | null = null;
  const lookup = (): ReturnType<typeof findAll> => (all ??= findAll(libc, entries));
  const state = zeroed(STATE_BYTES);
  const origs = zeroed(HOOKS.length * Process.pointerSize); // by slot
  const cm = loadModule(() => lookup().found, {
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
    cs_mprotect: requireExport(libc, ["mprotect"]),
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
  let decided = plan === null || site === null || libc === null ? null : fromPlan(cm, plan, libc, site, entries);
  prologueOrigin = decided !== null ? "given" : image?.id == null ? null : "computed";
  if (decided === null) {
    const { found, absent } = lookup();
    decided = computed(cm, found, absent, site, prologueOrigin === "computed" ? image!.id : null);
  }
  afresh = decided.afresh;
  makeComputedPlan = decided.plan;
  for (const { spec, target, index } of decided.gum) {
    origs.add(index * Process.pointerSize).writePointer(replaceOne(cm, spec, target));
  }
  const orig = (p: NativePointer, name: string): NativePointer => {
    const o = origs.add(HOOKS.findIndex((spec) => spec.name === name) * Process.pointerSize).readPointer();
    return o.isNull() ? p : o; // not replaced (covered, or a tail of one that is): itself
  };
  setSys(cm, orig(getcwd, "getcwd"), orig(readlink, "readlink"), orig(realpath, "realpath"));
  if (policy.host !== null) {
    const open = requireExport(libc, ["open"]);
    setHost(cm, libc, policy.host, orig(open, "open"));
  }
  const names = (list: readonly Found[]): string[] => list.map(({ spec }) => spec.name);
  skipped = decided.skipped;
  covered = names(decided.covered);
  patched = names(decided.patched);
  const replaced = new Set([...patched, ...names(decided.gum)]);
  installed = entries.filter(({ spec }) => replaced.has(spec.name)).map(({ spec }) => spec.name);
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
