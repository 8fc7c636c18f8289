// Bundles the agent into one plain script, dist/agent.single.js: the form Frida can compile
// to bytecode (a frida-compile bundle of modules compiles to its entry alone). The same
// sources as dist/agent.js; hooks/agent_bundle.py says which process loads which.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
  outfile: new URL("../dist/agent.single.js", import.meta.url).pathname,
  bundle: true,
  format: "iife", // a Frida script, not a module
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  alias: { buffer: "@frida/buffer" }, // frida-java-bridge's Buffer, as frida-compile shims it
  logLevel: "warning",
});
