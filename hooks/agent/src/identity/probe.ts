// Test-only entry point (not part of the agent bundle): exposes the pure identity decisions
// over RPC, so tests can check them inside a real process (tests/hooks/test_agent_identity.py
// compiles it with frida-compile and loads it into a spawned program).

import { parseAccounts, visibleAccounts, withAccount, withoutAccount } from "../android/decide/accounts.js";
import {
  actionToClone,
  actionToOriginal,
  authorityToClone,
  authorityToOriginal,
  isGsfIdQuery,
  isSelf,
  packageMap,
  permissionToClone,
} from "../android/decide/packages.js";
import { propertyAnswer } from "../android/decide/props.js";
import { buildFields, settingsAnswer, telephonyAnswer } from "../android/decide/telephony.js";
import { identityFileAnswer, identityFilePlan } from "./files.js";
import { cloneHostname, hostnameFits } from "./hostname.js";
import { macBytes, netAddressAnswer } from "./netaddr.js";
import { identityValues } from "./types.js";

type Args = readonly unknown[];

function str(value: unknown): string {
  return String(value);
}

function withMap<T>(policy: unknown, fn: (map: NonNullable<ReturnType<typeof packageMap>>) => T): T | null {
  const map = packageMap((policy ?? {}) as Parameters<typeof packageMap>[0]);
  return map === null ? null : fn(map);
}

const DECISIONS: Readonly<Record<string, (policy: Record<string, unknown>, args: Args) => unknown>> = {
  hostname: (p) => cloneHostname(identityValues(p["identity"])),
  hostnameFits: (_p, a) => hostnameFits(str(a[0]), Number(a[1])),
  netAddress: (p, a) => netAddressAnswer(str(a[0]), identityValues(p["identity"])),
  macBytes: (_p, a) => macBytes(str(a[0])),
  identityFile: (p, a) => identityFileAnswer(str(a[0]), identityValues(p["identity"])),
  identityFilePlan: (p) => identityFilePlan(p["redirects"], identityValues(p["identity"])),
  property: (p, a) => propertyAnswer(identityValues(p["identity"]), str(a[0])),
  telephony: (p, a) => telephonyAnswer(identityValues(p["identity"]), str(a[0])),
  settings: (p, a) => settingsAnswer(identityValues(p["identity"]), str(a[0])),
  buildFields: (p) => buildFields(identityValues(p["identity"])),
  accounts: (p, a) => visibleAccounts(parseAccounts(p["accounts"]), a[0] === null ? null : str(a[0])),
  addAccount: (p, a) => withAccount(parseAccounts(p["accounts"]), { type: str(a[0]), name: str(a[1]) }),
  removeAccount: (p, a) => withoutAccount(parseAccounts(p["accounts"]), { type: str(a[0]), name: str(a[1]) }),
  isSelf: (p, a) => withMap(p, (m) => isSelf(m, str(a[0]))),
  authorityToClone: (p, a) => withMap(p, (m) => authorityToClone(m, str(a[0]))),
  authorityToOriginal: (p, a) => withMap(p, (m) => authorityToOriginal(m, str(a[0]))),
  permissionToClone: (p, a) => withMap(p, (m) => permissionToClone(m, str(a[0]))),
  actionToClone: (p, a) => withMap(p, (m) => actionToClone(m, str(a[0]))),
  actionToOriginal: (p, a) => withMap(p, (m) => actionToOriginal(m, str(a[0]))),
  signatures: (p) => withMap(p, (m) => m.signatures),
  isGsfIdQuery: (_p, a) => isGsfIdQuery(a[0] === null ? null : str(a[0]), (a[1] as string[] | null) ?? null),
};

rpc.exports = {
  decide(name: string, policy: Record<string, unknown>, args: unknown[]): unknown {
    const fn = DECISIONS[name];
    if (fn === undefined) {
      throw new Error(`no decision named ${name}`);
    }
    return fn(policy, args);
  },
  pid(): number {
    return Process.id;
  },
};
