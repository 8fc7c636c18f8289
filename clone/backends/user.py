"""The user backend: the app made available to one new Android user per clone.

``launch`` puts the clone's user on screen and starts the launcher activity in it: a
managed profile is started beside the owner, a full user is switched to (the output says
which); ``wipe`` clears the app's data in that user; ``install`` makes one user per clone
(a managed profile of the owner where the device adds one, else a full user), installing
the app for user 0 first if it is not there; ``remove`` deletes the user (and the app, if the clones
installed it and this was the last of them), then forgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import adbutils

from clone.backends.base import Launched, Where
from clone.backends.on_device import OnDevice, device_of, last_of_its_kind, package_of
from clone.errors import OperationFailed
from clone.registry import CloneRecord, Registry
from clone.state import Backend, UserState
from clone.workflows import install
from clone.workflows.device_access import DeviceHandle, device_errors
from clone.workflows.install import (
    launcher_component,
    owns_source,
    quietly,
    record_all,
    undo_on_error,
)
from device import packages, users
from identity import Identity


def _state(record: CloneRecord) -> UserState:
    assert isinstance(record.state, UserState), record
    return record.state


class UserBackend(OnDevice):
    kind = Backend.USER

    def install(
        self, where: Where, job: install.InstallJob, advance: install.Advance
    ) -> list[CloneRecord]:
        return install_users(where.registry, job.handle, job.app, job.identities, advance)

    def user(self, record: CloneRecord) -> int | None:
        return _state(record).user

    def launch(self, where: Where, record: CloneRecord) -> Launched:
        """A profile's app shows beside the owner's, so the profile is started and the app
        launched in it; a full user's app shows only while that user is on screen, so the
        screen is switched to it first (a user started in the background shows nothing)."""
        handle = device_of(record, where.adb)
        state = _state(record)
        with device_errors():
            component = state.launcher or packages.resolve_launcher(
                handle.dev, package_of(record), state.user
            )
            launched = show_user(handle.dev, state.user)
            packages.launch(handle.dev, str(component), state.user)
        return launched

    def wipe(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        with device_errors():
            packages.clear(handle.dev, package_of(record), _state(record).user)

    def same_clone(self, record: CloneRecord, other: CloneRecord) -> bool:
        """The same Android user on the same phone (the clone's number is only a label)."""
        return (
            super().same_clone(record, other)
            and isinstance(other.state, UserState)
            and other.state.user == _state(record).user
        )

    def uninstall(self, where: Where, record: CloneRecord, handle: DeviceHandle) -> None:
        dev, package, state = handle.dev, package_of(record), _state(record)
        if any(u.id == state.user for u in users.users(dev)):
            users.remove_user(dev, state.user)
        if (
            last_of_its_kind(where, record)
            and state.installed_source
            and packages.is_installed(dev, package)
        ):
            packages.uninstall(dev, package)


def show_user(dev: adbutils.AdbDevice, user: int) -> Launched:
    """Make ``user``'s apps visible: start it beside its parent if it is a profile, else
    switch the screen to it (unless it is on screen already)."""
    found = next((u for u in users.users(dev) if u.id == user), None)
    if found is not None and found.is_profile:
        users.start_user(dev, user)
        return Launched("profile", f"started in profile {user}, shown beside its owner")
    current = users.current_user(dev)
    if current == user:
        return Launched("on-screen", f"started in user {user}, which is on screen")
    users.switch_user(dev, user)
    return Launched(
        "switched",
        f"switched the screen from user {current} to user {user} "
        f"(back: adb shell am switch-user {current})",
    )


def _new_user(dev: adbutils.AdbDevice, name: str) -> int:
    """A managed profile of the owner when the device adds one (its apps show beside the
    owner's), else a full user."""
    profile = users.create_profile(dev, name, parent=0)
    return profile if profile is not None else users.create_user(dev, name)


def install_users(
    registry: Registry,
    handle: DeviceHandle,
    app: install.SourceApp,
    identities: Mapping[int, Identity],
    advance: install.Advance = lambda n: None,
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
            quietly(partial(users.remove_user, dev, uid), f"adb shell pm remove-user {uid}", left)
        if installed_source:
            quietly(lambda: packages.uninstall(dev, source), f"adb uninstall {source}", left)

    records = []
    with undo_on_error(undo), device_errors():
        if not packages.is_installed(dev, source, user=0):
            packages.install(dev, source, app.files, user=0)
            installed_source = True
        for index in indices:
            uid = _new_user(dev, f"clonespace-{source}-{index}")
            created.append(uid)
            users.install_existing(dev, source, uid)
            advance(1)
            owned = installed_source or owns_source(registry, source, Backend.USER, handle.serial)
            state = UserState(uid, owned, launcher_component(source, app.launcher))
            records.append(
                CloneRecord(source, index, Backend.USER, source, source, handle.serial, state=state)
            )
        record_all(registry, records, {r.name: identities[r.index] for r in records})
    return records


BACKEND = UserBackend()
