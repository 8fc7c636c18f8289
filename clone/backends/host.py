"""The host backend: a Linux program run as clone ``APP:N`` under the hook engine.

Its ``--data`` paths are served from the clone's store (``clone.workflows.host``); ``wipe``
empties the store's ``data/`` (identity files stay), ``remove`` forgets the clone and
deletes its store. ``run`` starts the program in a child Python process that calls
``clone.workflows.host.run_host_command`` as a library (``clone.backends.host_child``): the
runner relays signals and owns the terminal's stdio, which a child gives it cleanly, and
the caller gets ``subprocess.run``'s conventions (captured output, ``check``, ``timeout``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clone import errors
from clone.backends.base import Action, RunRequest, Unsupported, Where
from clone.registry import CloneRecord
from clone.state import Backend, HostState
from clone.workflows.host import host_store_of, store_path


def _state(record: CloneRecord) -> HostState:
    assert isinstance(record.state, HostState), record
    return record.state


class HostBackend(Unsupported):
    kind = Backend.HOST
    actions = frozenset({Action.WIPE, Action.REMOVE, Action.RUN, Action.STORE})

    def renamed(self, record: CloneRecord, app: str, index: int) -> CloneRecord:
        """Any free name: the store moves with the clone, its ``--data`` paths stay."""
        return dataclasses.replace(record, app=app, index=index, source_package=app)

    def store(self, where: Where, record: CloneRecord) -> Path:
        return store_path(where.home, record.app, record.index)

    def wipe(self, where: Where, record: CloneRecord) -> None:
        """Empty the clone's data (its ``data/`` in the store); identity files stay."""
        store = host_store_of(where.home, record.app, record.index)
        shutil.rmtree(store.data_root, ignore_errors=True)

    def remove(self, where: Where, record: CloneRecord) -> None:
        """Forget the clone, then delete its whole store."""
        with where.registry.transaction():
            where.registry.remove(record.name)
        shutil.rmtree(self.store(where, record), ignore_errors=True)

    def run(
        self, where: Where, record: CloneRecord, request: RunRequest
    ) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
        env = dict(os.environ if request.env is None else request.env)
        with tempfile.TemporaryDirectory(prefix="clone-run-") as tmp:
            failure = Path(tmp) / "error.json"
            spec = {
                "home": str(where.home.root),
                "app": record.app,
                "index": record.index,
                "data": list(_state(record).data),
                "argv": list(request.argv),
                "trace": str(request.trace) if request.trace is not None else None,
                "error_file": str(failure),
                "require_boundary": where.require_boundary,
            }
            done = subprocess.run(
                [sys.executable, "-m", "clone.backends.host_child", json.dumps(spec)],
                capture_output=request.capture_output,
                text=request.text,
                input=request.input,
                timeout=request.timeout,
                cwd=request.cwd,
                env=env,
                check=False,
            )
            if failure.exists():
                raise _error_from_json(json.loads(failure.read_text(encoding="utf-8")))
        done.args = list(request.argv)
        if request.check:
            done.check_returncode()
        return done


def _error_from_json(obj: dict[str, object]) -> errors.CloneError:
    """The ``CloneError`` the child reported, as the same class (HostToolFailed if unknown)."""
    cls = getattr(errors, str(obj.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, errors.CloneError)):
        cls = errors.HostToolFailed
    error = cls.__new__(cls)
    hint = obj.get("hint")
    errors.CloneError.__init__(error, str(obj.get("message")), hint=str(hint) if hint else None)
    return error


BACKEND = HostBackend()
