// The agent's start-up line: on Android it goes to logcat through liblog, because console
// output of a script-mode gadget does not reliably reach logcat. `adb logcat -s clonespace`
// shows it; the device tests wait for `clone=<id>` in it.
import type { Policy } from "./policy.js";

const ANDROID_LOG_INFO = 4;
const ANDROID_LOG_ERROR = 6;
const TAG = "clonespace";

type Report = Readonly<Record<string, number | string>> | null;

/** `… fastpath=prebuilt hooks=settings:6,telephony:24 failed=accounts` (fastpath: how the C
 * fast path came, compiled ahead of time or by TinyCC here; failed groups by name, the reason
 * is in the hook report and in the spoof events). */
export function startupLine(policy: Policy, report: Report = null, fastPath: string | null = null): string {
  let line = `clonespace agent started clone=${policy.clone} pid=${Process.id} redirects=${policy.redirects.length}`;
  if (fastPath !== null) {
    line += ` fastpath=${fastPath}`;
  }
  if (report === null) {
    return line;
  }
  const entries = Object.entries(report);
  const hooked = entries.filter(([, v]) => typeof v === "number").map(([k, v]) => `${k}:${v}`);
  const failed = entries.filter(([, v]) => typeof v === "string").map(([k]) => k);
  return `${line} hooks=${hooked.join(",")}${failed.length > 0 ? ` failed=${failed.join(",")}` : ""}`;
}

export function logStartup(policy: Policy, report: Report, fastPath: string | null): void {
  logLine(ANDROID_LOG_INFO, startupLine(policy, report, fastPath));
}

/** One line to logcat (tag `clonespace`); where there is no logcat, to standard error. */
function logLine(priority: number, text: string): void {
  const write = Module.findGlobalExportByName("__android_log_write");
  if (write !== null) {
    const log = new NativeFunction(write, "int", ["int", "pointer", "pointer"]);
    log(priority, Memory.allocUtf8String(TAG), Memory.allocUtf8String(text));
    return;
  }
  const strlen = new NativeFunction(Module.getGlobalExportByName("strlen"), "size_t", ["pointer"]);
  const write2 = new NativeFunction(Module.getGlobalExportByName("write"), "ssize_t", ["int", "pointer", "size_t"]);
  const line = Memory.allocUtf8String(`${TAG}: ${text}\n`);
  write2(2, line, strlen(line));
}

/** Logs `why` as an error and ends the process at once (exit status 1). */
export function stopProcess(why: string): never {
  logLine(ANDROID_LOG_ERROR, why);
  new NativeFunction(Module.getGlobalExportByName("_exit"), "void", ["int"])(1);
  throw new Error(why); // not reached
}
