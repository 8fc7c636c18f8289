"""Long work off the UI thread: a thread per task, progress and the end posted back.

A ``Task`` runs its work on a thread of its own. The work reports through a ``Reporter``,
which has the shape of the workflows' own progress reporting (``progress(label, total)``
yields ``advance(n)``, as ``clone.cli.output.progress`` does), so ``Space.install``,
``Space.build``, ``Space.pull_app`` and export/import are fed it unchanged. Nothing the
work does touches the UI: each report and the end reach the UI thread only through
``schedule`` (Kivy: ``Clock.schedule_once``), as short callbacks that copy a value into the
model. Reports are coalesced: while one is waiting for the UI thread, newer ones replace
its value instead of queueing more callbacks, so a fast ``advance`` cannot flood a frame.

Cancel sets a flag the next ``advance`` sees: it raises ``clone.Cancelled``, and the
workflow undoes what it did as for any failure (every workflow is all or nothing).
No Kivy here: tests drive it with Kivy's clock or with a plain queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from clone import Cancelled, CloneError

T = TypeVar("T")
Schedule = Callable[[Callable[[], None]], None]
"""``schedule(callback)``: run ``callback`` soon on the UI thread (and return at once)."""


@dataclass(frozen=True)
class Step:
    """Where the work is: ``label`` (``pulling com.example from emulator-5554``), ``done``
    of ``total`` units (files, clones, bytes); total 0 when unknown."""

    label: str
    done: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0


class Reporter:
    """What the work reports through (on its own thread)."""

    def __init__(self, post: Callable[[Step], None], cancelled: threading.Event) -> None:
        self._post = post
        self._cancelled = cancelled

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if the user cancelled."""
        if self._cancelled.is_set():
            raise Cancelled("cancelled by the user; what was done is undone")

    def say(self, label: str) -> None:
        """A step with no count (e.g. ``reading the APK``)."""
        self.check()
        self._post(Step(label))

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        """The workflows' ``Progress``: yields ``advance(n)``, which checks for a cancel."""
        done = 0
        self.check()
        self._post(Step(label, 0, total))

        def advance(n: int) -> None:
            nonlocal done
            self.check()
            done += n
            self._post(Step(label, done, total))

        yield advance


class Task(Generic[T]):
    """``work(reporter)`` on a thread of its own; ``on_step``, then ``on_done(result)`` or
    ``on_error(error)``, called through ``schedule`` on the UI thread. An exception that is
    not a ``CloneError`` is a bug: it is raised again on the UI thread."""

    def __init__(
        self,
        work: Callable[[Reporter], T],
        schedule: Schedule,
        *,
        on_step: Callable[[Step], None],
        on_done: Callable[[T], None],
        on_error: Callable[[CloneError], None],
        name: str = "clone-ui-task",
    ) -> None:
        self._work = work
        self._schedule = schedule
        self._on_step = on_step
        self._on_done = on_done
        self._on_error = on_error
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._latest: Step | None = None
        self._finished = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Task[T]:
        self.thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop at its next step (it undoes what it did)."""
        self._cancelled.set()

    @property
    def running(self) -> bool:
        return not self._finished

    # -- the work's thread ------------------------------------------------------------

    def _run(self) -> None:
        reporter = Reporter(self._post, self._cancelled)
        try:
            result = self._work(reporter)
        except CloneError as e:
            error = e
            self._schedule(lambda: self._end(lambda: self._on_error(error)))
        except BaseException as e:  # a bug: shown on the UI thread, as the app's others are
            bug = e
            self._schedule(lambda: self._end(lambda: _reraise(bug)))
        else:
            self._schedule(lambda: self._end(lambda: self._on_done(result)))

    def _post(self, step: Step) -> None:
        with self._lock:
            waiting = self._latest is not None
            self._latest = step
        if not waiting:
            self._schedule(self._deliver_step)

    # -- the UI thread ----------------------------------------------------------------

    def _deliver_step(self) -> None:
        with self._lock:
            step, self._latest = self._latest, None
        if step is not None and not self._finished:
            self._on_step(step)

    def _end(self, then: Callable[[], None]) -> None:
        self._deliver_step()  # the last report, if it still waits
        self._finished = True
        then()


def _reraise(error: BaseException) -> None:
    raise error
