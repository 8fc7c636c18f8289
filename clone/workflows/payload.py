"""The hook payload in a clone build: ``--hooks gadget|none`` and ``--gadget-dir``.

``prepare_hooks`` runs once per build, before any clone is written: it finds the Gadgets
(installed frida's version; from ``--gadget-dir`` or the cache), the agent, and checks the
app can carry the boot loader. ``HookPlan.spec(index, package)`` then gives each clone its
``CloneSpec`` (extra entries with its own policy in the Gadget config, and the manifest's new
``application android:name``). Errors of ``hooks.payload`` become ``clone.errors`` here:
bad input (wrong gadget, unextendable app) exit 2, failures (no download) exit 1.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apk.manifest import OwnNames
from clone.errors import BadInput, OperationFailed

if TYPE_CHECKING:
    from apk.pipeline import CloneSpec
    from apk.splits import AppSet
    from hooks.payload.embed import ApkFacts, Payload
    from hooks.payload.gadget import Arch, GadgetUnavailable


class HookMode(enum.Enum):
    """What a clone carries: the Gadget payload, or nothing."""

    GADGET = "gadget"
    NONE = "none"


DEFAULT_HOOKS = HookMode.GADGET


def parse_hook_mode(text: str) -> HookMode:
    try:
        return HookMode(text)
    except ValueError:
        raise BadInput(f"unknown --hooks {text!r}: use gadget or none") from None


@dataclass(frozen=True)
class HookPlan:
    """The hook part of one build: ``payload`` is None for ``--hooks none``."""

    mode: HookMode
    source_package: str
    payload: Payload | None = None
    original_signatures: tuple[str, ...] = ()
    own_names: OwnNames = field(default_factory=OwnNames)  # renamed in every clone

    def policy(self, index: int, package: str) -> dict[str, Any]:
        """Clone ``index``'s agent policy: the original package's storage paths lead to the
        clone's own, plus what the identity/binder hooks need about the original app (its
        signatures, and each provider authority, declared permission and intent action with
        the name the clone's manifest gives it, which the agent cannot guess for one that
        does not start with the package name)."""
        from vfs_redirect.layouts import android_package_layout
        from vfs_redirect.rules import AndroidNames, make_policy

        layout = android_package_layout(self.source_package, package)
        renamed = self.own_names.renamed(self.source_package, package)
        names = AndroidNames(
            self.source_package,
            package,
            self.original_signatures,
            renamed["authorities"],
            renamed["permissions"],
            renamed["actions"],
        )
        policy = make_policy(
            f"{self.source_package}:{index}", "android", layout.redirects, android=names
        )
        return policy.to_agent_json()

    def spec(self, index: int, package: str, policy: Mapping[str, Any] | None = None) -> CloneSpec:
        """The pipeline's spec for clone ``index`` (``policy`` overrides the default one,
        e.g. with the identity an install assigned)."""
        from apk.pipeline import CloneSpec, ExtraEntry

        if self.payload is None:
            return CloneSpec(index, package)
        chosen = policy if policy is not None else self.policy(index, package)
        extra = tuple(
            ExtraEntry(e.name, e.data, e.compress, e.alignment)
            for e in self.payload.entries_for(chosen)
        )
        return CloneSpec(index, package, extra, self.payload.application_name, rename_actions=True)

    @property
    def replaced_entries(self) -> dict[str, bytes]:
        """Entries of the APK every clone carries changed: the app's dex with its final
        Application class un-finalised (see hooks.payload.dexpatch); usually empty."""
        return dict(self.payload.replaced) if self.payload is not None else {}

    def summary(self) -> dict[str, Any]:
        """The ``hooks`` object of the ``--json`` result."""
        if self.payload is None:
            return {"mode": HookMode.NONE.value, "loader": None, "abis": []}
        return self.payload.summary()


def prepare_hooks(
    app: AppSet,
    mode: HookMode,
    *,
    gadget_dir: Path | None,
    cache_root: Path,
    device_abis: Collection[str] | None = None,
) -> HookPlan:
    """Everything the clones of this build share; raises BadInput / OperationFailed."""
    if mode is HookMode.NONE:
        return HookPlan(mode, app.package)
    from hooks.payload import embed, gadget, loader, script
    from hooks.payload.bundle import BundleError
    from hooks.payload.config import ConfigError
    from hooks.payload.dexgen import DexFormatError
    from hooks.payload.dexpatch import DexPatchError

    facts = _facts(app, device_abis)
    version = gadget.installed_frida_version()
    try:
        archs = embed.required_archs(facts)
    except embed.PayloadInputError as e:
        raise BadInput(str(e)) from e
    narrowed: str | None = None
    if gadget_dir is not None and facts.device_abis is None:
        facts, archs, narrowed = _only_the_given_gadgets(facts, archs, gadget_dir, version)
    try:
        gadgets = gadget.acquire(version, archs, gadget_dir=gadget_dir, cache_root=cache_root)
        agent = script.agent_script()
        prebuilt = script.prebuilt_fast_path()
        payload = embed.prepare(facts, _dex_files(app), gadgets, agent, prebuilt=prebuilt)
        if narrowed is not None:
            payload = replace(payload, warnings=(*payload.warnings, narrowed))
    except gadget.GadgetInputError as e:
        hint = f"--gadget-dir must hold {_gadget_names(version, archs)}, or {NO_HOOKS}"
        raise BadInput(str(e), hint=hint) from e
    except (
        embed.PayloadInputError,
        loader.LoaderInputError,
        ConfigError,
        DexFormatError,
        DexPatchError,
    ) as e:
        raise BadInput(str(e)) from e
    except gadget.GadgetUnavailable as e:
        raise _no_gadget(e, version, archs, cache_root / version) from e
    except script.AgentNotBuilt as e:
        raise OperationFailed(str(e)) from e
    except BundleError as e:  # an agent.js that is not this checkout's build
        raise OperationFailed(f"{script.AGENT_JS}: {e}; rebuild it with 'make agent'") from e
    own_names = OwnNames.of(apk.info for apk in app.apks)
    from apk.facts import signing_certificates

    return HookPlan(mode, app.package, payload, signing_certificates(app.base), own_names)


NO_HOOKS = "build without hooks: --hooks none"


def _only_the_given_gadgets(
    facts: ApkFacts, archs: tuple[Arch, ...], gadget_dir: Path, version: str
) -> tuple[ApkFacts, tuple[Arch, ...], str | None]:
    """An app without native code runs on every ABI, so it would want all four Gadgets; a
    --gadget-dir with only some of them builds for those ABIs, and a warning names the
    others (an app that ships native code needs exactly its own ABIs, as before)."""
    from hooks.payload.embed import shipped_abis
    from hooks.payload.gadget import archs_in_dir

    given = tuple(a for a in archs if a in archs_in_dir(gadget_dir, version))
    if shipped_abis(facts.all_entry_names) or not given or len(given) == len(archs):
        return facts, archs, None
    left_out = sorted(a.abi for a in archs if a not in given)
    kept = sorted(a.abi for a in given)
    warning = (
        f"--gadget-dir has Gadgets only for {', '.join(kept)}: the clones hook only on those "
        f"ABIs and will not install on {', '.join(left_out)} devices "
        f"(add {_gadget_names(version, [a for a in archs if a not in given])} for them)"
    )
    return replace(facts, device_abis=tuple(kept)), given, warning


def _gadget_names(version: str, archs: Sequence[Arch]) -> str:
    from hooks.payload.gadget import gadget_filename

    return ", ".join(gadget_filename(version, a) for a in archs)


def _no_gadget(
    e: GadgetUnavailable, version: str, archs: Sequence[Arch], cache: Path
) -> OperationFailed:
    """No Gadget at hand: one line naming both ways out (the files to provide, or no hooks)."""
    cause = e.__cause__
    if isinstance(cause, OSError):  # the download could not be made (URLError is an OSError)
        why = f"none in {cache} and the download failed ({getattr(cause, 'reason', cause)})"
    else:
        why = str(e)
    return OperationFailed(
        f"no Frida Gadget {version} at hand: {why}",
        hint=f"pass --gadget-dir DIR holding {_gadget_names(version, archs)} "
        f"(or put them into {cache}), or {NO_HOOKS}",
    )


def _facts(app: AppSet, device_abis: Collection[str] | None) -> ApkFacts:
    from hooks.payload.embed import ApkFacts

    info = app.base.info
    return ApkFacts(
        package=info.package,
        application=info.application_name,
        extract_native_libs=info.extract_native_libs,
        min_sdk=info.min_sdk,
        entry_names=tuple(app.base.archive.names),
        split_entry_names=tuple(n for s in app.splits for n in s.archive.names),
        device_abis=tuple(sorted(device_abis)) if device_abis is not None else None,
    )


def _dex_files(app: AppSet) -> dict[str, bytes]:
    from apk.facts import dex_files

    try:
        return dex_files(app.base)
    except ValueError as e:
        raise BadInput(f"{app.base.name}: {e}") from e
