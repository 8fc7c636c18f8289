"""What Android itself reserves or rejects: the only apps a clone build refuses.

A clone is a re-signed copy under a new package name, so the build refuses an app only
when Android would refuse that copy (or what the copy stands for) too. Each ``Rule`` says
what is refused, what Android does and where in AOSP it does it; ``RULES`` is the table
the README shows. What re-signing drops (the v1 signature files, the APK Signing Block)
is never a reason: the rules look at what the clone would carry.

Everything else Android rejects at parse time (not a zip, no or a broken manifest, a
package name ``ParsingPackageUtils.validateName`` refuses, ``..`` or absolute entry
names) is refused earlier, by ``apk.source`` and ``apk.zip_read``, as ``ApkInputError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apk.signing import v1

SYSTEM_SHARED_USER_PREFIX = "android.uid."
PLATFORM_PACKAGE = "android"


@dataclass(frozen=True)
class Rule:
    """One row of the refusal table."""

    key: str
    refuses: str  # what the build refuses
    android: str  # what Android does with it
    source: str  # where in AOSP


ANDROID_PACKAGE = Rule(
    "android-package",
    "the package `android` (framework-res.apk)",
    "the special `android` package can only be defined once: a second one fails with "
    'INSTALL_FAILED_DUPLICATE_PACKAGE ("Core android package being redefined"); it is also '
    "the only name exempt from the package-name check",
    "frameworks/base services/core/java/com/android/server/pm/InstallPackageHelper.java "
    "(assertPackageIsValid; PackageManagerService.scanPackageLI before Android 13); "
    "core/java/android/content/pm/parsing/ParsingPackageUtils.java (validateName skipped "
    'for "android")',
)
SYSTEM_SHARED_USER = Rule(
    "system-shared-user",
    'an app with `android:sharedUserId="android.uid.*"` (system, phone, shell, nfc, '
    "bluetooth, systemui, …)",
    "these shared users are created by the platform at boot and signed with its key; an app "
    "signed with another key cannot join one: INSTALL_FAILED_SHARED_USER_INCOMPATIBLE "
    '("has no signatures that match those in shared user"), and under a renamed shared '
    "user it would lose the uid it is built for",
    "frameworks/base services/core/java/com/android/server/pm/PackageManagerService.java "
    '(mSettings.addSharedUserLPw("android.uid.system", …)); '
    "services/core/java/com/android/server/pm/PackageManagerServiceUtils.java "
    "(verifySignatures)",
)
V1_ENTRY_NAME = Rule(
    "v1-entry-name",
    "an entry name with CR or LF that the clone carries, when the clone needs a v1 "
    "signature (minSdkVersion < 24)",
    "a JAR manifest cannot name such an entry, so Android's JarVerifier (API < 24) cannot "
    "verify it (apksig: JAR_SIG_UNNNAMED_MANIFEST_SECTION) and apksig refuses to v1-sign it",
    "tools/apksig src/test/java/com/android/apksig/ApkVerifierTest.java "
    "(testV1WithUnsupportedCharacterInZipEntryName), ApkSignerTest.java "
    "(testV1SigningRejectsInvalidZipEntryNames)",
)
RULES = (ANDROID_PACKAGE, SYSTEM_SHARED_USER, V1_ENTRY_NAME)


@dataclass(frozen=True)
class Accepted:
    """A row of the table that looks suspicious but that Android installs: the clone does too."""

    what: str
    android: str
    source: str


ACCEPTED = (
    Accepted(
        "any other package under `android.` or `com.android.` (e.g. the CTS app "
        '`android.appsecurity.cts.tinyapp`), and `android:coreApp="true"`',
        "installed like any app: only the `android` package is reserved; `coreApp` only picks "
        "the apps started in only-core mode",
        "ParsingPackageUtils.java (parseBaseApk: coreApp, validateName)",
    ),
    Accepted(
        "a shared user of the app's own (`android:sharedUserId` not `android.uid.*`)",
        "installed; the clone's shared user is renamed with the package, so the clone forms "
        "its own group signed with the clone key",
        "PackageManagerServiceUtils.java (verifySignatures)",
    ),
    Accepted(
        "a compression method other than stored (0) or deflate (8)",
        "Android inflates every entry that is not stored; a signature file with such a method "
        "is dropped by re-signing, any other entry is carried as deflate",
        "tools/apksig ApkVerifierTest.java (testWeirdZipCompressionMethod); "
        "system/libziparchive zip_archive.cc (ExtractToWriter)",
    ),
)


@dataclass(frozen=True)
class Refusal:
    """Why Android would refuse the clone of one app."""

    rule: Rule
    detail: str

    def message(self) -> str:
        return f"{self.detail}; Android refuses it ({self.rule.key}), so it cannot be cloned"


def app_refusal(package: str, shared_user_id: str | None) -> Refusal | None:
    """The rule that refuses an app with this package and shared user; ``None`` if none."""
    if package == PLATFORM_PACKAGE:
        return Refusal(ANDROID_PACKAGE, f"{package!r} is the platform package")
    if shared_user_id and shared_user_id.startswith(SYSTEM_SHARED_USER_PREFIX):
        detail = f"{package!r} runs as the system shared user {shared_user_id!r}"
        return Refusal(SYSTEM_SHARED_USER, detail)
    return None


def entry_name_refusal(names: Iterable[str], min_sdk: int) -> Refusal | None:
    """The rule that refuses an APK whose entries are ``names``, for a clone of ``min_sdk``."""
    if not v1.needs_v1(min_sdk):
        return None
    for name in names:
        if ("\r" in name or "\n" in name) and not v1.is_signature_file(name):
            detail = f"entry {name!r} has a CR or LF in its name and minSdkVersion is {min_sdk}"
            return Refusal(V1_ENTRY_NAME, detail)
    return None
