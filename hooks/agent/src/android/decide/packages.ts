// Pure name mapping for renamed clones: package names, provider authorities, permissions
// and broadcast actions of the app itself, original <-> clone.

export interface PackageMap {
  readonly original: string;
  readonly clone: string;
  /** Hex DER X.509 certificates the original APK was signed with. */
  readonly signatures: readonly string[];
  /** Explicit original -> clone authority pairs (from the build); others use the prefix rule. */
  readonly authorities: Readonly<Record<string, string>>;
  /** Explicit original -> clone permissions the app declares (others use the prefix rule). */
  readonly permissions: Readonly<Record<string, string>>;
  /** Explicit original -> clone broadcast actions the build renamed (others are kept). */
  readonly actions: Readonly<Record<string, string>>;
}

function stringRecord(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof v === "string") {
        out[k] = v;
      }
    }
  }
  return out;
}

/** The package map of a renamed clone's policy, or null when the clone is not renamed. */
export function packageMap(policy: {
  readonly original_package?: unknown;
  readonly clone_package?: unknown;
  readonly original_signatures?: unknown;
  readonly authorities?: unknown;
  readonly permissions?: unknown;
  readonly actions?: unknown;
}): PackageMap | null {
  const { original_package: original, clone_package: clone } = policy;
  if (typeof original !== "string" || typeof clone !== "string" || !original || original === clone) {
    return null;
  }
  const sigs = Array.isArray(policy.original_signatures) ? (policy.original_signatures as unknown[]) : [];
  return {
    original,
    clone,
    signatures: sigs.filter((s): s is string => typeof s === "string" && /^([0-9a-fA-F]{2})+$/.test(s)),
    authorities: stringRecord(policy.authorities),
    permissions: stringRecord(policy.permissions),
    actions: stringRecord(policy.actions),
  };
}

function swapPrefix(name: string, from: string, to: string): string | null {
  if (name === from) {
    return to;
  }
  if (name.startsWith(from + ".")) {
    return to + name.slice(from.length);
  }
  return null;
}

/** A name of the app's own (`<original>` or `<original>.…`) as the clone knows it. */
export function toClone(map: PackageMap, name: string): string {
  if (swapPrefix(name, map.clone, map.clone) !== null) {
    return name; // already the clone's (the clone package starts with the original's)
  }
  return swapPrefix(name, map.original, map.clone) ?? name;
}

/** A name of the clone's (`<clone>` or `<clone>.…`) as the original app knew it. */
export function toOriginal(map: PackageMap, name: string): string {
  return swapPrefix(name, map.clone, map.original) ?? name;
}

/** Whether a package-manager query about `name` is about the app itself. */
export function isSelf(map: PackageMap, name: string): boolean {
  return name === map.original || name === map.clone;
}

/** The clone's provider authority for `authority` as the app's code names it. */
export function authorityToClone(map: PackageMap, authority: string): string {
  // A provider element may list several authorities separated by ';'.
  return authority
    .split(";")
    .map((a) => map.authorities[a] ?? toClone(map, a))
    .join(";");
}

/** The original authority for a clone authority (URIs handed back to the app's code). */
export function authorityToOriginal(map: PackageMap, authority: string): string {
  for (const [original, clone] of Object.entries(map.authorities)) {
    if (clone === authority) {
      return original;
    }
  }
  return toOriginal(map, authority);
}

/** Whether a content query asks the Google Services Framework for its android_id. */
export function isGsfIdQuery(authority: string | null, selectionArgs: readonly string[] | null): boolean {
  return authority === "com.google.android.gsf.gservices" && (selectionArgs ?? []).includes("android_id");
}

/** The app's own custom permission (declared by it, or `<original>.…`) as the clone declares it. */
export function permissionToClone(map: PackageMap, permission: string): string {
  const declared = map.permissions[permission];
  if (declared !== undefined) {
    return declared;
  }
  return permission.startsWith(map.original + ".") ? toClone(map, permission) : permission;
}

/** An intent action the build renamed for the clone, else the action itself. */
export function actionToClone(map: PackageMap, action: string): string {
  return map.actions[action] ?? action;
}

/** The action the app's code knows for one the clone's manifest names (intents it receives). */
export function actionToOriginal(map: PackageMap, action: string): string {
  for (const [original, clone] of Object.entries(map.actions)) {
    if (clone === action) {
      return original;
    }
  }
  return action;
}

/** A package name the app's code holds, as the system must see it: the original is the clone. */
export function packageToClone(map: PackageMap, name: string): string {
  return name === map.original ? map.clone : name;
}

/** A `package:<original>` URI (Settings' app details, ACTION_DELETE…) as the clone's. */
export function packageUriToClone(map: PackageMap, uri: string): string {
  const prefix = `package:${map.original}`;
  if (uri === prefix || uri.startsWith(prefix + "#")) {
    return `package:${map.clone}` + uri.slice(prefix.length);
  }
  return uri;
}

/** PackageManager.checkSignatures's constants. */
export const SIGNATURE_MATCH = 0;
export const SIGNATURE_NO_MATCH = -3;
export const SIGNATURE_UNKNOWN_PACKAGE = -4;

/**
 * checkSignatures(a, b) when one side is the app itself, which is signed with the original
 * certificates: `other` are the other side's certificates (hex), null when it is not
 * installed, "self" when both sides are the app. AOSP compares the sets of signers.
 */
export function checkSignaturesAnswer(map: PackageMap, other: readonly string[] | "self" | null): number {
  if (other === "self") {
    return SIGNATURE_MATCH;
  }
  if (other === null || map.signatures.length === 0) {
    return SIGNATURE_UNKNOWN_PACKAGE;
  }
  const own = new Set(map.signatures.map((s) => s.toLowerCase()));
  const theirs = new Set(other.map((s) => s.toLowerCase()));
  const same = own.size === theirs.size && [...own].every((s) => theirs.has(s));
  return same ? SIGNATURE_MATCH : SIGNATURE_NO_MATCH;
}

/** PackageManager.CERT_INPUT_RAW_X509 and CERT_INPUT_SHA256. */
export const CERT_INPUT_RAW_X509 = 0;
export const CERT_INPUT_SHA256 = 1;

/**
 * hasSigningCertificate(app itself, certificate, type): whether `certificate` (hex) is one of
 * the original certificates (`type` raw X.509), or the SHA-256 of one (`originalDigests`, hex).
 */
export function hasOriginalCertificate(
  map: PackageMap,
  originalDigests: readonly string[],
  certificate: string,
  type: number,
): boolean {
  const candidates = type === CERT_INPUT_SHA256 ? originalDigests : type === CERT_INPUT_RAW_X509 ? map.signatures : [];
  return candidates.some((c) => c.toLowerCase() === certificate.toLowerCase());
}

/** Java byte[] (signed bytes) as lower-case hex. */
export function bytesToHex(bytes: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    out += ((bytes[i] ?? 0) & 0xff).toString(16).padStart(2, "0");
  }
  return out;
}
