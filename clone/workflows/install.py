"""``clone install``: build the clones for the device, install each, record them — all or
nothing. If clone k fails, the clones just installed are removed again and the registry
records nothing; the registry is written in one transaction after the device confirmed.

Backends: ``package`` installs N renamed, re-signed clone APKs; ``user`` makes the app
available to N new Android users; ``virtual`` installs the app once (rooted device) and
records N storage roots the hook engine switches between at spawn.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from clone.errors import BadInput, CloneError, OperationFailed
from clone.registry import Backend, CloneRecord, Registry
from clone.state import PackageState, UserState, VirtualState
from clone.workflows.device_access import DeviceHandle, device_errors, open_device
from clone.workflows.identity import assign_identity, draw_clone_identities
from device import packages, users
from device.errors import DeviceCommandFailed, PackageInstallFailed
from device.model import DeviceInfo
from identity import Identity

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
    if not req.apk.exists():
        raise BadInput(
            f"no APK at {req.apk}",
            hint="pass an .apk file, an .apks/.xapk, or a directory of split APKs",
        )
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
        if req.backend is Backend.PACKAGE:  # embedded in each clone's policy now
            built = build_clones(home_root, req, indices, scratch, handle.info.abis, identities)
            return install_built(registry, handle, app.package, built, advance, app.launcher)
        if req.backend is Backend.USER:
            return install_users(registry, handle, app, identities, advance)
        return install_virtual(registry, handle, req, app, identities, advance)


def install_built(
    registry: Registry,
    handle: DeviceHandle,
    source: str,
    built: Sequence[BuiltClone],
    advance: Advance = lambda n: None,
    launcher: str | None = None,
) -> list[CloneRecord]:
    """Install built clone APKs one by one; undo all on the first failure; then record."""
    dev = handle.dev
    with device_errors():
        present = packages.installed(dev) & {b.package for b in built}
    if present:
        raise OperationFailed(
            f"{', '.join(sorted(present))} already installed on {handle.serial} "
            "but not by this clone registry",
            hint="uninstall it with 'adb uninstall PACKAGE' (or use its CLONE_HOME); "
            "nothing was installed",
        )
    done: list[str] = []

    def undo(left: list[str]) -> None:
        for package in reversed(done):
            _quietly(partial(packages.uninstall, dev, package), f"adb uninstall {package}", left)

    records = []
    identities: dict[str, Identity] = {}
    with _undo_on_error(undo):
        for clone in built:
            with device_errors():
                packages.install(dev, clone.package, clone.apks)
            done.append(clone.package)
            advance(1)
            records.append(
                CloneRecord(
                    app=source,
                    index=clone.index,
                    backend=Backend.PACKAGE,
                    source_package=source,
                    package=clone.package,
                    device=handle.serial,
                    state=replace(clone.state, launcher=_launcher(clone.package, launcher)),
                )
            )
            if clone.identity is not None:
                identities[records[-1].name] = clone.identity
        record_all(registry, records, identities)
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


# -- user backend ------------------------------------------------------------------------


def install_users(
    registry: Registry,
    handle: DeviceHandle,
    app: SourceApp,
    identities: Mapping[int, Identity],
    advance: Advance = lambda n: None,
) -> list[CloneRecord]:
    """One new Android user per clone (one per key of ``identities``: clone index to the
    identity it is registered with), with the app made available to it."""
    indices = sorted(identities)
    dev, source = handle.dev, app.package
    with device_errors():
        limit = users.max_users(dev)
        existing = users.users(dev)
    free = limit - len(existing)
    if free < len(indices):
        raise OperationFailed(
            f"{handle.serial} allows {limit} users and has {len(existing)}; "
            f"{len(indices)} more do not fit",
            hint=f"use --count {max(free, 0)} or remove users ('adb shell pm remove-user N'); "
            "nothing was installed",
        )
    created: list[int] = []
    installed_source = False

    def undo(left: list[str]) -> None:
        for uid in reversed(created):
            _quietly(partial(users.remove_user, dev, uid), f"adb shell pm remove-user {uid}", left)
        if installed_source:
            _quietly(lambda: packages.uninstall(dev, source), f"adb uninstall {source}", left)

    records = []
    with _undo_on_error(undo), device_errors():
        if not packages.is_installed(dev, source, user=0):
            packages.install(dev, source, app.files, user=0)
            installed_source = True
        for index in indices:
            uid = users.create_user(dev, f"clonespace-{source}-{index}")
            created.append(uid)
            users.install_existing(dev, source, uid)
            advance(1)
            owned = installed_source or _owns_source(registry, source, Backend.USER, handle.serial)
            state = UserState(uid, owned, _launcher(source, app.launcher))
            records.append(_record(source, index, source, handle.serial, state))
        record_all(registry, records, {r.name: identities[r.index] for r in records})
    return records


# -- virtual backend ---------------------------------------------------------------------


def install_virtual(
    registry: Registry,
    handle: DeviceHandle,
    req: InstallRequest,
    app: SourceApp,
    identities: Mapping[int, Identity],
    advance: Advance = lambda n: None,
) -> list[CloneRecord]:
    """The app once, one storage root per key of ``identities`` (clone index to the identity
    it is registered with); needs root for frida-server at launch."""
    indices = sorted(identities)
    if not handle.info.rooted:
        raise BadInput(
            f"the virtual backend needs a rooted device or an emulator with 'adb root'; "
            f"{handle.serial} is not rooted",
            hint="use --backend package (no root needed) or run 'adb root' on an emulator",
        )
    dev, source = handle.dev, app.package
    installed_source = False

    def undo(left: list[str]) -> None:
        if installed_source:
            _quietly(lambda: packages.uninstall(dev, source), f"adb uninstall {source}", left)

    records = []
    with _undo_on_error(undo), device_errors():
        if not packages.is_installed(dev, source):
            packages.install(dev, source, app.files)
            installed_source = True
        for index in indices:
            state = VirtualState(
                storage=f"{VIRTUAL_STORE}/{index}",
                installed_source=installed_source
                or _owns_source(registry, source, Backend.VIRTUAL, handle.serial),
                frida_server=str(req.frida_server.absolute()) if req.frida_server else None,
            )
            records.append(_record(source, index, source, handle.serial, state))
            advance(1)
        record_all(registry, records, {r.name: identities[r.index] for r in records})
    return records


# -- helpers -----------------------------------------------------------------------------


def _owns_source(registry: Registry, app: str, backend: Backend, serial: str) -> bool:
    """Whether clones of ``app`` installed the app itself (so the last one removes it)."""
    return any(
        isinstance(r.state, UserState | VirtualState) and r.state.installed_source
        for r in registry.clones(app)
        if r.backend is backend and r.device == serial
    )


def _launcher(package: str, activity: str | None) -> str | None:
    """``pkg/full.Activity`` (classes keep their names in a clone)."""
    return f"{package}/{activity}" if activity else None


def _record(
    app: str, index: int, package: str, serial: str, state: UserState | VirtualState
) -> CloneRecord:
    backend = Backend.USER if isinstance(state, UserState) else Backend.VIRTUAL
    return CloneRecord(
        app=app,
        index=index,
        backend=backend,
        source_package=app,
        package=package,
        device=serial,
        state=state,
    )


@contextmanager
def _undo_on_error(undo: Callable[[list[str]], None]) -> Iterator[None]:
    """Run ``undo`` when the block raises, then let the error go on (naming what is left)."""
    try:
        yield
    except BaseException as e:
        left: list[str] = []
        undo(left)
        if left and isinstance(e, CloneError):
            e.hint = f"{e.hint or ''}; could not undo, do it by hand: {', '.join(left)}"
        raise


def _quietly(action: Callable[[], None], leftover: str, left: list[str]) -> None:
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


def load_source_app(apk: Path, scratch: Path) -> SourceApp:
    """Read the app (an APK, a split set, .apks/.xapk); split APKs are written to ``scratch``."""
    from apk.splits import load_app

    try:
        app = load_app([apk])
    except (ValueError, OSError) as e:
        raise BadInput(f"{apk} is not a usable APK: {e}") from e
    abis: set[str] = set()
    for source in app.apks:
        abis |= _lib_abis(source.archive.names)
    if len(app.apks) == 1 and apk.is_file():
        files: tuple[Path, ...] = (apk,)
    else:
        files = tuple(_write(scratch / f"{i}.apk", a.data) for i, a in enumerate(app.apks))
    info = app.base.info
    return SourceApp(info.package, info.min_sdk, info.launchable_activity, frozenset(abis), files)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _lib_abis(names: Sequence[str]) -> set[str]:
    return {
        parts[1] for parts in (n.split("/") for n in names) if len(parts) > 2 and parts[0] == "lib"
    }


def build_clones(
    home_root: Path,
    req: InstallRequest,
    indices: Sequence[int],
    out: Path,
    abis: Sequence[str],
    identities: Mapping[int, Identity] | None = None,
) -> list[BuiltClone]:
    """Build the clone APKs ``indices`` of ``req.apk`` into ``out`` for a device with ``abis``;
    with hooks, clone ``n``'s policy carries ``identities[n]``."""
    from clone.workflows.build import build_for_install
    from clone.workflows.payload import parse_hook_mode

    hooks = parse_hook_mode(req.hooks)
    return build_for_install(
        home_root, req.apk, indices, out, abis,
        hooks=hooks, gadget_dir=req.gadget_dir, identities=identities,
    )  # fmt: skip
