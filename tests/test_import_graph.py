"""The import graph, read from the source (every import, lazy ones and TYPE_CHECKING ones
included): arrows point down only.

    launcher_ui  ->  clone (its public API: ``from clone import …``)
    clone        ->  device, hooks, identity, vfs_redirect, apk
    the leaves   ->  each other, never ``clone`` or ``launcher_ui``

and no two modules import each other at load time (module-level imports form no cycle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAVES = ("apk", "hooks", "vfs_redirect", "identity", "device")
PACKAGES = (*LEAVES, "clone", "launcher_ui")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, *, top_level_only: bool = False) -> Iterator[str]:
    """The modules ``module`` imports (``from a import b`` gives ``a.b`` when that is a module)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if sub in MODULES else base


def _top(name: str) -> str:
    return name.split(".")[0]


def test_the_leaves_never_import_clone_or_the_launcher() -> None:
    wrong = [
        (m, i) for m in MODULES if _top(m) in LEAVES
        for i in _imports(m) if _top(i) in ("clone", "launcher_ui")
    ]  # fmt: skip
    assert wrong == []


def test_clone_never_imports_the_launcher() -> None:
    wrong = [(m, i) for m in MODULES if _top(m) == "clone" for i in _imports(m)
             if _top(i) == "launcher_ui"]  # fmt: skip
    assert wrong == []


def test_the_launcher_uses_only_clones_public_api() -> None:
    wrong = [(m, i) for m in MODULES if _top(m) == "launcher_ui" for i in _imports(m)
             if _top(i) == "clone" and i != "clone"]  # fmt: skip
    assert wrong == []


def test_the_cli_acts_through_space_and_clone_only() -> None:
    """``clone.cli`` reaches the work through ``Space``/``Clone``, not the workflows, the
    backends or the registry (it may read option parsers and constants from the API)."""
    allowed = {"clone", "clone.errors", "clone.space", "clone.handle", "clone.home"}
    wrong = [
        (m, i) for m in MODULES if m.startswith("clone.cli") for i in _imports(m)
        if _top(i) == "clone" and not i.startswith("clone.cli") and i not in allowed
        and not i.startswith("clone.demo")
    ]  # fmt: skip
    assert wrong == []


def test_no_import_cycles_at_load_time() -> None:
    # A submodule reading names from its own package's __init__ is left out: that is how
    # a package re-exports its parts, not a cycle between two parts.
    graph = {
        m: {i for i in _imports(m, top_level_only=True) if i in MODULES and not _within(m, i)}
        for m in MODULES
    }
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer + ".")
