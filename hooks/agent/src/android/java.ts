// Small helpers over frida-java-bridge: find a class, replace every overload of a method.

import Java from "frida-java-bridge";

export type JavaWrapper = Java.Wrapper;
// Implementations receive `this` = the Java object and the Java arguments.
export type Impl = (self: JavaWrapper, original: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

let appFactory: Java.ClassFactory | null = null;

/**
 * Classes the app ships itself (Play services, androidx) are not on the framework's class
 * path: they are found through the app's class loader, the one that defines our boot loader
 * class `loaderClass`. That loader exists by the time the boot loader's static initializer
 * loads the payload, before any other app code runs. Returns whether it was found.
 */
export function useAppClassLoader(loaderClass: string): boolean {
  for (const loader of Java.enumerateClassLoadersSync()) {
    try {
      loader.loadClass(loaderClass);
      appFactory = Java.ClassFactory.get(loader);
      return true;
    } catch {
      // not the app's loader
    }
  }
  return false;
}

/** The class wrapper (framework first, then the app's own classes), or null when the
 * class does not exist in this process. */
export function findClass(name: string): JavaWrapper | null {
  for (const use of [(n: string) => Java.use(n), (n: string) => appFactory?.use(n) ?? null]) {
    try {
      const found = use(name);
      if (found !== null) {
        return found;
      }
    } catch {
      // not there; try the next
    }
  }
  return null;
}

/**
 * Replace every overload of `cls.method` by `impl`, which may call `original` to run the
 * real method. Returns how many overloads were hooked (0 when the method does not exist).
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
    m.implementation = function (this: JavaWrapper, ...args: unknown[]): unknown {
      const original = (...a: unknown[]): unknown => m.call(this, ...a);
      return impl(this, original, args);
    };
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
