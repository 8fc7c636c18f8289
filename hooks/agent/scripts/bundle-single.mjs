// Bundles the agent into one plain script, dist/agent.single.js: the form Frida can compile
// to bytecode (a frida-compile bundle of modules compiles to its entry alone). The same
// sources as dist/agent.js but for the Android hooks: this build is loaded only into local
// Linux processes (hooks/agent_bundle.py says which process loads which), and the Android
// half (frida-java-bridge with it) is ~95% of the agent, which every process would
// otherwise receive and read as bytecode at its start. Given an Android policy anyway, its
// init fails, saying so (and, as for any failure of an Android clone's hooks, stops it).
import { build } from "esbuild";

const ANDROID_ENTRY = /^\.\/android\/index\.js$/;

/** src/index.ts's dynamic import of ./android/index.js, answered by a stand-in. */
const withoutAndroid = {
  name: "without-android",
  setup(b) {
    b.onResolve({ filter: ANDROID_ENTRY }, (args) =>
      args.importer.endsWith("/src/index.ts") ? { path: "android", namespace: "without-android" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "without-android" }, () => ({
      contents:
        "export function installAndroidHooks() {\n" +
        '  throw new Error("this build of the agent (agent.single.js) has no Android hooks: load dist/agent.js");\n' +
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
  plugins: [withoutAndroid],
  logLevel: "warning",
});
