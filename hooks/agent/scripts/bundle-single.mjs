// Bundles the agent into one plain script, dist/agent.single.js: the form Frida can compile
// to bytecode (a frida-compile bundle of modules compiles to its entry alone). Only host runs
// load it (hooks/agent_bundle.py says which process loads which), so it is the agent without
// its Android half: src/android/index.ts, and frida-java-bridge with it, are replaced by a
// stub that refuses an Android policy. That is 72 kB of script instead of 610 kB, and each
// hooked process holds ~1.2 MB less (QuickJS creates every function of the bytecode it
// loads, used or not). A clone's Gadget, and a remote device, run the whole dist/agent.js.
import { build } from "esbuild";

const androidEntry = /(^|\/)android\/index\.js$/;
const hostOnly = {
  name: "host-only",
  setup(b) {
    b.onResolve({ filter: androidEntry }, (args) =>
      args.importer.endsWith("/src/index.ts") ? { path: args.path, namespace: "host-only" } : undefined,
    );
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
