"""The plan of what a hooked clone adds to its APK: entries plus the manifest's new
``application android:name``.

``required_archs`` says which Gadgets a build needs, ``prepare`` makes everything the clones
of one build share (Gadgets, agent, boot loader dex), and ``Payload.entries_for(policy)``
adds each clone's own Gadget config. Placement rules:

- The payload goes under ``lib/<abi>/`` for exactly the ABIs the APK already ships: Android
  picks one ABI directory per app, so a missing one would leave the clone unhooked on that
  ABI, and adding a new one could make the installer choose it over the app's own libraries
  (e.g. run an armeabi-v7a-only app as arm64 and fail to load its libraries).
- An APK without native code gets all four ABIs: such an app runs in the device's primary
  ABI; with all four present that choice is unchanged, and no device lacks its Gadget.
- The Gadget is always stored, 16 KiB aligned: with ``extractNativeLibs=false`` the installer
  requires it (and the Gadget then reads its config and script straight from the APK,
  frida-core PR #539); otherwise it is still cheaper than deflating ~20 MB per ABI for every
  clone, and pushing and installing a stored library costs less than inflating it. Config and
  script are small: stored and aligned only with ``extractNativeLibs=false``, else deflated.

Each ABI's agent script carries the C fast path compiled ahead of time for that ABI when the
build has one (``hooks.prebuilt``, put in by ``bundle``): 18-23 KB more per ABI as the script
is stored, 14-19 KB deflated. Without it the agent compiles the fast path with TinyCC at
every start (``Payload.summary()["fast_path"]`` says which, per ABI).

The loader (``loader``) extends the app's Application class; a ``final`` one (every Kotlin
class not declared ``open``) has that flag cleared in its dex (``dexpatch``), which the
clone then carries in place of the original (``Payload.replaced``). An app without dex (a
pure-native one, ``android:hasCode="false"``) gets the loader as its ``classes.dex``, and the
manifest rewrite that names the loader makes ``hasCode`` true, so Android loads it; the app's
``NativeActivity`` is the framework's, so nothing else changes for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apk.facts import next_dex_name
from hooks.payload.bundle import with_fast_path
from hooks.payload.config import DEFAULT_LIBRARY, PayloadNames, gadget_config
from hooks.payload.dexgen import descriptor, mutf8
from hooks.payload.dexpatch import clear_final
from hooks.payload.gadget import ARCH_FOR_ABI, Arch, GadgetSet
from hooks.payload.loader import (
    ANDROID_APPLICATION,
    LOADER_KIND,
    check_extendable,
    final_refusal,
    inspect_application,
    loader_class_name,
    loader_dex,
)

if TYPE_CHECKING:
    from hooks.prebuilt import PrebuiltFastPath

NATIVE_ALIGNMENT = 16384
MIN_LOADER_SDK = 21  # below, only classes.dex is loaded before the Application class
_LIB_ENTRY = re.compile(r"^lib/([^/]+)/[^/]+\.so$")


class PayloadInputError(ValueError):
    """The APK cannot carry the payload (unknown ABIs only, no Gadget for its ABIs, …)."""


@dataclass(frozen=True)
class ApkFacts:
    """What the payload needs to know about the source APK."""

    package: str
    application: str | None  # the manifest's application android:name, expanded
    extract_native_libs: bool | None  # None: attribute absent (the platform default, true)
    min_sdk: int
    entry_names: tuple[str, ...]  # of the base APK, which carries the payload
    split_entry_names: tuple[str, ...] = ()  # of the split APKs (their lib/<abi>/ count too)
    device_abis: tuple[str, ...] | None = None  # when building for one device

    @property
    def all_entry_names(self) -> tuple[str, ...]:
        return self.entry_names + self.split_entry_names


@dataclass(frozen=True)
class ExtraEntry:
    """One entry to add to a clone: stored entries start on ``alignment`` bytes."""

    name: str
    data: bytes = field(repr=False)
    compress: bool
    alignment: int


def shipped_abis(entry_names: Iterable[str]) -> tuple[str, ...]:
    """The ABI directories under ``lib/`` that hold at least one ``.so``, sorted."""
    found = {m.group(1) for n in entry_names if (m := _LIB_ENTRY.match(n))}
    return tuple(sorted(found))


def payload_abis(
    entry_names: Iterable[str], device_abis: Iterable[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ABIs that get the payload, ABIs shipped for which no Gadget exists). Without native
    code: all four, or those of ``device_abis`` when building for one device."""
    shipped = shipped_abis(entry_names)
    if not shipped:
        every = sorted(a.abi for a in Arch)
        wanted = set(device_abis) & set(every) if device_abis is not None else set(every)
        if not wanted:
            raise PayloadInputError(
                f"the device's ABIs ({', '.join(device_abis or ())}) have no Frida Gadget"
            )
        return tuple(sorted(wanted)), ()
    placed = tuple(a for a in shipped if a in ARCH_FOR_ABI)
    unsupported = tuple(a for a in shipped if a not in ARCH_FOR_ABI)
    if not placed:
        raise PayloadInputError(
            f"the APK ships native code only for {', '.join(unsupported)}, for which no Frida "
            "Gadget exists; build it with --hooks none"
        )
    return placed, unsupported


def required_archs(facts: ApkFacts) -> tuple[Arch, ...]:
    """The Gadget architectures a build of this APK needs."""
    placed, _ = payload_abis(facts.all_entry_names, facts.device_abis)
    return tuple(sorted({ARCH_FOR_ABI[a] for a in placed}, key=lambda a: a.value))


def choose_library(entry_names: Iterable[str], base: str = DEFAULT_LIBRARY) -> PayloadNames:
    """The payload's names, avoiding any file the APK already has in ``lib/<abi>/``."""
    existing = {n.rsplit("/", 1)[-1] for n in entry_names if n.startswith("lib/")}
    n = 1
    names = PayloadNames(base)
    while existing.intersection(names.all()):
        n += 1
        names = PayloadNames(f"{base}{n}")
    return names


@dataclass(frozen=True)
class Payload:
    """Everything one build adds to each of its clones."""

    source_package: str
    names: PayloadNames
    gadget_version: str
    abis: tuple[str, ...]
    loader_class: str
    superclass: str
    original_application: str | None
    dex_name: str
    compress: bool
    shared: tuple[ExtraEntry, ...] = field(repr=False)
    warnings: tuple[str, ...]
    replaced: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)  # patched dex
    prebuilt_abis: tuple[str, ...] = ()  # whose agent script carries the compiled fast path

    @property
    def application_name(self) -> str:
        """The value for the clone manifest's ``application android:name``."""
        return self.loader_class

    def policy_for(self, policy: Mapping[str, Any]) -> dict[str, Any]:
        """``policy`` plus what the agent must know about the app it runs in."""
        android = {
            "source_package": self.source_package,
            "application_class": self.original_application,
            "loader_class": self.loader_class,
        }
        return {**policy, "android": android}

    def entries_for(self, policy: Mapping[str, Any]) -> tuple[ExtraEntry, ...]:
        """The shared entries plus one config per ABI carrying this clone's policy."""
        config = gadget_config(self.names, self.policy_for(policy))
        own = tuple(
            _lib_entry(f"lib/{abi}/{self.names.config}", config, self.compress) for abi in self.abis
        )
        return self.shared + own

    @property
    def fast_path(self) -> dict[str, str]:
        """ABI -> how the agent gets its C fast path there: "prebuilt" (carried in its
        script) or "tinycc" (compiled at every start)."""
        return {a: "prebuilt" if a in self.prebuilt_abis else "tinycc" for a in self.abis}

    def summary(self) -> dict[str, Any]:
        """The ``hooks`` object of ``clone build --json``."""
        return {
            "mode": "gadget",
            "loader": LOADER_KIND,
            "loader_class": self.loader_class,
            "application_class": self.original_application,
            "superclass": self.superclass,
            "dex": self.dex_name,
            "abis": list(self.abis),
            "library": self.names.gadget,
            "gadget_version": self.gadget_version,
            "native_libs_extracted": self.compress,
            "unfinalized": [name for name, _ in self.replaced],
            "fast_path": self.fast_path,
            "warnings": list(self.warnings),
        }


def prepare(
    facts: ApkFacts,
    dex_files: Mapping[str, bytes],
    gadgets: GadgetSet,
    agent_js: bytes,
    library: str = DEFAULT_LIBRARY,
    *,
    patch_final: bool = True,
    prebuilt: PrebuiltFastPath | None = None,
) -> Payload:
    """Check the APK can carry the payload and build the parts every clone shares.

    ``agent_js`` is the built agent bundle; with ``prebuilt``, each ABI's copy of it carries
    the fast path compiled for that ABI, where there is one (BundleError, a ValueError, when
    the bundle has no place for it).

    ``dex_files`` are the app's ``classes*.dex`` (entry name -> content, empty for an app
    without code; only those that mention the Application class are parsed). A final
    Application class has its dex patched (``Payload.replaced``) when ``patch_final``, else
    it is refused. Raises PayloadInputError / LoaderInputError (both ValueError) for APKs
    that cannot carry it."""
    abis, unsupported = payload_abis(facts.all_entry_names, facts.device_abis)
    missing = {ARCH_FOR_ABI[a] for a in abis} - set(gadgets.gadgets)
    if missing:
        raise PayloadInputError(f"no gadget for {', '.join(sorted(a.value for a in missing))}")
    loader, superclass, replaced, loader_warnings = _loader(facts, dex_files, patch_final)
    names = choose_library(facts.all_entry_names, library)
    warnings = [*gadgets.warnings, *loader_warnings]
    warnings += [
        f"no Frida Gadget exists for {a}; the clone runs unhooked there" for a in unsupported
    ]
    compress = facts.extract_native_libs is not False
    dex_name = next_dex_name(facts.entry_names)
    shared = [ExtraEntry(dex_name, loader_dex(loader, superclass, names.library), True, 1)]
    scripts = _scripts(agent_js, {ARCH_FOR_ABI[a] for a in abis}, prebuilt)
    for abi in abis:
        gadget = gadgets.gadgets[ARCH_FOR_ABI[abi]].data
        script = scripts[ARCH_FOR_ABI[abi]] or agent_js
        shared.append(_lib_entry(f"lib/{abi}/{names.gadget}", gadget, compress=False))
        shared.append(_lib_entry(f"lib/{abi}/{names.script}", script, compress))
    prebuilt_abis = tuple(a for a in abis if scripts[ARCH_FOR_ABI[a]] is not None)
    return Payload(
        facts.package, names, gadgets.version, abis, loader, superclass,
        facts.application, dex_name, compress, tuple(shared), tuple(warnings), replaced,
        prebuilt_abis,
    )  # fmt: skip


def _scripts(
    agent_js: bytes, archs: Iterable[Arch], prebuilt: PrebuiltFastPath | None
) -> dict[Arch, bytes | None]:
    """The agent script for each architecture that has a prebuilt fast path, carrying it;
    None for the others (they get ``agent_js`` as it is)."""
    scripts: dict[Arch, bytes | None] = {}
    for arch in archs:
        so = prebuilt.for_arch(arch.process_arch) if prebuilt is not None else None
        if prebuilt is None or so is None:
            scripts[arch] = None
        else:
            scripts[arch] = with_fast_path(agent_js, arch.process_arch, prebuilt.key, so)
    return scripts


def _loader(
    facts: ApkFacts, dex_files: Mapping[str, bytes], patch_final: bool
) -> tuple[str, str, tuple[tuple[str, bytes], ...], list[str]]:
    """(loader class, its superclass, patched dex entries, warnings); refuses an Application
    class that cannot be extended."""
    warnings: list[str] = []
    replaced: tuple[tuple[str, bytes], ...] = ()
    if facts.application:
        app = inspect_application(facts.application, dex_files)
        check_extendable(app)
        if app.final and app.dex is not None:
            if not patch_final:
                raise final_refusal(app)
            replaced = ((app.dex, clear_final(dex_files[app.dex], app.name)),)
        if not app.found:
            warnings.append(f"the Application class {facts.application} is not in the APK's dex")
    if facts.min_sdk < MIN_LOADER_SDK:
        warnings.append(
            f"the app supports API {facts.min_sdk}; the hooked clone needs API {MIN_LOADER_SDK}+"
        )
    dexes = dex_files.values()
    taken = [c for c in _candidates(facts) if any(mutf8(descriptor(c)) in d for d in dexes)]
    loader = loader_class_name(facts.package, facts.application, taken)
    return loader, facts.application or ANDROID_APPLICATION, replaced, warnings


def _lib_entry(name: str, data: bytes, compress: bool) -> ExtraEntry:
    return ExtraEntry(name, data, compress, 1 if compress else NATIVE_ALIGNMENT)


def _candidates(facts: ApkFacts) -> list[str]:
    first = loader_class_name(facts.package, facts.application)
    return [first] + [f"{first}{n}" for n in range(2, 10)]
