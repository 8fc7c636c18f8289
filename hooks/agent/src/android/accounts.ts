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
    if (this.list === null) {
      const saved = readSaved();
      this.list = [...this.initial];
      for (const account of saved) {
        this.list = withAccount(this.list, account).list;
      }
    }
    return this.list;
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

function readSaved(): AccountEntry[] {
  try {
    const path = storePath();
    return path === null ? [] : parseAccounts(JSON.parse(File.readAllText(path)));
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

function entryOf(account: unknown): AccountEntry | null {
  if (account === null || account === undefined) {
    return null;
  }
  const a = account as { name: { value: unknown }; type: { value: unknown } };
  const name = jstring(a.name.value);
  const type = jstring(a.type.value);
  return name && type ? { type, name } : null;
}

export function hookAccounts(rawAccounts: unknown, emit: SpoofEmit): void {
  const Account = findClass("android.accounts.Account");
  const manager = findClass("android.accounts.AccountManager");
  if (Account === null || manager === null) {
    return;
  }
  const store = new AccountStore(parseAccounts(rawAccounts));
  const answer = (op: string, type: string | null): unknown => {
    emit({ type: "spoof", op, field: "accounts" });
    const shown = visibleAccounts(store.all(), type);
    return Java.array(
      "android.accounts.Account",
      shown.map((a) => Account.$new(a.name, a.type)),
    );
  };
  replaceAll(manager, "getAccounts", () => answer("AccountManager.getAccounts", null));
  replaceAll(manager, "getAccountsAsUser", () => answer("AccountManager.getAccountsAsUser", null));
  for (const method of ["getAccountsByType", "getAccountsByTypeForPackage", "getAccountsByTypeAsUser"]) {
    replaceAll(manager, method, (_self, _original, args) => answer(`AccountManager.${method}`, jstring(args[0])));
  }
  // The AIDL proxy, for callers that skip the public methods.
  const proxy = findClass("android.accounts.IAccountManager$Stub$Proxy");
  replaceAll(proxy, "getAccountsAsUser", (_s, _o, args) => answer("IAccountManager.getAccountsAsUser", jstring(args[0])));
  replaceAll(proxy, "getAccountsForPackage", () => answer("IAccountManager.getAccountsForPackage", null));
  replaceAll(proxy, "getAccountsByTypeForPackage", (_s, _o, args) =>
    answer("IAccountManager.getAccountsByTypeForPackage", jstring(args[0])),
  );
  replaceAll(manager, "addAccountExplicitly", (_self, _original, args) => {
    const entry = entryOf(args[0]);
    emit({ type: "spoof", op: "AccountManager.addAccountExplicitly", field: "accounts" });
    return entry !== null && store.add(entry);
  });
  replaceAll(manager, "removeAccountExplicitly", (_self, _original, args) => {
    const entry = entryOf(args[0]);
    emit({ type: "spoof", op: "AccountManager.removeAccountExplicitly", field: "accounts" });
    return entry !== null && store.remove(entry);
  });
}
