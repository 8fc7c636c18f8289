"""Launch, stop, wipe and remove one registered clone on its device.

``launch`` takes the launcher activity from the build record (else ``cmd package
resolve-activity``) and runs ``am start -n``; ``stop`` is ``am force-stop``; ``wipe`` is
``pm clear`` (for the virtual backend: the clone's storage roots are emptied); ``remove``
uninstalls and then forgets, in that order, so a failure leaves the registry telling the
truth. Virtual clones are spawned under the hook agent through frida-server; launching
one stops whichever clone of the same app runs.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from clone.errors import BadInput, HookError, NoDevice, NotFound
from clone.home import Home
from clone.registry import Backend, CloneRecord, Registry
from clone.workflows.device_access import DeviceHandle, device_errors, open_device
from clone.workflows.listing import active_marker
from device import adb, frida_server, packages, users
from device.errors import DeviceCommandFailed, FridaServerMissing
from hooks.errors import HookError as HookFailure
from hooks.errors import PolicyError
from vfs_redirect.layouts import Layout, android_virtual_layout


def device_of(record: CloneRecord, adb_server: str | None = None) -> DeviceHandle:
    """The device the clone was installed on; NoDevice (exit 1) when it is not connected."""
    if record.backend is Backend.HOST:
        raise BadInput(
            f"{record.name} is a host clone; run it with 'clone host run'",
        )
    try:
        return open_device(record.device, adb_server)
    except NotFound as e:
        raise NoDevice(
            f"the device {record.device} of {record.name} is not connected",
            hint="connect it ('adb devices' must list it) and retry",
        ) from e


def _user(record: CloneRecord) -> int | None:
    return int(record.meta["user"]) if record.backend is Backend.USER else None


def _package(record: CloneRecord) -> str:
    return record.package or record.source_package


def pids(record: CloneRecord, adb_server: str | None = None) -> list[int]:
    """The pids of the clone's main process on its device (empty: not running)."""
    handle = device_of(record, adb_server)
    with device_errors():
        return packages.pids(handle.dev, _package(record), _user(record) or 0)


def launch(
    registry: Registry, record: CloneRecord, home_root: Path, adb_server: str | None = None
) -> None:
    handle = device_of(record, adb_server)
    if record.backend is Backend.VIRTUAL:
        _launch_virtual(registry, record, handle, home_root)
        return
    user = _user(record)
    with device_errors():
        component = record.meta.get("launcher") or packages.resolve_launcher(
            handle.dev, _package(record), user
        )
        if user is not None:
            users.start_user(handle.dev, user)
        packages.launch(handle.dev, str(component), user)


def stop(record: CloneRecord, adb_server: str | None = None) -> None:
    handle = device_of(record, adb_server)
    with device_errors():
        packages.force_stop(handle.dev, _package(record), _user(record))


def wipe(record: CloneRecord, adb_server: str | None = None) -> None:
    handle = device_of(record, adb_server)
    with device_errors():
        if record.backend is Backend.VIRTUAL:
            packages.force_stop(handle.dev, _package(record))
            roots = _virtual_layout(record).roots
            adb.check(handle.dev, _root(handle, ["rm", "-rf", *roots]))
            return
        packages.clear(handle.dev, _package(record), _user(record))


def wipe_host(home: Home, record: CloneRecord) -> None:
    """Empty a host clone's data (its ``data/`` in the store); identity files stay."""
    from clone.workflows.host import store_path

    shutil.rmtree(store_path(home, record.app, record.index) / "data", ignore_errors=True)


def forget_host_store(home: Home, record: CloneRecord) -> None:
    """Delete a removed host clone's whole store."""
    from clone.workflows.host import store_path

    shutil.rmtree(store_path(home, record.app, record.index), ignore_errors=True)


def remove(registry: Registry, record: CloneRecord, adb_server: str | None = None) -> None:
    """Uninstall the clone from its device, then forget it."""
    if record.backend is not Backend.HOST:
        handle = device_of(record, adb_server)
        with device_errors():
            _uninstall(registry, record, handle)
    with registry.transaction():
        registry.remove(record.name)


def _uninstall(registry: Registry, record: CloneRecord, handle: DeviceHandle) -> None:
    dev = handle.dev
    package = _package(record)
    if record.backend is Backend.PACKAGE:
        if packages.is_installed(dev, package):
            packages.uninstall(dev, package)
        return
    if record.backend is Backend.USER:
        uid = int(record.meta["user"])
        if any(u.id == uid for u in users.users(dev)):
            users.remove_user(dev, uid)
    else:
        packages.force_stop(dev, package)
        adb.check(dev, _root(handle, ["rm", "-rf", *_virtual_layout(record).roots]))
    others = [
        r for r in registry.clones(record.app)
        if r.backend is record.backend and r.index != record.index and r.device == record.device
    ]  # fmt: skip
    if not others and record.meta.get("installed_source") and packages.is_installed(dev, package):
        packages.uninstall(dev, package)


# -- virtual backend ---------------------------------------------------------------------


def _root(handle: DeviceHandle, argv: list[str]) -> list[str]:
    if adb.shell_is_root(handle.dev):
        return argv
    return ["su", "-c", shlex.join(argv)]


def _virtual_layout(record: CloneRecord) -> Layout:
    return android_virtual_layout(_package(record), record.index)


def _launch_virtual(
    registry: Registry, record: CloneRecord, handle: DeviceHandle, home_root: Path
) -> None:
    """Stop whichever clone of the app runs, make this one's roots, spawn it hooked."""
    import frida

    from clone.workflows.identity import identity_policy
    from device.frida_spawn import spawn_with_agent
    from vfs_redirect.rules import make_policy

    package = _package(record)
    layout = _virtual_layout(record)
    extra = identity_policy(registry, record.name)
    policy = make_policy(
        record.name, "android", layout.redirects, layout.deny,
        identity=extra["identity"], accounts=extra["accounts"],
    )  # fmt: skip
    explicit = record.meta.get("frida_server")
    try:
        binary = frida_server.find_binary(
            home_root / "cache" / "frida-server",
            frida.__version__,
            frida_server.arch_for_abis(handle.info.abis),
            Path(explicit) if explicit else None,
        )
    except (FridaServerMissing, ValueError) as e:
        raise HookError(str(e), hint="see 'clone install --help' (--frida-server)") from e
    with device_errors():
        frida_server.ensure_running(handle.dev, binary, frida.__version__)
        packages.force_stop(handle.dev, package)  # one clone of the app at a time
        _make_roots(handle, package, layout.roots)
        try:
            spawn_with_agent(handle.dev, package, _agent_source(), policy.to_agent_json())
        except (DeviceCommandFailed, HookFailure, PolicyError) as e:
            raise HookError(f"could not spawn {record.name} under the hooks: {e}") from e
        handle.dev.sync.push(str(record.index).encode(), active_marker(package), mode=0o644)


def _make_roots(handle: DeviceHandle, package: str, roots: tuple[str, ...]) -> None:
    owner = adb.check(handle.dev, _root(handle, ["stat", "-c", "%u", f"/data/data/{package}"]))
    uid = owner.strip()
    adb.check(handle.dev, _root(handle, ["mkdir", "-p", *roots]))
    adb.check(handle.dev, _root(handle, ["chown", "-R", f"{uid}:{uid}", *roots]))
    adb.run(handle.dev, _root(handle, ["restorecon", "-R", *roots]))


def _agent_source() -> str:
    from hooks.agent_bundle import agent_source
    from hooks.errors import AgentBundleMissing

    try:
        return agent_source()
    except AgentBundleMissing as e:
        raise HookError(str(e), hint="run 'make agent'") from e
