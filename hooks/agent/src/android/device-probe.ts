// Test-only entry point (not part of the agent bundle): loaded into a running clone by the
// opt-in device test (tests/on_device/test_identity_device.py) to read, through the app's own
// Java APIs, the identity the app sees.

import Java from "frida-java-bridge";

interface Seen {
  android_id: string | null;
  serial: string | null;
  build_serial: string | null;
  model: string | null;
  wifi_mac: string | null;
  bt_address: string | null;
}

function hex(bytes: ArrayLike<number> | null): string | null {
  if (bytes === null) {
    return null;
  }
  return Array.from(bytes, (b) => ((b + 256) % 256).toString(16).padStart(2, "0")).join(":");
}

function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function read(): Seen {
  const app = Java.use("android.app.ActivityThread").currentApplication();
  const resolver = app.getContentResolver();
  const secure = Java.use("android.provider.Settings$Secure");
  const build = Java.use("android.os.Build");
  const wlan = attempt(() => Java.use("java.net.NetworkInterface").getByName("wlan0"));
  return {
    android_id: attempt(() => String(secure.getString(resolver, "android_id"))),
    serial: attempt(() => String(build.getSerial())),
    build_serial: attempt(() => String(build.SERIAL.value)),
    model: attempt(() => String(build.MODEL.value)),
    wifi_mac: wlan === null ? null : attempt(() => hex(wlan.getHardwareAddress())),
    bt_address: attempt(() => String(secure.getString(resolver, "bluetooth_address"))),
  };
}

rpc.exports = {
  seen(): Promise<Seen> {
    return new Promise((resolve, reject) => {
      Java.perform(() => {
        try {
          resolve(read());
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  },
};
