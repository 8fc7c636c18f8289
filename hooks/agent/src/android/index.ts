// Android identity, accounts and binder hooks (Java via frida-java-bridge, and native).
//
// Timing is the point: the boot loader's static initializer loads the payload while the
// framework is still making the app's Application (LoadedApk.makeApplication), before
// attachBaseContext, every ContentProvider and Application.onCreate. The hooks must be in
// place when that initializer returns, so they are installed synchronously, here and now
// (Java.performNow). Java.perform would not do: in an app process whose Application does not
// exist yet, frida-java-bridge queues the work until the next ActivityThread.getPackageInfo
// call, usually the first Activity launch, and the app would start up reading real values.
//
// Each group is installed on its own and reports how many methods it hooked, so a class
// missing on one Android version only disables that group, and the report says which.

import Java from "frida-java-bridge";
import { identityValues, type IdentityPolicy, type IdentityValues, type SpoofEmit } from "../identity/types.js";
import { hookAccounts } from "./accounts.js";
import { hookAuthorities, hookPermissionsAndActions, hookSignatures } from "./binder.js";
import { packageMap } from "./decide/packages.js";
import { propertyAnswer } from "./decide/props.js";
import {
  hookAdvertisingId,
  hookBuild,
  hookGsfId,
  hookMacAddresses,
  hookSettings,
  hookSubscriptions,
  hookSystemPropertiesJava,
  hookTelephony,
} from "./device-ids.js";
import { useAppClassLoader } from "./java.js";
import { hookOwnPackageName } from "./own-package.js";
import { hookNativeProperties } from "./properties.js";

/** Group name -> methods hooked, or the error that stopped the group. */
export type HookReport = Record<string, number | string>;

type Group = readonly [string, () => number];

function installGroups(groups: readonly Group[], report: HookReport, emit: SpoofEmit): void {
  for (const [name, install] of groups) {
    try {
      report[name] = install();
    } catch (e) {
      report[name] = `failed: ${String(e)}`;
      emit({ type: "spoof", op: "install", field: name, value: `failed: ${String(e)}` });
    }
  }
}

function javaGroups(policy: IdentityPolicy, ids: IdentityValues, emit: SpoofEmit): Group[] {
  const answer = (name: string): string | null => propertyAnswer(ids, name);
  const groups: Group[] = [
    ["settings", () => hookSettings(ids, emit)],
    ["telephony", () => hookTelephony(ids, emit)],
    ["subscriptions", () => hookSubscriptions(ids, emit)],
    ["build", () => hookBuild(ids, emit)],
    ["mac", () => hookMacAddresses(ids, emit)],
    ["advertising_id", () => hookAdvertisingId(ids, emit)],
    ["gsf_id", () => hookGsfId(ids, emit)],
    ["system_properties", () => hookSystemPropertiesJava(answer, emit)],
    ["accounts", () => hookAccounts(policy.accounts, emit)],
  ];
  const map = packageMap(policy);
  if (map !== null) {
    groups.push(
      ["signatures", () => hookSignatures(map, emit)],
      ["authorities", () => hookAuthorities(map, emit)],
      ["permissions", () => hookPermissionsAndActions(map, emit)],
      ["own_package", () => hookOwnPackageName(map, emit)],
    );
  }
  return groups;
}

/**
 * frida-java-bridge tells an app process by its executable (/system/bin/app_process*). A
 * clone's payload only ever runs in one, so the policy's word is taken: this changes nothing
 * on a phone, and on the JVM test bed it keeps the bridge on its Android code path (the one
 * that decides whether Java.perform runs now or later).
 */
function declareAppProcess(): void {
  (Java as unknown as { _cachedIsAppProcess: boolean | null })._cachedIsAppProcess = true;
}

export function installAndroidHooks(policy: IdentityPolicy, emit: SpoofEmit): HookReport {
  const ids = identityValues(policy.identity);
  const report: HookReport = {};
  installGroups([["native_properties", () => hookNativeProperties((n) => propertyAnswer(ids, n), emit)]], report, emit);
  if (!Java.available) {
    report["java"] = "failed: no Java runtime in this process";
    return report;
  }
  declareAppProcess();
  Java.performNow(() => {
    installGroups([["app_class_loader", () => (useAppClassLoader() ? 1 : 0)]], report, emit);
    installGroups(javaGroups(policy, ids, emit), report, emit);
  });
  return report;
}
