// Pure decision: which identity value answers a system property read (__system_property_get).

type Ids = Readonly<Record<string, string>>;

const PRODUCT_FIELDS: Readonly<Record<string, string>> = {
  manufacturer: "manufacturer",
  brand: "brand",
  model: "model",
  device: "device",
  name: "product",
};

// ro.product.<partition>.<field> exists on Android 10+ for every partition.
const PARTITIONS = ["", "system.", "vendor.", "odm.", "product.", "system_ext.", "bootimage."];

const FIXED: Readonly<Record<string, string>> = {
  "ro.serialno": "serial",
  "ro.boot.serialno": "serial",
  "ril.serialnumber": "serial",
  "ro.build.fingerprint": "fingerprint",
  "ro.bootimage.build.fingerprint": "fingerprint",
  "ro.system.build.fingerprint": "fingerprint",
  "ro.vendor.build.fingerprint": "fingerprint",
  "ro.odm.build.fingerprint": "fingerprint",
  "ro.product.build.fingerprint": "fingerprint",
  "ro.system_ext.build.fingerprint": "fingerprint",
  "gsm.sim.operator.numeric": "sim_operator",
  "gsm.operator.numeric": "sim_operator",
  "gsm.sim.operator.alpha": "sim_operator_name",
  "gsm.operator.alpha": "sim_operator_name",
  "gsm.sim.operator.iso-country": "sim_country_iso",
  "gsm.operator.iso-country": "sim_country_iso",
  "persist.radio.imei": "imei",
  "ro.ril.oem.imei": "imei",
  "ro.ril.oem.meid": "meid",
};

/** The identity field that answers property `name`, or null to read the real property. */
export function propertyField(name: string): string | null {
  const fixed = FIXED[name];
  if (fixed !== undefined) {
    return fixed;
  }
  if (!name.startsWith("ro.product.")) {
    return null;
  }
  const rest = name.slice("ro.product.".length);
  for (const partition of PARTITIONS) {
    if (rest.startsWith(partition)) {
      const field = PRODUCT_FIELDS[rest.slice(partition.length)];
      if (field !== undefined) {
        return field;
      }
    }
  }
  return null;
}

/** The value property `name` answers with, or null to read the real property. */
export function propertyAnswer(ids: Ids, name: string): string | null {
  const field = propertyField(name);
  return field === null ? null : (ids[field] ?? null);
}

/** Android's property values are at most PROP_VALUE_MAX (92) bytes including the NUL. */
export const PROP_VALUE_MAX = 92;
