"""The hook engine: the Frida agent (``hooks/agent``, TypeScript, built to one JS file), its
CModule fast path, payload embedding into an APK, and Frida sessions and RPC."""
