// Test-only entry point (not part of the agent bundle): what Java.perform does when it is
// called as the payload loads, shown on the JVM test bed (tests/jvm/test_bed_fidelity.py).
// In an app process whose Application does not exist yet, frida-java-bridge queues the work
// until the next ActivityThread.getPackageInfo call, so a hook installed this way misses the
// app's start-up. The agent therefore uses Java.performNow (android/index.ts).

import Java from "frida-java-bridge";

interface Parameters {
  readonly identity?: { readonly android_id?: string };
}

rpc.exports = {
  init(_stage: string, parameters: Parameters): void {
    const answer = parameters.identity?.android_id ?? "deferred";
    (Java as unknown as { _cachedIsAppProcess: boolean | null })._cachedIsAppProcess = true;
    Java.perform(() => {
      const secure = Java.use("android.provider.Settings$Secure");
      secure["getString"].overload("android.content.ContentResolver", "java.lang.String").implementation = function (
        resolver: unknown,
        name: string,
      ): unknown {
        return name === "android_id" ? answer : secure["getString"].call(this, resolver, name);
      };
    });
  },
  hookReport(): null {
    return null;
  },
  startupLine(): null {
    return null;
  },
};
