// Files that carry identity (machine-id, host name, network addresses). The engine's file
// redirects point such a path at a file of the clone's own; this fills that file with the
// clone's value, so reads through any libc call (open, fopen, …) answer the identity.

import { cloneHostname } from "./hostname.js";
import { netAddressAnswer } from "./netaddr.js";
import type { IdentityValues } from "./types.js";

const MACHINE_ID_PATHS = new Set(["/etc/machine-id", "/var/lib/dbus/machine-id"]);
const HOSTNAME_PATHS = new Set(["/etc/hostname", "/proc/sys/kernel/hostname"]);

/** The contents a read of `path` answers with, or null when `path` carries no identity. */
export function identityFileAnswer(path: string, ids: IdentityValues): string | null {
  if (MACHINE_ID_PATHS.has(path)) {
    const id = ids["machine_id"];
    return id === undefined ? null : `${id}\n`;
  }
  if (HOSTNAME_PATHS.has(path)) {
    const name = cloneHostname(ids);
    return name === null ? null : `${name}\n`;
  }
  return netAddressAnswer(path, ids);
}

interface Rule {
  readonly virtual: string;
  readonly real: string;
}

function rules(raw: unknown): Rule[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  return (raw as unknown[]).filter(
    (r): r is Rule =>
      r !== null &&
      typeof r === "object" &&
      typeof (r as { virtual?: unknown }).virtual === "string" &&
      typeof (r as { real?: unknown }).real === "string",
  );
}

/** The (real path, contents) pairs the redirect rules of the policy need written. */
export function identityFilePlan(redirects: unknown, ids: IdentityValues): [string, string][] {
  const out: [string, string][] = [];
  for (const rule of rules(redirects)) {
    const answer = identityFileAnswer(rule.virtual, ids);
    if (answer !== null) {
      out.push([rule.real, answer]);
    }
  }
  return out;
}

function makeParents(path: string): void {
  const address = Module.findGlobalExportByName("mkdir");
  if (address === null) {
    return;
  }
  const mkdir = new NativeFunction(address, "int", ["pointer", "uint"]);
  const parts = path.split("/").slice(1, -1);
  let dir = "";
  for (const part of parts) {
    dir += `/${part}`;
    mkdir(Memory.allocUtf8String(dir), 0o700); // EEXIST is fine
  }
}

function currentText(path: string): string | null {
  try {
    return File.readAllText(path);
  } catch {
    return null;
  }
}

/** Write each identity file the redirect rules point at; returns the paths written. */
export function writeIdentityFiles(redirects: unknown, ids: IdentityValues): string[] {
  const written: string[] = [];
  for (const [real, text] of identityFilePlan(redirects, ids)) {
    if (currentText(real) === text) {
      continue;
    }
    try {
      makeParents(real);
      File.writeAllText(real, text);
      written.push(real);
    } catch {
      // not writable here (e.g. a read-only store): the redirect then reads what is there
    }
  }
  return written;
}
