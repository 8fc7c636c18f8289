"""The user backend: the app made available to one new Android user per clone.

``launch`` starts the clone's user and the launcher activity in it; ``wipe`` clears the
app's data in that user; ``remove`` deletes the user (and the app, if the clones installed
it and this was the last of them), then forgets.
"""

from __future__ import annotations

from clone.backends.base import Where
from clone.backends.on_device import OnDevice, device_of, last_of_its_kind, package_of
from clone.registry import CloneRecord
from clone.state import Backend, UserState
from clone.workflows.device_access import DeviceHandle, device_errors
from device import packages, users


def _state(record: CloneRecord) -> UserState:
    assert isinstance(record.state, UserState), record
    return record.state


class UserBackend(OnDevice):
    kind = Backend.USER

    def user(self, record: CloneRecord) -> int | None:
        return _state(record).user

    def launch(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        state = _state(record)
        with device_errors():
            component = state.launcher or packages.resolve_launcher(
                handle.dev, package_of(record), state.user
            )
            users.start_user(handle.dev, state.user)
            packages.launch(handle.dev, str(component), state.user)

    def wipe(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        with device_errors():
            packages.clear(handle.dev, package_of(record), _state(record).user)

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


BACKEND = UserBackend()
