package android.net.wifi;

import com.clonespace.bed.Device;

/** The current Wi-Fi connection. */
public class WifiInfo {
    WifiInfo() {}

    // API 1–35. Hooked by the agent.
    public String getMacAddress() {
        return Device.get("wifi_mac");
    }
}
