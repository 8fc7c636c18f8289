"""The child process of ``Clone.run`` on a host clone (``python -m clone.backends.host_child
SPEC``): runs the program with ``clone.workflows.host.run_host_command``, as ``clone host
run`` does, with this process's stdio, cwd and environment. Its exit status is the
program's; a ``CloneError`` is written as JSON to the spec's ``error_file`` for the parent
to raise again (so errors are shown by the caller, not here).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

from clone.errors import CloneError, HostToolFailed
from clone.home import Home
from clone.registry import Registry


def main(args: list[str]) -> int:
    spec = json.loads(args[0])
    error_file = Path(spec["error_file"])
    try:
        return _run(spec)
    except CloneError as e:
        _report(error_file, e)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug: reported like the CLI's internal error, but typed
        _report(error_file, HostToolFailed(f"internal error: {type(e).__name__}: {e}"))
        return HostToolFailed.exit_code


def _run(spec: dict[str, object]) -> int:
    from clone.workflows.host import parse_host_spec, run_host_command, still_running

    home = Home(Path(str(spec["home"])))
    data = spec["data"]
    argv = spec["argv"]
    assert isinstance(data, list) and isinstance(argv, list)
    index = spec["index"]
    assert isinstance(index, int)
    trace = spec.get("trace")
    host = parse_host_spec(str(spec["app"]), index, [str(p) for p in data])
    with contextlib.ExitStack() as opened:

        def open_registry() -> Registry:
            return opened.enter_context(Registry(home.ensure().registry_path))

        return run_host_command(
            open_registry, home, host, [str(a) for a in argv],
            trace_file=Path(str(trace)) if trace else None,
            on_running=lambda status, pids: print(still_running(status, pids), file=sys.stderr),
            require_boundary=bool(spec.get("require_boundary")),
            on_warning=lambda line: print(line, file=sys.stderr),
        )  # fmt: skip


def _report(path: Path, error: CloneError) -> None:
    record = {"type": type(error).__name__, "message": error.message, "hint": error.hint}
    path.write_text(json.dumps(record), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
