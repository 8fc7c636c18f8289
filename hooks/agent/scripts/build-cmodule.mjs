// Compiles the C fast path (redirect.c, direct.c, a wrapper for every export of the hook table
// and cs_wrapper, which finds them by slot)
// ahead of time with a real C compiler (-O2), into one shared object per architecture:
// dist/cmodule/redirect-<arch>.so, listed with the key of its sources in
// dist/cmodule/manifest.json. The host hands the one for its architecture to each agent it
// loads (hooks/agent_bundle.py), and a clone's payload carries the one for each of its ABIs in
// that ABI's agent script (hooks/payload/bundle.py); the agent loads it as a binary CModule and
// compiles redirect.c with Frida's TinyCC instead when none fits (src/fastpath/index.ts).
// Without a compiler for a target, that target has no prebuilt module; the build goes on.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { arch as hostArch, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { fastPathKey, fastPathSource } from "./fastpath-key.mjs";

const here = (file) => new URL(file, import.meta.url).pathname;
// Frida's Process.arch -> the compilers that build for it (the first one found is used) and
// the flags of its ABI. Android's, as Frida builds its own Android binaries
// (releng/env_android.py): armeabi-v7a is ARMv7-A with the soft-float calling convention over
// VFPv3-D16. The module is ARM code, not Thumb (-marm): its exports' addresses are then even,
// as TinyCC's ARM code is, whatever a loader does with bit 0. x86 is i686 without SSE, so
// nothing relies on the caller's stack alignment. The 64-bit ones keep their segments 16 KiB
// apart, for devices with 16 KiB pages (Android's own rule for arm64 and x86_64 libraries).
// The module uses no libc and no libgcc (-nostdlib), so Debian's glibc cross compilers build
// it for bionic as well: what it calls comes from the agent (PROVIDED), and compile() refuses
// anything else (gcc may call memcpy or libgcc's division helpers on its own: redirect.c
// avoids what would make it).
const native = (arch) => (hostArch() === arch ? ["cc"] : []);
const TARGETS = [
  { arch: "x64", compilers: ["x86_64-linux-gnu-gcc", ...native("x64")], flags: ["-Wl,-z,max-page-size=16384"] },
  { arch: "arm64", compilers: ["aarch64-linux-gnu-gcc", ...native("arm64")], flags: ["-Wl,-z,max-page-size=16384"] },
  {
    arch: "arm",
    compilers: ["arm-linux-gnueabihf-gcc", ...native("arm")],
    flags: ["-march=armv7-a", "-marm", "-mfloat-abi=softfp", "-mfpu=vfpv3-d16"],
  },
  { arch: "ia32", compilers: ["i686-linux-gnu-gcc", ...native("ia32")], flags: ["-march=i686", "-mno-sse"] },
];
const FLAGS = [
  "-O2", "-shared", "-fPIC", "-nostdlib", "-ffreestanding", "-fno-stack-protector",
  "-fno-semantic-interposition", "-fno-tree-loop-distribute-patterns", "-fvisibility=default",
  "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror", "-Wl,-Bsymbolic", "-Wl,-z,now",
  "-Wl,-z,noseparate-code", "-s", // two segments (code, data): less padding in the APK
];
// what the module may leave to the agent (CModule symbols) and to Frida (GLib)
const PROVIDED = new Set([
  "cs_st", "cs_orig", "cs_errno_location", "cs_malloc", "cs_strlen", "cs_memcpy", "cs_strncmp",
  "cs_strstr", "cs_opendir", "cs_readdir64", "cs_closedir", "cs_getspecific", "cs_setspecific", "cs_mprotect",
  "g_mutex_lock", "g_mutex_unlock",
]);

async function hookTable() {
  const out = await build({
    entryPoints: [here("../src/fastpath/table.ts")], bundle: true, format: "esm", write: false,
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
}

function found(compilers) {
  for (const cc of compilers) {
    try {
      execFileSync(cc, ["--version"], { stdio: "ignore" });
      return cc;
    } catch {
      // not installed
    }
  }
  return null;
}

function compile(cc, flags, source, dir, so) {
  const c = join(dir, "redirect-all.c");
  writeFileSync(c, source);
  execFileSync(cc, [...FLAGS, ...flags, "-o", so, c], { stdio: ["ignore", "inherit", "inherit"] });
  const nm = cc.endsWith("gcc") && cc.includes("-") ? cc.replace(/gcc$/, "nm") : "nm";
  const undefinedSymbols = execFileSync(nm, ["-D", "--undefined-only", "--format=just-symbols", so], {
    encoding: "utf8",
  }).split("\n").filter((s) => s !== "");
  const unknown = undefinedSymbols.filter((s) => !PROVIDED.has(s));
  if (unknown.length > 0) {
    throw new Error(`the prebuilt fast path needs symbols nobody provides: ${unknown.join(", ")}`);
  }
}

const { HOOKS, wrapperLine, wrapperSwitch } = await hookTable();
const every = HOOKS.map((spec, index) => ({ spec, index }));
const source = fastPathSource() + "\n" + every.map(({ spec, index }) => wrapperLine(spec, index)).join("\n") + "\n" +
  wrapperSwitch(every) + "\n";
const out = here("../dist/cmodule");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "cs-cmodule-"));
const modules = {};
try {
  for (const target of TARGETS) {
    const cc = found(target.compilers);
    if (cc === null) {
      console.error(`no C compiler for ${target.arch}: its processes compile the fast path with TinyCC`);
      continue;
    }
    const name = `redirect-${target.arch}.so`;
    compile(cc, target.flags, source, dir, join(dir, name));
    copyFileSync(join(dir, name), join(out, name));
    modules[target.arch] = name;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(join(out, "manifest.json"), JSON.stringify({ key: fastPathKey(), modules }, null, 2) + "\n");
