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

/** How often a kept agent looks at its host (watchHost). */
export const HOST_WATCH_MS = 200;

/**
 * For an agent its host keeps (eternal: never unloaded, so dispose() never runs): looks at
 * the host every HOST_WATCH_MS on the agent's own thread and kills this process once the
 * host is gone. The timer is the script's, so a fork child that keeps the agent keeps it
 * too. (Before, a separate script, the sentinel, loaded a moment after the process ran, did
 * this from its dispose(); loading a script into a running process that forks at that
 * moment crashed the fork child inside Frida's agent.) Meanwhile the C fast path refuses
 * every exec and spawn once the host is gone (fastpath/redirect.c, host_gone).
 */
export function watchHost(host: Host): void {
  setInterval(() => failClosed(host), HOST_WATCH_MS);
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
