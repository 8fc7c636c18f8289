"""What the launcher shows for an app: its label and icon, kept with its clones.

Read from the APK at install time (``apk.app_icon``, no aapt) and written under
``$CLONE_HOME/apps/<package>/``: ``label`` (UTF-8 text) and ``icon.<png|webp|jpg>``.
Keeping a face is best effort: an install never fails because of one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clone.home import Home

ICON_EXTS = ("png", "webp", "jpg")


@dataclass(frozen=True)
class AppFace:
    """An app's label (None: unknown) and icon file (None: none kept, use a letter)."""

    app: str
    label: str | None = None
    icon: Path | None = None


def face_dir(home: Home, app: str) -> Path:
    return home.root / "apps" / app


def read_face(home: Home, app: str) -> AppFace:
    """The face kept for ``app`` (a source package); empty when none was kept."""
    where = face_dir(home, app)
    try:
        label = (where / "label").read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        label = None
    icon = next((p for e in ICON_EXTS if (p := where / f"icon.{e}").is_file()), None)
    return AppFace(app, label, icon)


def keep_face(home: Home, base_apk: Path) -> AppFace | None:
    """Read the label and icon of ``base_apk`` and keep them with its clones; None if the
    APK cannot be read or nothing could be written."""
    from apk.app_icon import app_face
    from apk.source import load_source

    try:
        face = app_face(load_source(base_apk))
    except (OSError, ValueError):
        return None
    where = face_dir(home, face.package)
    try:
        where.mkdir(parents=True, exist_ok=True)
        if face.label:
            _write(where / "label", face.label.encode("utf-8"))
        if face.icon is not None:
            for ext in ICON_EXTS:
                (where / f"icon.{ext}").unlink(missing_ok=True)
            _write(where / f"icon.{face.icon.ext}", face.icon.data)
    except OSError:
        return None
    return read_face(home, face.package)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
