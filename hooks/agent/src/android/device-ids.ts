// Java identity hooks: Settings, TelephonyManager, Build, MAC addresses, advertising and GSF ids.

import Java from "frida-java-bridge";
import { macBytes } from "../identity/netaddr.js";
import type { IdentityValues, SpoofEmit } from "../identity/types.js";
import { isGsfIdQuery } from "./decide/packages.js";
import {
  bluetoothAddress,
  buildFields,
  SUBSCRIPTION_FIELDS,
  settingsAnswer,
  subscriptionAnswer,
  TELEPHONY_FIELDS,
  telephonyAnswer,
} from "./decide/telephony.js";
import { answerWith, findClass, jstring, replaceAll } from "./java.js";

function spoofer(emit: SpoofEmit, op: string, field: string): () => void {
  return () => emit({ type: "spoof", op, field });
}

/** Settings.Secure/Global/System.getString(resolver, name) for android_id, bluetooth_address. */
export function hookSettings(ids: IdentityValues, emit: SpoofEmit): number {
  let hooked = 0;
  for (const table of ["Secure", "Global", "System"]) {
    const cls = findClass(`android.provider.Settings$${table}`);
    for (const method of ["getString", "getStringForUser"]) {
      hooked += replaceAll(cls, method, (_self, original, args) => {
        const name = jstring(args[1]);
        const answer = name === null ? null : settingsAnswer(ids, name);
        if (answer === null) {
          return original(...args);
        }
        emit({ type: "spoof", op: `Settings.${table}.${method}`, field: name ?? "" });
        return answer;
      });
    }
  }
  return hooked;
}

/** TelephonyManager device id, IMEI, MEID, IMSI, ICCID, line number and operator. */
export function hookTelephony(ids: IdentityValues, emit: SpoofEmit): number {
  const cls = findClass("android.telephony.TelephonyManager");
  let hooked = 0;
  for (const method of Object.keys(TELEPHONY_FIELDS)) {
    hooked += answerWith(cls, method, telephonyAnswer(ids, method), spoofer(emit, `TelephonyManager.${method}`, TELEPHONY_FIELDS[method] ?? ""));
  }
  return hooked;
}

/** SubscriptionInfo.getIccId/getNumber and SubscriptionManager.getPhoneNumber (API 22+, 33+). */
export function hookSubscriptions(ids: IdentityValues, emit: SpoofEmit): number {
  let hooked = 0;
  for (const [className, methods] of [
    ["android.telephony.SubscriptionInfo", ["getIccId", "getNumber"]],
    ["android.telephony.SubscriptionManager", ["getPhoneNumber"]],
  ] as const) {
    const cls = findClass(className);
    for (const method of methods) {
      hooked += replaceAll(cls, method, (_self, original, args) => {
        const real = jstring(original(...args));
        const answer = subscriptionAnswer(ids, method, real);
        if (answer !== real) {
          emit({ type: "spoof", op: `${className.split(".").pop()}.${method}`, field: SUBSCRIPTION_FIELDS[method] ?? "" });
        }
        return answer;
      });
    }
  }
  return hooked;
}

/** Build.SERIAL/MODEL/… static fields and Build.getSerial(). */
export function hookBuild(ids: IdentityValues, emit: SpoofEmit): number {
  const build = findClass("android.os.Build");
  if (build === null) {
    return 0;
  }
  let set = 0;
  for (const [field, value] of Object.entries(buildFields(ids))) {
    try {
      (build[field] as Java.Field<string>).value = value;
      set++;
    } catch {
      // a field this Android version does not have
    }
  }
  emit({ type: "spoof", op: "Build", field: "profile" });
  return set + answerWith(build, "getSerial", ids["serial"] ?? null, spoofer(emit, "Build.getSerial", "serial"));
}

/** WifiInfo.getMacAddress, NetworkInterface.getHardwareAddress, BluetoothAdapter.getAddress. */
export function hookMacAddresses(ids: IdentityValues, emit: SpoofEmit): number {
  const wifi = ids["wifi_mac"];
  let hooked = answerWith(findClass("android.net.wifi.WifiInfo"), "getMacAddress", wifi ?? null, spoofer(emit, "WifiInfo.getMacAddress", "wifi_mac"));
  hooked += answerWith(
    findClass("android.bluetooth.BluetoothAdapter"),
    "getAddress",
    bluetoothAddress(ids),
    spoofer(emit, "BluetoothAdapter.getAddress", "bt_mac"),
  );
  if (wifi === undefined) {
    return hooked;
  }
  return hooked + replaceAll(findClass("java.net.NetworkInterface"), "getHardwareAddress", (self, original, args) => {
    const real = original(...args);
    if (real === null || jstring((self as unknown as { getName(): unknown }).getName()) === "lo") {
      return real;
    }
    emit({ type: "spoof", op: "NetworkInterface.getHardwareAddress", field: "wifi_mac" });
    return Java.array("byte", macBytes(wifi));
  });
}

/** AdvertisingIdClient.Info.getId (Google Play services, loaded by the app). */
export function hookAdvertisingId(ids: IdentityValues, emit: SpoofEmit): number {
  const value = ids["advertising_id"] ?? null;
  let hooked = 0;
  // androidx's AdvertisingIdInfo is an abstract @AutoValue class: its getId is implemented
  // by the generated AutoValue_AdvertisingIdInfo (an app whose R8 renames that class keeps
  // its real advertising id here)
  for (const name of [
    "com.google.android.gms.ads.identifier.AdvertisingIdClient$Info",
    "androidx.ads.identifier.AutoValue_AdvertisingIdInfo",
  ]) {
    hooked += answerWith(findClass(name), "getId", value, spoofer(emit, "AdvertisingIdClient.Info.getId", "advertising_id"));
  }
  return hooked;
}

/** The GSF id: `content://com.google.android.gsf.gservices` queried for `android_id`. */
export function hookGsfId(ids: IdentityValues, emit: SpoofEmit): number {
  const gsf = ids["gsf_id"];
  if (gsf === undefined) {
    return 0;
  }
  const MatrixCursor = findClass("android.database.MatrixCursor");
  return replaceAll(findClass("android.content.ContentResolver"), "query", (_self, original, args) => {
    const uri = args[0] as { getAuthority(): unknown } | null;
    const authority = uri === null ? null : jstring(uri.getAuthority());
    if (MatrixCursor === null || !isGsfIdQuery(authority, querySelectionArgs(args))) {
      return original(...args);
    }
    const cursor = MatrixCursor.$new(Java.array("java.lang.String", ["key", "value"]));
    // addRow(Object[]) and addRow(Iterable) both take one argument: name the overload.
    cursor.addRow.overload("[Ljava.lang.Object;").call(cursor, Java.array("java.lang.Object", ["android_id", gsf]));
    emit({ type: "spoof", op: "ContentResolver.query", path: "content://com.google.android.gsf.gservices", field: "gsf_id" });
    return cursor;
  });
}

/** The selection arguments of any ContentResolver.query overload (SQL or Bundle form). */
function querySelectionArgs(args: unknown[]): string[] | null {
  let raw: unknown = null;
  if (args.length >= 5) {
    raw = args[3];
  } else if (args.length === 4 && args[2] !== null && typeof args[2] === "object") {
    const bundle = args[2] as { getStringArray(key: string): unknown };
    raw = bundle.getStringArray("android:query-arg-sql-selection-args");
  }
  return raw === null || raw === undefined ? null : Array.from(raw as ArrayLike<unknown>, (v) => String(v));
}

/** android.os.SystemProperties.get for the serial and product properties (Java side). */
export function hookSystemPropertiesJava(answer: (name: string) => string | null, emit: SpoofEmit): number {
  return replaceAll(findClass("android.os.SystemProperties"), "get", (_self, original, args) => {
    const name = jstring(args[0]);
    const value = name === null ? null : answer(name);
    if (value === null) {
      return original(...args);
    }
    emit({ type: "spoof", op: "SystemProperties.get", path: name ?? "", value });
    return value;
  });
}
