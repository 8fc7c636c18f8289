"""APKs built by Android's own resource compiler, Debian's ``aapt2``, from XML sources, the
way Android Studio's template app has its launcher icon: an adaptive icon in
``mipmap-anydpi-v26`` whose layers are vector drawables (the foreground's shadow a linear
gradient that aapt2 moves into a resource of its own), and WebP rasters per density for
older phones. The platform resources linked against are AOSP's ``framework-res.apk``
(``tests.realapks.framework_res``), as an SDK's ``android.jar`` would be."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.realapks import framework_res

MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="org.example.icons">
    <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="29"/>
    <application android:label="@string/app_name" {icons}/>
</manifest>
"""

ADAPTIVE = """<adaptive-icon xmlns:android="http://schemas.android.com/apk/res/android">
    <background android:drawable="@drawable/ic_launcher_background"/>
    <foreground android:drawable="@drawable/ic_launcher_foreground"/>
    <monochrome android:drawable="@drawable/ic_launcher_foreground"/>
</adaptive-icon>
"""

# a green square crossed by a grid of thin light lines
BACKGROUND = """<vector xmlns:android="http://schemas.android.com/apk/res/android"
    android:width="108dp" android:height="108dp"
    android:viewportWidth="108" android:viewportHeight="108">
    <path android:fillColor="@color/launcher_green" android:pathData="M0,0h108v108h-108z"/>
    {lines}
</vector>
"""
GRID_LINE = (
    '<path android:fillColor="#00000000" android:pathData="M{x},0L{x},108" '
    'android:strokeWidth="0.8" android:strokeColor="#33FFFFFF"/>'
)

# the robot's head over a long shadow, as in Android Studio's template
FOREGROUND = """<vector xmlns:android="http://schemas.android.com/apk/res/android"
    xmlns:aapt="http://schemas.android.com/aapt"
    android:width="108dp" android:height="108dp"
    android:viewportWidth="108" android:viewportHeight="108">
    <path android:pathData="M31,63.93c0,0 6.4,-11 12.1,-13.1c7.2,-2.6 26,-1.4 26,-1.4
        l38.1,38.1L107,108.93l-32,-1L31,63.93z">
        <aapt:attr name="android:fillColor">
            <gradient android:type="linear" android:startX="42.95" android:startY="49.6"
                android:endX="85.85" android:endY="92.5">
                <item android:color="#44000000" android:offset="0.0"/>
                <item android:color="#00000000" android:offset="1.0"/>
            </gradient>
        </aapt:attr>
    </path>
    <group android:translateX="0" android:translateY="0">
        <path android:fillColor="#FFFFFF" android:fillType="nonZero"
            android:pathData="M65.3,45.83l3.8,-6.6c0.2,-0.4 0.1,-0.9 -0.3,-1.1
                c-0.4,-0.2 -0.9,-0.1 -1.1,0.3l-3.9,6.7c-6.3,-2.8 -13.4,-2.8 -19.7,0l-3.9,-6.7
                c-0.2,-0.4 -0.7,-0.5 -1.1,-0.3C38.8,38.33 38.7,38.83 38.9,39.23l3.8,6.6
                C36.2,49.43 31.7,56.03 31,63.93h46C76.3,56.03 71.8,49.43 65.3,45.83z
                M43.4,57.33c-1.1,0 -1.9,-0.9 -1.9,-1.9s0.9,-1.9 1.9,-1.9s1.9,0.9 1.9,1.9
                S44.5,57.33 43.4,57.33zM64.6,57.33c-1.1,0 -1.9,-0.9 -1.9,-1.9s0.9,-1.9 1.9,-1.9
                s1.9,0.9 1.9,1.9S65.6,57.33 64.6,57.33z"/>
    </group>
</vector>
"""

VALUES = """<resources>
    <string name="app_name">Icons</string>
    <color name="launcher_green">#FF3DDC84</color>
</resources>
"""

GREEN = (0x3D, 0xDC, 0x84)


def template_sources(webp: bytes) -> dict[str, str | bytes]:
    """The template's icon files (paths under ``res/``), with ``webp`` as every raster."""
    lines = "\n    ".join(GRID_LINE.format(x=x) for x in range(9, 108, 10))
    files: dict[str, str | bytes] = {
        "values/strings.xml": VALUES,
        "mipmap-anydpi-v26/ic_launcher.xml": ADAPTIVE,
        "drawable/ic_launcher_background.xml": BACKGROUND.format(lines=lines),
        "drawable-v24/ic_launcher_foreground.xml": FOREGROUND,
    }
    for density in ("mdpi", "hdpi", "xhdpi", "xxhdpi", "xxxhdpi"):
        files[f"mipmap-{density}/ic_launcher.webp"] = webp
    return files


def build(
    where: Path,
    sources: Mapping[str, str | bytes],
    icons: str = 'android:icon="@mipmap/ic_launcher"',
) -> Path:
    """``where/app.apk``, compiled and linked by aapt2 from ``sources`` (paths under
    ``res/``) and a manifest whose ``<application>`` has ``icons``."""
    res = where / "res"
    for name, content in sources.items():
        target = res / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
    (where / "AndroidManifest.xml").write_text(MANIFEST.format(icons=icons), encoding="utf-8")
    compiled, apk = where / "res.zip", where / "app.apk"
    _run("aapt2", "compile", "--dir", str(res), "-o", str(compiled))
    _run(
        "aapt2",
        "link",
        "-o",
        str(apk),
        "-I",
        str(framework_res()),
        "--manifest",
        str(where / "AndroidManifest.xml"),
        str(compiled),
    )
    return apk


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed: {done.stderr}")
