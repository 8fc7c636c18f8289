"""A changed identity or account list, taken to the clone on the phone.

A package clone carries its policy (identity, accounts) inside its APK, in each
``lib/<abi>/lib<name>.config.so``, frozen at build time. After ``clone identity regen/set``
or ``clone accounts add/remove`` the installed clone is pulled from the phone, those configs
are replaced by the registry's policy, the APK is signed again with the clone's own key
(``$CLONE_HOME/keys/clones/<app>/<n>.pem``) and installed over the old one (``pm install
-r``: its data stays); the app answers with the new identity from its next start.

The other backends need nothing on the phone: a virtual clone gets its policy from
``clone launch``, a host clone from its next run; a user clone has no hooks to tell.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clone.errors import NoDevice, OperationFailed
from clone.home import Home
from clone.registry import CloneRecord, Registry
from clone.state import Backend, PackageState
from clone.workflows.identity import identity_policy


@dataclass(frozen=True)
class DeviceUpdate:
    """What a policy change did on the phone: ``reinstalled`` the clone, or why not."""

    clone: str
    backend: str
    device: str | None
    reinstalled: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "device": self.device,
            "reinstalled": self.reinstalled,
            "message": self.message,
        }


def update_device(
    registry: Registry, home: Home, record: CloneRecord, adb: str | None = None
) -> DeviceUpdate:
    """Take clone ``record``'s policy (as the registry now has it) to its phone."""
    if record.backend is not Backend.PACKAGE:
        return _unchanged(record, _ELSEWHERE[record.backend])
    state = record.state
    assert isinstance(state, PackageState)
    if (state.hooks or {}).get("mode") == "none":
        return _unchanged(record, "nothing to change on the phone: the clone has no hooks")
    from clone.backends.on_device import device_of, package_of
    from clone.workflows.device_access import device_errors
    from device import packages

    try:
        handle = device_of(record, adb)
    except NoDevice:
        return _unchanged(
            record,
            f"not on the phone yet: {record.device} is not connected; run "
            f"'clone identity push {record.name}' once it is",
        )
    package = package_of(record)
    with device_errors(), tempfile.TemporaryDirectory(prefix="clonespace-push-") as tmp:
        if not packages.is_installed(handle.dev, package):
            return _unchanged(record, f"{package} is not installed on {handle.serial}")
        remote = packages.apk_paths(handle.dev, package)
        local = [
            packages.pull(handle.dev, path, Path(tmp) / f"{i}.apk") for i, path in enumerate(remote)
        ]
        base = local[0]
        base.write_bytes(_with_policy(home, record, base.read_bytes(), registry))
        packages.install(handle.dev, package, local, replace=True)
    return DeviceUpdate(
        record.name,
        record.backend.value,
        handle.serial,
        True,
        f"reinstalled {package} on {handle.serial} with the new policy (install -r: its data "
        "kept); it answers with it from its next start",
    )


_ELSEWHERE = {
    Backend.VIRTUAL: "nothing to reinstall: 'clone launch' gives the app the new policy",
    Backend.HOST: "nothing on a phone: the clone's next run uses it",
    Backend.USER: "nothing on the phone answers with it: a user clone runs the app unhooked",
}


def _unchanged(record: CloneRecord, message: str) -> DeviceUpdate:
    return DeviceUpdate(record.name, record.backend.value, record.device, False, message)


def _with_policy(home: Home, record: CloneRecord, apk: bytes, registry: Registry) -> bytes:
    """The pulled clone APK with the registry's policy in every config, signed again with
    the clone's own key (refused when the installed clone was signed with another)."""
    from apk.resign import replace_entries
    from apk.signing.keys import clone_key_file, load_or_create
    from apk.signing.verify import verify_apk
    from apk.zip_read import parse_zip
    from hooks.payload.config import ConfigError, PayloadNames, gadget_config, parse_config

    unchanged = (
        f"the clone on {record.device} keeps its old policy",
        f"reinstall it ('clone remove {record.name}', then 'clone install') to sign it anew",
    )
    key_file = home.keys_dir / clone_key_file(record.source_package, record.index)
    report = verify_apk(apk)
    signer = report.v3 or report.v2
    if not key_file.is_file():
        raise OperationFailed(
            f"{record.name} was not signed with a key of this CLONE_HOME ({key_file} is "
            f"missing: built with --key or by an earlier release); {unchanged[0]}",
            hint=unchanged[1],
        )
    key = load_or_create(home.keys_dir, clone_key_file(record.source_package, record.index))
    if signer is None or signer.certificate_der != key.certificate_der:
        raise OperationFailed(
            f"the installed {record.name} is not signed with its key {key_file}; {unchanged[0]}",
            hint=unchanged[1],
        )
    archive = parse_zip(apk)
    policy = identity_policy(registry, record.name)
    replacements: dict[str, bytes] = {}
    for name in archive.names:
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != "lib" or not parts[2].endswith(".config.so"):
            continue
        try:
            config = parse_config(archive.read(name))
            parameters = {**config["interaction"]["parameters"], **policy}
            library = parts[2].removeprefix("lib").removesuffix(".config.so")
            replacements[name] = gadget_config(PayloadNames(library), parameters)
        except (ConfigError, KeyError, TypeError) as e:
            raise OperationFailed(f"{name} of the installed {record.name}: {e}") from e
    if not replacements:
        raise OperationFailed(f"the installed {record.name} carries no hook policy to update")
    try:
        return replace_entries(apk, replacements, key, record.name)
    except ValueError as e:
        raise OperationFailed(f"cannot rebuild {record.name}: {e}") from e
