// The identity of the C fast path's sources: redirect.c and the hook table its wrappers come
// from. embed-c.mjs stamps it on the embedded source, build-cmodule.mjs on the prebuilt
// modules; the agent uses a prebuilt module only when the two agree.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export function fastPathKey() {
  const hash = createHash("sha256");
  for (const file of ["../src/fastpath/redirect.c", "../src/fastpath/table.ts"]) {
    hash.update(readFileSync(new URL(file, import.meta.url)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
