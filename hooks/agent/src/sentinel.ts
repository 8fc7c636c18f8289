// The sentinel: a script of its own beside the agent, in every process of a host run whose
// agent is made eternal (hooks/session.py, when the run is not traced).
//
// An eternal agent stays when its session ends, which is what lets a fork child keep the
// hooks it inherits (Frida tears every script that is not eternal down in a fork child), but
// it is never unloaded, so its dispose() never runs and cannot end the process when the host
// dies (host.ts). The sentinel can: it is not eternal, so Frida unloads it when the session
// ends, and its dispose() kills the process if the host is gone by then. The host prepends
// `const CLONESPACE_HOST = {"pid": N, "start": TICKS};` to this bundle (dist/sentinel.js).
import { failClosed } from "./host.js";
import type { Host } from "./policy.js";

declare const CLONESPACE_HOST: Host;

rpc.exports = {
  dispose(): void {
    failClosed(CLONESPACE_HOST);
  },
};
