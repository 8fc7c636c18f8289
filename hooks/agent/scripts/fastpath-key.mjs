// The identity of the C fast path's sources: its C files (redirect.c, the wrappers; direct.c, the
// direct installer's patcher) and the hook table its wrappers come from. embed-c.mjs stamps it on the embedded source, build-cmodule.mjs on the prebuilt
// modules; the agent uses a prebuilt module only when the two agree.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The C files of the fast path, in the order they are compiled as one. */
export const C_SOURCES = ["../src/fastpath/redirect.c", "../src/fastpath/direct.c"];

/** Those files as one source. */
export function fastPathSource() {
  return C_SOURCES.map((file) => readFileSync(new URL(file, import.meta.url), "utf8")).join("\n");
}

export function fastPathKey() {
  const hash = createHash("sha256");
  for (const file of [...C_SOURCES, "../src/fastpath/table.ts"]) {
    hash.update(readFileSync(new URL(file, import.meta.url)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
