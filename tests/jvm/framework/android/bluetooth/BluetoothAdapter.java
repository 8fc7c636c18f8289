package android.bluetooth;

import com.clonespace.bed.Device;
import java.util.Locale;

/** The local Bluetooth adapter. */
public final class BluetoothAdapter {
    private static BluetoothAdapter sAdapter;

    private BluetoothAdapter() {}

    /** API 5–35 (deprecated in 31 for BluetoothManager.getAdapter()). */
    public static synchronized BluetoothAdapter getDefaultAdapter() {
        if (sAdapter == null) {
            sAdapter = new BluetoothAdapter();
        }
        return sAdapter;
    }

    // API 5–35. Hooked by the agent. Upper case, as Android reports it.
    public String getAddress() {
        return Device.get("bt_mac").toUpperCase(Locale.ROOT);
    }
}
