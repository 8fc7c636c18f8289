// Small libc helpers shared by the native identity hooks.

type NativeType = "int" | "uint" | "pointer" | "size_t" | "ssize_t" | "int64" | "long";
type NativeIntFn = (...args: (NativePointer | number)[]) => number;

function libcFunction(name: string, ret: NativeType, args: NativeType[]): NativeIntFn | null {
  const address = Module.findGlobalExportByName(name);
  if (address === null) {
    return null;
  }
  const fn = new NativeFunction(address, ret, args) as unknown as (...a: (NativePointer | number)[]) => unknown;
  return (...params) => Number(fn(...params));
}

// memfd_create syscall numbers, for libcs that do not export the wrapper (bionic < API 30).
const MEMFD_SYSCALL: Readonly<Record<string, number>> = { x64: 319, arm64: 279, arm: 385, ia32: 356 };
const MFD_CLOEXEC = 1;

interface Libc {
  memfd: (name: NativePointer) => number;
  write: NativeIntFn;
  lseek: NativeIntFn;
  dup2: NativeIntFn;
  close: NativeIntFn;
}

let cached: Libc | null = null;

function helpers(): Libc {
  if (cached !== null) {
    return cached;
  }
  const write = libcFunction("write", "ssize_t", ["int", "pointer", "size_t"]);
  const lseek = libcFunction("lseek", "int64", ["int", "int64", "int"]);
  const dup2 = libcFunction("dup2", "int", ["int", "int"]);
  const close = libcFunction("close", "int", ["int"]);
  const memfdCreate = libcFunction("memfd_create", "int", ["pointer", "uint"]);
  const syscall = libcFunction("syscall", "long", ["long", "pointer", "uint"]);
  if (write === null || lseek === null || dup2 === null || close === null) {
    throw new Error("libc lacks write/lseek/dup2/close");
  }
  const number = MEMFD_SYSCALL[Process.arch];
  const memfd = (name: NativePointer): number => {
    if (memfdCreate !== null) {
      return memfdCreate(name, MFD_CLOEXEC);
    }
    if (syscall !== null && number !== undefined) {
      return syscall(number, name, MFD_CLOEXEC);
    }
    return -1;
  };
  cached = { memfd, write, lseek, dup2, close };
  return cached;
}

/**
 * Make the open file descriptor `fd` read `text` instead of the file it was opened on:
 * an in-memory file with that text is duplicated onto `fd`. Returns false if that failed
 * (the descriptor is then left as it was).
 */
export function replaceFdContents(fd: number, text: string): boolean {
  const h = helpers();
  const memfd = h.memfd(Memory.allocUtf8String("clonespace-identity"));
  if (memfd < 0) {
    return false;
  }
  const data = Memory.allocUtf8String(text);
  const length = text.length;
  const ok = h.write(memfd, data, length) === length && h.lseek(memfd, 0, 0) === 0 && h.dup2(memfd, fd) === fd;
  h.close(memfd);
  return ok;
}

/** `path` read from a C string argument, or null for NULL / unreadable memory. */
export function readPath(arg: NativePointer): string | null {
  if (arg.isNull()) {
    return null;
  }
  try {
    return arg.readUtf8String();
  } catch {
    return null;
  }
}
