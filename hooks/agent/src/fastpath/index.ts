// Installs the CModule fast path: compiles redirect.c plus one wrapper per libc export found,
// copies the policy's tables into it, and replaces the exports with the C wrappers.
import { inOwnProcess } from "../events.js";
import { replaceFast } from "../live.js";
import type { Emit, Policy } from "../policy.js";
import { REDIRECT_C } from "./redirect.generated.js";
import { EXEC_NAMES, HOOKS, type HookSpec, wrapperLine } from "./table.js";

export interface FileHookStats {
  readonly installed: readonly string[];
  readonly skipped: readonly string[];
  readonly slow: readonly string[];
  /** exports that only tail-call another hooked export (glibc's stat -> fstatat) */
  readonly covered: readonly string[];
  readonly redirects: number;
  readonly denies: number;
  readonly dropped: number;
}

const STATE_BYTES = 320 * 1024;
const EVENT_BYTES = 544;
const DRAIN_MAX = 128;
const DRAIN_MS = 50;
const EVENT_KINDS: Record<number, "redirect" | "deny"> = { 1: "redirect", 2: "deny" };

/** Everything the C module points into must stay reachable from JS. */
const keepAlive: unknown[] = [];
let module: CModule | null = null;
let installed: string[] = [];
let skipped: string[] = [];
let slow: string[] = [];
let covered: string[] = [];
let drainEvents = (): void => {};

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
        emit({
          type: EVENT_KINDS[e.readS32()] ?? "deny",
          op: e.add(4).readUtf8String() ?? "?",
          path: e.add(32).readUtf8String() ?? "",
          real: e.add(32 + 256).readUtf8String() ?? "",
        });
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

function zeroed(size: number): NativePointer {
  const p = Memory.alloc(size);
  p.writeByteArray(new ArrayBuffer(size));
  keepAlive.push(p);
  return p;
}

function setSys(cm: CModule, getcwd: NativePointer, readlink: NativePointer, realpath: NativePointer): void {
  new NativeFunction(symbol(cm, "cs_set_sys"), "void", ["pointer", "pointer", "pointer"])(getcwd, readlink, realpath);
}

/**
 * Replaces `target` with its C wrapper; returns the pointer through which the original is
 * reached. replaceFast (no trampoline) first; "offline" lets Gum overwrite past a syscall
 * instruction (fine: init runs while the process is suspended); plain replace last.
 */
function replaceOne(cm: CModule, spec: HookSpec, target: NativePointer): NativePointer {
  const replacement = symbol(cm, `cs_r_${spec.name}`);
  if (!EXEC_NAMES.has(spec.name)) {
    for (const scenario of ["online", "offline"] as const) {
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
function tailCallTarget(target: NativePointer, hooked: ReadonlySet<string>): NativePointer | null {
  let p = target;
  for (let i = 0; i < 8; i++) {
    let insn: Instruction;
    try {
      insn = Instruction.parse(p);
    } catch {
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
    p = insn.next;
  }
  return null;
}

/** Compiles the fast path for `policy` and replaces the libc file functions. Once per process. */
export function installFileHooks(policy: Policy, emit: Emit): void {
  if (module !== null) {
    return;
  }
  const libc = findLibc();
  const seen = new Map<string, HookSpec>();
  let found: [HookSpec, NativePointer][] = [];
  skipped = [];
  for (const spec of HOOKS) {
    const p = findExport(libc, spec.name);
    if (p === null || seen.has(p.toString())) {
      skipped.push(spec.name);
      continue;
    }
    seen.set(p.toString(), spec);
    found.push([spec, p]);
  }
  const targets = new Set(found.map(([, p]) => p.toString()));
  covered = found.filter(([, p]) => tailCallTarget(p, targets) !== null).map(([spec]) => spec.name);
  found = found.filter(([spec]) => !covered.includes(spec.name));
  const source = REDIRECT_C + "\n" + found.map(([spec], i) => wrapperLine(spec, i)).join("\n") + "\n";
  const state = zeroed(STATE_BYTES);
  const origs = zeroed(Math.max(found.length, 1) * Process.pointerSize);
  const cm = new CModule(source, {
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
  keepAlive.push(cm);
  if (Number(new NativeFunction(symbol(cm, "cs_state_size"), "long", [])()) > STATE_BYTES) {
    throw new Error("CModule state larger than allocated");
  }
  module = cm;
  const getcwd = requireExport(libc, ["getcwd"]);
  const readlink = requireExport(libc, ["readlink"]);
  const realpath = requireExport(libc, ["realpath"]);
  setSys(cm, getcwd, readlink, realpath);
  loadTables(cm, policy);
  setRawKey(cm, libc);
  if (policy.trace) {
    connectEmitter(cm, emit);
  }
  const originals = new Map<string, NativePointer>();
  found.forEach(([spec, target], i) => {
    const original = replaceOne(cm, spec, target);
    origs.add(i * Process.pointerSize).writePointer(original);
    originals.set(target.toString(), original);
  });
  const orig = (p: NativePointer): NativePointer => originals.get(p.toString()) ?? p;
  setSys(cm, orig(getcwd), orig(readlink), orig(realpath));
  installed = found.map(([spec]) => spec.name);
}

export function fileHookStats(): FileHookStats {
  const cm = module;
  const count = (which: number): number =>
    cm !== null ? Number(new NativeFunction(symbol(cm, "cs_count"), "long", ["int"])(which)) : 0;
  return { installed, skipped, slow, covered, redirects: count(1), denies: count(2), dropped: count(3) };
}
