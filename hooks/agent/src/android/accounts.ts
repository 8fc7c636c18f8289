// AccountManager: the app sees only the clone's accounts; accounts it adds stay in the
// clone's own list (kept in the app's files dir), never in the system's.

import Java from "frida-java-bridge";
import type { SpoofEmit } from "../identity/types.js";
import { type AccountEntry, parseAccounts, visibleAccounts, withAccount, withoutAccount } from "./decide/accounts.js";
import { findClass, jstring, replaceAll } from "./java.js";

const STORE_NAME = "clonespace-accounts.json";

/** The clone's account list: the policy's accounts plus what the app added at run time. */
class AccountStore {
  private list: AccountEntry[] | null = null;

  constructor(private readonly initial: readonly AccountEntry[]) {}

  all(): AccountEntry[] {
    if (this.list !== null) {
      return this.list;
    }
    const path = storePath();
    let list = [...this.initial];
    for (const account of path === null ? [] : readSaved(path)) {
      list = withAccount(list, account).list;
    }
    // before the Application exists (attachBaseContext, providers) there is no files dir to
    // read what the app added earlier: answer with the policy's accounts and read it later
    if (path !== null) {
      this.list = list;
    }
    return list;
  }

  add(account: AccountEntry): boolean {
    const { list, added } = withAccount(this.all(), account);
    this.list = list;
    if (added) {
      save(list);
    }
    return added;
  }

  remove(account: AccountEntry): boolean {
    const { list, removed } = withoutAccount(this.all(), account);
    this.list = list;
    if (removed) {
      save(list);
    }
    return removed;
  }
}

function storePath(): string | null {
  const app = Java.use("android.app.ActivityThread").currentApplication();
  if (app === null) {
    return null;
  }
  return `${jstring(app.getFilesDir().getAbsolutePath())}/${STORE_NAME}`;
}

function readSaved(path: string): AccountEntry[] {
  try {
    return parseAccounts(JSON.parse(File.readAllText(path)));
  } catch {
    return []; // nothing saved yet
  }
}

function save(list: readonly AccountEntry[]): void {
  const path = storePath();
  if (path !== null) {
    File.writeAllText(path, JSON.stringify(list));
  }
}

/** Hands `accounts` to an IAccountManagerResponse as the account service does. */
function respond(response: unknown, accounts: unknown): void {
  const bundle = Java.use("android.os.Bundle").$new();
  bundle.putParcelableArray("accounts", accounts);
  (response as { onResult(result: unknown): void }).onResult(bundle);
}

function entryOf(account: unknown): AccountEntry | null {
  if (account === null || account === undefined) {
    return null;
  }
  const a = account as { name: { value: unknown }; type: { value: unknown } };
  const name = jstring(a.name.value);
  const type = jstring(a.type.value);
  return name && type ? { type, name } : null;
}

export function hookAccounts(rawAccounts: unknown, emit: SpoofEmit): number {
  const Account = findClass("android.accounts.Account");
  const manager = findClass("android.accounts.AccountManager");
  if (Account === null || manager === null) {
    return 0;
  }
  const proxy = findClass("android.accounts.IAccountManager$Stub$Proxy");
  const store = new AccountStore(parseAccounts(rawAccounts));
  const answer = (op: string, type: string | null): unknown => {
    emit({ type: "spoof", op, field: "accounts" });
    const shown = visibleAccounts(store.all(), type);
    return Java.array(
      "android.accounts.Account",
      shown.map((a) => Account.$new(a.name, a.type)),
    );
  };
  const hooks: ReadonlyArray<readonly [Java.Wrapper | null, string, (args: unknown[]) => unknown]> = [
    [manager, "getAccounts", () => answer("AccountManager.getAccounts", null)],
    [manager, "getAccountsAsUser", () => answer("AccountManager.getAccountsAsUser", null)],
    ...["getAccountsByType", "getAccountsByTypeForPackage", "getAccountsByTypeAsUser"].map(
      (method) => [manager, method, (args: unknown[]) => answer(`AccountManager.${method}`, jstring(args[0]))] as const,
    ),
    // The AIDL proxy, for callers that skip the public methods, and the one
    // getAccountsByTypeAndFeatures reaches through its AmsTask: the answer goes to the
    // response as the service's would, a Bundle with the accounts under "accounts".
    [proxy, "getAccountsAsUser", (args) => answer("IAccountManager.getAccountsAsUser", jstring(args[0]))],
    [proxy, "getAccountsForPackage", () => answer("IAccountManager.getAccountsForPackage", null)],
    [proxy, "getAccountsByTypeForPackage", (args) => answer("IAccountManager.getAccountsByTypeForPackage", jstring(args[0]))],
    [proxy, "getAccountsByFeatures", (args) => respond(args[0], answer("IAccountManager.getAccountsByFeatures", jstring(args[1])))],
    [
      manager,
      "addAccountExplicitly",
      (args) => {
        const entry = entryOf(args[0]);
        emit({ type: "spoof", op: "AccountManager.addAccountExplicitly", field: "accounts" });
        return entry !== null && store.add(entry);
      },
    ],
    [
      manager,
      "removeAccountExplicitly",
      (args) => {
        const entry = entryOf(args[0]);
        emit({ type: "spoof", op: "AccountManager.removeAccountExplicitly", field: "accounts" });
        return entry !== null && store.remove(entry);
      },
    ],
  ];
  let hooked = 0;
  for (const [cls, method, impl] of hooks) {
    hooked += replaceAll(cls, method, (_self, _original, args) => impl(args));
  }
  return hooked;
}
