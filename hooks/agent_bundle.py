"""Where the built agent lives, and how it is loaded into a local process.

``make agent`` (``npm run build`` in ``hooks/agent``) writes two builds of the same sources
(package data, not committed):
- ``dist/agent.js``, frida-compile's bundle of modules: the script a clone's Gadget runs on
  Android, and the one sent to a remote device. Frida compiles its modules as they are
  imported, so a process that never imports the Android half never compiles it.
- ``dist/agent.single.js``, the same agent less its Android half, bundled by esbuild into one
  plain script. Frida can compile only such a script to bytecode (``Session.compile_script``;
  a bundle of modules compiles to its entry alone), and a process then creates the agent from
  that bytecode without compiling any JavaScript (``create_script_from_bytes``). Only host
  runs load it: the Android half (and frida-java-bridge) is a stub refusing an Android
  policy, which keeps ~1.2 MB out of every hooked process (QuickJS creates every function
  of the bytecode it loads; ``hooks/agent/scripts/bundle-single.mjs``).

The bytecode depends on the Frida version and on the agent: it is kept as
``dist/bytecode/agent-<frida version>-<machine>-<hash of agent.single.js>.qjs``, written by
``make agent`` (``python -m hooks.agent_bundle``) or, when missing, by the first process
that needs it (where ``dist/`` is writable; otherwise it stays in memory for this Python
process). A bytecode Frida refuses is dropped and the agent is compiled from source again.

The agent's C fast path (``src/fastpath/redirect.c`` and ``direct.c``) is compiled ahead of
time too, by real C compilers at ``make agent`` (``hooks.prebuilt``). Each process is handed
the one for this machine before its policy (``AgentCode.load``); the agent loads it as a
binary CModule when its key and architecture match its own, and otherwise compiles the C
with Frida's TinyCC as it always could (its ``stats()["cmodule"]`` says which). A clone's
Gadget on Android is handed none: the payload carries the module in the agent script
instead.

A kept agent on x86_64 (one a host run makes eternal) decodes the first instructions of the
libc functions it hooks, and what it decides from them depends only on libc's bytes: its
"prologue plan" (``src/fastpath/plan.ts``, ``hooks.prologue_plan``), keyed by libc's GNU
build-id. ``AgentCode`` keeps the plans it knows by build-id and hands them all, packed, to
each process before its policy; an agent whose libc has one of them has its C module carry
it out, comparing bytes instead of decoding them (``stats()`` says ``prologues: "given"``).
The plans come from ``make agent``, which records this machine's in
``dist/bytecode/prologues-<hash of agent.single.js>-<build-id>.json``, and from the first
process of a run that had none (``prologues: "computed"``; ``hooks.session`` asks it for the
plan and keeps it in memory): a libc upgraded since the build costs one process the
analysis.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hooks.errors import AgentBundleMissing
from hooks.prebuilt import CMODULES, read_prebuilt
from hooks.prologue_plan import ProloguePlan, packed_index

if TYPE_CHECKING:
    import frida

_DIST = Path(__file__).resolve().parent / "agent" / "dist"
_BUNDLE = _DIST / "agent.js"
_SINGLE = _DIST / "agent.single.js"
SCRIPT_NAME = "clonespace"
# beside agent.single.js: the fast path's C source and key, which that build does not carry
_FASTPATH_SOURCE = "agent.single.fastpath.json"
# platform.machine() -> Frida's Process.arch
_FRIDA_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "i686": "ia32", "armv7l": "arm"}


def how_to_build(bundle: Path = _BUNDLE) -> str:
    """What to do about a missing agent: in a checkout, build it; in an installed copy
    (site-packages, where no agent sources are), install a wheel that has it."""
    agent_dir = bundle.parent.parent
    if (agent_dir / "package.json").is_file():
        return "run 'make agent' (or 'npm run build' in hooks/agent)"
    return (
        "this installation has no agent: reinstall Clonespace from a wheel built in a "
        "checkout with 'pip wheel .' (that build makes the agent; it needs Node.js and npm)"
    )


def agent_path() -> Path:
    """The built agent bundle; raises AgentBundleMissing telling how to build it."""
    if not _BUNDLE.is_file():
        raise AgentBundleMissing(
            f"the Frida agent is not built ({_BUNDLE} is missing): {how_to_build()}"
        )
    return _BUNDLE


@lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int) -> str:
    del mtime_ns  # part of the cache key only: a rebuilt bundle is read again
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def _digest(path: Path, mtime_ns: int) -> str:
    """The start of the SHA-256 of ``path``'s text, read once per build; the text itself is
    not kept (a run's supervisor would hold it for its whole life)."""
    del mtime_ns  # part of the cache key only
    return hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()[:16]


def agent_source() -> str:
    """The agent's JavaScript source, read once per build."""
    path = agent_path()
    return _read(path, path.stat().st_mtime_ns)


class AgentCode:
    """The agent as loaded into processes of the local machine: from bytecode compiled once
    (see the module's docstring), or, without the single-script build, from source."""

    def __init__(
        self,
        single: Path | None = _SINGLE,
        cache_dir: Path | None = None,
        cmodules: Path = CMODULES,
        prologue_plans: bool = True,
    ) -> None:
        """``prologue_plans`` False: no plan is handed over nor learnt (every process analyses
        libc, as the first one after a libc upgrade does)."""
        self._single = single if single is not None and single.is_file() else None
        self._cache_dir = cache_dir or _DIST / "bytecode"
        self._prebuilt = _prebuilt_fast_path(cmodules)
        self._lock = threading.Lock()
        self._bytecode: bytes | None = None
        self._refused = False  # Frida refused the bytecode: source from now on
        self._use_plans = prologue_plans
        # build-id -> plan; None until the plan files were read (prologue_plans)
        self._plans: dict[str, ProloguePlan] | None = None if prologue_plans else {}
        # the plans as handed over (packed_index), made once per change
        self._plans_packed: tuple[list[dict[str, object]], bytes] | None = None

    @property
    def single(self) -> Path | None:
        """The single-script build this agent is (None: loaded from ``agent.js``'s source)."""
        return self._single

    @property
    def cache_dir(self) -> Path:
        """Where its bytecode and prologue plans are kept."""
        return self._cache_dir

    @property
    def cache_file(self) -> Path | None:
        """Where this agent's bytecode is kept for the Frida version in use (None without
        the single-script build)."""
        if self._single is None:
            return None
        import frida

        digest = _digest(self._single, self._single.stat().st_mtime_ns)
        name = f"agent-{frida.__version__}-{platform.machine()}-{digest}.qjs"
        return self._cache_dir / name

    def load(
        self,
        session: frida.Session,
        on_message: Callable[[Mapping[str, Any], bytes | None], None] | None = None,
    ) -> frida.Script:
        """The agent loaded in ``session`` (a local process), handed the prebuilt fast path
        for this machine when there is one; ready for ``rpc.init``."""
        script = self.create_script(session)
        if on_message is not None:
            script.on("message", on_message)
        script.load()
        if self._prebuilt is not None:
            offer, so = self._prebuilt
            script.post({"type": "cmodule", **offer}, so)  # before init: messages keep order
        plans = self._packed_plans()
        if plans is not None:
            # all of them: the agent takes the one for its libc (the host does not read it)
            index, data = plans
            script.post({"type": "prologues", "plans": index}, data)
        return script

    def prologue_plans(self) -> list[ProloguePlan]:
        """The prologue plans ``load`` hands over: those the build recorded (read on first use)
        and those learnt since."""
        with self._lock:
            if self._plans is None:
                self._plans = {plan.build_id: plan for plan in self._read_plan_files()}
            return list(self._plans.values())

    def _packed_plans(self) -> tuple[list[dict[str, object]], bytes] | None:
        """The plans as ``load`` posts them (``packed_index``), made once per change; None
        when there is none."""
        self.prologue_plans()  # read the recorded ones
        with self._lock:  # one lock for the plans and their packing: a plan learnt meanwhile is in
            assert self._plans is not None
            if self._plans_packed is None and self._plans:
                self._plans_packed = packed_index(list(self._plans.values()))
            return self._plans_packed

    def learn_plan(self, value: object) -> ProloguePlan | None:
        """Keeps the plan an agent computed (``prologuePlan()``) for the next processes; the
        first one for a libc build stays. None when ``value`` is not a plan."""
        plan = ProloguePlan.from_json(value)
        if plan is None or not self._use_plans:
            return None
        self.prologue_plans()  # the recorded ones first: they are not replaced
        with self._lock:
            assert self._plans is not None
            if plan.build_id not in self._plans:
                self._plans[plan.build_id] = plan
                self._plans_packed = None  # made again with it
            return self._plans[plan.build_id]

    def plan_file(self, build_id: str) -> Path | None:
        """Where the build records the plan for libc ``build_id`` (None without the
        single-script build): beside the bytecode, named after this agent build, since the
        analysis is the agent's."""
        if self._single is None:
            return None
        digest = _digest(self._single, self._single.stat().st_mtime_ns)
        return self._cache_dir / f"prologues-{digest}-{build_id}.json"

    def record_plan(self, plan: ProloguePlan) -> Path | None:
        """Writes ``plan`` to its file (``plan_file``); the path, or None when not written."""
        path = self.plan_file(plan.build_id)
        if path is None:
            return None
        _write_atomically(path, json.dumps(plan.value).encode("utf-8"))
        return path if path.is_file() else None

    def _read_plan_files(self) -> list[ProloguePlan]:
        """The plans recorded for this agent build; a file unreadable or not a plan is skipped
        (the agent then computes that plan, as without the file)."""
        pattern = self.plan_file("*")  # any build-id: a glob
        if pattern is None:
            return []
        plans = []
        for path in sorted(pattern.parent.glob(pattern.name)):
            try:
                plan = ProloguePlan.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
            if plan is not None and path == self.plan_file(plan.build_id):
                plans.append(plan)
        return plans

    @property
    def prebuilt(self) -> tuple[dict[str, str], bytes] | None:
        """The fast path compiled ahead of time that ``load`` hands over: (its arch and
        source key, the shared object), or None when the build made none for this machine."""
        return self._prebuilt

    def create_script(self, session: frida.Session) -> frida.Script:
        """The agent as a script in ``session`` (not loaded yet). From the single-script
        build's bytecode it carries no C source, and asks for it should no prebuilt module fit
        (``src/fastpath/source.ts``): the script answers with the build's
        ``agent.single.fastpath.json``."""
        bytecode = self.bytecode(session)
        if bytecode is not None:
            try:
                script = session.create_script_from_bytes(bytecode, name=SCRIPT_NAME)
            except Exception:  # a stale or damaged file: never again in this process
                with self._lock:
                    self._refused = True
            else:
                answer_source_requests(script, self._single)
                return script
        return session.create_script(agent_source(), name=SCRIPT_NAME)

    def read_kept(self) -> None:
        """Reads the bytecode kept in its file now, if there is one (so that the first
        process to load the agent does not wait for it)."""
        with self._lock:
            if self._bytecode is not None or self._refused or self._single is None:
                return
            path = self.cache_file
            assert path is not None
            with contextlib.suppress(OSError):
                self._bytecode = path.read_bytes()

    def bytecode(self, session: frida.Session) -> bytes | None:
        """The agent's bytecode: from memory, from its file, or compiled in ``session`` once
        (and kept in its file when it can be written). None without the single-script build,
        or when Frida cannot compile it."""
        with self._lock:
            if self._refused or self._single is None:
                return None
            if self._bytecode is None:
                self._bytecode = self._load_or_compile(session)
            return self._bytecode

    def _load_or_compile(self, session: frida.Session) -> bytes | None:
        path = self.cache_file
        assert path is not None and self._single is not None
        with contextlib.suppress(OSError):
            return path.read_bytes()
        try:
            text = self._single.read_text(encoding="utf-8")  # compiled once: not kept
            compiled = session.compile_script(text, name=SCRIPT_NAME)
        except Exception:
            self._refused = True
            return None
        _write_atomically(path, compiled)
        return compiled


def answer_source_requests(script: frida.Script, single: Path | None) -> None:
    """Has ``script``, created from the bytecode of the single-script build ``single``, answered
    when it asks for the fast path's C source (``src/fastpath/source.ts``): with the source and
    key the build wrote beside it, or with nothing, which the agent reports as an error."""

    def on_message(message: Mapping[str, Any], data: bytes | None) -> None:
        del data
        payload = message.get("payload")
        if message.get("type") != "send" or not isinstance(payload, dict):
            return
        if payload.get("type") == "fastpath-source":
            script.post({"type": "fastpath-source", **_fastpath_source(single)})

    script.on("message", on_message)


def _fastpath_source(single: Path | None) -> dict[str, Any]:
    """The C source beside ``single``, with its key ({}: none to read)."""
    if single is None:
        return {}
    try:
        answer = json.loads(single.with_name(_FASTPATH_SOURCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return answer if isinstance(answer, dict) else {}


def _prebuilt_fast_path(cmodules: Path) -> tuple[dict[str, str], bytes] | None:
    """The fast path compiled ahead of time for this machine: (its arch and source key, the
    shared object), or None when the build made none for it."""
    arch = _FRIDA_ARCH.get(platform.machine().lower())
    prebuilt = read_prebuilt(cmodules, [arch] if arch is not None else [])
    so = prebuilt.for_arch(arch) if prebuilt is not None and arch is not None else None
    if prebuilt is None or arch is None or so is None:
        return None
    return {"arch": arch, "key": prebuilt.key}, so


def _write_atomically(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` whole or not at all (another process may read it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError:
        return  # a read-only installation: the bytecode stays in memory
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), 0o644)  # mkstemp's 0600 would hide it from other users
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@lru_cache(maxsize=4)
def _built(single_mtime_ns: int | None) -> AgentCode:
    del single_mtime_ns  # part of the cache key only: a rebuilt agent is another AgentCode
    return AgentCode()


def built_agent() -> AgentCode:
    """This installation's agent (one per build, shared by every session of this process);
    raises AgentBundleMissing when it is not built."""
    agent_path()
    with contextlib.suppress(OSError):
        return _built(_SINGLE.stat().st_mtime_ns)
    return _built(None)


def load_agent(session: frida.Session) -> frida.Script:
    """The agent loaded in ``session`` (a local process), ready for ``rpc.init``."""
    return built_agent().load(session)


# A policy that redirects nothing, for the agent that computes this machine's prologue plan;
# `keep` as hooks.session says it to every agent of an untraced host run (a plan is only made
# by a kept agent).
_PLANNING_POLICY: dict[str, Any] = {
    "version": 1,
    "clone": "build:0",
    "platform": "linux",
    "redirects": [],
    "deny": [],
    "allow": [],
    "deny_errno": 13,
    "identity": {},
    "accounts": [],
    "trace": False,
    "keep": True,
}


def record_machine_plan(code: AgentCode, device: frida.Device) -> Path | None:
    """Computes this machine's prologue plan in a process of ``/bin/true`` spawned suspended
    (killed after) and records it (``AgentCode.record_plan``); the file, or None when the
    agent made none (not x86_64, or libc without a build-id)."""
    from hooks.rpc import AgentRpc

    pid = device.spawn(["/bin/true"])  # suspended: never runs
    try:
        session = device.attach(pid)
        rpc = AgentRpc(AgentCode(code.single, code.cache_dir, prologue_plans=False).load(session))
        rpc.init(_PLANNING_POLICY)
        plan = ProloguePlan.from_json(rpc.prologue_plan())
    finally:
        device.kill(pid)
    return code.record_plan(plan) if plan is not None else None


def main() -> int:
    """``python -m hooks.agent_bundle``: compiles the agent's bytecode for the Frida version
    installed, in a short-lived process of its own, and records this machine's prologue plan
    (``make agent`` runs it)."""
    import frida

    code = built_agent()
    if code.cache_file is None:
        print("no single-script build (dist/agent.single.js): nothing to compile")
        return 0
    device = frida.get_local_device()
    pid = device.spawn(["/bin/true"])  # suspended: never runs
    try:
        session = device.attach(pid)
        if code.bytecode(session) is None:
            print("Frida could not compile the agent; processes will compile its source")
            return 1
    finally:
        device.kill(pid)
    print(f"agent bytecode: {code.cache_file}")
    from hooks.errors import HookStartError
    from hooks.session import frida_errors

    failures: tuple[type[Exception], ...] = (HookStartError, frida.RPCException, *frida_errors())
    try:
        plan = record_machine_plan(code, device)
    except failures as e:  # the plan is an optimisation: a build without it is no failure
        print(f"no prologue plan ({e}): the first process of a run computes it")
        return 0
    print(f"prologue plan: {plan}" if plan else "no prologue plan for this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
