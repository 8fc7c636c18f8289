"""The launcher's screenshots in the README: ``python -m launcher_ui.screenshots OUTDIR
APK APK`` (under a display; ``xvfb-run -a`` gives one) writes ``clones.png``,
``new-clone.png`` and ``details.png`` into OUTDIR.

It makes a CLONE_HOME of its own with two clones of each APK (registered as package clones
on ``emulator-5554``, a device that is not connected here, so their tiles say
``no-device``), keeps each app's label and icon as ``clone install`` does, and renders each
scene of ``launcher_ui.scenes`` in a launcher process of its own (Kivy runs one App per
process). ``scripts/screenshots.py`` fetches the two real APKs the docs use and calls this.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clone import Backend, CloneRecord, Space
from launcher_ui import launch_scene
from launcher_ui.scenes import Scene, parse_scene

DEVICE = "emulator-5554"
NO_ADB = "127.0.0.2:9"  # an adb server nobody runs: nothing is asked of a real one


def make_home(home: Path, apks: list[Path]) -> None:
    """Two package clones of each APK's app, with its face kept."""
    with Space(home=home) as space:
        for apk in apks:
            face = space.keep_app_face(apk)
            if face is None:
                raise SystemExit(f"screenshots: cannot read {apk}")
            for n in (1, 2):
                space.registry.add(
                    CloneRecord(
                        app=face.app, index=n, backend=Backend.PACKAGE, source_package=face.app,
                        package=f"{face.app}.clone{n}", device=DEVICE,
                    )
                )  # fmt: skip
                space.regen_identity(f"{face.app}:{n}", seed=n)  # the same PNGs each time
            space.add_account(f"{face.app}:1", "com.google", "alice@example.com")


def render(home: Path, scene: Scene, out: Path, apk: Path, dump: Path | None = None) -> None:
    """One scene, in a process of its own."""
    argv = [sys.executable, "-m", "launcher_ui.screenshots", "--one", scene.value,
            "--home", str(home), "--apk", str(apk), str(out)]  # fmt: skip
    if dump is not None:
        argv += ["--dump", str(dump)]
    subprocess.run(argv, check=True, timeout=300)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m launcher_ui.screenshots")
    parser.add_argument("out", type=Path, help="the directory (or, with --one, the .png)")
    parser.add_argument("apks", type=Path, nargs="*", help="two APKs to show clones of")
    parser.add_argument("--one", type=parse_scene, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--apk", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        launch_scene(args.home, args.out, args.one, args.apk, args.dump, NO_ADB)
        return
    if len(args.apks) != 2:
        parser.error("give two APKs")
    args.out.mkdir(parents=True, exist_ok=True)
    # A fixed place, since the clones screen shows it: the same PNGs each time.
    work = Path(tempfile.gettempdir()) / "clonespace-screenshots"
    shutil.rmtree(work, ignore_errors=True)
    try:
        home = work / "home"
        make_home(home, args.apks)
        for scene in Scene:
            render(home, scene, args.out / f"{scene.value}.png", args.apks[0])
            print(args.out / f"{scene.value}.png")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
