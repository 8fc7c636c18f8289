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
  // Android, renamed clones (vfs_redirect.rules.AndroidNames): all or none of these
  readonly original_package?: string;
  readonly clone_package?: string;
  readonly original_signatures?: readonly string[]; // hex DER
  readonly authorities?: Readonly<Record<string, string>>; // original -> clone
  readonly permissions?: Readonly<Record<string, string>>;
  readonly actions?: Readonly<Record<string, string>>;
}

type AndroidNames = Pick<
  Policy,
  "original_package" | "clone_package" | "original_signatures" | "authorities" | "permissions" | "actions"
>;

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

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) {
    return {};
  }
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw new PolicyError(`${where}: expected an object of strings, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, string>;
}

function nonEmptyString(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") {
    throw new PolicyError(`${where}: expected a name, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The renamed Android clone's names, when the policy has them (none of them, or all). */
function parseAndroidNames(value: Record<string, unknown>): AndroidNames {
  if (value["original_package"] === undefined && value["clone_package"] === undefined) {
    return {};
  }
  const signatures = value["original_signatures"] ?? [];
  if (!Array.isArray(signatures) || signatures.some((s) => typeof s !== "string" || !/^([0-9a-fA-F]{2})+$/.test(s))) {
    throw new PolicyError(`original_signatures: expected hex strings, got ${JSON.stringify(signatures)}`);
  }
  return {
    original_package: nonEmptyString(value["original_package"], "original_package"),
    clone_package: nonEmptyString(value["clone_package"], "clone_package"),
    original_signatures: signatures as string[],
    authorities: stringMap(value["authorities"], "authorities"),
    permissions: stringMap(value["permissions"], "permissions"),
    actions: stringMap(value["actions"], "actions"),
  };
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
  return {
    ...parseAndroidNames(value),
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
