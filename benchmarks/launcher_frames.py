"""What a build in the launcher costs its UI thread: frames while "+ New clone" builds.

Run: ``.venv/bin/python benchmarks/launcher_frames.py`` (no window needed: Kivy's clock
alone). It runs the launcher's own ``NewCloneJob`` (3 clones of a >= 20 MB real APK,
airtest's Yosemite.apk, no hooks, no device: the APKs only) as a ``Task``, the way the
"+ New clone" screen does, while the UI thread ticks Kivy's clock as the app's loop would,
and prints:

- the longest callback the task ran on the UI thread (a progress report or the end), and
  how many there were;
- the longest gap between two frames during the build, against the same loop idle
  (Kivy paces frames at 60 per second: 16.7 ms).

A long build that kept the UI thread would show here as a gap of seconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from launcher_ui import quiet_kivy
    from tests.realapks import BIG, real_apk

    apk = real_apk(BIG)
    with tempfile.TemporaryDirectory(prefix="bench-frames-") as tmp:
        quiet_kivy(Path(tmp) / "kivy")
        from kivy.clock import Clock

        from launcher_ui.background import Task
        from launcher_ui.new_clone import NewCloneFlow

        callbacks: list[float] = []

        def schedule(callback: Callable[[], None]) -> None:
            def timed(_dt: float) -> None:
                start = time.perf_counter()
                callback()
                callbacks.append(time.perf_counter() - start)

            Clock.schedule_once(timed)

        idle = frame_gaps(Clock, lambda: False, limit=120)
        flow = NewCloneFlow()
        flow.choose_apk(str(apk))
        flow.set_count("3")
        flow.set_hooks(False)
        job = flow.start()
        assert job is not None
        home = Path(tmp) / "home"
        started = time.perf_counter()
        task = Task(
            lambda reporter: job.run(home, reporter), schedule,
            on_step=flow.progressed, on_done=flow.finished, on_error=flow.failed,
        ).start()  # fmt: skip
        busy = frame_gaps(Clock, lambda: not task.running)
        took = time.perf_counter() - started
        print(f"load (uptime): {os.getloadavg()[0]:.2f}; {apk.name}, 3 clones: {took:.1f} s")
        print(f"result: {flow.result or flow.error}")
        print(f"UI callbacks: {len(callbacks)}, longest {max(callbacks) * 1e3:.2f} ms")
        print(
            f"frame gap idle: median {statistics.median(idle) * 1e3:.1f} ms, "
            f"max {max(idle) * 1e3:.1f} ms"
        )
        print(
            f"frame gap during the build: median {statistics.median(busy) * 1e3:.1f} ms, "
            f"max {max(busy) * 1e3:.1f} ms ({len(busy)} frames)"
        )


def frame_gaps(clock: object, done: Callable[[], bool], limit: int = 1_000_000) -> list[float]:
    gaps = []
    last = time.perf_counter()
    for _ in range(limit):
        clock.tick()  # type: ignore[attr-defined]
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        if done():
            break
    return gaps


if __name__ == "__main__":
    threading.current_thread().name = "ui"
    main()
