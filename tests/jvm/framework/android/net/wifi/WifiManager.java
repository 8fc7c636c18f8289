package android.net.wifi;

import android.content.Context;

/** The "wifi" system service. */
public class WifiManager {
    /** Hidden on Android (also takes the service binder); made by ContextImpl.getSystemService. */
    public WifiManager(Context context) {}

    /** Deprecated in API 31; still answers. */
    @Deprecated
    public WifiInfo getConnectionInfo() {
        return new WifiInfo();
    }
}
