// The agent's start-up line: on Android it goes to logcat through liblog, because console
// output of a script-mode gadget does not reliably reach logcat. `adb logcat -s clonespace`
// shows it; the device tests wait for `clone=<id>` in it.
import type { Policy } from "./policy.js";

const ANDROID_LOG_INFO = 4;

export function startupLine(policy: Policy): string {
  return `clonespace agent started clone=${policy.clone} pid=${Process.id} redirects=${policy.redirects.length}`;
}

export function logStartup(policy: Policy): void {
  const write = Module.findGlobalExportByName("__android_log_write");
  if (write === null) {
    return;
  }
  const log = new NativeFunction(write, "int", ["int", "pointer", "pointer"]);
  log(ANDROID_LOG_INFO, Memory.allocUtf8String("clonespace"), Memory.allocUtf8String(startupLine(policy)));
}
