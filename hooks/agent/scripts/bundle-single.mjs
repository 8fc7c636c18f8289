// Bundles the agent into one plain script, dist/agent.single.js: the form Frida can compile
// to bytecode (a frida-compile bundle of modules compiles to its entry alone). Only host runs
// load it (hooks/agent_bundle.py says which process loads which), so it is the agent without
// its Android half: src/android/index.ts, and frida-java-bridge with it, are replaced by a
// stub that refuses an Android policy. That is 72 kB of script instead of 610 kB, and each
// hooked process holds ~1.2 MB less (QuickJS creates every function of the bytecode it
// loads, used or not). Nor does it carry the fast path's C source (54 kB), which only the
// TinyCC fallback needs: an agent of this build that finds no prebuilt module fits asks its
// host for it (src/fastpath/source.ts; creating the bytecode costs ~0.2 ms less a process),
// which answers with dist/agent.single.fastpath.json, written here with its key.
// A clone's Gadget, and a remote device, run the whole dist/agent.js.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";
import { fastPathKey, fastPathSource } from "./fastpath-key.mjs";

const androidEntry = /(^|\/)android\/index\.js$/;
const embeddedC = /(^|\/)redirect\.generated\.js$/;
const hostOnly = {
  name: "host-only",
  setup(b) {
    b.onResolve({ filter: androidEntry }, (args) =>
      args.importer.endsWith("/src/index.ts") ? { path: args.path, namespace: "host-only" } : undefined,
    );
    // the fast path's C source: asked of the host when needed (src/fastpath/source.ts)
    b.onResolve({ filter: embeddedC }, (args) => ({ path: args.path, namespace: "host-only-c" }));
    b.onLoad({ filter: /.*/, namespace: "host-only-c" }, () => ({
      contents: `export const FASTPATH_C = null;\nexport const FASTPATH_KEY = ${JSON.stringify(fastPathKey())};\n`,
      loader: "js",
    }));
    b.onLoad({ filter: /.*/, namespace: "host-only" }, () => ({
      contents:
        "export function installAndroidHooks() {\n" +
        '  throw new Error("this agent build (agent.single.js) is for host runs: an Android clone runs agent.js");\n' +
        "}\n",
      loader: "js",
    }));
  },
};

await build({
  entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
  outfile: new URL("../dist/agent.single.js", import.meta.url).pathname,
  bundle: true,
  format: "iife", // a Frida script, not a module
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  alias: { buffer: "@frida/buffer" }, // frida-java-bridge's Buffer, as frida-compile shims it
  plugins: [hostOnly],
  logLevel: "warning",
});

writeFileSync(
  new URL("../dist/agent.single.fastpath.json", import.meta.url),
  JSON.stringify({ key: fastPathKey(), source: fastPathSource() }),
);
