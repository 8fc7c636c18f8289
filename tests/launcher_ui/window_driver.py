"""Drives the launcher's live window through the methods its buttons call, and writes what
the screens then showed as JSON: ``python -m tests.launcher_ui.window_driver HOME OUT.json``
(under Xvfb; ``test_window_actions.py`` runs it). Each step waits, frame by frame, until
the work it started is over (the screen's ``working``/``running`` flags), never a fixed time.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clone import Space
from launcher_ui import quiet_kivy

FRAMES_MAX = 3000  # ~50 s at 60 frames a second: a step still waiting then is a failure


def main(home: Path, out: Path, archive: Path) -> None:
    with Space(home=home) as space:
        quiet_kivy(space.home.cache_dir / "kivy")
        from kivy.clock import Clock

        from launcher_ui.app import LauncherApp, visible_texts
        from launcher_ui.view_models import LauncherModel

        app = LauncherApp(LauncherModel(space, adb="127.0.0.2:9"))
        seen: dict[str, Any] = {"steps": [], "errors": []}

        def details() -> Any:
            return app.root.get_screen("details")

        def new() -> Any:
            return app.root.get_screen("new")

        def record(name: str) -> None:
            screen = app.root.current_screen
            seen["steps"].append({
                "step": name,
                "screen": app.root.current,
                "message": getattr(screen, "message", ""),
                "error": getattr(screen, "error", ""),
                "texts": [t["text"] for t in visible_texts(screen)],
            })  # fmt: skip

        def set_field(field: str, value: str) -> None:
            details().field = field  # as the field spinner does
            details().set_field(value)

        def idle() -> bool:
            settled = app.loaded and not app.root.transition.is_active
            looking = new().devices_text == "Looking for devices…"
            return settled and not looking and not details().working and not new().running

        steps: list[tuple[str, Callable[[], object]]] = [
            ("open details", lambda: app.show_details("notes:1")),
            ("regen seed 42", lambda: details().regen("42")),
            ("bad seed", lambda: details().regen("-3")),
            ("bad imei", lambda: set_field("imei", "1")),
            ("good imei", lambda: details().set_field("490154203237518")),
            ("add account", lambda: details().add_account("com.google", "bob@example.com")),
            ("bad account", lambda: details().add_account("com google", "eve")),
            ("export", lambda: details().export_to(str(archive))),
            ("export again", lambda: details().export_to(str(archive))),
            ("remove account", lambda: details().remove_account("com.google", "bob@example.com")),
            ("back", app.back),
            ("new clone", app.new_clone),
            ("count 0", lambda: new().count_typed("0")),
            ("device app without a device", lambda: new().pick_device_app()),
        ]
        state = {"next": 0, "frames": 0}

        def tick(_dt: float) -> bool:
            state["frames"] += 1
            if state["frames"] > FRAMES_MAX:
                seen["errors"].append(f"timed out before step {state['next']}")
                app.stop()
                return False
            if not idle():
                return True
            i = state["next"]
            if i > 0:
                record(steps[i - 1][0])
            if i == len(steps):
                app.stop()
                return False
            try:
                steps[i][1]()
            except Exception:
                seen["errors"].append(traceback.format_exc())
            state["next"] += 1
            return True

        Clock.schedule_interval(tick, 0)
        try:
            app.run()
        finally:
            app.close()
        out.write_text(json.dumps(seen, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
