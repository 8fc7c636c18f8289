"""Host clones: a Linux program run as clone ``APP:N`` under the hook engine.

The k-th ``--data PATH`` of the clone is served from ``$CLONE_HOME/store/host/APP/N/data/<k>``
(``vfs_redirect.layouts.host_layout``), ``/etc/machine-id`` from the clone's own file, and
the rest of ``$CLONE_HOME`` is out of reach. The clone is registered (with an identity) on
first use; later runs must name the same data paths in the same order, so ``data/<k>``
always holds the same directory's files.

The runs of one ``$CLONE_HOME`` are instrumented by one shared supervisor process
(``hooks.supervisor``) where it can take them, and otherwise each by its own ``clone``
process (``$CLONE_SUPERVISOR``: ``auto``, the default, falls back in-process silently;
``shared`` says so in a warning; ``in-process`` never shares).

Exit statuses of ``clone host run`` follow env(1): the program's own status, or 125 when
Clonespace failed, 126 when the program cannot be run, 127 when it is not found; bad input
is 2 like every other command.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from clone.errors import (
    BadInput,
    BoundaryMissing,
    CannotRun,
    CloneError,
    CommandNotFound,
    HostToolFailed,
    OperationFailed,
    ProgramLostProcesses,
)
from clone.home import Home
from clone.registry import MAX_INDEX, Backend, CloneRecord, Registry, parse_app_name
from clone.state import HostState
from clone.workflows.identity import assign_identity, identity_policy
from vfs_redirect.layouts import MACHINE_ID_PATHS, HostStore, Layout, host_layout
from vfs_redirect.paths import parse_absolute
from vfs_redirect.rules import Policy, make_policy

if TYPE_CHECKING:
    from hooks.boundary import Boundary


@dataclass(frozen=True)
class HostSpec:
    """A parsed request for host clone ``app:index`` with its data paths (canonical)."""

    app: str
    index: int
    data: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.app}:{self.index}"


def parse_host_spec(app: str, index: int, data: Sequence[str | os.PathLike[str]]) -> HostSpec:
    """Check the app name, index and data paths; BadInput (exit 2) naming what is wrong."""
    try:
        name = parse_app_name(app)
        if index < 1:
            raise ValueError(f"bad clone index {index!r}: counting starts at 1")
        if index > MAX_INDEX:
            raise ValueError(f"bad clone index {index!r}: at most {MAX_INDEX}")
        if not data:
            raise ValueError("no data paths: give at least one --data PATH")
        paths = tuple(parse_absolute(os.fspath(p)) for p in data)
        for path in paths:
            _check_data_path(path)
    except ValueError as e:
        raise BadInput(str(e)) from e
    return HostSpec(name, index, paths)


_KERNEL_TREES = ("/proc", "/sys", "/dev")
SUPERVISOR_ENV = "CLONE_SUPERVISOR"
SUPERVISOR_MODES = ("auto", "shared", "in-process")


def supervisor_mode() -> str:
    """Who instruments a run (``$CLONE_SUPERVISOR``): ``auto`` (unset: the shared supervisor
    where it can, else this process, silently), ``shared`` (the same, with a warning when it
    falls back) or ``in-process`` (this process). BadInput for any other value, and, unless
    in-process, for a bad ``$CLONE_SUPERVISOR_IDLE_S`` (the supervisor this run may start
    reads it)."""
    mode = os.environ.get(SUPERVISOR_ENV) or SUPERVISOR_MODES[0]
    if mode not in SUPERVISOR_MODES:
        raise BadInput(
            f"bad {SUPERVISOR_ENV} {mode!r}",
            hint=f"set it to one of: {', '.join(SUPERVISOR_MODES)}, or unset it (auto)",
        )
    if mode != "in-process":
        from hooks.supervisor.reach import IDLE_ENV, idle_seconds

        try:
            idle_seconds()
        except ValueError:
            raise BadInput(
                f"bad {IDLE_ENV} {os.environ.get(IDLE_ENV)!r}",
                hint="set it to a number of seconds above 0, or unset it (60)",
            ) from None
    return mode


def _check_data_path(path: str) -> None:
    """A data path is a directory (or not there yet), not a file, a FIFO or a kernel tree."""
    real = os.path.realpath(path)
    for tree in _KERNEL_TREES:
        if real == tree or real.startswith(tree + "/"):
            raise ValueError(f"--data {path!r} is in {tree}: give a directory of your own")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise ValueError(f"--data {path!r} is not a directory")


def host_store_of(home: Home, app: str, index: int) -> HostStore:
    """The store of host clone ``APP:N`` under ``home`` (its layout: ``HostStore``)."""
    return HostStore.of(str(home.root), app, index)


def store_path(home: Home, app: str, index: int) -> Path:
    """``$CLONE_HOME/store/host/APP/N`` (what wipe/remove of a host clone must delete)."""
    return Path(host_store_of(home, app, index).root)


def open_host_clone(registry: Registry, home: Home, spec: HostSpec) -> CloneRecord:
    """The registered clone ``spec.name``, registered now (with an identity) if new."""
    record = registry.find(spec.name)
    if record is None:
        return _register(registry, home, spec)
    if record.backend is not Backend.HOST:
        raise BadInput(
            f"clone {spec.name} is a {record.backend.value} clone, not a host clone",
            hint="pick another --app or --clone",
        )
    known = list(record.state.data) if isinstance(record.state, HostState) else []
    if known != list(spec.data):
        raise BadInput(
            f"clone {spec.name} was registered with --data {' '.join(known)}",
            hint=f"give the same --data paths in that order, or 'clone remove {spec.name}'",
        )
    return record


def build_policy(registry: Registry, home: Home, spec: HostSpec, *, trace: bool) -> Policy:
    """The agent policy of host clone ``spec`` (its identity and accounts included)."""
    layout = _layout(home, spec)
    extra = identity_policy(registry, spec.name)
    try:
        return make_policy(
            spec.name,
            "linux",
            layout.redirects,
            layout.deny,
            identity=extra["identity"],
            accounts=extra["accounts"],
            trace=trace,
        )
    except ValueError as e:
        raise BadInput(str(e)) from e


def prepare_store(home: Home, spec: HostSpec, policy: Policy) -> None:
    """Create the clone's data roots and write its ``machine-id`` file."""
    store = host_store_of(home, spec.app, spec.index)
    try:
        for k in range(len(spec.data)):
            Path(store.data(k)).mkdir(parents=True, exist_ok=True)
        machine_id = str(policy.identity.get("machine_id", ""))
        if machine_id:
            _write_if_changed(Path(store.machine_id), machine_id + "\n")
    except OSError as e:
        raise OperationFailed(f"cannot prepare the store of {spec.name}: {e}") from e


def run_host_command(
    open_registry: Callable[[], Registry],
    home: Home,
    spec: HostSpec,
    argv: Sequence[str],
    *,
    trace_file: Path | None = None,
    on_running: Callable[[int, list[int]], None] | None = None,
    require_boundary: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> int:
    """Run ``argv`` as clone ``spec`` with inherited stdio; return the program's status once
    it and every process it started have exited (``on_running`` as ``hooks.runner.run``).

    The run is inside the kernel boundary (``hooks.boundary``). Where the kernel has no
    Landlock, ``require_boundary`` makes that a BoundaryMissing error (exit 1) before
    anything is registered; otherwise ``on_warning`` gets one line and the run goes on
    with seccomp and the hooks only. ``open_registry`` is called once those checks (and
    those of the command and ``$CLONE_SUPERVISOR``) pass: a run refused by them leaves no
    trace, not even the home it would have made."""
    if not argv:
        raise BadInput("no command given", hint="put it after '--': clone host run … -- CMD")
    from hooks.procfs import statically_linked

    mode = supervisor_mode()
    program = resolve_program(argv[0])  # 127/126 before anything is registered
    _refuse_start_inside_home(home, spec)
    _check_boundary(require_boundary, on_warning)
    with _trace_sink(trace_file) as on_event:
        registry = open_registry()
        new = registry.find(spec.name) is None
        try:
            open_host_clone(registry, home, spec)
        except OperationFailed as e:
            raise HostToolFailed(str(e)) from e
        try:
            policy = build_policy(registry, home, spec, trace=on_event is not None)
            prepare_store(home, spec, policy)
            static = statically_linked(program)
            # a static program gets the hooks' hostname from a UTS namespace instead; a
            # hooked run gets none, since under one a static program exec'd by a hooked
            # one was not handed over by Frida (so not killed) and ran unwatched
            hostname = str(policy.identity.get("hostname", "")) if static else ""
            boundary = host_boundary(
                home, spec, require_landlock=require_boundary, hostname=hostname
            )
            if not static:
                hooked = _Hooked(policy, on_event, on_running, boundary, on_warning)
                return hooked.run(list(argv), mode, home)
            if on_warning is not None:
                on_warning(STATIC.format(name=argv[0]))
            return _run_kernel_only(list(argv), boundary)
        except CloneError as e:
            if new and not isinstance(e, ProgramLostProcesses):  # never ran: leave no clone
                _unregister(registry, home, spec)
            if isinstance(e, OperationFailed) and not isinstance(e, BoundaryMissing):
                raise HostToolFailed(str(e)) from e
            raise


STATIC = (
    "clone: note: {name} is statically linked, so the hooks cannot follow it: it runs in "
    "the kernel boundary alone, which serves it the clone's --data, machine-id and "
    "hostname (no trace, no accounts)"
)
NO_LANDLOCK = (
    "clone: warning: this kernel has no Landlock; the clone is held by the hooks and "
    "seccomp only, not by a filesystem boundary (--require-boundary makes this an error)"
)


def _check_boundary(required: bool, on_warning: Callable[[str], None] | None) -> None:
    from hooks.boundary import landlock_abi

    if landlock_abi() > 0:
        return
    if required:
        raise BoundaryMissing(
            "this kernel has no Landlock, and the run requires the kernel boundary",
            hint="run on a kernel with Landlock enabled (lsm=landlock), or drop --require-boundary",
        )
    if on_warning is not None:
        on_warning(NO_LANDLOCK)


def _refuse_start_inside_home(home: Home, spec: HostSpec) -> None:
    """CannotRun (126) for a run started in ``$CLONE_HOME`` outside the clone's own store:
    the boundary hides that tree, but a working directory already in it would stay one (a
    relative path from there would reach another clone's named sockets)."""
    where = os.path.realpath(os.getcwd())
    root = os.path.realpath(home.root)
    own = os.path.realpath(store_path(home, spec.app, spec.index))
    inside = [os.path.commonpath([where, top]) == top for top in (root, own)]
    if inside[0] and not inside[1]:
        raise CannotRun(
            f"cannot run {spec.name} from {where}: it is inside $CLONE_HOME ({root}), which "
            "the run is kept out of",
            hint="cd to a directory outside $CLONE_HOME (its data paths are fine)",
        )


def host_boundary(
    home: Home, spec: HostSpec, *, require_landlock: bool = False, hostname: str = ""
) -> Boundary:
    """The kernel boundary of a run of ``spec``: out of ``$CLONE_HOME`` and the real data
    paths (as the kernel resolves them), except the clone's own store; and the kernel
    serving the layout's redirects itself: each data path shows the store's ``data/<k>``
    and the machine-id files the store's, and its UTS namespace is named ``hostname``, to
    what the hooks never see too."""
    from hooks.boundary import Boundary

    store = host_store_of(home, spec.app, spec.index)
    own = os.path.realpath(store.root)
    data = [os.path.realpath(p) for p in spec.data]
    served = {real: os.path.realpath(store.data(k)) for k, real in enumerate(data)}
    if os.path.isfile(store.machine_id):
        for path in MACHINE_ID_PATHS:
            real = os.path.realpath(path)
            if os.path.isfile(real):
                served.setdefault(real, os.path.realpath(store.machine_id))
    keep_out = [os.path.realpath(home.root), *data]
    return Boundary(
        tuple(dict.fromkeys(keep_out)),
        (own,),
        require_landlock,
        tuple((src, real) for real, src in served.items()),
        hostname,
    )


def resolve_program(name: str) -> str:
    """``name`` looked up like execvp; CommandNotFound (127) or CannotRun (126)."""
    found = shutil.which(name)
    if found is not None:
        return found
    if "/" in name and os.path.exists(name):
        what = "a directory" if os.path.isdir(name) else "not executable"
        raise CannotRun(f"cannot run {name!r}: it is {what}")
    raise CommandNotFound(f"command not found: {name!r}", hint="check the name and PATH")


def still_running(status: int, pids: list[int]) -> str:
    """Why a run goes on after the program exited: the processes it left (one line)."""
    listed = ", ".join(map(str, pids))
    return (
        f"clone: the command exited ({status}); waiting for the {len(pids)} process"
        f"{'es' if len(pids) > 1 else ''} it left running (pid {listed})"
    )


def host_clone(
    registry: Registry, home: Home, app: str, index: int, data: Sequence[str | os.PathLike[str]]
) -> CloneRecord:
    """``Space.host_clone``: register (or check) clone ``app:index``; its record."""
    return open_host_clone(registry, home, parse_host_spec(app, index, data))


def _layout(home: Home, spec: HostSpec) -> Layout:
    root = str(home.root)
    resolved = os.path.realpath(root)
    aliases = [(k, os.path.realpath(p)) for k, p in enumerate(spec.data)]
    try:
        return host_layout(
            root,
            spec.app,
            spec.index,
            spec.data,
            extra_home_spellings=[resolved],
            data_aliases=[(k, a) for k, a in aliases if a != spec.data[k]],
        )
    except ValueError as e:
        raise BadInput(str(e)) from e


def _register(registry: Registry, home: Home, spec: HostSpec) -> CloneRecord:
    _layout(home, spec)  # bad data paths fail before anything is written
    store = store_path(home, spec.app, spec.index)
    record = CloneRecord(
        app=spec.app,
        index=spec.index,
        backend=Backend.HOST,
        source_package=spec.app,
        state=HostState(spec.data),
    )
    try:
        with registry.transaction():
            registry.add(record)
            assign_identity(registry, record)
            # A store left by a removed clone of the same name is not this clone's.
            shutil.rmtree(store, ignore_errors=True)
            store.mkdir(parents=True)
    except OSError as e:
        raise OperationFailed(f"cannot create the store of {spec.name}: {e}") from e
    return record


def _unregister(registry: Registry, home: Home, spec: HostSpec) -> None:
    if registry.find(spec.name) is not None:
        registry.remove(spec.name)
    store = store_path(home, spec.app, spec.index)
    shutil.rmtree(store, ignore_errors=True)
    with contextlib.suppress(OSError):
        store.parent.rmdir()  # the app's directory, if this was its only clone


@dataclass(frozen=True)
class _Hooked:
    """A run under the hook engine: supervised in-process, or by the shared supervisor."""

    policy: Policy
    on_event: Callable[[dict[str, Any]], None] | None
    on_running: Callable[[int, list[int]], None] | None
    boundary: Boundary
    on_warning: Callable[[str], None] | None

    def run(self, argv: list[str], mode: str, home: Home) -> int:
        """Runs ``argv``; by the shared supervisor of ``home`` unless ``mode`` is in-process
        (see ``supervisor_mode``). (Each way imported only when taken: a shared run's
        ``clone`` process holds no Frida.)"""
        from hooks.errors import SupervisorUnavailable

        policy = self.policy.to_agent_json()
        with _hook_errors(argv):
            if mode != "in-process":
                from hooks.supervisor.client import run_shared

                try:
                    return run_shared(
                        argv,
                        policy,
                        home=home.root,
                        on_event=self.on_event,
                        on_running=self.on_running,
                        boundary=self.boundary,
                    )
                except SupervisorUnavailable as e:
                    if mode == "shared" and self.on_warning is not None:
                        self.on_warning(f"clone: warning: {e}; this run is supervised in-process")
            from hooks.runner import run

            return run(
                argv,
                policy,
                on_event=self.on_event,
                on_running=self.on_running,
                boundary=self.boundary,
            )


HAND_OVER_FROZE = (
    "Frida froze handing a new process over (Frida's bug, not the program's: it hits 1 to 3"
    " forks in 1,000); run the command again"
)


@contextmanager
def _hook_errors(argv: list[str]) -> Iterator[None]:
    """The hook engine's errors as ``clone.errors``."""
    from hooks.errors import (
        BoundaryUnavailable,
        HandOverFroze,
        HookEngineError,
        ProcessesLost,
        ProgramNotExecutable,
        ProgramNotFound,
        ProgramStatic,
    )

    try:
        yield
    except BoundaryUnavailable as e:
        raise BoundaryMissing(str(e)) from e
    except ProgramNotFound as e:
        raise CommandNotFound(f"command not found: {argv[0]!r}") from e
    except ProgramNotExecutable as e:
        raise CannotRun(f"cannot run {argv[0]!r}: it is not executable") from e
    except ProgramStatic as e:
        raise CannotRun(f"cannot run {argv[0]!r} as a clone: {e}") from e
    except ProcessesLost as e:
        hint = HAND_OVER_FROZE if e.froze else None
        raise ProgramLostProcesses(f"the hook engine failed: {e}", hint=hint) from e
    except HandOverFroze as e:
        raise HostToolFailed(f"the hook engine failed: {e}", hint=HAND_OVER_FROZE) from e
    except (HookEngineError, ValueError) as e:
        raise HostToolFailed(f"the hook engine failed: {e}") from e


def _run_kernel_only(argv: list[str], boundary: Boundary) -> int:
    from hooks.errors import BoundaryUnavailable, HookEngineError
    from hooks.kernel_run import run_kernel_only

    try:
        return run_kernel_only(argv, boundary)
    except BoundaryUnavailable as e:
        raise BoundaryMissing(str(e)) from e
    except HookEngineError as e:
        raise HostToolFailed(f"the kernel boundary failed: {e}") from e


@contextmanager
def _trace_sink(path: Path | None) -> Iterator[Callable[[dict[str, Any]], None] | None]:
    if path is None:
        yield None
        return
    try:
        stream: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        raise BadInput(f"cannot write the trace file {str(path)!r}: {e.strerror}") from e
    lock = threading.Lock()

    def on_event(event: dict[str, Any]) -> None:
        line = json.dumps(event, sort_keys=True)
        with lock:
            stream.write(line + "\n")

    with stream:
        yield on_event


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        pass
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
