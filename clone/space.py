"""``Space``: the Python API over one ``$CLONE_HOME`` (what the CLI and QA scripts use)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from clone.home import DEFAULT_COUNT, DEFAULT_TEMPLATE, Home
from clone.registry_file import MAX_INDEX

# typing's, without importing typing: ``clone list`` on an empty registry loads neither it
# nor the registry's model (clone.registry, clone.state), only the file (clone.registry_file)
TYPE_CHECKING = False
if TYPE_CHECKING:
    import threading

    from clone.faces import AppFace
    from clone.handle import Clone
    from clone.registry import CloneRecord, Registry
    from clone.workflows.build import BuildRequest, BuildResult
    from clone.workflows.device_policy import DeviceUpdate
    from clone.workflows.doctor import DeviceReport
    from clone.workflows.listing import CloneRow
    from clone.workflows.supervisors import SupervisorInfo
    from clone.workflows.transfer import ExportResult, ImportResult, Progress
    from device.model import DeviceInfo
    from hooks.spawn_gate import GatedStart
    from identity import Account, Identity


class Space:
    """All clones recorded under one state directory.

    ``Space()`` uses ``$CLONE_HOME`` (or the platform default); ``Space(home=path)`` another.
    Creating a Space touches nothing on disk; the registry opens on first use.
    ``require_boundary=True``: a host clone's run fails (BoundaryMissing, exit 1) where the
    kernel cannot give it the kernel boundary (no Landlock), instead of a warning.
    """

    MAX_INDEX = MAX_INDEX  # the largest clone number N (``APP:N``, ``--clone``)

    def __init__(self, home: Path | str | None = None, *, require_boundary: bool = False) -> None:
        self.home = Home(Path(home).expanduser().absolute()) if home else Home.from_env()
        self.require_boundary = require_boundary
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from clone.registry import Registry

            self.home.ensure()
            self._registry = Registry(self.home.registry_path)
        return self._registry

    def has_clones(self) -> bool:
        """Whether any clone is registered, asked of the registry's file without loading its
        model (what ``clone list`` asks first: an empty registry is answered without click)."""
        if self._registry is not None:
            return bool(self._registry.clones())
        from contextlib import closing

        from clone.registry_file import has_clones, open_registry

        self.home.ensure()
        with closing(open_registry(self.home.registry_path)) as db:
            return has_clones(db)

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()
            self._registry = None

    def __enter__(self) -> Space:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def records(self) -> list[CloneRecord]:
        """Every registered clone, ordered by app and index."""
        return self.registry.clones()

    def record(self, name: str) -> CloneRecord:
        """One clone by ``APP:N`` or package name; NotFound (exit 2) if unknown."""
        return self.registry.get(name)

    def build(
        self,
        apk: Path | str | Sequence[Path | str],
        count: int = DEFAULT_COUNT,
        out: Path | str = "dist",
        *,
        name_template: str = DEFAULT_TEMPLATE,
        hooks: str = "gadget",
        gadget_dir: Path | str | None = None,
        key: Path | str | None = None,
        cert: Path | str | None = None,
        key_password: str | None = None,
        seed: int | None = None,
        force: bool = False,
        advance: Callable[[int], None] | None = None,
    ) -> BuildResult:
        """Write ``count`` signed clone APKs of ``apk`` into ``out``, all or nothing; a clone
        APK already in ``out`` is replaced only with ``force`` (else BadInput).

        ``hooks="gadget"`` embeds the hook payload (Gadgets from ``gadget_dir`` or the cache),
        each clone with its own identity (from ``seed`` when given); ``"none"`` embeds nothing.
        """
        from clone.workflows.build import BuildRequest
        from clone.workflows.payload import parse_hook_mode

        paths = (apk,) if isinstance(apk, str | Path) else tuple(apk)
        request = BuildRequest(
            apks=tuple(Path(p) for p in paths),
            count=count,
            out=Path(out),
            name_template=name_template,
            hooks=parse_hook_mode(hooks),
            gadget_dir=Path(gadget_dir) if gadget_dir else None,
            key=Path(key) if key else None,
            cert=Path(cert) if cert else None,
            key_password=key_password,
            seed=seed,
            force=force,
        )
        return self.build_request(request, advance)

    def build_request(
        self, request: BuildRequest, advance: Callable[[int], None] | None = None
    ) -> BuildResult:
        """``build`` from a prepared request (what ``clone build`` calls)."""
        from clone.workflows.build import build

        return build(self.home, request, advance)

    def install(
        self,
        apk: Path | str,
        count: int = DEFAULT_COUNT,
        device: str | None = None,
        backend: str = "package",
        *,
        adb: str | None = None,
        frida_server: Path | str | None = None,
        hooks: str = "gadget",
        gadget_dir: Path | str | None = None,
        seed: int | None = None,
        advance: Callable[[int], None] = lambda n: None,
    ) -> list[Clone]:
        """Build and install ``count`` clones of ``apk`` on a device, all or nothing; with
        ``seed``, clone ``n`` gets the same identity on every install."""
        from clone.handle import Clone
        from clone.workflows.install import InstallRequest, install, parse_backend

        request = InstallRequest(
            apk=Path(apk),
            count=count,
            device=device,
            backend=parse_backend(backend),
            adb=adb,
            frida_server=Path(frida_server) if frida_server else None,
            hooks=hooks,
            gadget_dir=Path(gadget_dir) if gadget_dir else None,
            seed=seed,
        )
        records = install(self.registry, self.home.root, request, advance)
        return [Clone(self, r, adb) for r in records]

    def get(self, name: str, *, adb: str | None = None) -> Clone:
        """A handle on clone ``name`` (``APP:N`` or package), whatever its backend."""
        from clone.handle import Clone

        return Clone(self, self.registry.get(name), adb)

    def host_clone(self, app: str, index: int, data: Sequence[Path | str]) -> Clone:
        """Host clone ``app:index`` (registered now, with an identity, if new; else its
        ``data`` must be the paths it was registered with); ``.run(argv)`` runs a program."""
        from clone.handle import Clone
        from clone.workflows.host import host_clone

        return Clone(self, host_clone(self.registry, self.home, app, index, data))

    def run_host(
        self,
        app: str,
        index: int,
        data: Sequence[Path | str],
        argv: Sequence[str],
        *,
        trace: Path | None = None,
        tell: Callable[[str], None] | None = None,
    ) -> int:
        """``clone host run``: run ``argv`` as host clone ``app:index`` in this process, with
        its stdio; the program's exit status (``Clone.run`` is the API's way). ``tell``
        gets one line if the run goes on after the program exited (processes it left), and
        the warning of a kernel without Landlock (an error if ``require_boundary``)."""
        from clone.workflows.host import parse_host_spec, run_host_command, still_running

        spec = parse_host_spec(app, index, data)
        say = tell
        return run_host_command(
            lambda: self.registry, self.home, spec, argv, trace_file=trace,
            on_running=(lambda status, pids: say(still_running(status, pids))) if say else None,
            require_boundary=self.require_boundary, on_warning=say,
        )  # fmt: skip

    def supervisors(self) -> list[SupervisorInfo]:
        """The shared supervisors of this home's host runs (``clone host supervisor``)."""
        from clone.workflows.supervisors import supervisors

        return supervisors(self.home.check())

    def why_not_shared(self) -> str | None:
        """Why host runs here are each supervised by their own process rather than by the
        home's shared supervisor (Yama, or ``CLONE_SUPERVISOR=in-process``); None if not."""
        from clone.workflows.supervisors import why_not_shared

        return why_not_shared()

    def stop_supervisors(self) -> list[SupervisorInfo]:
        """Has this home's shared supervisors take no more runs (the next run starts a new
        one); each leaves once the runs it took have ended (``clone host supervisor
        --stop``). What each said: ``stopped`` if gone already, else ``retiring``."""
        from clone.workflows.supervisors import retire_supervisors

        return retire_supervisors(self.home.check())

    @staticmethod
    def check_adb(value: str) -> str:
        """An ``--adb HOST:PORT`` value, checked (BadInput naming what is wrong)."""
        from clone.workflows.adb_option import parse_adb_option

        parse_adb_option(value)
        return value

    @staticmethod
    def adb_server(adb: str | None = None) -> str:
        """``HOST:PORT`` of the adb server ``adb`` names, or of the one adb itself would
        use (``$ANDROID_ADB_SERVER_HOST``/``_PORT``, else 127.0.0.1:5037)."""
        from clone.workflows.adb_option import parse_adb_option
        from device.server import server_from_env

        return str(parse_adb_option(adb) or server_from_env())

    def list_clones(self, adb: str | None = None) -> list[CloneRow]:
        """Every clone with its state on its device (``clone list``); devices are asked
        once each, host clones not at all."""
        from clone.workflows.listing import list_clones

        return list_clones(self.records(), adb)

    @staticmethod
    def devices(adb: str | None = None) -> list[DeviceInfo]:
        """The devices the adb server sees (``clone devices``)."""
        from clone.workflows.device_access import list_devices

        return list_devices(adb)

    def device_apps(self, device: str | None = None, adb: str | None = None) -> list[str]:
        """The apps the user installed on ``device`` (the only one when None), sorted,
        without the clones this registry installed there: what a new clone can be made of."""
        from clone.workflows.device_apps import device_apps

        return device_apps(self.registry, device, adb)

    @staticmethod
    def pull_app(
        package: str,
        dest: Path | str,
        device: str | None = None,
        adb: str | None = None,
        *,
        progress: Progress | None = None,
    ) -> Path:
        """Pull the APKs of the installed ``package`` into the new directory ``dest``; the
        path ``install`` then takes (the base APK, or ``dest`` for a split set).
        ``progress("pulling PKG from SERIAL", files)`` advances by one per file."""
        from clone.workflows.device_apps import pull_app

        return pull_app(package, Path(dest), device, adb, progress)

    def guard(
        self,
        app: str,
        stop: threading.Event,
        report: Callable[[GatedStart], None],
        device: str | None = None,
        adb: str | None = None,
        ready: Callable[[str, str], None] = lambda package, serial: None,
    ) -> None:
        """Hold every start of ``app``'s virtual clones on their device (``device`` when
        they are on several) until ``stop`` is set: each runs hooked as the active clone,
        or is killed when none is (``clone guard``). ``report`` gets each gated start,
        ``ready(package, serial)`` is called once the gate holds. HookError when the
        connection to frida-server is lost."""
        from clone.backends.base import Where
        from clone.workflows.guard import guard_target, hold_gate

        target = guard_target(self.records(), app, device)
        where = Where(self.registry, self.home, adb, self.require_boundary)
        hold_gate(where, target, stop, report, lambda: ready(target.package, target.serial))

    def app_face(self, app: str) -> AppFace:
        """The label and icon kept for ``app`` (the APP of ``APP:N``) when its clones were
        installed; empty (a letter avatar) for one installed before, or a host clone."""
        from clone.faces import read_face

        return read_face(self.home, app)

    def keep_app_face(self, apk: Path | str) -> AppFace | None:
        """Read the label and icon of the base APK ``apk`` and keep them for its app (what
        ``install`` does); None if it cannot be read."""
        from clone.faces import keep_face

        return keep_face(self.home, Path(apk))

    def doctor(self, adb: str | None = None) -> list[DeviceReport]:
        """What each connected device can do (``clone doctor``): adb state, Android version,
        ABI, root, frida-server, multi-user; NoDevice when none is connected."""
        from clone.workflows.doctor import doctor

        return doctor(self.home, adb)

    def identity(self, clone: CloneRecord | str) -> Identity:
        """The identity clone ``clone`` (a record, a ``Clone`` or its name) answers with."""
        from clone.workflows.identity import load_identity

        return load_identity(self.registry, _clone_name(clone))

    def regen_identity(self, clone: CloneRecord | str, seed: int | None = None) -> Identity:
        """Give ``clone`` a new identity; the same ``seed`` gives the same identity."""
        from clone.workflows.identity import regen_identity

        return regen_identity(self.registry, _clone_name(clone), seed)

    def set_identity(self, clone: CloneRecord | str, field: str, value: str) -> Identity:
        """Set one validated identity field of ``clone``; BadInput leaves it unchanged."""
        from clone.workflows.identity import set_identity_field

        return set_identity_field(self.registry, _clone_name(clone), field, value)

    def update_device(self, clone: CloneRecord | str, adb: str | None = None) -> DeviceUpdate:
        """Take ``clone``'s identity and accounts, as changed by ``regen_identity``,
        ``set_identity``, ``add_account`` or ``remove_account``, to its phone: a package
        clone is rebuilt with them and reinstalled keeping its data (see DeviceUpdate)."""
        from clone.workflows.device_policy import update_device

        record = self.registry.get(_clone_name(clone))
        return update_device(self.registry, self.home, record, adb)

    def accounts(self, clone: CloneRecord | str) -> list[Account]:
        """The accounts ``clone`` serves to its app."""
        from clone.workflows.identity import list_accounts

        return list_accounts(self.registry, _clone_name(clone))

    def add_account(self, clone: CloneRecord | str, type_: str, name: str) -> Account:
        from clone.workflows.identity import add_account

        return add_account(self.registry, _clone_name(clone), type_, name)

    def remove_account(self, clone: CloneRecord | str, type_: str, name: str) -> None:
        from clone.workflows.identity import remove_account

        remove_account(self.registry, _clone_name(clone), type_, name)

    def export_clone(
        self, name: str, path: Path | str, *, force: bool = False, progress: Progress | None = None
    ) -> ExportResult:
        """Write clone ``name`` to the archive ``path`` (whole or not at all; an existing
        file only with ``force``); a device clone's app data stays on its phone.

        ``progress("exporting APP:N", total)`` is opened around the writing, once the clone
        was read; its ``advance`` calls add up to ``total``, the bytes of the store's files.
        """
        from clone.workflows.transfer import finish_export, no_progress, prepare_export

        prepared = prepare_export(self.registry, self.home, name, Path(path), force=force)
        label = f"exporting {prepared.record.name}"
        with (progress or no_progress)(label, prepared.bytes) as advance:
            return finish_export(prepared, advance)

    def import_clone(
        self, path: Path | str, as_name: str | None = None, *, progress: Progress | None = None
    ) -> ImportResult:
        """Register the clone exported in ``path`` (as ``as_name``, ``APP:N``, if given);
        the archive is checked whole before anything changes.

        ``progress("importing APP:N", total)`` is opened once the archive was checked; its
        ``advance`` calls add up to ``total``, the bytes of the store's files.
        """
        from clone.workflows.transfer import (
            check_signing_key,
            finish_import,
            no_progress,
            prepare_import,
        )

        prepared = prepare_import(Path(path), as_name)  # touches nothing, not even the home
        check_signing_key(self.home, prepared)  # nor does this (the registry is not opened)
        label = f"importing {prepared.record.name}"
        with (progress or no_progress)(label, prepared.bytes) as advance:
            return finish_import(self.registry, self.home, prepared, advance)


def _clone_name(clone: object) -> str:
    """The registry name of a clone given as a name, a ``CloneRecord`` or a ``Clone``."""
    if isinstance(clone, str):
        return clone
    name = getattr(clone, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"not a clone or clone name: {clone!r}")
    return name
