"""A source APK, read and checked once: its bytes, zip container, manifest and facts.

``load_source(path)`` reads a file (on demand: its bytes are not held in memory, see
``apk.file_bytes``), ``parse_source(data, name)`` bytes already in memory (a split inside an
``.apks``). Everything wrong with the input raises ``ApkInputError``
(a ``ValueError``) saying what: not a zip, no manifest, a manifest that is empty,
garbage, truncated or inflates past ``MANIFEST_LIMIT``…; reading the file raises ``OSError``.

Manifest attributes that are resource references (``@string/…``) are resolved against the
APK's own ``resources.arsc``, which is read and parsed only when a manifest has one.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from apk.arsc import ArscFormatError
from apk.arsc_values import ResourceTable, parse_table, table_resolver
from apk.file_bytes import FileBytes
from apk.manifest import ManifestInfo, ResolveString, read_manifest_info
from apk.zip_read import Data, ZipArchive, ZipFormatError, parse_zip

MANIFEST_NAME = "AndroidManifest.xml"
ARSC_NAME = "resources.arsc"
MANIFEST_LIMIT = 16 << 20  # real manifests are well under 1 MiB
ARSC_LIMIT = 512 << 20


class ApkInputError(ValueError):
    """The input is not an APK this tool can clone."""


@dataclass(frozen=True)
class SourceApk:
    """One APK to clone. ``name`` is what messages call it (a path or an archive member);
    ``resources()`` is its parsed ``resources.arsc`` (``None`` without one), parsed once."""

    name: str
    data: Data  # bytes in memory, or the file's, read on demand
    archive: ZipArchive
    manifest: bytes
    info: ManifestInfo
    sha256: str
    resources: Callable[[], ResourceTable | None] = field(compare=False, repr=False)

    @property
    def package(self) -> str:
        return self.info.package

    @property
    def split(self) -> str | None:
        return self.info.split

    def content(self) -> bytes:
        """All of the APK's bytes (read from its file if they are not in memory)."""
        return self.data if isinstance(self.data, bytes) else self.data[:]

    def read_arsc(self) -> bytes | None:
        """The uncompressed ``resources.arsc``, or ``None`` if the APK has none."""
        return _read_arsc(self.archive, self.name)

    def resolver(self, *fallbacks: SourceApk) -> ResolveString:
        """Resolves references in this APK's manifest: against its own ``resources.arsc``,
        then the ``fallbacks``' (a split's manifest may refer to the base APK's resources)."""
        return table_resolver(self.resources, *(f.resources for f in fallbacks))


def load_source(path: Path) -> SourceApk:
    """Read and check the APK at ``path``."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not an APK")
    return parse_source(FileBytes(path), str(path))


def parse_source(data: Data, name: str) -> SourceApk:
    """Check ``data`` as an APK: a zip with a readable ``AndroidManifest.xml``."""
    try:
        archive = parse_zip(data)
    except ZipFormatError as e:
        raise ApkInputError(f"{name}: {e}") from e
    if archive.find(MANIFEST_NAME) is None:
        raise ApkInputError(f"{name}: no {MANIFEST_NAME} in the archive, so it is not an APK")
    resources = functools.cache(functools.partial(_parse_arsc, archive, name))
    try:
        manifest = archive.read(MANIFEST_NAME, MANIFEST_LIMIT)
        info = read_manifest_info(manifest, table_resolver(resources))
    except ApkInputError:
        raise
    except ArscFormatError as e:  # from resolving a reference
        raise ApkInputError(f"{name}: {e}") from e
    except ValueError as e:
        raise ApkInputError(f"{name}: bad {MANIFEST_NAME}: {e}") from e
    sha256 = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else data.sha256()
    return SourceApk(name, data, archive, manifest, info, sha256, resources)


def _read_arsc(archive: ZipArchive, name: str) -> bytes | None:
    if archive.find(ARSC_NAME) is None:
        return None
    try:
        return archive.read(ARSC_NAME, ARSC_LIMIT)
    except ZipFormatError as e:
        raise ApkInputError(f"{name}: {e}") from e


def _parse_arsc(archive: ZipArchive, name: str) -> ResourceTable | None:
    data = _read_arsc(archive, name)
    return None if data is None else parse_table(data)
