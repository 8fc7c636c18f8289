"""``clone install``: build the clones for the device, install each, record them — all or
nothing. If clone k fails, the clones just installed are removed again and the registry
records nothing; the registry is written in one transaction after the device confirmed.

This module checks the request, reads the app once and opens the device; the backend's
``install`` (``clone.backends``) does the rest: ``package`` installs N renamed, re-signed
clone APKs; ``user`` makes the app available to N new Android users; ``virtual`` installs
the app once (rooted device) and records N storage roots the hook engine switches between
at spawn. The helpers they share (undo, registering, the launcher component) are here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from clone.backends import Where, backend_for
from clone.errors import BadInput, CloneError
from clone.faces import keep_face
from clone.home import Home
from clone.registry import Backend, CloneRecord, Registry
from clone.state import PackageState, UserState, VirtualState
from clone.workflows.build import check_apks_exist
from clone.workflows.device_access import DeviceHandle, open_device
from clone.workflows.identity import assign_identity, draw_clone_identities
from device.errors import DeviceCommandFailed, PackageInstallFailed
from device.model import DeviceInfo
from identity import Identity

if TYPE_CHECKING:
    from apk.splits import AppSet

Advance = Callable[[int], None]
ANDROID_ABIS = ("arm64-v8a", "armeabi-v7a", "armeabi", "x86", "x86_64", "mips", "mips64")
VIRTUAL_STORE = "app_clonespace"  # under the app's own data dir: <data>/app_clonespace/<n>


@dataclass(frozen=True)
class BuiltClone:
    """One clone ready to install: its index, package and APK files (base first), and the
    identity its embedded hook policy carries (registered with it; None: draw one then)."""

    index: int
    package: str
    apks: tuple[Path, ...]
    state: PackageState = field(default_factory=PackageState)  # the build's facts
    identity: Identity | None = None


@dataclass(frozen=True)
class InstallJob:
    """What a backend's ``install`` gets: the request, the app read once, the device, the
    identity of each new clone index (embedded or registered), a scratch directory."""

    req: InstallRequest
    app: SourceApp
    handle: DeviceHandle
    identities: Mapping[int, Identity]
    scratch: Path


@dataclass(frozen=True)
class InstallRequest:
    apk: Path
    count: int = 1
    device: str | None = None
    backend: Backend = Backend.PACKAGE
    adb: str | None = None
    frida_server: Path | None = None
    hooks: str = "gadget"  # package backend: embed the hook payload ("gadget") or not ("none")
    gadget_dir: Path | None = None
    seed: int | None = None  # identities drawn from it, clone n's from (seed, n); None: random


def parse_backend(text: str) -> Backend:
    try:
        backend = Backend(text)
    except ValueError as e:
        raise BadInput(f"unknown backend {text!r}: use package, virtual or user") from e
    if backend is Backend.HOST:
        raise BadInput("the host backend is not installed on a device; use 'clone host run'")
    return backend


# -- checks before anything changes -----------------------------------------------------


def check_fits(apk: Path, app: SourceApp, device: DeviceInfo) -> None:
    """BadInput when the device cannot run the app: no matching ABI, too old an Android."""
    if app.abis and device.abis and not app.abis & set(device.abis):
        raise BadInput(
            f"{apk.name} has native code only for {', '.join(sorted(app.abis))}, "
            f"but {device.serial} runs {', '.join(device.abis)}",
            hint="use an APK built for the device's ABI (or another device); nothing was installed",
        )
    if device.sdk is not None and app.min_sdk > device.sdk:
        raise BadInput(
            f"{apk.name} needs Android SDK {app.min_sdk}, {device.serial} runs SDK {device.sdk}",
            hint="use a newer device or emulator; nothing was installed",
        )


def check_request(req: InstallRequest) -> None:
    if req.count < 1:
        raise BadInput(f"bad --count {req.count}: install at least 1 clone")
    check_apks_exist([req.apk])
    if req.frida_server is not None:
        if req.backend is not Backend.VIRTUAL:
            raise BadInput("--frida-server is only for --backend virtual")
        if not req.frida_server.is_file():
            raise BadInput(f"no frida-server file at {req.frida_server}")


# -- the workflow ------------------------------------------------------------------------


def install(
    registry: Registry,
    home_root: Path,
    req: InstallRequest,
    advance: Advance = lambda n: None,
) -> list[CloneRecord]:
    """Install ``req.count`` clones of ``req.apk``; the records of the new clones."""
    check_request(req)
    with tempfile.TemporaryDirectory(prefix="clone-install-") as tmp:
        scratch = Path(tmp)
        app = load_source_app(req.apk, scratch)
        handle = open_device(req.device, req.adb)
        check_fits(req.apk, app, handle.info)
        first = registry.next_index(app.package)
        indices = list(range(first, first + req.count))
        identities = draw_clone_identities(indices, req.seed)  # registered on success
        where = Where(registry, Home(home_root), req.adb)
        job = InstallJob(req, app, handle, identities, scratch)
        records = backend_for(req.backend).install(where, job, advance)
        keep_face(Home(home_root), app.files[0])  # the launcher's label and icon
        return records


def record_all(
    registry: Registry,
    records: Sequence[CloneRecord],
    identities: Mapping[str, Identity] | None = None,
) -> None:
    """Register the clones in one transaction, each with its identity: the one in
    ``identities`` (by clone name; embedded at build time) or a new one."""
    chosen = identities or {}
    with registry.transaction():
        for record in records:
            registry.add(record)
            assign_identity(registry, record, identity=chosen.get(record.name))


# -- helpers -----------------------------------------------------------------------------


def owns_source(registry: Registry, app: str, backend: Backend, serial: str) -> bool:
    """Whether clones of ``app`` installed the app itself (so the last one removes it)."""
    return any(
        isinstance(r.state, UserState | VirtualState) and r.state.installed_source
        for r in registry.clones(app)
        if r.backend is backend and r.device == serial
    )


def launcher_component(package: str, activity: str | None) -> str | None:
    """``pkg/full.Activity`` (classes keep their names in a clone)."""
    return f"{package}/{activity}" if activity else None


@contextmanager
def undo_on_error(undo: Callable[[list[str]], None]) -> Iterator[None]:
    """Run ``undo`` when the block raises, then let the error go on (naming what is left)."""
    try:
        yield
    except BaseException as e:
        left: list[str] = []
        undo(left)
        if left and isinstance(e, CloneError):
            e.hint = f"{e.hint or ''}; could not undo, do it by hand: {', '.join(left)}"
        raise


def quietly(action: Callable[[], None], leftover: str, left: list[str]) -> None:
    """Undo one step; if that fails too, note ``leftover`` (what the user must undo)."""
    try:
        action()
    except (DeviceCommandFailed, PackageInstallFailed, CloneError, OSError):
        left.append(leftover)


# -- the app and the build (apk/, clone.workflows.build) ---------------------------------


@dataclass(frozen=True)
class SourceApp:
    """What install needs to know about the input app before touching the device."""

    package: str
    min_sdk: int
    launcher: str | None
    abis: frozenset[str]
    files: tuple[Path, ...]  # base first, then splits, as files on this machine
    app: AppSet = field(compare=False, repr=False)  # parsed once, built from as it is


def load_source_app(apk: Path, scratch: Path) -> SourceApp:
    """Read and check the app (an APK, a split set, .apks/.xapk) as ``clone build`` does;
    split APKs are written to ``scratch``."""
    from clone.workflows.build import load_app

    app = load_app((apk,))
    abis: set[str] = set()
    for source in app.apks:
        abis |= _lib_abis(source.archive.names)
    if len(app.apks) == 1 and apk.is_file():
        files: tuple[Path, ...] = (apk,)
    else:
        files = tuple(_write(scratch / f"{i}.apk", a.content()) for i, a in enumerate(app.apks))
    info = app.base.info
    return SourceApp(
        info.package, info.min_sdk, info.launchable_activity, frozenset(abis), files, app
    )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _lib_abis(names: Sequence[str]) -> set[str]:
    return {
        parts[1] for parts in (n.split("/") for n in names) if len(parts) > 2 and parts[0] == "lib"
    }


def build_clones(
    home_root: Path,
    job: InstallJob,
    indices: Sequence[int],
    abis: Sequence[str],
) -> list[BuiltClone]:
    """Build the clone APKs ``indices`` of the job's app (as loaded, not read again) into its
    scratch directory for a device with ``abis``; with hooks, clone ``n``'s policy carries
    the identity the job drew for it."""
    from clone.state import PackageState
    from clone.workflows.build import build_for_install
    from clone.workflows.payload import parse_hook_mode

    req = job.req
    result = build_for_install(
        home_root, job.app.app, indices, job.scratch, abis,
        hooks=parse_hook_mode(req.hooks), gadget_dir=req.gadget_dir, identities=job.identities,
    )  # fmt: skip
    return [
        BuiltClone(
            c.index,
            c.package,
            (c.apk, *c.splits),
            PackageState(
                source_sha256=result.source.sha256, apk_sha256=c.sha256, hooks=result.hooks
            ),
            c.identity,
        )
        for c in result.clones
    ]
