// Test-only entry point (not part of the agent bundle): the agent's signature hooks
// installed late, with Java.perform (frida-java-bridge runs the work at the first Activity),
// shown on the JVM test bed (tests/jvm/test_own_package.py). The app has read its own
// PackageInfo by then, and the process-wide package-info cache (API 30–33) holds that
// unspoofed answer: only a hook on the cached path itself answers with the original
// certificate afterwards.

import Java from "frida-java-bridge";
import { hookSignatures } from "./binder.js";
import { packageMap } from "./decide/packages.js";

type PolicyParameters = Parameters<typeof packageMap>[0];

rpc.exports = {
  init(_stage: string, parameters: PolicyParameters): void {
    const map = packageMap(parameters);
    (Java as unknown as { _cachedIsAppProcess: boolean | null })._cachedIsAppProcess = true;
    Java.perform(() => {
      // the deferred work runs with the app's class loader as the factory's; the agent's
      // hooks run with the framework's (as under Java.performNow), where Java.array finds
      // framework array classes
      (Java.classFactory as unknown as { loader: unknown }).loader = null;
      if (map !== null) {
        hookSignatures(map, () => {});
      }
    });
  },
  hookReport(): null {
    return null;
  },
  startupLine(): null {
    return null;
  },
};
