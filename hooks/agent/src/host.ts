// The host that loaded this script (`clone host run`, hooks.runner), when there is one.
//
// A process of a host run never goes on without its policy: if the host dies (SIGKILL, a
// crash), Frida ends its session and unloads this script, which would take the hooks away
// and leave the process writing to the real data paths. So the script's dispose() checks the
// host and, when it is gone or going, kills the process while the hooks are still in place.
// dispose() also runs at a normal exit or detach, while the host lives: nothing happens then.
import type { Host } from "./policy.js";

const PF_EXITING = 0x4; // task flags (/proc/PID/stat field 9): do_exit() has begun
const SIGKILL = 9;

/** True when the host process is dead, a zombie, exiting, or its pid is another process's. */
export function hostGone(host: Host): boolean {
  let stat: string;
  try {
    stat = File.readAllText(`/proc/${host.pid}/stat`);
  } catch {
    return true;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const flags = Number(fields[6]);
  return state === "Z" || state === "X" || (flags & PF_EXITING) !== 0 || Number(fields[19]) !== host.start;
}

/** Kills this process if its host is gone (see above). */
export function failClosed(host: Host): void {
  if (!hostGone(host)) {
    return;
  }
  const kill = new NativeFunction(Module.getGlobalExportByName("kill"), "int", ["int", "int"]);
  const getpid = new NativeFunction(Module.getGlobalExportByName("getpid"), "int", []);
  kill(getpid(), SIGKILL);
}
