// Clonespace agent entry point. One rpc.exports facade: init(policy), stats().
import { flushEvents, makeEmitter } from "./events.js";
import {
  computedPlan, drainFileEvents, fastPathKind, fileHookStats, type FileHookStats, installFileHooks, offerPrebuilt,
  prologuesKind, releaseFileHooks,
} from "./fastpath/index.js";
import { offerPlans, type ProloguePlan } from "./fastpath/plan.js";
import { failClosed, watchHost } from "./host.js";
import { installIdentityHooks } from "./identity/index.js";
import { liveReason, livePatchState, setLive, type LivePatchState } from "./live.js";
import { parsePolicy, type Policy } from "./policy.js";
import { logStartup, startupLine, stopProcess } from "./startup.js";

interface Stats extends FileHookStats {
  readonly pid: number;
  readonly platform: string;
  readonly clone: string | null;
  readonly livePatch: LivePatchState;
}

let active: Policy | null = null;
let javaReport: Record<string, number | string> | null = null;

/** The gadget calls init(stage, parameters); the host calls init(policy). */
function policyArgument(first: unknown, second: unknown): unknown {
  if (typeof first !== "string") {
    return first;
  }
  if (typeof second === "object" && second !== null && "policy" in second) {
    return (second as { policy: unknown }).policy;
  }
  return second;
}

function flushAll(): void {
  drainFileEvents();
  flushEvents();
}

/** Events still buffered when the image ends (exit) or is replaced (exec) are sent first. */
function flushBeforeExitAndExec(): void {
  for (const name of ["_exit", "execve"]) {
    const target = Module.findGlobalExportByName(name);
    if (target !== null) {
      Interceptor.attach(target, { onEnter: flushAll });
    }
  }
}

/** Whether the host says, beside the policy, that it keeps this agent: it makes the agent
 * eternal once init returns, so a fork child keeps it (hooks/session.py). Only such an agent
 * patches libc itself (fastpath/direct.ts). Not part of the policy (policy() leaves it out). */
function kept(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && (raw as Record<string, unknown>)["keep"] === true;
}

/** Whether a policy (parsed or not) is an Android clone's. */
function forAndroid(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && (raw as Record<string, unknown>)["platform"] === "android";
}

async function start(raw: unknown, stage: string | null): Promise<void> {
  const policy = parsePolicy(raw);
  setLive(liveReason(policy.platform, stage)); // before anything is replaced
  const emit = makeEmitter(policy.trace);
  installFileHooks(policy, emit, kept(raw));
  if (policy.trace) {
    flushBeforeExitAndExec();
  }
  installIdentityHooks(policy, emit);
  if (kept(raw) && policy.host) {
    watchHost(policy.host); // never unloaded: dispose() will not look at the host
  }
  if (policy.platform === "android") {
    // loaded only for Android clones: evaluating frida-java-bridge elsewhere costs start-up
    // time and upsets Frida's fork gating on Linux
    const android = await import("./android/index.js");
    javaReport = android.installAndroidHooks(policy, emit);
    logStartup(policy, javaReport, fastPathKind());
  }
  active = policy;
}

// The host may hand over the fast path compiled ahead of time, before init (see
// hooks/agent_bundle.py); under a Gadget, the payload carries it in this bundle instead
// (fastpath/carried.ts), and without either the agent compiles it with TinyCC.
recv("cmodule", (message: { arch: string; key: string }, data: ArrayBuffer | null) => {
  if (data !== null) {
    offerPrebuilt({ arch: message.arch, key: message.key, so: data });
  }
});

// The host may hand over the prologue plans it has (fastpath/plan.ts), before init too,
// packed (hooks/prologue_plan.py), one after another in the message's data, listed in its
// `plans`: the agent uses the one for this process's libc, if any.
recv("prologues", (message: { plans?: unknown }, data: ArrayBuffer | null) => {
  offerPlans(message.plans, data);
});

rpc.exports = {
  /** Returns where the prologue analysis came from (stats().prologues): "computed" tells the
   * host that prologuePlan() has a plan for it, without another round trip otherwise. */
  async init(first: unknown, second?: unknown): Promise<"given" | "computed" | null> {
    if (active !== null) {
      return prologuesKind();
    }
    const raw = policyArgument(first, second);
    try {
      await start(raw, typeof first === "string" ? first : null);
    } catch (e) {
      // the Gadget would log the failure and let the app run on unhooked, with the device's
      // real identity: an Android clone stops instead, saying why
      if (forAndroid(raw)) {
        stopProcess(`the hooks failed to start (${String(e)}); the clone stops rather than run without them`);
      }
      throw e;
    }
    return prologuesKind();
  },
  /** The prologue plan this process computed, for the host to hand to the next processes;
   * null when it was given one, or made none (off x64, an agent not kept, before init). */
  prologuePlan(): ProloguePlan | null {
    return computedPlan();
  },
  policy(): Policy | null {
    return active;
  },
  startupLine(): string | null {
    return active === null ? null : startupLine(active, javaReport, fastPathKind());
  },
  /** Android hook groups -> methods hooked or why not (null before init, or off Android). */
  hookReport(): Record<string, number | string> | null {
    return javaReport;
  },
  stats(): Stats {
    flushAll();
    const clone = active?.clone ?? null;
    return { pid: Process.id, platform: Process.platform, clone, livePatch: livePatchState(), ...fileHookStats() };
  },
  // called by Frida when the script is unloaded, also when the process exits
  dispose(): void {
    try {
      flushAll();
      if (active?.host) {
        failClosed(active.host);
      }
    } finally {
      releaseFileHooks(); // the C module goes with the script
    }
  },
};
