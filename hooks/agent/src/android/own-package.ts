// The app's original package name where the system resolves it. A clone's code still holds
// its original name (BuildConfig.APPLICATION_ID, literals, a getPackageName() result cached
// before the rename); the system knows only the clone's. Names are mapped where they enter an
// Intent, a ComponentName, a `package:` URI or a package-manager query, so every later use
// (startActivity, broadcasts with a package, PendingIntent, JobScheduler's ComponentName)
// reaches the clone. Another package's name is never touched.

import Java from "frida-java-bridge";
import type { SpoofEmit } from "../identity/types.js";
import { isSelf, packageToClone, packageUriToClone, type PackageMap } from "./decide/packages.js";
import { findClass, type JavaWrapper, jstring, replaceAll } from "./java.js";

type Emit = (op: string, given: string, value: string) => void;

/** Replaces string argument `index` by its clone name when it is the original package. */
function mapPackageArg(map: PackageMap, emit: Emit, op: string, index: number) {
  return (_self: JavaWrapper, original: (...a: unknown[]) => unknown, args: unknown[]): unknown => {
    const given = args[index];
    if (typeof given === "string") {
      const mapped = packageToClone(map, given);
      if (mapped !== given) {
        args[index] = mapped;
        emit(op, given, mapped);
      }
    }
    return original(...args);
  };
}

/** Intent.setPackage, Intent.setClassName(String, String), new ComponentName(String, String). */
function hookNames(map: PackageMap, emit: Emit): number {
  let hooked = replaceAll(findClass("android.content.Intent"), "setPackage", mapPackageArg(map, emit, "Intent.setPackage", 0));
  // setClassName(Context, String) has a Context first: only a string argument is mapped.
  hooked += replaceAll(findClass("android.content.Intent"), "setClassName", mapPackageArg(map, emit, "Intent.setClassName", 0));
  hooked += replaceAll(findClass("android.content.ComponentName"), "$init", mapPackageArg(map, emit, "ComponentName", 0));
  return hooked;
}

/** Uri.parse of a `package:` URI naming the clone instead of the original, or null. */
function packageUriMapper(map: PackageMap, emit: Emit, op: string): ((value: unknown) => JavaWrapper | null) | null {
  const Uri = findClass("android.net.Uri");
  if (Uri === null) {
    return null;
  }
  return (value: unknown): JavaWrapper | null => {
    if (value === null || value === undefined) {
      return null;
    }
    const given = jstring((value as { toString(): unknown }).toString()) ?? "";
    const mapped = packageUriToClone(map, given);
    if (mapped === given) {
      return null;
    }
    emit(op, given, mapped);
    return Uri["parse"](mapped) as JavaWrapper;
  };
}

/** `package:<original>` URIs set on an Intent with setData (or its sibling setters). */
function hookPackageUris(map: PackageMap, emit: Emit): number {
  const mapUri = packageUriMapper(map, emit, "Intent.setData");
  if (mapUri === null) {
    return 0;
  }
  const Intent = findClass("android.content.Intent");
  let hooked = 0;
  for (const method of ["setData", "setDataAndType", "setDataAndNormalize", "setDataAndTypeAndNormalize"]) {
    hooked += replaceAll(Intent, method, (_self, original, args) => {
      args[0] = mapUri(args[0]) ?? args[0];
      return original(...args);
    });
  }
  return hooked;
}

/** getApplicationInfo (every IPackageManager form) and getLaunchIntentForPackage. */
function hookPackageQueries(map: PackageMap, emit: Emit): number {
  const proxy = findClass("android.content.pm.IPackageManager$Stub$Proxy");
  let hooked = replaceAll(proxy, "getApplicationInfo", (_self, original, args) => {
    const name = jstring(args[0]);
    if (name !== null && name !== map.clone && isSelf(map, name)) {
      args[0] = map.clone;
      emit("IPackageManager.getApplicationInfo", name, map.clone);
    }
    return original(...args);
  });
  hooked += replaceAll(
    findClass("android.app.ApplicationPackageManager"),
    "getLaunchIntentForPackage",
    mapPackageArg(map, emit, "PackageManager.getLaunchIntentForPackage", 0),
  );
  return hooked;
}

/**
 * Where an Intent leaves the app (ContextImpl's startActivity, startService, bindService,
 * sendBroadcast…, and PendingIntent.get*): an intent that still names the original package
 * is retargeted. That covers what the setters above never see: a `package:` URI given to
 * the Intent(String, Uri) constructor (Intent's constructors are not hooked here), intents
 * made before the hooks were installed, read from a Parcel or from Intent.parseUri.
 */
function hookIntentExits(map: PackageMap, emit: Emit): number {
  const ComponentName = findClass("android.content.ComponentName");
  const Intent = findClass("android.content.Intent");
  const mapUri = packageUriMapper(map, emit, "Intent.data");
  const retarget = (value: unknown): void => {
    if (value === null || typeof value !== "object" || ComponentName === null || Intent === null) {
      return;
    }
    if (!(Intent["class"].isInstance(value) as boolean)) {
      return; // a Context, a permission, a UserHandle…
    }
    const intent = Java.cast(value as JavaWrapper, Intent);
    const pkg = jstring(intent.getPackage());
    if (pkg === map.original) {
      intent.setPackage(map.clone);
    }
    const component = intent.getComponent() as JavaWrapper | null;
    if (component !== null && jstring(component.getPackageName()) === map.original) {
      intent.setComponent(ComponentName.$new(map.clone, component.getClassName()));
      emit("Intent.component", map.original, map.clone);
    }
    const uri = mapUri === null ? null : mapUri(intent.getData());
    if (uri !== null) {
      // setData also clears the MIME type on Android: keep it
      const type = "getType" in intent ? (intent.getType() as unknown) : null;
      if (type !== null && type !== undefined && "setDataAndType" in intent) {
        intent.setDataAndType(uri, type);
      } else {
        intent.setData(uri);
      }
    }
  };
  const sites: ReadonlyArray<readonly [string, readonly string[]]> = [
    [
      "android.app.ContextImpl",
      [
        "startActivity",
        "startActivityAsUser",
        "startService",
        "startForegroundService",
        "bindService",
        "sendBroadcast",
        "sendOrderedBroadcast",
        "sendBroadcastAsUser",
      ],
    ],
    ["android.app.PendingIntent", ["getActivity", "getBroadcast", "getService", "getForegroundService"]],
  ];
  let hooked = 0;
  for (const [className, methods] of sites) {
    const cls = findClass(className);
    for (const method of methods) {
      hooked += replaceAll(cls, method, (_self, original, args) => {
        args.forEach(retarget);
        return original(...args);
      });
    }
  }
  return hooked;
}

export function hookOwnPackageName(map: PackageMap, emitSpoof: SpoofEmit): number {
  const emit: Emit = (op, given, value) => emitSpoof({ type: "spoof", op, path: given, value });
  return hookNames(map, emit) + hookPackageUris(map, emit) + hookPackageQueries(map, emit) + hookIntentExits(map, emit);
}
