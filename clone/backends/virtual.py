"""The virtual backend: the app installed once (rooted device), one storage root per clone,
switched to by the hook agent, which frida-server spawns the app under.

Launching one clone stops whichever clone of the same app runs (one at a time) and marks
it as the active one on the device; ``wipe`` empties the clone's storage roots.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clone.backends.base import Where
from clone.backends.on_device import (
    OnDevice,
    as_root,
    device_of,
    last_of_its_kind,
    package_of,
)
from clone.errors import BadInput, HookError
from clone.registry import CloneRecord, Registry
from clone.state import Backend, VirtualState
from clone.workflows import install
from clone.workflows.device_access import DeviceHandle, device_errors
from clone.workflows.install import owns_source, quietly, record_all, undo_on_error
from clone.workflows.listing import active_marker
from device import adb, frida_server, packages
from device.errors import DeviceCommandFailed, FridaServerMissing
from identity import Identity
from vfs_redirect.layouts import Layout, android_virtual_layout


def _state(record: CloneRecord) -> VirtualState:
    assert isinstance(record.state, VirtualState), record
    return record.state


def _layout(record: CloneRecord) -> Layout:
    return android_virtual_layout(package_of(record), record.index)


class VirtualBackend(OnDevice):
    kind = Backend.VIRTUAL

    def install(
        self, where: Where, job: install.InstallJob, advance: install.Advance
    ) -> list[CloneRecord]:
        return install_virtual(
            where.registry, job.handle, job.req, job.app, job.identities, advance
        )

    def launch(self, where: Where, record: CloneRecord) -> None:
        """Stop whichever clone of the app runs, make this one's roots, spawn it hooked."""
        from device.frida_spawn import spawn_with_agent
        from hooks.errors import HookEngineError, PolicyError

        handle = device_of(record, where.adb)
        package = package_of(record)
        policy = clone_policy(where, record)
        ensure_frida_server(where, record, handle)
        with device_errors():
            packages.force_stop(handle.dev, package)  # one clone of the app at a time
            _make_roots(handle, package, _layout(record).roots)
            # marked active before the spawn: a `clone guard` holding the gate that is shown
            # this start too then gives it this clone's policy, not the one active before
            handle.dev.sync.push(str(record.index).encode(), active_marker(package), mode=0o644)
            try:
                spawn_with_agent(handle.dev, package, agent_source(), policy)
            except (DeviceCommandFailed, HookEngineError, PolicyError) as e:
                raise HookError(f"could not spawn {record.name} under the hooks: {e}") from e

    def wipe(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        with device_errors():
            packages.force_stop(handle.dev, package_of(record))
            adb.check(handle.dev, as_root(handle, ["rm", "-rf", *_layout(record).roots]))

    def bound(self, record: CloneRecord) -> str | None:
        return f"its data on the phone is in storage root {record.index}"

    def same_clone(self, record: CloneRecord, other: CloneRecord) -> bool:
        return super().same_clone(record, other) and other.index == record.index

    def uninstall(self, where: Where, record: CloneRecord, handle: DeviceHandle) -> None:
        dev, package = handle.dev, package_of(record)
        packages.force_stop(dev, package)
        adb.check(dev, as_root(handle, ["rm", "-rf", *_layout(record).roots]))
        if (
            last_of_its_kind(where, record)
            and _state(record).installed_source
            and packages.is_installed(dev, package)
        ):
            packages.uninstall(dev, package)


def _make_roots(handle: DeviceHandle, package: str, roots: tuple[str, ...]) -> None:
    owner = adb.check(handle.dev, as_root(handle, ["stat", "-c", "%u", f"/data/data/{package}"]))
    uid = owner.strip()
    adb.check(handle.dev, as_root(handle, ["mkdir", "-p", *roots]))
    adb.check(handle.dev, as_root(handle, ["chown", "-R", f"{uid}:{uid}", *roots]))
    adb.run(handle.dev, as_root(handle, ["restorecon", "-R", *roots]))


def clone_policy(where: Where, record: CloneRecord) -> dict[str, Any]:
    """The agent policy (JSON form) a process of virtual clone ``record`` runs with."""
    from clone.workflows.identity import identity_policy
    from vfs_redirect.rules import make_policy

    layout = _layout(record)
    extra = identity_policy(where.registry, record.name)
    policy = make_policy(
        record.name, "android", layout.redirects, layout.deny,
        identity=extra["identity"], accounts=extra["accounts"],
    )  # fmt: skip
    return policy.to_agent_json()


def ensure_frida_server(where: Where, record: CloneRecord, handle: DeviceHandle) -> None:
    """frida-server of the installed frida's version running on ``record``'s device."""
    import frida

    explicit = _state(record).frida_server
    try:
        binary = frida_server.find_binary(
            where.home.cache_dir / "frida-server",
            frida.__version__,
            frida_server.arch_for_abis(handle.info.abis),
            Path(explicit) if explicit else None,
        )
    except (FridaServerMissing, ValueError) as e:
        raise HookError(str(e), hint="see 'clone install --help' (--frida-server)") from e
    with device_errors():
        frida_server.ensure_running(handle.dev, binary, frida.__version__)


def agent_source() -> str:
    """The agent a spawn on the device is given; HookError saying how to build it."""
    from hooks import agent_bundle
    from hooks.errors import AgentBundleMissing

    try:
        return agent_bundle.agent_source()
    except AgentBundleMissing as e:
        raise HookError(str(e), hint="run 'make agent'") from e


def install_virtual(
    registry: Registry,
    handle: DeviceHandle,
    req: install.InstallRequest,
    app: install.SourceApp,
    identities: Mapping[int, Identity],
    advance: install.Advance = lambda n: None,
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
            quietly(lambda: packages.uninstall(dev, source), f"adb uninstall {source}", left)

    records = []
    with undo_on_error(undo), device_errors():
        if not packages.is_installed(dev, source):
            packages.install(dev, source, app.files)
            installed_source = True
        for index in indices:
            state = VirtualState(
                storage=f"{install.VIRTUAL_STORE}/{index}",
                installed_source=installed_source
                or owns_source(registry, source, Backend.VIRTUAL, handle.serial),
                frida_server=str(req.frida_server.absolute()) if req.frida_server else None,
            )
            records.append(
                CloneRecord(
                    source, index, Backend.VIRTUAL, source, source, handle.serial, state=state
                )
            )
            advance(1)
        record_all(registry, records, {r.name: identities[r.index] for r in records})
    return records


BACKEND = VirtualBackend()
