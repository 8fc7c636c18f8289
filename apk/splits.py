"""Split APK sets: one base APK and its splits, from whatever form the user has them in.

``load_app(paths)`` accepts one APK; an ``.apks`` (bundletool) or ``.xapk`` archive, i.e.
a zip whose entries are APKs; a directory of APKs; or several APK files of one app. It
returns an ``AppSet``: exactly one base (no ``split`` attribute) and any number of splits,
all of the same package and version code, with distinct split names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from apk.file_bytes import FileBytes
from apk.manifest import ResolveString, unresolved_references
from apk.source import MANIFEST_NAME, ApkInputError, SourceApk, load_source, parse_source
from apk.zip_read import Data, ZipArchive, ZipFormatError, parse_zip

INNER_APK_LIMIT = 2 << 30  # an APK inside an .apks/.xapk archive


@dataclass(frozen=True)
class AppSet:
    """The APKs of one app: the base and its splits (empty for a plain APK)."""

    base: SourceApk
    splits: tuple[SourceApk, ...] = ()

    @property
    def package(self) -> str:
        return self.base.package

    @property
    def apks(self) -> tuple[SourceApk, ...]:
        return (self.base, *self.splits)

    @property
    def is_split(self) -> bool:
        return bool(self.splits)

    @property
    def size(self) -> int:
        return sum(len(a.data) for a in self.apks)

    def resolver(self, apk: SourceApk) -> ResolveString:
        """Resolves references in ``apk``'s manifest: a split's against its own
        ``resources.arsc``, then the base's."""
        return apk.resolver() if apk is self.base else apk.resolver(self.base)

    def warnings(self) -> tuple[str, ...]:
        """What a clone of this app cannot rename: provider authorities, declared permissions
        or ``sharedUserId`` given as references no ``resources.arsc`` resolves."""
        return tuple(
            f"{apk.name}: {ref}"
            for apk in self.apks
            for ref in unresolved_references(apk.manifest, self.resolver(apk))
        )


def load_app(paths: Sequence[Path]) -> AppSet:
    """The app in ``paths``: one APK, an .apks/.xapk, a directory, or several APKs."""
    if not paths:
        raise ApkInputError("no APK given")
    if len(paths) > 1:
        return group([_load_file(p) for p in paths])
    path = paths[0]
    if path.is_dir():
        return group([_load_file(p) for p in _apks_in_directory(path)])
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    data = FileBytes(path)  # read on demand, never held whole (apk.file_bytes)
    archive = _parse(data, str(path))
    if archive.find(MANIFEST_NAME) is None and _inner_apks(archive):
        return group([parse_source(*item) for item in _read_inner(archive, path)])
    return group([parse_source(data, str(path))])


def group(apks: Sequence[SourceApk]) -> AppSet:
    """Check that ``apks`` form one app (one base, same package and version) and order them."""
    bases = [a for a in apks if a.split is None]
    if not bases:
        names = ", ".join(f"{a.name} (split {a.split!r})" for a in apks)
        raise ApkInputError(f"no base APK: {names} only; give the base APK too")
    if len(bases) > 1:
        names = ", ".join(a.name for a in bases)
        raise ApkInputError(f"a split APK set needs exactly one base APK, found {names}")
    base = bases[0]
    splits = sorted((a for a in apks if a.split is not None), key=lambda a: a.split or "")
    seen: set[str] = set()
    for split in splits:
        _check_same_app(base, split)
        if split.split in seen:
            raise ApkInputError(f"split {split.split!r} is given twice")
        seen.add(split.split or "")
    return AppSet(base, tuple(splits))


def _check_same_app(base: SourceApk, split: SourceApk) -> None:
    if split.package != base.package:
        raise ApkInputError(
            f"{split.name} is package {split.package!r}, not {base.package!r} like the base"
        )
    if split.info.version_code != base.info.version_code:
        raise ApkInputError(
            f"{split.name} has versionCode {split.info.version_code}, "
            f"the base {base.info.version_code}"
        )


def _load_file(path: Path) -> SourceApk:
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; give a directory alone")
    return load_source(path)


def _apks_in_directory(path: Path) -> list[Path]:
    found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".apk" and p.is_file())
    if not found:
        raise ApkInputError(f"{path} is a directory without .apk files")
    return found


def _parse(data: Data, name: str) -> ZipArchive:
    try:
        return parse_zip(data)
    except ZipFormatError as e:
        raise ApkInputError(f"{name}: {e}") from e


def _inner_apks(archive: ZipArchive) -> list[str]:
    return [n for n in archive.names if n.lower().endswith(".apk") and not n.endswith("/")]


def _read_inner(archive: ZipArchive, path: Path) -> list[tuple[bytes, str]]:
    items = []
    for name in _inner_apks(archive):
        try:
            items.append((archive.read(name, INNER_APK_LIMIT), f"{path}!{name}"))
        except ZipFormatError as e:
            raise ApkInputError(f"{path}: {e}") from e
    return items
