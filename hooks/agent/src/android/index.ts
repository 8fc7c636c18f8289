// Android identity, accounts and binder hooks (Java via frida-java-bridge, and native).
// Each group is installed on its own, so a class missing on one Android version only
// disables that group (reported as a "spoof" event with an error).

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
  hookSystemPropertiesJava,
  hookTelephony,
} from "./device-ids.js";
import { hookNativeProperties } from "./properties.js";

type Group = readonly [string, () => void];

function installGroups(groups: readonly Group[], emit: SpoofEmit): void {
  for (const [name, install] of groups) {
    try {
      install();
    } catch (e) {
      emit({ type: "spoof", op: "install", field: name, value: `failed: ${String(e)}` });
    }
  }
}

function javaGroups(policy: IdentityPolicy, ids: IdentityValues, emit: SpoofEmit): Group[] {
  const answer = (name: string): string | null => propertyAnswer(ids, name);
  const groups: Group[] = [
    ["settings", () => hookSettings(ids, emit)],
    ["telephony", () => hookTelephony(ids, emit)],
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
    );
  }
  return groups;
}

export function installAndroidHooks(policy: IdentityPolicy, emit: SpoofEmit): void {
  const ids = identityValues(policy.identity);
  installGroups([["native_properties", () => hookNativeProperties((n) => propertyAnswer(ids, n), emit)]], emit);
  if (!Java.available) {
    return;
  }
  Java.perform(() => installGroups(javaGroups(policy, ids, emit), emit));
}
