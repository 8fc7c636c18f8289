// Small helpers over frida-java-bridge: find a class, replace every overload of a method.

import Java from "frida-java-bridge";

export type JavaWrapper = Java.Wrapper;
// Implementations receive `this` = the Java object and the Java arguments.
export type Impl = (self: JavaWrapper, original: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

let appFactory: Java.ClassFactory | null = null;
let appLoader: Java.Wrapper | null = null;

/**
 * Classes the app ships itself (Play services, androidx) are not on the framework's class
 * path: they are found through the app's class loader. When the boot loader's static
 * initializer loads the payload, the framework is inside handleBindApplication and has made
 * that loader already (LoadedApk.getClassLoader of ActivityThread.mBoundApplication.info),
 * although no Application exists yet (the way frida-java-bridge finds it would wait for the
 * first Activity). Returns whether it was found.
 */
export function useAppClassLoader(): boolean {
  const thread = Java.use("android.app.ActivityThread").currentActivityThread();
  const bound = thread === null ? null : thread["mBoundApplication"].value;
  const apk = bound === null ? null : bound["info"].value;
  const loader = apk === null ? null : apk.getClassLoader();
  if (loader === null) {
    return false;
  }
  appLoader = loader;
  appFactory = Java.ClassFactory.get(loader);
  return true;
}

/** The class wrapper (framework first, then the app's own classes), or null when the
 * class does not exist in this process. */
export function findClass(name: string): JavaWrapper | null {
  try {
    return Java.use(name);
  } catch {
    // not the framework's
  }
  if (appFactory === null) {
    return null;
  }
  try {
    initialiseOnJvm(name);
    return appFactory.use(name);
  } catch {
    return null;
  }
}

/**
 * On HotSpot (the JVM test bed) frida-java-bridge replaces the methods of a class that is not
 * initialised yet without initialising it first, and the JVM's heap breaks (ART's backend
 * initialises it). The framework's classes are initialised before any app runs (the zygote
 * preloads them; the bed does too); an app's own class is initialised here, on the JVM only.
 */
function initialiseOnJvm(name: string): void {
  if ((Java as unknown as { api: { flavor: string } }).api.flavor === "jvm") {
    const Class = Java.use("java.lang.Class");
    Class["forName"].overload("java.lang.String", "boolean", "java.lang.ClassLoader").call(Class, name, true, appLoader);
  }
}

type Implementation = (this: JavaWrapper, ...args: unknown[]) => unknown;

/** The JS replacement of each hooked method, by method id (the bridge keeps only its native
 * callback). */
const replacements = new Map<string, Implementation>();

/**
 * Replace every overload of `cls.method` by `impl`, which may call `original` to run the
 * real method. Returns how many overloads were hooked (0 when the method does not exist).
 * Two groups may hook one method (ContextImpl.sendBroadcast: a permission and an intent):
 * the later one's `original` is the earlier replacement, which then runs the real method.
 */
export function replaceAll(cls: JavaWrapper | null, method: string, impl: Impl): number {
  if (cls === null) {
    return 0;
  }
  const dispatcher = (cls as Record<string, unknown>)[method] as Java.MethodDispatcher | undefined;
  if (dispatcher === undefined || !Array.isArray(dispatcher.overloads)) {
    return 0;
  }
  for (const overload of dispatcher.overloads) {
    const m = overload as Java.Method;
    const id = m.handle.toString();
    const earlier = replacements.get(id);
    const replacement = function (this: JavaWrapper, ...args: unknown[]): unknown {
      const original =
        earlier === undefined
          ? (...a: unknown[]): unknown => m.call(this, ...a)
          : (...a: unknown[]): unknown => earlier.apply(this, a);
      return impl(this, original, args);
    };
    replacements.set(id, replacement);
    m.implementation = replacement;
  }
  return dispatcher.overloads.length;
}

/** Replace every overload of `cls.method` by a constant answer (when `value` is not null). */
export function answerWith(cls: JavaWrapper | null, method: string, value: unknown, onSpoof: () => void): number {
  if (value === null || value === undefined) {
    return 0;
  }
  return replaceAll(cls, method, () => {
    onSpoof();
    return value;
  });
}

/** Java `String` value of an argument, or null. */
export function jstring(value: unknown): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  return typeof value === "string" ? value : String(value);
}
