// Pure decisions for TelephonyManager, Settings, Build and the other Java identity APIs.

type Ids = Readonly<Record<string, string>>;

/** TelephonyManager method -> identity field. */
export const TELEPHONY_FIELDS: Readonly<Record<string, string>> = {
  getDeviceId: "imei",
  getImei: "imei",
  getMeid: "meid",
  getSubscriberId: "imsi",
  getSimSerialNumber: "iccid",
  getLine1Number: "phone_number",
  getSimOperator: "sim_operator",
  getNetworkOperator: "sim_operator",
  getSimOperatorName: "sim_operator_name",
  getNetworkOperatorName: "sim_operator_name",
  getSimCountryIso: "sim_country_iso",
  getNetworkCountryIso: "sim_country_iso",
};

/** The value a TelephonyManager method answers with, or null to call the real one. */
export function telephonyAnswer(ids: Ids, method: string): string | null {
  const field = TELEPHONY_FIELDS[method];
  return field === undefined ? null : (ids[field] ?? null);
}

/** SubscriptionInfo / SubscriptionManager method -> identity field. */
export const SUBSCRIPTION_FIELDS: Readonly<Record<string, string>> = {
  getIccId: "iccid",
  getNumber: "phone_number",
  getPhoneNumber: "phone_number",
};

/**
 * What a subscription method answers, given the real answer: the clone's value, except where
 * the system gave nothing (null or "": since API 29 the ICCID needs a privileged permission,
 * the number READ_PHONE_NUMBERS), which is kept so the app sees the same refusal.
 */
export function subscriptionAnswer(ids: Ids, method: string, real: string | null): string | null {
  const field = SUBSCRIPTION_FIELDS[method];
  if (field === undefined || real === null || real === "") {
    return real;
  }
  return ids[field] ?? real;
}

/** The value `Settings.{Secure,Global}.getString(resolver, name)` answers with, or null. */
export function settingsAnswer(ids: Ids, name: string): string | null {
  switch (name) {
    case "android_id":
      return ids["android_id"] ?? null;
    case "bluetooth_address":
      return bluetoothAddress(ids);
    case "bluetooth_name":
    case "device_name":
      return ids["model"] ?? null;
    default:
      return null;
  }
}

/** Bluetooth addresses are reported in upper case (BluetoothAdapter.getAddress). */
export function bluetoothAddress(ids: Ids): string | null {
  const mac = ids["bt_mac"];
  return mac === undefined ? null : mac.toUpperCase();
}

/** `android.os.Build` static field -> value, for the fields the identity sets. */
export function buildFields(ids: Ids): Record<string, string> {
  const out: Record<string, string> = {};
  const pairs: ReadonlyArray<readonly [string, string]> = [
    ["SERIAL", "serial"],
    ["MANUFACTURER", "manufacturer"],
    ["BRAND", "brand"],
    ["MODEL", "model"],
    ["DEVICE", "device"],
    ["PRODUCT", "product"],
    ["FINGERPRINT", "fingerprint"],
  ];
  for (const [field, key] of pairs) {
    const value = ids[key];
    if (value !== undefined) {
      out[field] = value;
    }
  }
  const fingerprint = ids["fingerprint"];
  const buildId = fingerprint?.split(":")[1]?.split("/")[1];
  if (buildId !== undefined && buildId.length > 0) {
    out["ID"] = buildId;
    out["DISPLAY"] = buildId;
  }
  return out;
}
