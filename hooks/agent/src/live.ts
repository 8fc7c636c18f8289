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
// The fast path asks through replaceFast below, never Interceptor.replaceFast itself.

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

/** From now on, refuse offline replacement when `why` (a liveReason) is not null. */
export function setLive(why: string | null): void {
  live = why;
}

/** Interceptor.replaceFast, except that an offline replacement in a running process throws
 * LivePatchRefused (and is counted). */
export function replaceFast(
  target: NativePointer,
  scenario: "online" | "offline",
  replacement: NativePointerValue,
): NativePointer {
  if (scenario === "offline" && live !== null) {
    refused++;
    throw new LivePatchRefused(live);
  }
  return Interceptor.replaceFast({ target, scenario }, replacement);
}

export function livePatchState(): LivePatchState {
  return { live, refused };
}
