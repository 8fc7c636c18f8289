#!/usr/bin/env bash
# Installs the Debian tools Clonespace uses: the official Android tools serve as test
# oracles (never at run time), adb talks to devices, gcc builds the C test programs and
# the agent's C fast path ahead of time (the cross compilers build it for the phone's other
# ABIs: arm64, arm, x86), node/npm build the Frida agent, Xvfb gives the
# launcher a screen in tests, OpenJDK 17, enjarify and smali run the JVM test bed and build
# the probe app; git and proot are peers in benchmarks/peers.py (git status as a workload,
# proot as the ptrace way of redirecting a directory).
# Safe to re-run: it only calls apt when something is missing. Needs root.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have adb       || need+=(adb)
have apksigner || need+=(apksigner)
have aapt      || need+=(aapt)
have zipalign  || need+=(zipalign)
have dexdump   || need+=(dexdump)
have Xvfb      || need+=(xvfb)
have gcc       || need+=(gcc libc6-dev)
have make      || need+=(make)
have unzip     || need+=(unzip)  # the payload tests read a clone's entries with it
# the C fast path for a clone's other ABIs (hooks/agent/scripts/build-cmodule.mjs)
have aarch64-linux-gnu-gcc   || need+=(gcc-aarch64-linux-gnu)
have arm-linux-gnueabihf-gcc || need+=(gcc-arm-linux-gnueabihf)
have i686-linux-gnu-gcc      || need+=(gcc-i686-linux-gnu)
have node      || need+=(nodejs)
have npm       || need+=(npm)
have git       || need+=(git)
have proot     || need+=(proot)
# the JVM test bed (tests/jvm) and the probe app (samples/probe): OpenJDK 17 exactly
# (frida-java-bridge's JVM backend does not work with 20+), enjarify, smali
ls /usr/lib/jvm/java-17-openjdk-*/bin/javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
[ -d /usr/lib/python3/dist-packages/enjarify ] || need+=(enjarify)
[ -f /usr/share/java/smali.jar ] || need+=(libsmali-java)
# AOSP's own framework-res.apk: a real adaptive icon and ~220 vector drawables (icon tests)
[ -f /usr/share/android-framework-res/framework-res.apk ] || need+=(android-framework-res)
if [ "${#need[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-system: missing ${need[*]}; run 'make' as root or install them with apt" >&2
    exit 0
fi
echo "install-system: apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
