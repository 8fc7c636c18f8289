// Small helpers over frida-java-bridge: find a class, replace every overload of a method.

import Java from "frida-java-bridge";

export type JavaWrapper = Java.Wrapper;
// Implementations receive `this` = the Java object and the Java arguments.
export type Impl = (self: JavaWrapper, original: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

/** The class wrapper, or null when the class does not exist in this process. */
export function findClass(name: string): JavaWrapper | null {
  try {
    return Java.use(name);
  } catch {
    return null;
  }
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
