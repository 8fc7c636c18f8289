// Which libc exports the fast path replaces, and where their path arguments are.
// Indices are argument positions; dirfd -1 means "relative to the current directory".
// Two are not about paths: gethostname and uname answer the clone's host name (kind
// "hostname"; left out on Android, whose phones answer "localhost": installFileHooks).

export type HookSpec =
  | { readonly kind: "path"; readonly name: string; readonly dirfd: number; readonly path: number;
      readonly returnsPointer?: boolean; readonly slashOnly?: boolean }
  | { readonly kind: "path2"; readonly name: string; readonly dirfd1: number; readonly path1: number;
      readonly dirfd2: number; readonly path2: number }
  | { readonly kind: "symlink"; readonly name: string; readonly target: number; readonly dirfd: number;
      readonly path: number }
  | { readonly kind: "readlink"; readonly name: string; readonly dirfd: number; readonly path: number;
      readonly checked: boolean }
  | { readonly kind: "getcwd"; readonly name: string }
  | { readonly kind: "cwdname"; readonly name: string }
  | { readonly kind: "realpath"; readonly name: string }
  | { readonly kind: "canonicalize"; readonly name: string }
  | { readonly kind: "template"; readonly name: string; readonly returnsPointer: boolean }
  | { readonly kind: "hostname"; readonly name: "gethostname" | "uname" };

const cwdPath = (name: string, path = 0): HookSpec => ({ kind: "path", name, dirfd: -1, path });
const atPath = (name: string, dirfd = 0, path = 1): HookSpec => ({ kind: "path", name, dirfd, path });
const opener = (name: string): HookSpec => ({ kind: "path", name, dirfd: -1, path: 0, returnsPointer: true });
const searched = (name: string, path = 0): HookSpec => ({ kind: "path", name, dirfd: -1, path, slashOnly: true });

/** Exec-family functions: their C wrappers refuse once the host is gone (redirect.c); where the
 * direct installer does not take them, Interceptor.replace does (Frida's child gating attaches
 * to execve, and only Interceptor.replace shares a function with it). */
export const EXEC_NAMES: ReadonlySet<string> = new Set([
  "execve", "execv", "execvp", "execvpe", "posix_spawn", "posix_spawnp", "execveat",
]);

export const HOOKS: readonly HookSpec[] = [
  ...["open", "open64", "__open_2", "__open64_2", "creat", "creat64"].map((n) => cwdPath(n)),
  ...["openat", "openat64", "__openat_2", "__openat64_2"].map((n) => atPath(n)),
  ...["fopen", "fopen64", "freopen", "freopen64", "opendir"].map(opener),
  ...["stat", "stat64", "lstat", "lstat64", "statfs", "statfs64", "statvfs", "statvfs64"].map((n) => cwdPath(n)),
  ...["__xstat", "__xstat64", "__lxstat", "__lxstat64", "__xmknod"].map((n) => cwdPath(n, 1)),
  ...["fstatat", "fstatat64", "newfstatat", "statx", "name_to_handle_at"].map((n) => atPath(n)),
  ...["__fxstatat", "__fxstatat64", "__xmknodat"].map((n) => atPath(n, 1, 2)),
  ...["access", "euidaccess", "eaccess", "mkdir", "rmdir", "unlink", "chdir"].map((n) => cwdPath(n)),
  ...["truncate", "truncate64", "chmod", "lchmod", "chown", "lchown", "utime", "utimes", "lutimes"].map((n) =>
    cwdPath(n)),
  ...["mkfifo", "mknod", "scandir", "scandir64", "nftw", "nftw64", "ftw", "ftw64"].map((n) => cwdPath(n)),
  ...["setxattr", "getxattr", "listxattr", "removexattr", "lsetxattr", "lgetxattr", "llistxattr",
    "lremovexattr"].map((n) => cwdPath(n)),
  cwdPath("inotify_add_watch", 1),
  ...["faccessat", "mkdirat", "unlinkat", "fchmodat", "fchownat", "utimensat", "futimesat", "mknodat",
    "mkfifoat", "scandirat", "scandirat64"].map((n) => atPath(n)),
  { kind: "path2", name: "rename", dirfd1: -1, path1: 0, dirfd2: -1, path2: 1 },
  { kind: "path2", name: "link", dirfd1: -1, path1: 0, dirfd2: -1, path2: 1 },
  ...["renameat", "renameat2", "linkat"].map((name): HookSpec => (
    { kind: "path2", name, dirfd1: 0, path1: 1, dirfd2: 2, path2: 3 })),
  { kind: "symlink", name: "symlink", target: 0, dirfd: -1, path: 1 },
  { kind: "symlink", name: "symlinkat", target: 0, dirfd: 1, path: 2 },
  { kind: "readlink", name: "readlink", dirfd: -1, path: 0, checked: false },
  { kind: "readlink", name: "readlinkat", dirfd: 0, path: 1, checked: false },
  { kind: "readlink", name: "__readlink_chk", dirfd: -1, path: 0, checked: true },
  { kind: "readlink", name: "__readlinkat_chk", dirfd: 0, path: 1, checked: true },
  { kind: "getcwd", name: "getcwd" },
  { kind: "getcwd", name: "__getcwd_chk" },
  { kind: "cwdname", name: "get_current_dir_name" },
  { kind: "realpath", name: "realpath" },
  { kind: "realpath", name: "__realpath_chk" },
  { kind: "canonicalize", name: "canonicalize_file_name" },
  ...["mkstemp", "mkstemp64", "mkostemp", "mkostemp64", "mkstemps", "mkstemps64", "mkostemps",
    "mkostemps64"].map((name): HookSpec => ({ kind: "template", name, returnsPointer: false })),
  { kind: "template", name: "mkdtemp", returnsPointer: true },
  cwdPath("execve"),
  cwdPath("execv"),
  searched("execvp"),
  searched("execvpe"),
  atPath("execveat"),
  { kind: "path", name: "posix_spawn", dirfd: -1, path: 1 },
  searched("posix_spawnp", 1),
  { kind: "hostname", name: "gethostname" },
  { kind: "hostname", name: "uname" },
];

const flag = (value: boolean | undefined): number => (value === true ? 1 : 0);

/** The C line that instantiates the replacement `cs_r_<name>` (see the macros in redirect.c). */
export function wrapperLine(spec: HookSpec, index: number): string {
  const head = `${spec.name}, ${index}`;
  switch (spec.kind) {
    case "path":
      // the exec family asks first whether the host lives (host_refuses in redirect.c)
      return EXEC_NAMES.has(spec.name)
        ? `CS_HOOK_EXEC(${head}, ${spec.dirfd}, ${spec.path}, ${flag(spec.slashOnly)}, ` +
          `${flag(spec.name.startsWith("posix_spawn"))})`
        : `CS_HOOK_PATH(${head}, ${spec.dirfd}, ${spec.path}, ${flag(spec.returnsPointer)}, ` +
          `${flag(spec.slashOnly)})`;
    case "path2":
      return `CS_HOOK_PATH2(${head}, ${spec.dirfd1}, ${spec.path1}, ${spec.dirfd2}, ${spec.path2})`;
    case "symlink":
      return `CS_HOOK_SYMLINK(${head}, ${spec.target}, ${spec.dirfd}, ${spec.path})`;
    case "readlink":
      return `CS_HOOK_READLINK(${head}, ${spec.dirfd}, ${spec.path}, ${flag(spec.checked)})`;
    case "getcwd":
      return `CS_HOOK_GETCWD(${head})`;
    case "cwdname":
      return `CS_HOOK_CWDNAME(${head})`;
    case "realpath":
      return `CS_HOOK_REALPATH(${head})`;
    case "canonicalize":
      return `CS_HOOK_CANONICALIZE(${head})`;
    case "template":
      return `CS_HOOK_TEMPLATE(${head}, ${flag(spec.returnsPointer)})`;
    case "hostname":
      return `CS_HOOK_HOSTNAME(${head})`;
  }
}

/** cs_wrapper, which gives direct.c the wrapper of a slot (0 for one not among `entries`). */
export function wrapperSwitch(entries: readonly { readonly spec: HookSpec; readonly index: number }[]): string {
  const cases = entries.map(({ spec, index }) => `    case ${index}: return (void *) cs_r_${spec.name};`);
  return `void * cs_wrapper (long slot)\n{\n  switch (slot)\n  {\n${cases.join("\n")}\n    default: return 0;\n  }\n}`;
}
