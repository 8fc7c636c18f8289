package android.provider;

import android.content.ContentResolver;
import com.clonespace.bed.Device;
import java.util.Locale;

/**
 * The Settings tables. On Android reads go through the settings provider (NameValueCache);
 * here each table answers from the device's values, and a name it does not know reads null.
 * Every getString/getStringForUser overload is hooked by the agent.
 */
public final class Settings {
    private Settings() {}

    /** Per-user secure settings. */
    public static final class Secure {
        public static final String ANDROID_ID = "android_id";

        private Secure() {}

        // API 3–35.
        public static String getString(ContentResolver resolver, String name) {
            return getStringForUser(resolver, name, resolver.getUserId());
        }

        // API 17–35 (hidden).
        public static String getStringForUser(ContentResolver resolver, String name, int userHandle) {
            switch (name) {
                case ANDROID_ID:
                    return Device.get("android_id");
                case "bluetooth_address":
                    return Device.get("bt_mac").toUpperCase(Locale.ROOT);
                case "bluetooth_name":
                    return Device.get("model");
                default:
                    return null;
            }
        }
    }

    /** Device-wide settings. */
    public static final class Global {
        public static final String DEVICE_NAME = "device_name";

        private Global() {}

        // API 17–35.
        public static String getString(ContentResolver resolver, String name) {
            return getStringForUser(resolver, name, resolver.getUserId());
        }

        // API 17–35 (hidden).
        public static String getStringForUser(ContentResolver resolver, String name, int userHandle) {
            return DEVICE_NAME.equals(name) ? Device.get("model") : null;
        }
    }

    /** Per-user preferences; none of them is identity-bearing, so every name reads null. */
    public static final class System {
        private System() {}

        // API 1–35.
        public static String getString(ContentResolver resolver, String name) {
            return getStringForUser(resolver, name, resolver.getUserId());
        }

        // API 17–35 (hidden).
        public static String getStringForUser(ContentResolver resolver, String name, int userHandle) {
            return null;
        }
    }
}
