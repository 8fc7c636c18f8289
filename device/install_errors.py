"""What ``INSTALL_FAILED_*`` and ``INSTALL_PARSE_FAILED_*`` codes mean, and what to do.

``explain(code)`` gives one cause and one next step for each code the package manager
reports (``PackageManager.INSTALL_*``); unknown codes get a generic, honest answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    cause: str
    action: str


_ROOT_ABI = "the APK's native code (lib/<abi>/) does not match the device's CPU ABIs"

_CODES: dict[str, Explanation] = {
    "INSTALL_FAILED_ALREADY_EXISTS": Explanation(
        "a package with this name is already installed",
        "run 'clone remove' for that clone (or 'adb uninstall PACKAGE') and install again",
    ),
    "INSTALL_FAILED_UPDATE_INCOMPATIBLE": Explanation(
        "a package of this name signed by another key is already installed",
        "'clone remove' that clone (or 'adb uninstall PACKAGE') first, then install again",
    ),
    "INSTALL_FAILED_SHARED_USER_INCOMPATIBLE": Explanation(
        "the APK asks for a sharedUserId already held by packages signed with another key",
        "uninstall the other packages of that shared user, or use an APK without sharedUserId",
    ),
    "INSTALL_FAILED_NO_MATCHING_ABIS": Explanation(
        _ROOT_ABI, "use an APK (or split) built for one of the ABIs 'clone devices' lists"
    ),
    "INSTALL_FAILED_CPU_ABI_INCOMPATIBLE": Explanation(
        _ROOT_ABI, "use an APK (or split) built for one of the ABIs 'clone devices' lists"
    ),
    "INSTALL_FAILED_INSUFFICIENT_STORAGE": Explanation(
        "the device has not enough free storage for the APK and its data",
        "free space on the device (uninstall apps, clear data) or install fewer clones",
    ),
    "INSTALL_FAILED_VERSION_DOWNGRADE": Explanation(
        "a newer version of this package is already installed",
        "'clone remove' the installed clone first, or install the newer APK",
    ),
    "INSTALL_FAILED_OLDER_SDK": Explanation(
        "the APK needs a newer Android version than the device runs (minSdkVersion)",
        "use a device or emulator with a newer Android, or an older build of the app",
    ),
    "INSTALL_FAILED_NEWER_SDK": Explanation(
        "the APK supports only older Android versions than the device runs (maxSdkVersion)",
        "use an older device/emulator or a newer build of the app",
    ),
    "INSTALL_FAILED_DEPRECATED_SDK_VERSION": Explanation(
        "the APK targets an SDK level this Android refuses to install",
        "use a newer build of the app (higher targetSdkVersion)",
    ),
    "INSTALL_FAILED_TEST_ONLY": Explanation(
        "the APK is marked testOnly and the installer did not allow test packages",
        "rebuild the APK without android:testOnly",
    ),
    "INSTALL_FAILED_CONFLICTING_PROVIDER": Explanation(
        "a content-provider authority of the APK is already taken by another package",
        "uninstall the package holding that authority, or rebuild the clone",
    ),
    "INSTALL_FAILED_DUPLICATE_PERMISSION": Explanation(
        "the APK defines a permission another package (signed by another key) already defines",
        "uninstall the other package, or rebuild the clone",
    ),
    "INSTALL_FAILED_MISSING_SHARED_LIBRARY": Explanation(
        "the APK needs a shared library (uses-library) the device does not have",
        "use a device that has the library (e.g. a Google Play image)",
    ),
    "INSTALL_FAILED_MISSING_FEATURE": Explanation(
        "the APK requires a hardware or software feature the device lacks",
        "use a device that has the feature",
    ),
    "INSTALL_FAILED_MISSING_SPLIT": Explanation(
        "a split APK this one depends on is missing",
        "install the whole split set (base + all splits) in one go",
    ),
    "INSTALL_FAILED_INVALID_APK": Explanation(
        "the package manager found the APK invalid (e.g. a split set that does not fit)",
        "check the APK with 'apksigner verify' and rebuild the clone",
    ),
    "INSTALL_FAILED_INVALID_URI": Explanation(
        "the APK file on the device could not be read", "retry; check free space on the device"
    ),
    "INSTALL_FAILED_DEXOPT": Explanation(
        "the device could not optimise the APK's code (often: not enough space)",
        "free space on the device and retry",
    ),
    "INSTALL_FAILED_BAD_SIGNATURE": Explanation(
        "the APK signature is invalid", "rebuild the clone (it is re-signed on build)"
    ),
    "INSTALL_FAILED_VERIFICATION_FAILURE": Explanation(
        "package verification (e.g. Play Protect) refused the APK",
        "turn off 'Verify apps over USB' in the device's developer options, then retry",
    ),
    "INSTALL_FAILED_VERIFICATION_TIMEOUT": Explanation(
        "package verification timed out", "retry, or turn off 'Verify apps over USB'"
    ),
    "INSTALL_FAILED_USER_RESTRICTED": Explanation(
        "the device user may not install apps over USB",
        "allow 'Install via USB' in the device's developer options (and accept its prompt)",
    ),
    "INSTALL_FAILED_ABORTED": Explanation(
        "the install was cancelled on the device (a prompt was declined or timed out)",
        "accept the install prompt on the device and retry",
    ),
    "INSTALL_FAILED_INTERNAL_ERROR": Explanation(
        "the package manager failed internally", "retry; reboot the device if it persists"
    ),
    "INSTALL_FAILED_SESSION_INVALID": Explanation(
        "the install session was invalid or already closed", "retry the install"
    ),
    "INSTALL_FAILED_UID_CHANGED": Explanation(
        "leftover data of an earlier package of this name has another owner",
        "uninstall the package fully ('adb uninstall PACKAGE') and retry",
    ),
    "INSTALL_FAILED_PERMISSION_MODEL_DOWNGRADE": Explanation(
        "the installed package uses runtime permissions and this APK does not",
        "'clone remove' the installed clone first",
    ),
    "INSTALL_FAILED_WRONG_INSTALLED_VERSION": Explanation(
        "the installed version is not the one this update expects",
        "'clone remove' the installed clone first",
    ),
    "INSTALL_FAILED_DUPLICATE_PACKAGE": Explanation(
        "a package of this name exists twice on the system", "reboot the device and retry"
    ),
    "INSTALL_FAILED_CONTAINER_ERROR": Explanation(
        "the device could not create storage for the APK", "free space on the device and retry"
    ),
    "INSTALL_FAILED_MEDIA_UNAVAILABLE": Explanation(
        "the storage the APK should go to is not available", "install to internal storage"
    ),
    "INSTALL_FAILED_INVALID_INSTALL_LOCATION": Explanation(
        "the install location the APK asks for is not possible",
        "install to internal storage",
    ),
    "INSTALL_PARSE_FAILED_NOT_APK": Explanation("the file is not an APK", "pass a real .apk file"),
    "INSTALL_PARSE_FAILED_BAD_MANIFEST": Explanation(
        "the APK's AndroidManifest.xml could not be parsed", "check the input APK and rebuild"
    ),
    "INSTALL_PARSE_FAILED_MANIFEST_MALFORMED": Explanation(
        "the APK's manifest is malformed", "check the input APK and rebuild"
    ),
    "INSTALL_PARSE_FAILED_MANIFEST_EMPTY": Explanation(
        "the APK's manifest has no <manifest> element", "check the input APK"
    ),
    "INSTALL_PARSE_FAILED_UNEXPECTED_EXCEPTION": Explanation(
        "the package manager could not parse the APK", "check the input APK and rebuild"
    ),
    "INSTALL_PARSE_FAILED_NO_CERTIFICATES": Explanation(
        "the APK is not signed (or its signature does not cover all entries)",
        "rebuild the clone so it is signed; 'apksigner verify' must accept it",
    ),
    "INSTALL_PARSE_FAILED_INCONSISTENT_CERTIFICATES": Explanation(
        "entries of the APK (or splits of the set) are signed by different keys",
        "rebuild all APKs of the set with one key",
    ),
    "INSTALL_PARSE_FAILED_CERTIFICATE_ENCODING": Explanation(
        "the APK's certificate could not be read", "rebuild the clone so it is re-signed"
    ),
    "INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME": Explanation(
        "the package name in the manifest is invalid", "use another --name-template"
    ),
    "INSTALL_PARSE_FAILED_BAD_SHARED_USER_ID": Explanation(
        "the manifest's sharedUserId is invalid", "check the input APK"
    ),
    "INSTALL_PARSE_FAILED_SKIPPED": Explanation(
        "the package manager skipped the APK", "retry the install"
    ),
}

_FAILURE_RE = re.compile(r"Failure \[([A-Z][A-Z0-9_]*)(?::?\s*([^\]]*))?\]")
_CODE_RE = re.compile(r"\b(INSTALL_(?:PARSE_)?FAILED_[A-Z0-9_]+)\b:?\s*(.*)")


def explain(code: str) -> Explanation:
    """The cause and the next step for ``code``; a generic answer for unknown codes."""
    known = _CODES.get(code)
    if known is not None:
        return known
    return Explanation(
        "the package manager refused the APK",
        "see 'adb logcat -s PackageManager' on the device for details",
    )


def known_codes() -> frozenset[str]:
    return frozenset(_CODES)


def parse_failure(output: str) -> tuple[str, str] | None:
    """``(code, detail)`` from ``pm install`` output, or None if it reports Success.

    Handles ``Failure [CODE: detail]``, ``Failure [CODE]`` and a bare
    ``INSTALL_FAILED_…: detail`` (``Error: …`` lines from older versions). Output with neither
    Success nor a code gives ``("UNKNOWN", last line)``.
    """
    match = _FAILURE_RE.search(output)
    if match:
        return match.group(1), (match.group(2) or "").strip()
    match = _CODE_RE.search(output)
    if match:
        return match.group(1), match.group(2).strip()
    if re.search(r"^Success\b", output, re.MULTILINE):
        return None
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return "UNKNOWN", lines[-1].strip() if lines else "no output"
