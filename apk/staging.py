"""All-or-nothing output: files are written to a hidden directory inside the output
directory and moved into place only when all of them are written.

``staged_output(out_dir)`` yields a ``Stage``; ``stage.path(relative)`` is where to write a
file, ``stage.final(path)`` moves it to ``out_dir``. If the block raises, every file moved
and every directory made (``out_dir`` and its parents included) is removed again.

A build killed outright (SIGKILL) cannot clean up: its hidden directory names its process
(``.clone-build-PID-…``), and the next build into the same ``out_dir`` removes those whose
process is gone (and, of the older unnamed form, those untouched for a day).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Stage:
    """A hidden directory inside ``out_dir`` where a build writes before moving files out."""

    out_dir: Path
    directory: Path
    moved: list[Path] = field(default_factory=list)
    made_dirs: list[Path] = field(default_factory=list)

    def path(self, relative: Path) -> Path:
        path = self.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def final(self, staged: Path) -> Path:
        """Move a staged file to its place in ``out_dir``; returns the new path."""
        target = self.out_dir / staged.relative_to(self.directory)
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True)
            self.made_dirs.append(target.parent)
        os.replace(staged, target)
        self.moved.append(target)
        return target

    def undo(self) -> None:
        for path in self.moved:
            path.unlink(missing_ok=True)
        for directory in reversed(self.made_dirs):
            _remove_if_empty(directory)


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Stage]:
    """A ``Stage`` in ``out_dir`` (created if needed); on error everything made is removed."""
    created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_stages(out_dir)
    stage = Stage(out_dir, out_dir / f".clone-build-{os.getpid()}-{secrets.token_hex(6)}")
    stage.directory.mkdir()
    try:
        yield stage
    except BaseException:
        stage.undo()
        raise
    finally:
        shutil.rmtree(stage.directory, ignore_errors=True)
        for directory in created:  # innermost first; only those still empty
            _remove_if_empty(directory)


_STAGE = re.compile(r"^\.clone-build-(?:(\d+)-)?[0-9a-f]+$")
_UNNAMED_STALE_S = 24 * 3600


def remove_stale_stages(out_dir: Path) -> None:
    """Remove the hidden directories of builds into ``out_dir`` that were killed."""
    with suppress(OSError):
        for entry in os.scandir(out_dir):
            match = _STAGE.match(entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            pid = match.group(1)
            if pid is not None:
                stale = not _alive(int(pid))
            else:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > _UNNAMED_STALE_S
            if stale:
                shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid: leave it
    return True


def _remove_if_empty(directory: Path) -> None:
    with suppress(OSError):
        directory.rmdir()
