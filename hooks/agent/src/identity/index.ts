// Identity hooks for every platform: host name and network addresses (see hooks.ts).
// The Android Java/binder hooks live in src/android and are installed by the engine.
// Owned by the identity helper; the engine calls installIdentityHooks(policy, emit).

import { writeIdentityFiles } from "./files.js";
import { installHostnameHooks, installNetAddressHooks } from "./hooks.js";
import { identityValues, type IdentityPolicy, type SpoofEmit } from "./types.js";

export function installIdentityHooks(policy: IdentityPolicy, emit: SpoofEmit): void {
  const ids = identityValues(policy.identity);
  writeIdentityFiles(policy.redirects, ids);
  if (policy.platform !== "android") {
    installHostnameHooks(ids, emit); // Android phones answer "localhost"; leave it
  }
  installNetAddressHooks(ids, emit);
}
