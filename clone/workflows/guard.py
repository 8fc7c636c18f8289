"""``clone guard APP``: hold frida-server's spawn gate for a virtual-backend app, so a start
the phone makes on its own (a push, a job, a tap on the icon) runs only as the active clone,
under the hooks, or is killed (hooks.spawn_gate). The active clone is the one ``clone
launch`` marked on the device last. While a guard runs it leaves a pid file in the state
directory, so ``clone launch`` can say whether one holds the gate (on this host only).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from clone.backends.base import Where
from clone.errors import BadInput, HookError, NotFound
from clone.home import Home
from clone.registry import CloneRecord
from clone.state import Backend
from clone.workflows.device_access import DeviceHandle, device_errors
from clone.workflows.listing import active_index
from hooks.spawn_gate import ClonePolicy, GatedStart


@dataclass(frozen=True)
class GuardTarget:
    """The app a guard holds the gate for, on one device, and its virtual clones."""

    package: str
    serial: str
    clones: tuple[CloneRecord, ...]


def guard_target(records: list[CloneRecord], app: str, serial: str | None) -> GuardTarget:
    """The virtual clones of ``app`` (on ``serial`` if given); BadInput when there are none
    or they are on more than one device and ``serial`` does not say which."""
    mine = [r for r in records if app in (r.source_package, r.app)]
    if not mine:
        raise NotFound(f"no clone of {app!r} is registered", hint="see 'clone list'")
    virtual = [r for r in mine if r.backend == Backend.VIRTUAL]
    if not virtual:
        kinds = ", ".join(sorted({str(r.backend) for r in mine}))
        raise BadInput(
            f"{app} has no virtual-backend clone ({kinds}); only the virtual backend "
            f"shares one installed app and needs its starts gated"
        )
    if serial is not None:
        virtual = [r for r in virtual if r.device == serial]
        if not virtual:
            raise BadInput(f"{app} has no virtual clone on device {serial}")
    devices = sorted({r.device or "" for r in virtual})
    if len(devices) > 1:
        raise BadInput(
            f"{app} has virtual clones on {len(devices)} devices ({', '.join(devices)})",
            hint="say which with --device SERIAL",
        )
    first = virtual[0]
    return GuardTarget(first.package or first.source_package, devices[0], tuple(virtual))


def pid_file(home: Home, serial: str, package: str) -> Path:
    return home.root / "run" / f"guard-{serial}-{package}.pid"


def guard_pid(home: Home, serial: str, package: str) -> int | None:
    """The pid of the guard holding ``package``'s gate on ``serial`` from this host, if any
    runs (a pid file left by a guard that died is ignored)."""
    try:
        pid = int(pid_file(home, serial, package).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@contextlib.contextmanager
def _pid_file(home: Home, serial: str, package: str) -> Iterator[None]:
    path = pid_file(home, serial, package)
    held = guard_pid(home, serial, package)
    if held is not None and held != os.getpid():
        raise BadInput(f"a guard (pid {held}) already holds the gate of {package} on {serial}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{os.getpid()}\n")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _active(where: Where, handle: DeviceHandle, target: GuardTarget) -> ClonePolicy | None:
    """The clone ``clone launch`` marked active on the device, with its policy; None when
    none is marked or the marked one is not registered."""
    from clone.backends.virtual import clone_policy

    index = active_index(handle.dev, target.package)
    for record in target.clones:
        if record.index == index:
            return ClonePolicy(record.name, clone_policy(where, record))
    return None


def hold_gate(
    where: Where,
    target: GuardTarget,
    stop: threading.Event,
    report: Callable[[GatedStart], None],
    ready: Callable[[], None] = lambda: None,
) -> None:
    """Hold the gate of ``target``'s app until ``stop`` is set, reporting each start.
    HookError (exit 1) when the connection to frida-server is lost."""
    import frida

    from clone.backends.on_device import device_of
    from clone.backends.virtual import agent_source, ensure_frida_server
    from device.frida_spawn import remote_device
    from hooks.spawn_gate import SpawnGate

    record = target.clones[0]
    handle = device_of(record, where.adb)
    ensure_frida_server(where, record, handle)
    agent = agent_source()
    lost: list[str] = []

    def on_lost(*args: object) -> None:  # Frida's device "lost" signal, on Frida's thread
        lost.append("Frida reported the device lost")
        stop.set()

    def choose() -> ClonePolicy | None:
        with device_errors():
            return _active(where, handle, target)

    with _pid_file(where.home, target.serial, target.package), device_errors():
        device = remote_device(handle.dev)
        device.on("lost", on_lost)
        try:
            with SpawnGate(device, target.package, agent, choose) as gate:
                ready()
                gate.serve(stop, report)
        except (frida.TransportError, frida.InvalidOperationError) as e:
            lost.append(str(e))
        finally:
            with contextlib.suppress(Exception):
                device.off("lost", on_lost)
    if lost:
        raise HookError(
            f"lost the connection to frida-server on {target.serial} ({lost[0]}); "
            f"starts of {target.package} are no longer gated",
            hint=f"check frida-server on the device and run 'clone guard {target.package}' again",
        )
