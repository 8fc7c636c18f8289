"""Device control: adb (adbutils) for phones and emulators, the host target,
install/launch/stop, frida-server and multi-user helpers."""
