// Test probe (compiled by tests/hooks/test_live_patch.py with the agent's frida-compile):
// sets the agent's live-patch guard as the agent does, then asks it for an offline and an
// online replacement of a libc function nothing calls here (getaddrinfo), and reports what happened.
import { liveReason, livePatchState, replaceFast, setLive } from "../../../hooks/agent/src/live.js";

function attempt(scenario: "online" | "offline", target: NativePointer, replacement: NativePointer): string {
  try {
    replaceFast(target, scenario, replacement);
    Interceptor.revert(target);
    return "replaced";
  } catch (e) {
    return e instanceof Error ? e.name : String(e);
  }
}

rpc.exports = {
  probe(platform: string): Record<string, unknown> {
    setLive(liveReason(platform, null));
    const target = Module.getGlobalExportByName("getaddrinfo");
    const replacement = new NativeCallback(() => -1, "int", []);
    const offline = attempt("offline", target, replacement);
    const online = attempt("online", target, replacement);
    return { ...livePatchState(), offline, online };
  },
};
