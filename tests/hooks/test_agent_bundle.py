"""The agent loaded from bytecode (hooks.agent_bundle.AgentCode): compiled once, kept in a
file per Frida version and agent build, and the source used when Frida refuses the file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hooks.agent_bundle import AgentCode, built_agent
from hooks.rpc import AgentRpc
from tests.hooks.agent_fixtures import INERT_POLICY, sleeping_process

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


def test_the_file_is_named_for_the_frida_version_and_the_build(tmp_path: Path) -> None:
    import frida

    kept = AgentCode(cache_dir=tmp_path).cache_file
    assert kept is not None and f"-{frida.__version__}-" in kept.name
    other = tmp_path / "agent.single.js"
    other.write_text("rpc.exports = {};\n")  # another build of the agent
    assert AgentCode(single=other, cache_dir=tmp_path).cache_file != kept


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
