// The fast path's C source, for TinyCC (when no prebuilt module fits). dist/agent.js carries
// it (redirect.generated.ts: a clone's Gadget has no host to ask); dist/agent.single.js, the
// host-run build, carries none (scripts/bundle-single.mjs) and asks its host, which answers
// with the build's dist/agent.single.fastpath.json (hooks/agent_bundle.py, AgentCode).
import { FASTPATH_C, FASTPATH_KEY } from "./redirect.generated.js";

/** The C source of this agent's fast path; throws when the host has none for this build. */
export function fastPathSource(): string {
  if (FASTPATH_C !== null) {
    return FASTPATH_C;
  }
  let answer: { key?: unknown; source?: unknown } = {};
  send({ type: "fastpath-source" });
  recv("fastpath-source", (message: { key?: unknown; source?: unknown }) => {
    answer = message;
  }).wait(); // on the agent's thread: Frida runs its message loop meanwhile
  if (answer.key !== FASTPATH_KEY || typeof answer.source !== "string") {
    throw new Error("no prebuilt fast path fits, and the host has no C source for this agent build: run 'make agent'");
  }
  return answer.source;
}
