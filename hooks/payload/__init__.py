"""The hook payload of a package clone: Frida Gadget (script mode) + our agent + a boot
loader dex, embedded into the clone's APK (see ``embed.prepare``)."""
