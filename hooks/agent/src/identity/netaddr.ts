// Pure decision: which MAC address answers a read of /sys/class/net/<ifname>/address.

const NET_ADDRESS = /^\/sys\/(?:class\/net|devices\/(?:[^/]+\/)*net)\/([^/]+)\/address$/;

/** The text a read of `path` answers with (`"02:..\n"`), or null to leave it alone. */
export function netAddressAnswer(
  path: string,
  ids: Readonly<Record<string, string>>,
): string | null {
  const match = NET_ADDRESS.exec(path);
  if (match === null) {
    return null;
  }
  const ifname = match[1] ?? "";
  if (ifname === "lo" || ifname.startsWith("dummy")) {
    return null;
  }
  const mac = ifname.startsWith("bt") ? ids["bt_mac"] : ids["wifi_mac"];
  return mac === undefined ? null : `${mac.toLowerCase()}\n`;
}

/** The six bytes of `aa:bb:cc:dd:ee:ff` (for NetworkInterface.getHardwareAddress). */
export function macBytes(mac: string): number[] {
  return mac.split(":").map((octet) => {
    const value = parseInt(octet, 16);
    return value > 127 ? value - 256 : value; // Java bytes are signed
  });
}
