// Patching a running process: Frida's "offline" replacement scenario is refused there.
//
// Interceptor.replaceFast({ target, scenario: "offline" }) lets Gum overwrite a function past
// a syscall instruction. That is safe only while no thread can be inside the function: in a
// process spawned suspended, before it runs. In a running app (an Android app under the
// Gadget, whose ART and binder threads run; a process with more threads; a script reloaded
// late) a thread blocked in that syscall returns into the overwritten bytes. So once the
// agent knows the process runs, every offline replacement throws LivePatchRefused instead;
// whoever asked (the fast path tries "online", then "offline", then Interceptor.replace)
// goes on with a way that is safe in a running process.
//
// Interceptor's own methods are read-only, so the guard puts a facade in place of the global
// `Interceptor` binding: every member is the real one except replaceFast.

export class LivePatchRefused extends Error {
  constructor(why: string) {
    super(`offline replacement refused in a running process (${why})`);
    this.name = "LivePatchRefused";
  }
}

export interface LivePatchState {
  /** Why the process counts as running, or null (spawned suspended: offline allowed). */
  readonly live: string | null;
  /** Offline replacements refused so far. */
  readonly refused: number;
}

let live: string | null = null;
let refused = 0;
let guarded = false;

/** Why this process counts as running (so offline replacement is unsafe), or null. */
export function liveReason(platform: string, stage: string | null): string | null {
  if (platform === "android") {
    return "an Android app: ART and binder threads run";
  }
  if (stage === "late") {
    return "the agent was loaded into the running process";
  }
  const threads = Process.enumerateThreads().length;
  return threads > 1 ? `${threads} threads run` : null;
}

type ReplaceFast = typeof Interceptor.replaceFast;

function scenarioOf(target: unknown): string | null {
  if (typeof target === "object" && target !== null && "scenario" in target) {
    return String((target as { scenario: unknown }).scenario);
  }
  return null;
}

/** From now on, refuse offline replacement if `why` (a liveReason) is not null. Once. */
export function guardLivePatching(why: string | null): void {
  live = why;
  if (why === null || guarded) {
    return;
  }
  guarded = true;
  const real = Interceptor;
  const replaceFast = ((target: Parameters<ReplaceFast>[0], replacement: Parameters<ReplaceFast>[1]) => {
    if (scenarioOf(target) === "offline" && live !== null) {
      refused++;
      throw new LivePatchRefused(live);
    }
    return real.replaceFast(target, replacement);
  }) as ReplaceFast;
  const facade = new Proxy({} as typeof Interceptor, {
    get(_, key) {
      if (key === "replaceFast") {
        return replaceFast;
      }
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
    set(_, key, value) {
      return Reflect.set(real, key, value, real);
    },
  });
  (globalThis as unknown as { Interceptor: typeof Interceptor }).Interceptor = facade;
}

export function livePatchState(): LivePatchState {
  return { live, refused };
}
