// The binder layer of a renamed clone: package-manager answers about the app itself carry
// the original signing certificates (getPackageInfo, SigningInfo, checkSignatures,
// hasSigningCertificate), and the app's own provider authorities, permissions and
// actions written with the original package reach the clone's renamed ones.

import Java from "frida-java-bridge";
import type { SpoofEmit } from "../identity/types.js";
import {
  actionToClone,
  actionToOriginal,
  authorityToClone,
  bytesToHex,
  checkSignaturesAnswer,
  hasOriginalCertificate,
  isSelf,
  type PackageMap,
  permissionToClone,
} from "./decide/packages.js";
import { findClass, jstring, replaceAll } from "./java.js";

/** PackageInfo (and SigningInfo) about the app itself report the original certificates. */
export function hookSignatures(map: PackageMap, emit: SpoofEmit): number {
  const Signature = findClass("android.content.pm.Signature");
  const System = findClass("java.lang.System");
  if (Signature === null || System === null || map.signatures.length === 0) {
    return 0;
  }
  const originals = (): unknown =>
    Java.array(
      "android.content.pm.Signature",
      map.signatures.map((hex) => Signature.$new(hex)),
    );
  const ownSigningInfos = new Set<number>();
  const answer = (op: string) => (_self: Java.Wrapper, original: (...a: unknown[]) => unknown, args: unknown[]): unknown => {
    const name = jstring(args[0]);
    if (name === null || !isSelf(map, name)) {
      return original(...args);
    }
    const info = original(map.clone, ...args.slice(1)) as Java.Wrapper | null;
    if (info !== null) {
      info["signatures"].value = originals();
      const signing = info["signingInfo"]?.value as Java.Wrapper | null | undefined;
      if (signing) {
        ownSigningInfos.add(System.identityHashCode(signing) as number);
      }
      emit({ type: "spoof", op, path: name, field: "signatures" });
    }
    return info;
  };
  let hooked = replaceAll(
    findClass("android.content.pm.IPackageManager$Stub$Proxy"),
    "getPackageInfo",
    answer("IPackageManager.getPackageInfo"),
  );
  // API 30–33: ApplicationPackageManager asks the process-wide cache (a static, (String, int,
  // int) to API 32, (String, long, int) from 33) before the proxy. An answer it holds from
  // before the hooks (framework code that asked first, a payload that arrived late) would
  // carry the clone's own certificate: the cached path is answered the same way.
  hooked += replaceAll(
    findClass("android.content.pm.PackageManager"),
    "getPackageInfoAsUserCached",
    answer("PackageManager.getPackageInfoAsUserCached"),
  );
  const signingInfo = findClass("android.content.pm.SigningInfo");
  for (const method of ["getApkContentsSigners", "getSigningCertificateHistory"]) {
    hooked += replaceAll(signingInfo, method, (self, original, args) =>
      ownSigningInfos.has(System.identityHashCode(self) as number) ? originals() : original(...args),
    );
  }
  return hooked + hookSignatureChecks(map, emit);
}

const GET_SIGNATURES = 0x40;

/** The certificates (hex) `proxy` reports for another package, or null if it is not installed. */
function signersOf(proxy: Java.Wrapper, name: string, userId: number): string[] | null {
  const dispatcher = proxy["getPackageInfo"] as Java.MethodDispatcher;
  const form =
    dispatcher.overloads.find((o) => o.argumentTypes[1]?.className === "long") ?? dispatcher.overloads[0];
  if (form === undefined) {
    return null;
  }
  const info = form.call(proxy, name, GET_SIGNATURES, userId) as Java.Wrapper | null;
  const signatures = info === null ? null : (info["signatures"].value as Java.Wrapper[] | null);
  return signatures === null ? null : Array.from(signatures, (s) => String(s.toCharsString()));
}

/**
 * IPackageManager.checkSignatures and hasSigningCertificate about the app itself answer as
 * for the original certificates (the clone is signed with its own key).
 */
function hookSignatureChecks(map: PackageMap, emit: SpoofEmit): number {
  const proxy = findClass("android.content.pm.IPackageManager$Stub$Proxy");
  const Signature = findClass("android.content.pm.Signature");
  const MessageDigest = findClass("java.security.MessageDigest");
  if (proxy === null || Signature === null || MessageDigest === null) {
    return 0;
  }
  let hooked = replaceAll(proxy, "checkSignatures", (self, original, args) => {
    const [a, b] = [jstring(args[0]), jstring(args[1])];
    const selfA = a !== null && isSelf(map, a);
    const selfB = b !== null && isSelf(map, b);
    if (!selfA && !selfB) {
      return original(...args);
    }
    const other = selfA && selfB ? "self" : signersOf(self, (selfA ? b : a) ?? "", typeof args[2] === "number" ? args[2] : 0);
    emit({ type: "spoof", op: "IPackageManager.checkSignatures", path: `${a},${b}`, field: "signatures" });
    return checkSignaturesAnswer(map, other);
  });
  let digests: string[] | null = null;
  hooked += replaceAll(proxy, "hasSigningCertificate", (_self, original, args) => {
    const name = jstring(args[0]);
    if (name === null || !isSelf(map, name) || args[1] === null) {
      return original(...args);
    }
    digests ??= map.signatures.map((hex) =>
      bytesToHex(MessageDigest.getInstance("SHA-256").digest(Signature.$new(hex).toByteArray()) as number[]),
    );
    emit({ type: "spoof", op: "IPackageManager.hasSigningCertificate", path: name, field: "signatures" });
    return hasOriginalCertificate(map, digests, bytesToHex(args[1] as number[]), args[2] as number);
  });
  return hooked;
}

function mapArg(args: unknown[], index: number, mapping: (name: string) => string): string | null {
  const name = jstring(args[index]);
  if (name === null) {
    return null;
  }
  const mapped = mapping(name);
  if (mapped === name) {
    return null;
  }
  args[index] = mapped;
  return mapped;
}

/** Provider authorities: where providers are acquired and where FileProvider makes URIs. */
export function hookAuthorities(map: PackageMap, emit: SpoofEmit): number {
  const toClone = (a: string): string => authorityToClone(map, a);
  const sites: ReadonlyArray<readonly [string, string, number]> = [
    ["android.app.ActivityThread", "acquireProvider", 1],
    ["android.app.ActivityThread", "acquireExistingProvider", 1],
    ["android.content.pm.IPackageManager$Stub$Proxy", "resolveContentProvider", 0],
    ["androidx.core.content.FileProvider", "getUriForFile", 1],
    ["android.support.v4.content.FileProvider", "getUriForFile", 1],
  ];
  let hooked = 0;
  for (const [className, method, index] of sites) {
    hooked += replaceAll(findClass(className), method, (_self, original, args) => {
      const given = jstring(args[index]);
      const mapped = mapArg(args, index, toClone);
      if (mapped !== null) {
        emit({ type: "spoof", op: `${className.split(".").pop()}.${method}`, path: given ?? "", value: mapped });
      }
      return original(...args);
    });
  }
  return hooked;
}

/** The app's own custom permissions and renamed broadcast actions. */
export function hookPermissionsAndActions(map: PackageMap, emit: SpoofEmit): number {
  const permission = (p: string): string => permissionToClone(map, p);
  const contextImpl = findClass("android.app.ContextImpl");
  let hooked = 0;
  for (const method of [
    "checkPermission",
    "checkSelfPermission",
    "checkCallingPermission",
    "checkCallingOrSelfPermission",
    "enforcePermission",
    "enforceCallingPermission",
    "enforceCallingOrSelfPermission",
    "sendBroadcast",
    "sendOrderedBroadcast",
    "sendBroadcastAsUser",
    "registerReceiver",
  ]) {
    hooked += replaceAll(contextImpl, method, (_self, original, args) => {
      for (let i = 0; i < args.length; i++) {
        if (typeof args[i] === "string" && mapArg(args, i, permission) !== null) {
          emit({ type: "spoof", op: `ContextImpl.${method}`, path: String(args[i]), field: "permission" });
        }
      }
      return original(...args);
    });
  }
  if (Object.keys(map.actions).length === 0) {
    return hooked;
  }
  const action = (a: string): string => actionToClone(map, a);
  for (const [className, method] of [
    ["android.content.Intent", "setAction"],
    ["android.content.Intent", "$init"],
    ["android.content.IntentFilter", "addAction"],
    ["android.content.IntentFilter", "$init"],
    ["android.content.IntentFilter", "hasAction"],
    ["android.content.IntentFilter", "matchAction"],
  ] as const) {
    hooked += replaceAll(findClass(className), method, (_self, original, args) => {
      if (typeof args[0] === "string") {
        mapArg(args, 0, action);
      }
      return original(...args);
    });
  }
  // what the app's code reads back is the name it knows (it compares with its constants)
  for (const className of ["android.content.Intent", "android.content.IntentFilter"]) {
    hooked += replaceAll(findClass(className), "getAction", (_self, original, args) => {
      const value = original(...args);
      return typeof value === "string" ? actionToOriginal(map, value) : value;
    });
  }
  return hooked;
}
