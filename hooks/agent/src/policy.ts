// The clone policy (THE POLICY contract between vfs_redirect and the agent).

export interface Redirect {
  readonly virtual: string;
  readonly real: string;
}

/** The host run that loaded the agent (`clone host run`): its death must not free the
 * process from its policy (see host.ts). */
export interface Host {
  readonly pid: number;
  readonly start: number; // clock ticks since boot (/proc/PID/stat field 22): tells a reused pid
}

export interface Policy {
  readonly version: number;
  readonly clone: string;
  readonly platform: string;
  readonly redirects: readonly Redirect[];
  readonly deny: readonly string[];
  readonly allow: readonly string[];
  readonly deny_errno: number;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly accounts: readonly unknown[];
  readonly trace: boolean;
  readonly host: Host | null; // the host run that loaded the agent, if any (see host.ts)
  // Android, renamed clones: read and checked by the identity/binder hooks themselves
  readonly original_package?: unknown;
  readonly clone_package?: unknown;
  readonly original_signatures?: unknown;
  readonly authorities?: unknown;
  readonly permissions?: unknown;
  readonly actions?: unknown;
  readonly android?: unknown;
}

/** Optional keys passed through unchanged for the hooks that read them. */
const PASSTHROUGH = [
  "original_package",
  "clone_package",
  "original_signatures",
  "authorities",
  "permissions",
  "actions",
  "android",
] as const;

export interface AgentEvent {
  readonly type: "redirect" | "deny" | "spoof";
  readonly op: string;
  readonly path?: string;
  readonly real?: string;
  readonly [key: string]: unknown;
}

export type Emit = (event: AgentEvent) => void;

export class PolicyError extends Error {
  constructor(message: string) {
    super(`invalid policy: ${message}`);
    this.name = "PolicyError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function canonicalPath(value: unknown, where: string): string {
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw new PolicyError(`${where}: expected an absolute path, got ${JSON.stringify(value)}`);
  }
  if (value.length > 1 && value.endsWith("/")) {
    throw new PolicyError(`${where}: trailing slash in ${JSON.stringify(value)}`);
  }
  if (value.split("/").some((part, i) => i > 0 && (part === "" || part === "." || part === ".."))) {
    throw new PolicyError(`${where}: not canonical: ${JSON.stringify(value)}`);
  }
  return value;
}

function pathList(value: unknown, where: string): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new PolicyError(`${where}: expected a list, got ${JSON.stringify(value)}`);
  }
  return value.map((item, i) => canonicalPath(item, `${where}[${i}]`));
}

function redirectList(value: unknown): Redirect[] {
  if (!Array.isArray(value)) {
    throw new PolicyError(`redirects: expected a list, got ${JSON.stringify(value)}`);
  }
  const rules = value.map((item, i): Redirect => {
    if (!isRecord(item)) {
      throw new PolicyError(`redirects[${i}]: expected an object, got ${JSON.stringify(item)}`);
    }
    return {
      virtual: canonicalPath(item["virtual"], `redirects[${i}].virtual`),
      real: canonicalPath(item["real"], `redirects[${i}].real`),
    };
  });
  return rules.sort((a, b) => b.virtual.length - a.virtual.length);
}

function parseHost(value: unknown): Host | null {
  if (value === undefined || value === null) {
    return null;
  }
  const { pid, start } = (isRecord(value) ? value : {}) as Record<string, unknown>;
  if (!Number.isInteger(pid) || !Number.isInteger(start) || (pid as number) <= 0) {
    throw new PolicyError(`host: expected {"pid": N, "start": TICKS}, got ${JSON.stringify(value)}`);
  }
  return { pid: pid as number, start: start as number };
}

/** Checks the shape of a policy object; throws PolicyError naming the offending value. */
export function parsePolicy(value: unknown): Policy {
  if (!isRecord(value)) {
    throw new PolicyError(`policy: expected an object, got ${JSON.stringify(value)}`);
  }
  const version = value["version"];
  if (version !== 1) {
    throw new PolicyError(`version: unsupported ${JSON.stringify(version)} (expected 1)`);
  }
  const denyErrno = value["deny_errno"] ?? 13;
  if (typeof denyErrno !== "number" || !Number.isInteger(denyErrno) || denyErrno <= 0) {
    throw new PolicyError(`deny_errno: expected a positive integer, got ${JSON.stringify(denyErrno)}`);
  }
  const identity = value["identity"] ?? {};
  if (!isRecord(identity)) {
    throw new PolicyError(`identity: expected an object, got ${JSON.stringify(identity)}`);
  }
  const accounts = value["accounts"] ?? [];
  if (!Array.isArray(accounts)) {
    throw new PolicyError(`accounts: expected a list, got ${JSON.stringify(accounts)}`);
  }
  const extra: Record<string, unknown> = {};
  for (const key of PASSTHROUGH) {
    if (value[key] !== undefined) {
      extra[key] = value[key];
    }
  }
  return {
    ...extra,
    version,
    clone: String(value["clone"] ?? ""),
    platform: String(value["platform"] ?? Process.platform),
    redirects: redirectList(value["redirects"] ?? []),
    deny: pathList(value["deny"], "deny"),
    allow: pathList(value["allow"], "allow"),
    deny_errno: denyErrno,
    identity,
    accounts,
    trace: value["trace"] === true,
    host: parseHost(value["host"]),
  };
}
