// Events to the host: one JSON object per redirect/deny/spoof, batched into few send() calls.
//
// After fork() the parent's script lingers in the child until Frida re-attaches there, and a
// send() from it crashes the child; so nothing is sent from a process other than the one the
// script was initialised in (the child gets its own agent instance).
import type { AgentEvent, Emit } from "./policy.js";

const FLUSH_MS = 50;
const MAX_BATCH = 256;

let pending: Record<string, unknown>[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let getpid: NativeFunction<number, []> | null = null;
let ownPid = -1;

/** True in the process this script was initialised in (false in a fork child). */
export function inOwnProcess(): boolean {
  if (getpid === null) {
    const p = Module.findGlobalExportByName("getpid");
    if (p === null) {
      return true;
    }
    getpid = new NativeFunction(p, "int", []);
    ownPid = getpid();
  }
  return getpid() === ownPid;
}

export function flushEvents(): void {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  if (pending.length === 0 || !inOwnProcess()) {
    pending = [];
    return;
  }
  const batch = pending;
  pending = [];
  send({ type: "events", events: batch });
}

/** The emitter given to every hook module: adds the pid, drops everything unless tracing. */
export function makeEmitter(trace: boolean): Emit {
  inOwnProcess();
  if (!trace) {
    return (_event: AgentEvent): void => {};
  }
  return (event: AgentEvent): void => {
    pending.push({ ...event, pid: Process.id });
    if (pending.length >= MAX_BATCH) {
      flushEvents();
    } else if (timer === null) {
      timer = setTimeout(flushEvents, FLUSH_MS);
    }
  };
}
