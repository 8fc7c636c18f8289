package android.os;

import com.clonespace.bed.Device;

/**
 * Device and build information. The static fields are set once, when the class initialises
 * (ActivityThread.main preloads it, as zygote does, before any app code runs).
 */
public class Build {
    public static final String UNKNOWN = "unknown";

    public static final String FINGERPRINT = Device.get("fingerprint");
    /** The build id: the part after the release in brand/product/device:release/ID/incremental:type/tags. */
    public static final String ID = fingerprintPart(1);
    public static final String DISPLAY = ID;
    public static final String PRODUCT = Device.get("product");
    public static final String DEVICE = Device.get("device");
    public static final String MANUFACTURER = Device.get("manufacturer");
    public static final String BRAND = Device.get("brand");
    public static final String MODEL = Device.get("model");
    /** Deprecated in API 26; the bed's device still reports its serial here. */
    public static final String SERIAL = Device.get("serial");

    /** Version information. */
    public static class VERSION {
        /**
         * The bed models the API 33+ framework (ActivityThread's start path is that release's).
         * Parsed so that it is no compile-time constant, as on Android (read from a property).
         */
        public static final int SDK_INT = Integer.parseInt("33");
        public static final String RELEASE = fingerprintPart(0);
    }

    // API 26–35. Hooked by the agent.
    public static String getSerial() {
        return Device.get("serial");
    }

    /** Piece {@code index} of the fingerprint's release/ID/incremental segment, or UNKNOWN. */
    private static String fingerprintPart(int index) {
        String[] halves = Device.get("fingerprint").split(":");
        String[] parts = halves.length > 1 ? halves[1].split("/") : new String[0];
        return parts.length > index && !parts[index].isEmpty() ? parts[index] : UNKNOWN;
    }
}
