package android.os;

import com.clonespace.bed.Device;

/**
 * System properties (hidden API, API 1–35). The identity properties answer the device's
 * values; any other property reads as unset.
 */
public class SystemProperties {
    private static final String[] PARTITIONS = {"", "system.", "vendor.", "odm.", "product.", "system_ext.", "bootimage."};

    private SystemProperties() {}

    // API 1–35 (hidden). Hooked by the agent (all get overloads).
    public static String get(String key) {
        return get(key, "");
    }

    // API 1–35 (hidden). Hooked by the agent.
    public static String get(String key, String def) {
        String field = deviceField(key);
        return field == null ? def : Device.get(field);
    }

    /** The Device field behind property {@code key}, or null for a property the bed leaves unset. */
    private static String deviceField(String key) {
        switch (key) {
            case "ro.serialno":
            case "ro.boot.serialno":
            case "ril.serialnumber":
                return "serial";
            case "ro.build.fingerprint":
            case "ro.bootimage.build.fingerprint":
            case "ro.system.build.fingerprint":
            case "ro.vendor.build.fingerprint":
            case "ro.odm.build.fingerprint":
            case "ro.product.build.fingerprint":
            case "ro.system_ext.build.fingerprint":
                return "fingerprint";
            case "gsm.sim.operator.numeric":
            case "gsm.operator.numeric":
                return "sim_operator";
            case "gsm.sim.operator.alpha":
            case "gsm.operator.alpha":
                return "sim_operator_name";
            case "gsm.sim.operator.iso-country":
            case "gsm.operator.iso-country":
                return "sim_country_iso";
            default:
                return productField(key);
        }
    }

    /** ro.product[.<partition>].{model,brand,manufacturer,device,name}. */
    private static String productField(String key) {
        if (!key.startsWith("ro.product.")) {
            return null;
        }
        String rest = key.substring("ro.product.".length());
        for (String partition : PARTITIONS) {
            if (!rest.startsWith(partition)) {
                continue;
            }
            switch (rest.substring(partition.length())) {
                case "model":
                case "brand":
                case "manufacturer":
                case "device":
                    return rest.substring(partition.length());
                case "name":
                    return "product";
                default:
                    break;
            }
        }
        return null;
    }
}
