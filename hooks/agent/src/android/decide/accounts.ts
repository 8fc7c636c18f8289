// Pure account-list logic: the clone sees only its own accounts.

export interface AccountEntry {
  readonly type: string;
  readonly name: string;
}

/** The well-formed `{type, name}` entries of the policy's `accounts` list. */
export function parseAccounts(raw: unknown): AccountEntry[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  const out: AccountEntry[] = [];
  for (const item of raw as unknown[]) {
    if (item !== null && typeof item === "object") {
      const { type, name } = item as { type?: unknown; name?: unknown };
      if (typeof type === "string" && typeof name === "string" && type && name) {
        out.push({ type, name });
      }
    }
  }
  return out;
}

/** The accounts `getAccountsByType(type)` shows (`type` null: `getAccounts()`). */
export function visibleAccounts(list: readonly AccountEntry[], type: string | null): AccountEntry[] {
  return list.filter((a) => type === null || a.type === type);
}

function same(a: AccountEntry, b: AccountEntry): boolean {
  return a.type === b.type && a.name === b.name;
}

/** `list` plus `account` (no duplicates); `added` false when it was already there. */
export function withAccount(
  list: readonly AccountEntry[],
  account: AccountEntry,
): { list: AccountEntry[]; added: boolean } {
  if (list.some((a) => same(a, account))) {
    return { list: [...list], added: false };
  }
  return { list: [...list, account], added: true };
}

/** `list` without `account`; `removed` false when it was not there. */
export function withoutAccount(
  list: readonly AccountEntry[],
  account: AccountEntry,
): { list: AccountEntry[]; removed: boolean } {
  const kept = list.filter((a) => !same(a, account));
  return { list: kept, removed: kept.length !== list.length };
}
