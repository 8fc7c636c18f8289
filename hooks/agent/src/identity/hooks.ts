// Native identity hooks: host name (gethostname, uname: from here only where the file fast
// path did not replace them, see installHostnameHooks) and /sys/class/net/*/address reads.

import { patchedDirectly } from "../fastpath/direct.js";
import { hostnameAnswered } from "../fastpath/index.js";
import { cloneHostname, ENAMETOOLONG, hostnameFits, UTS_NODENAME_OFFSET } from "./hostname.js";
import { netAddressAnswer } from "./netaddr.js";
import { readPath, replaceFdContents } from "./native.js";
import type { IdentityValues, SpoofEmit } from "./types.js";

/** Attach to a libc export; false when it is missing or already replaced (fast path). */
function attach(name: string, callbacks: InvocationListenerCallbacks): boolean {
  const address = Module.findGlobalExportByName(name);
  if (address === null || patchedDirectly(address)) {
    return false; // Interceptor would hook the fast path's jump instead of refusing
  }
  try {
    Interceptor.attach(address, callbacks);
    return true;
  } catch {
    return false; // the engine's file fast path owns it; redirect rules cover that case
  }
}

/** `gethostname` and `uname` answer the clone's host name: in C where the file fast path
 * replaced them (fastpath/redirect.c, cs_hook_gethostname: it has the name from the policy),
 * else here. */
export function installHostnameHooks(ids: IdentityValues, emit: SpoofEmit): void {
  const hostname = cloneHostname(ids);
  if (hostname === null) {
    return;
  }
  const answered = hostnameAnswered();
  if (!answered.has("gethostname")) {
    attachGethostname(hostname, emit);
  }
  if (!answered.has("uname")) {
    attachUname(hostname, emit);
  }
}

function attachGethostname(hostname: string, emit: SpoofEmit): void {
  attach("gethostname", {
    onEnter(args) {
      this.buf = args[0];
      this.len = args[1]!.toUInt32();
    },
    onLeave(retval) {
      if (retval.toInt32() !== 0) {
        return;
      }
      const buf = this.buf as NativePointer;
      const len = this.len as number;
      if (hostnameFits(hostname, len)) {
        buf.writeUtf8String(hostname);
      } else {
        retval.replace(ptr(-1));
        (this as UnixInvocationContext).errno = ENAMETOOLONG;
      }
      emit({ type: "spoof", op: "gethostname", field: "hostname", value: hostname });
    },
  });
}

function attachUname(hostname: string, emit: SpoofEmit): void {
  attach("uname", {
    onEnter(args) {
      this.buf = args[0];
    },
    onLeave(retval) {
      if (retval.toInt32() !== 0) {
        return;
      }
      (this.buf as NativePointer).add(UTS_NODENAME_OFFSET).writeUtf8String(hostname);
      emit({ type: "spoof", op: "uname", field: "hostname", value: hostname });
    },
  });
}

/** Functions that open a path, and which argument holds it. */
const OPENERS: ReadonlyArray<readonly [string, number]> = [
  ["open", 0],
  ["open64", 0],
  ["__open_2", 0],
  ["openat", 1],
  ["openat64", 1],
  ["__openat_2", 1],
];

/**
 * Reads of `/sys/class/net/<if>/address` answer the clone's MAC address, where the open
 * functions can still be attached to (when the engine's fast path replaced them, the
 * policy's redirect rules and `writeIdentityFiles` carry the MAC instead).
 */
export function installNetAddressHooks(ids: IdentityValues, emit: SpoofEmit): void {
  const seen = new Set<string>();
  for (const [name, index] of OPENERS) {
    const address = Module.findGlobalExportByName(name);
    if (address === null || seen.has(address.toString())) {
      continue;
    }
    seen.add(address.toString());
    attach(name, {
      onEnter(args) {
        const path = readPath(args[index]!);
        this.answer = path === null ? null : netAddressAnswer(path, ids);
        this.path = path;
      },
      onLeave(retval) {
        const answer = this.answer as string | null;
        const fd = retval.toInt32();
        if (answer === null || fd < 0) {
          return;
        }
        if (replaceFdContents(fd, answer)) {
          emit({ type: "spoof", op: name, path: this.path as string, value: answer.trim() });
        }
      },
    });
  }
}
