// Pure decisions for the Linux host-name queries (gethostname, uname nodename).

/** Size of each `struct utsname` field on Linux (glibc and bionic): _UTSNAME_LENGTH. */
export const UTS_FIELD_LENGTH = 65;
/** Offset of `nodename` in `struct utsname` (after `sysname`). */
export const UTS_NODENAME_OFFSET = UTS_FIELD_LENGTH;
export const ENAMETOOLONG = 36;

/** The host name the clone answers with, or null when the policy has none. */
export function cloneHostname(ids: Readonly<Record<string, string>>): string | null {
  const name = ids["hostname"];
  return name !== undefined && name.length > 0 && name.length < UTS_FIELD_LENGTH ? name : null;
}

/** Whether `gethostname(buf, len)` can hold `name` and its NUL (else ENAMETOOLONG, as glibc). */
export function hostnameFits(name: string, len: number): boolean {
  return name.length + 1 <= len;
}
