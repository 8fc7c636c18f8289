"""Regenerate the launcher's screenshots in docs/screenshots/ (referenced from the README).

    xvfb-run -a -s "-screen 0 1024x720x24" .venv/bin/python scripts/screenshots.py [OUTDIR]

The two apps shown are real APKs the tests use (tests/realapks.py: uiautomator2's
app-uiautomator.apk and airtest's Yosemite.apk, fetched from PyPI and cached);
``python -m launcher_ui.screenshots`` does the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launcher_ui.screenshots import main  # noqa: E402
from tests.realapks import UIAUTOMATOR, YOSEMITE, real_apk  # noqa: E402

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "docs" / "screenshots")
    main([out, str(real_apk(UIAUTOMATOR)), str(real_apk(YOSEMITE))])
