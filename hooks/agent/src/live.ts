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
  const threads = appThreads();
  return threads > 1 ? `${threads} threads run` : null;
}

const DIRENT64_NAME = 19; // d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name

/**
 * The threads of this process that are not Frida's own: what Process.enumerateThreads()
 * counts, without reading every thread's registers as it does on Linux (tens of ms, paid at
 * every start). From /proc/self/task, less the threads Frida cloaks; enumerateThreads() when
 * that directory cannot be read.
 */
function appThreads(): number {
  const find = (name: string): NativePointer | null => Module.findGlobalExportByName(name);
  const [opendirAt, readdirAt, closedirAt] = [find("opendir"), find("readdir64"), find("closedir")];
  if (opendirAt === null || readdirAt === null || closedirAt === null) {
    return Process.enumerateThreads().length;
  }
  const dir = new NativeFunction(opendirAt, "pointer", ["pointer"])(Memory.allocUtf8String("/proc/self/task"));
  if (dir.isNull()) {
    return Process.enumerateThreads().length;
  }
  const readdir = new NativeFunction(readdirAt, "pointer", ["pointer"]);
  let count = 0;
  for (let entry = readdir(dir); !entry.isNull(); entry = readdir(dir)) {
    const tid = Number(entry.add(DIRENT64_NAME).readUtf8String());
    if (tid > 0 && !Cloak.hasThread(tid)) {
      count++;
    }
  }
  new NativeFunction(closedirAt, "int", ["pointer"])(dir);
  return count;
}

/** From now on, refuse offline replacement when `why` (a liveReason) is not null. */
export function setLive(why: string | null): void {
  live = why;
}

/** Whether offline replacement is allowed (the process does not run yet). */
export function offlineAllowed(): boolean {
  return live === null;
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
