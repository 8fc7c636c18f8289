"""The agent loaded from bytecode (hooks.agent_bundle.AgentCode): compiled once, kept in a
file per Frida version and agent build, and the source used when Frida refuses the file;
its C fast path compiled ahead of time, and TinyCC when that module does not fit."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hooks import agent_bundle, procfs
from hooks.agent_bundle import AgentCode, built_agent
from hooks.prologue_plan import ProloguePlan
from hooks.rpc import AgentRpc
from tests.hooks.agent_fixtures import (
    INERT_POLICY,
    Layout,
    make_layout,
    run_captured,
    sleeping_process,
)
from vfs_redirect.rules import AndroidNames, make_policy, make_redirect

if TYPE_CHECKING:
    import frida

pytestmark = pytest.mark.usefixtures("agent_single_built")


@pytest.fixture
def agent_single_built() -> None:
    if built_agent().cache_file is None:
        pytest.skip("the agent's single-script build is missing (make agent)")


class _NoCompiling:
    """A session that must not compile the agent (its bytecode is expected from a file)."""

    def __init__(self, session: frida.Session) -> None:
        self._session = session

    def compile_script(self, *args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("the agent was compiled again")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _started(script: frida.Script) -> dict[str, Any]:
    """Loads the agent, starts it with a policy that touches nothing, returns its stats."""
    script.load()
    rpc = AgentRpc(script)
    rpc.init(INERT_POLICY)
    assert rpc.policy() is not None
    return rpc.stats()


def test_the_bytecode_is_compiled_once_and_kept_in_its_file(tmp_path: Path) -> None:
    first = AgentCode(cache_dir=tmp_path)
    kept = first.cache_file
    assert kept is not None and kept.parent == tmp_path
    with sleeping_process() as (pid, session):
        stats = _started(first.create_script(session))
    assert stats["pid"] == pid and "openat" in stats["installed"]
    assert kept.is_file() and kept.stat().st_size > 0
    assert kept.stat().st_mode & 0o777 == 0o644
    again = AgentCode(cache_dir=tmp_path)  # another process of the same build: the file
    with sleeping_process() as (pid, session):
        stats = _started(again.create_script(_NoCompiling(session)))  # type: ignore[arg-type]
    assert stats["pid"] == pid and "openat" in stats["installed"]


def test_the_kept_bytecode_can_be_read_before_any_process_needs_it(tmp_path: Path) -> None:
    AgentCode(cache_dir=tmp_path).read_kept()  # nothing kept yet: nothing read, no error
    with sleeping_process() as (_, session):
        AgentCode(cache_dir=tmp_path).create_script(session)  # compiles and keeps it
    early = AgentCode(cache_dir=tmp_path)
    kept = early.cache_file
    assert kept is not None and kept.is_file()
    early.read_kept()
    kept.unlink()  # read already: neither the file nor a compile is needed any more
    with sleeping_process() as (pid, session):
        stats = _started(early.create_script(_NoCompiling(session)))  # type: ignore[arg-type]
    assert stats["pid"] == pid and "openat" in stats["installed"]


def test_the_file_is_named_for_the_frida_version_and_the_build(tmp_path: Path) -> None:
    import frida

    kept = AgentCode(cache_dir=tmp_path).cache_file
    assert kept is not None and f"-{frida.__version__}-" in kept.name
    other = tmp_path / "agent.single.js"
    other.write_text("rpc.exports = {};\n")  # another build of the agent
    assert AgentCode(single=other, cache_dir=tmp_path).cache_file != kept


def test_a_process_finds_the_bytecode_make_agent_wrote() -> None:
    kept = built_agent().cache_file  # named by the hash of the text, as the build names it
    assert kept is not None and kept.is_file()


def test_the_host_build_leaves_the_android_half_to_agent_js(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """agent.single.js is loaded by host runs only: it carries no frida-java-bridge, and a
    process given an Android policy through it is stopped (never run without its hooks),
    saying which build an Android clone runs."""
    dist = Path(agent_bundle.__file__).parent / "agent" / "dist"
    assert "performNow" in (dist / "agent.js").read_text(encoding="utf-8")
    assert "performNow" not in (dist / "agent.single.js").read_text(encoding="utf-8")
    android = make_policy(
        "com.example:2",
        "android",
        [make_redirect("/nonexistent/app", "/nonexistent/store/2")],
        [],
        android=AndroidNames("com.example", "com.example.clone2", ("3082",), {}, {}, {}),
    ).to_agent_json()
    capfd.readouterr()
    with sleeping_process() as (pid, session):
        rpc = AgentRpc(built_agent().load(session))
        with pytest.raises(Exception):  # noqa: B017 - the process is gone, whatever Frida says
            rpc.init(android)
        assert not procfs.alive(pid)
    assert "for host runs: an Android clone runs agent.js" in capfd.readouterr().err
    with sleeping_process() as (pid, session):
        stats = _started(built_agent().create_script(session))  # a host policy: as ever
    assert stats["pid"] == pid


def test_a_bytecode_file_frida_refuses_is_left_for_the_source(tmp_path: Path) -> None:
    code = AgentCode(cache_dir=tmp_path)
    kept = code.cache_file
    assert kept is not None
    kept.write_bytes(b"not bytecode of this Frida")
    with sleeping_process() as (pid, session):
        stats = _started(code.create_script(session))
    assert stats["pid"] == pid and "openat" in stats["installed"]
    assert code.bytecode(session) is None  # refused once: the source from then on


def test_without_the_single_script_build_the_source_is_compiled(tmp_path: Path) -> None:
    code = AgentCode(single=tmp_path / "missing.js", cache_dir=tmp_path)
    assert code.cache_file is None
    with sleeping_process() as (pid, session):
        assert code.bytecode(session) is None
        stats = _started(code.create_script(session))
    assert stats["pid"] == pid
    assert list(tmp_path.iterdir()) == []


# --- the C fast path compiled ahead of time (dist/cmodule), and TinyCC when it does not fit

CMODULES = Path(__file__).resolve().parents[2] / "hooks" / "agent" / "dist" / "cmodule"


def _cmodule_of(code: AgentCode) -> str:
    """How ``code``'s agent got its fast path in a process (its stats' ``cmodule``)."""
    with sleeping_process() as (_, session):
        script = code.load(session)
        AgentRpc(script).init(INERT_POLICY)
        return str(AgentRpc(script).stats()["cmodule"])


def _prebuilt_dir(tmp_path: Path, *, key: str | None = None, so: bytes | None = None) -> Path:
    """A copy of the build's dist/cmodule, with another source key or shared object."""
    manifest = json.loads((CMODULES / "manifest.json").read_text())
    out = tmp_path / "cmodule"
    out.mkdir()
    for arch, name in manifest["modules"].items():
        (out / name).write_bytes(so if so is not None else (CMODULES / name).read_bytes())
        manifest["modules"][arch] = name
    manifest["key"] = key if key is not None else manifest["key"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


@pytest.fixture
def prebuilt() -> None:
    if not (CMODULES / "manifest.json").is_file() or platform.machine() != "x86_64":
        pytest.skip("no fast path was compiled ahead of time for this machine (make agent)")
    if "x64" not in json.loads((CMODULES / "manifest.json").read_text())["modules"]:
        pytest.skip("the build had no C compiler for x86_64")


@pytest.mark.usefixtures("prebuilt")
def test_the_built_agent_loads_the_prebuilt_fast_path(tmp_path: Path) -> None:
    assert _cmodule_of(AgentCode(cache_dir=tmp_path)) == "prebuilt"


# what each spoiled prebuilt module makes the agent say (after "tinycc: ")
FALLBACKS = {
    "missing": "no prebuilt module offered",
    "other sources": "the prebuilt module was built from other sources",
    "damaged": "the prebuilt module did not load",
    "another arch": "the prebuilt module is for arm64, not x64",
}


def _spoiled(which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AgentCode:
    cache = tmp_path / "bytecode"
    if which == "missing":
        return AgentCode(cache_dir=cache, cmodules=tmp_path / "none")
    if which == "other sources":
        return AgentCode(cache_dir=cache, cmodules=_prebuilt_dir(tmp_path, key="0" * 16))
    if which == "damaged":
        elf = (CMODULES / "redirect-x64.so").read_bytes()
        return AgentCode(cache_dir=cache, cmodules=_prebuilt_dir(tmp_path, so=elf[:4096]))
    manifest = json.loads((CMODULES / "manifest.json").read_text())
    manifest["modules"] = {"arm64": manifest["modules"]["x64"]}  # a phone's, on this machine
    spoiled = _prebuilt_dir(tmp_path)
    (spoiled / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr("hooks.agent_bundle.platform.machine", lambda: "aarch64")
    return AgentCode(cache_dir=cache, cmodules=spoiled)


@pytest.mark.usefixtures("prebuilt")
@pytest.mark.parametrize("which", list(FALLBACKS))
def test_a_prebuilt_module_that_does_not_fit_leaves_the_fast_path_to_tinycc(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cmodule = _cmodule_of(_spoiled(which, tmp_path, monkeypatch))
    assert cmodule.startswith(f"tinycc: {FALLBACKS[which]}")


def test_the_host_build_carries_no_c_source_but_has_it_beside() -> None:
    """agent.single.js leaves the fast path's C to its host (it asks for it only where no
    prebuilt module fits); agent.js, which a Gadget runs with no host to ask, carries it."""
    dist = CMODULES.parent
    marker = "cs_direct_build (const unsigned char"  # a line of direct.c
    assert marker in (dist / "agent.js").read_text(encoding="utf-8")
    assert marker not in (dist / "agent.single.js").read_text(encoding="utf-8")
    beside = json.loads((dist / "agent.single.fastpath.json").read_text(encoding="utf-8"))
    assert marker in beside["source"]
    assert beside["key"] == json.loads((CMODULES / "manifest.json").read_text())["key"]


@pytest.mark.parametrize("beside", [None, {"key": "0" * 16, "source": "int x;"}, "not json"])
def test_without_the_c_source_and_no_module_the_agent_says_what_to_do(
    beside: object, tmp_path: Path
) -> None:
    """A single-script build whose C source is missing, of another build or unreadable, with
    no prebuilt module: init fails saying so (the run's one-line error), instead of hanging."""
    single = tmp_path / "agent.single.js"
    single.write_bytes((CMODULES.parent / "agent.single.js").read_bytes())
    if beside is not None:
        text = beside if isinstance(beside, str) else json.dumps(beside)
        (tmp_path / "agent.single.fastpath.json").write_text(text)
    code = AgentCode(single=single, cache_dir=tmp_path / "bytecode", cmodules=tmp_path / "none")
    with sleeping_process() as (_, session):
        script = code.load(session)
        with pytest.raises(Exception, match="the host has no C source for this agent build"):
            AgentRpc(script).init(INERT_POLICY)


def _scenario(layout: Layout) -> list[str]:
    """fsops operations touching each kind of hook: writes by several spellings, relative
    paths after chdir, a dirfd, rename, symlink and the paths handed back, the other clone."""
    d, o = layout.data, layout.other
    ops = [
        ["write", f"{d}/login.txt", "alice"], ["read", f"{d}/login.txt"],
        ["write", f"{d}/../notes/spelled.txt", "b"], ["chdir", str(d)], ["write", "rel.txt", "r"],
        ["getcwd"], ["dirfd", str(d)], ["write", "at.txt", "a"], ["nodirfd"],
        ["rename", f"{d}/at.txt", f"{d}/b.txt"], ["symlink", f"{d}/b.txt", f"{d}/link"],
        ["readlink", f"{d}/link"], ["realpath", f"{d}/link"], ["read", f"{o}/secret.txt"],
        ["stat", f"{o}/secret.txt"], ["list", str(o)], ["read", f"/proc/self/root{o}/secret.txt"],
    ]  # fmt: skip
    return [arg for op in ops for arg in (*op, ":")][:-1]


def _run_scenario(
    code: AgentCode,
    root: Path,
    fsops: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: Any,
    *,
    trace: bool = True,
) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]], list[str]]:
    layout = make_layout(root)
    root = layout.root  # resolved
    monkeypatch.setattr("hooks.runner.built_agent", lambda: code)
    ran = run_captured([fsops, *_scenario(layout)], layout.policy(trace=trace), capfd)
    events = [
        {k: str(v).replace(str(root), "ROOT") for k, v in e.items() if k != "pid"}
        for e in ran.events
    ]
    results = [(a, b, c.replace(str(root), "ROOT")) for a, b, c in ran.results]
    stored = sorted(str(p.relative_to(layout.store)) for p in layout.store.rglob("*"))
    return results, events, stored


@pytest.mark.usefixtures("prebuilt")
@pytest.mark.parametrize("which", ["missing", "damaged"])
def test_the_tinycc_fallback_behaves_as_the_prebuilt_fast_path(
    which: str,
    tmp_path: Path,
    fsops: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prebuilt = AgentCode(cache_dir=tmp_path / "bytecode")
    fallback = _spoiled(which, tmp_path, monkeypatch)
    expected = _run_scenario(prebuilt, tmp_path / "a", fsops, capfd, monkeypatch)
    results, events, stored = expected
    assert results[0] == ("OK", "write", "") and results[5] == (
        "OK",
        "getcwd",
        "ROOT/home/u/.local/share/notes",
    )
    assert results[-4:] == [("ERR", op, "EACCES") for op in ("read", "stat", "list", "read")]
    assert stored == ["b.txt", "link", "login.txt", "rel.txt", "spelled.txt"]
    assert {e["type"] for e in events} == {"redirect", "deny"}
    again = _run_scenario(fallback, tmp_path / "b", fsops, capfd, monkeypatch)
    assert again == expected  # the same results, events and files, from another root


x86_64_only = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="prologue plans are the direct installer's (x86_64)"
)


def _with_bytecode(cache_dir: Path) -> Path:
    """``cache_dir`` holding this build's bytecode (not compiled again) and no prologue plan."""
    kept = built_agent().cache_file
    assert kept is not None and kept.is_file()
    cache_dir.mkdir(parents=True)
    (cache_dir / kept.name).write_bytes(kept.read_bytes())
    return cache_dir


def _plan(build_id: str = "ab" * 20, arch: str = "x64") -> dict[str, Any]:
    """A plan (one the host packs) naming one export of the table, absent from libc."""
    return {"format": 2, "arch": arch, "buildId": build_id, "exports": {}, "absent": {"lchmod": 0}}


def _taken(value: dict[str, Any]) -> ProloguePlan:
    plan = ProloguePlan.from_json(value)
    assert plan is not None
    return plan


@pytest.mark.parametrize(
    "value",
    [None, [], "plan", {"arch": "x64"}, {**_plan(), "buildId": ""}, {**_plan(), "buildId": "XY"}],
)
def test_what_does_not_name_its_libc_build_is_no_plan(value: object) -> None:
    assert ProloguePlan.from_json(value) is None


def test_the_first_plan_learnt_for_a_libc_build_stays(tmp_path: Path) -> None:
    code = AgentCode(cache_dir=tmp_path)
    first = code.learn_plan(_plan())
    assert first is not None and first.value == _plan()
    again = code.learn_plan({**_plan(), "absent": {"open": 0}})
    assert again is first
    other = code.learn_plan(_plan("cd" * 20))
    assert [p.build_id for p in code.prologue_plans()] == ["ab" * 20, "cd" * 20]
    assert other is not None and other is not first
    assert code.learn_plan("no plan") is None


def test_plans_learnt_on_many_threads_at_once_keep_one_per_build(tmp_path: Path) -> None:
    """Children are instrumented on threads of their own: each learns what its agent made."""
    import threading

    code = AgentCode(cache_dir=tmp_path)
    kept: list[object] = []
    barrier = threading.Barrier(8)

    def learn(i: int) -> None:
        barrier.wait()
        kept.append(code.learn_plan({**_plan(), "absent": {"n": i}}))

    threads = [threading.Thread(target=learn, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(code.prologue_plans()) == 1
    assert all(k is code.prologue_plans()[0] for k in kept)


def test_an_agent_code_without_plans_neither_hands_nor_learns(tmp_path: Path) -> None:
    code = AgentCode(cache_dir=tmp_path, prologue_plans=False)
    code.record_plan(_taken(_plan()))
    assert code.learn_plan(_plan()) is None
    assert code.prologue_plans() == []
    assert [p.build_id for p in AgentCode(cache_dir=tmp_path).prologue_plans()] == ["ab" * 20]


def test_plan_files_of_another_agent_build_or_damaged_are_not_read(tmp_path: Path) -> None:
    code = AgentCode(cache_dir=tmp_path)
    recorded = code.record_plan(_taken(_plan()))
    assert recorded is not None and recorded == code.plan_file("ab" * 20)
    damaged = code.plan_file("cd" * 20)
    assert damaged is not None
    damaged.write_text("{not json")
    misnamed = code.plan_file("ef" * 20)  # its content names another build
    assert misnamed is not None
    misnamed.write_text(json.dumps(_plan("12" * 20)))
    other = tmp_path / "agent.single.js"
    other.write_text("rpc.exports = {};\n")  # another build of the agent: other plan files
    assert AgentCode(single=other, cache_dir=tmp_path).prologue_plans() == []
    assert [p.build_id for p in AgentCode(cache_dir=tmp_path).prologue_plans()] == ["ab" * 20]


class _Posted:
    """A script that records what is posted to it."""

    def __init__(self) -> None:
        self.posted: list[tuple[dict[str, Any], bytes | None]] = []

    def load(self) -> None:
        pass

    def post(self, message: dict[str, Any], data: bytes | None = None) -> None:
        self.posted.append((message, data))


def test_load_hands_over_every_plan_it_has_after_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = AgentCode(cache_dir=tmp_path)
    script = _Posted()
    monkeypatch.setattr(code, "create_script", lambda session: script)
    fast_path = ["cmodule"] if code.prebuilt else []

    def posted_by_load() -> list[tuple[dict[str, Any], bytes | None]]:
        script.posted.clear()
        code.load(None)  # type: ignore[arg-type]
        return script.posted

    assert [m["type"] for m, _ in posted_by_load()] == fast_path
    code.learn_plan(_plan())
    assert [m["type"] for m, _ in posted_by_load()] == [*fast_path, "prologues"]
    code.learn_plan(_plan("cd" * 20))  # after the message was made: made again
    last, data = posted_by_load()[-1]
    first, second = _taken(_plan()).packed, _taken(_plan("cd" * 20)).packed
    assert last == {
        "type": "prologues",
        "plans": [
            {"buildId": "ab" * 20, "arch": "x64", "size": len(first)},
            {"buildId": "cd" * 20, "arch": "x64", "size": len(second)},
        ],
    }
    assert data == first + second


@x86_64_only
def test_the_build_records_this_machines_plan_and_agent_code_reads_it(tmp_path: Path) -> None:
    """``python -m hooks.agent_bundle`` (make agent) records the plan a kept agent computed in
    a process of /bin/true; the next AgentCode of the build hands it over."""
    from hooks.runner import local_device

    cache = _with_bytecode(tmp_path / "bytecode")
    recorded = agent_bundle.record_machine_plan(AgentCode(cache_dir=cache), local_device())
    assert recorded is not None and recorded.parent == cache
    plans = AgentCode(cache_dir=cache).prologue_plans()
    assert len(plans) == 1 and recorded == AgentCode(cache_dir=cache).plan_file(plans[0].build_id)
    assert plans[0].arch == "x64" and "open" in plans[0].value["exports"]


@x86_64_only
def test_the_host_learns_the_plan_from_its_first_process(
    tmp_path: Path,
    fsops: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run with no plan: its (kept) agent computes one, the host asks it for the plan before
    making it eternal (hooks.session) and keeps it; the next run's agent is handed it and
    says so, the next is not asked, and the file operations give the same results and files
    through the hooks installed from the plan."""
    code = AgentCode(cache_dir=_with_bytecode(tmp_path / "bytecode"))
    origins: list[str | None] = []
    asked: list[int] = []
    init, prologue_plan = AgentRpc.init, AgentRpc.prologue_plan

    def spied_init(self: AgentRpc, policy: Any) -> str | None:
        origins.append(init(self, policy))
        return origins[-1]

    def spied_plan(self: AgentRpc) -> dict[str, Any] | None:
        asked.append(1)
        return prologue_plan(self)

    monkeypatch.setattr(AgentRpc, "init", spied_init)
    monkeypatch.setattr(AgentRpc, "prologue_plan", spied_plan)
    without = _run_scenario(code, tmp_path / "a", fsops, capfd, monkeypatch, trace=False)
    assert (origins, len(asked), len(code.prologue_plans())) == (["computed"], 1, 1)
    given = _run_scenario(code, tmp_path / "b", fsops, capfd, monkeypatch, trace=False)
    assert (origins, len(asked)) == (["computed", "given"], 1)
    assert given == without
    results, _, stored = given
    assert results[0] == ("OK", "write", "") and results[-1] == ("ERR", "read", "EACCES")
    assert stored == ["b.txt", "link", "login.txt", "rel.txt", "spelled.txt"]
