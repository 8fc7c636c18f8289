"""The clone build pipeline: from one app (an APK or a split set) to N signed clones.

For every clone and every APK of the app: every entry a clone does not change is copied
with its compressed bytes unchanged and in its original order; then come the manifest
rewritten for the clone's package (a reference to a value that must be renamed, like
``android:authorities="@string/…"``, is resolved against the APK's ``resources.arsc``, a
split's also against the base's, and replaced by the renamed text; ``AppSet.warnings()``
names those nothing resolves), ``resources.arsc`` with the new package name (stored,
aligned), the payload's extra entries (``CloneSpec.extra_entries``, base APK only) and the
signature files; the result is signed — v1 when minSdk < 24, v2 and v3 always — with the
clone's own key (``CloneSpec.key``, else the build's), one key for all APKs of a split set.

Work that is the same for every clone is done once per build: the v1 digests of the
untouched entries (inflated and hashed on several threads, started once the build's checks
pass so that they go on while the rest is done), the untouched part of the zip
(kept as spans of the source file, which the kernel copies into each clone's file, or as
views of the source's bytes when they are in memory), the sha256 state after it and
the v2/v3 digests of its whole 1 MiB chunks (every clone's file starts with those bytes).
A clone then digests and holds only its own entries, and the content digest is shared by
v2 and v3. ``advance(1)`` reports each finished clone.

Output is staged in a hidden directory inside ``out_dir`` and moved into place only when
every clone is written; on any error nothing is left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from apk import arsc, inflate
from apk.file_bytes import FileSpan, copy_span, write_all
from apk.manifest import RenamePlan, ResolveString, rewrite_manifest
from apk.platform_rules import entry_name_refusal
from apk.res_xml import find_package_xml
from apk.sections import eocd_with_cd_offset
from apk.signing import v1, v2v3
from apk.signing.keys import SigningKey
from apk.source import ARSC_NAME, MANIFEST_NAME, ApkInputError, SourceApk
from apk.splits import AppSet
from apk.staging import Stage, staged_output
from apk.zip_read import STORED, ZipArchive, ZipEntry, ZipFormatError
from apk.zip_write import EntryAttributes, Piece, ZipWriter, join_pieces

Advance = Callable[[int], None]
ENTRY_LIMIT = 1 << 31  # what one entry may inflate to when it is digested for v1
_INFLATE_STEP = 1 << 20
_INPUT_STEP = 1 << 16
_DIGEST_THREADS = min(4, os.cpu_count() or 1)
_PARALLEL_MIN_BYTES = 4 << 20  # below this, threads cost more than they save
_REPLACED = frozenset({MANIFEST_NAME, ARSC_NAME})


@dataclass(frozen=True)
class ExtraEntry:
    """A file the payload adds to a clone's base APK.

    Deflated when ``compress``; otherwise stored, starting on ``alignment`` (default: 4,
    16 KiB for ``.so``). Native libraries should be stored when the app has
    ``extractNativeLibs="false"`` (``SourceApk.info.extract_native_libs``).
    """

    name: str
    content: bytes
    compress: bool = True
    alignment: int | None = None


@dataclass(frozen=True)
class CloneSpec:
    """One clone to build: its index, package, and what the payload adds to it."""

    index: int
    package: str
    extra_entries: tuple[ExtraEntry, ...] = ()
    application_name: str | None = None  # replaces <application android:name> if set
    rename_actions: bool = False  # the app's own intent actions too (RenamePlan)
    key: SigningKey | None = None  # this clone's key (None: the key given to build_clones)


@dataclass(frozen=True)
class BuiltClone:
    """A written clone: ``apk`` is the APK (the base APK of a split set)."""

    index: int
    package: str
    apk: Path
    sha256: str
    splits: tuple[Path, ...] = ()


class SharedPrefix:
    """The untouched entries every clone of an APK starts with, written once per build and
    kept as pieces (local headers, and views of the source's bytes or spans of its file for
    the entries' data), never joined into one copy; with the sha256 state after them and,
    per digest, the v2/v3 digests of their whole 1 MiB chunks. One pass over the pieces
    gives the sha256 state and the SHA-256 chunk digests (what most keys sign with)."""

    def __init__(self, pieces: Sequence[Piece], length: int) -> None:
        self.pieces = tuple(pieces)
        self.length = length
        self.sha256 = hashlib.sha256()
        self._chunk_digests: dict[str, list[bytes]] = {}
        self._remainder = b""
        self._digest("sha256", whole_file=self.sha256)

    @property
    def remainder(self) -> bytes:
        """The bytes after the last whole chunk (the start of the clone's last chunks)."""
        return self._remainder

    def chunk_digests(self, digest_name: str) -> list[bytes]:
        """The v2/v3 digests of the whole 1 MiB chunks, computed once per digest."""
        if digest_name not in self._chunk_digests:
            self._digest(digest_name)
        return self._chunk_digests[digest_name]

    def _digest(self, digest_name: str, whole_file: hashlib._Hash | None = None) -> None:
        digests: list[bytes] = []
        pending = bytearray()
        for piece in self._views():
            if whole_file is not None:
                whole_file.update(piece)
            view, pos = memoryview(piece), 0
            if pending:
                pos = min(v2v3.CHUNK_SIZE - len(pending), len(view))
                pending += view[:pos]
                if len(pending) < v2v3.CHUNK_SIZE:
                    continue
                digests += v2v3.chunk_digests(pending, digest_name)
                pending = bytearray()
            whole = (len(view) - pos) // v2v3.CHUNK_SIZE * v2v3.CHUNK_SIZE
            digests += v2v3.chunk_digests(view[pos : pos + whole], digest_name)
            pending += view[pos + whole :]
        self._chunk_digests[digest_name] = digests
        self._remainder = bytes(pending)

    def _views(self) -> Iterator[bytes | memoryview]:
        """The pieces' bytes in order, spans read from their file 1 MiB at a time."""
        for piece in self.pieces:
            if isinstance(piece, FileSpan):
                yield from piece.chunks()
            else:
                yield piece


@dataclass(frozen=True)
class CloneImage:
    """A signed APK: the shared prefix, this clone's own entries (``tail``), the APK Signing
    Block, the central directory and the EOCD record (its offset already set)."""

    prefix: SharedPrefix
    tail: bytes
    signing_block: bytes
    central_directory: bytes
    eocd: bytes

    def write(self, path: Path) -> str:
        """Write the APK to ``path``; returns the file's sha256 (hex). The untouched entries'
        data go from the source file to ``path`` in the kernel where they can."""
        own = (self.tail, self.signing_block, self.central_directory, self.eocd)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            for piece in (*self.prefix.pieces, *own):
                if isinstance(piece, FileSpan):
                    copy_span(piece, fd)
                else:
                    write_all(fd, piece)
        finally:
            os.close(fd)
        digest = self.prefix.sha256.copy()
        for part in own:
            digest.update(part)
        return digest.hexdigest()


def build_clones(
    app: AppSet,
    specs: Sequence[CloneSpec],
    out_dir: Path,
    key: SigningKey | None = None,
    advance: Advance | None = None,
    replaced_entries: Mapping[str, bytes] | None = None,
    digest_cache: Path | None = None,
) -> list[BuiltClone]:
    """Write one signed clone of ``app`` per spec into ``out_dir``; all or nothing. Each is
    signed with its spec's key, or ``key`` when the spec has none.

    A plain APK becomes ``out_dir/<package>.apk``; a split set becomes the directory
    ``out_dir/<package>/`` with ``base.apk`` and ``split_<name>.apk``.
    ``replaced_entries`` (name -> content) replaces existing entries of the base APK the
    same way in every clone (in place, with their original compression).
    ``digest_cache`` is a directory where the v1 digests of an APK's entries are kept by
    the APK's sha256, so a later build of the same APK does not inflate it again.
    """
    _check_specs(app, specs)
    if key is None:
        if any(spec.key is None for spec in specs):
            raise ValueError("a clone has no signing key")
        key = specs[0].key
    assert key is not None
    declared = frozenset(app.base.info.permissions) | frozenset(app.base.info.permission_groups)
    min_sdk = app.base.info.min_sdk
    cloners = [
        ApkCloner(
            apk,
            key,
            declared,
            min_sdk,
            replaced_entries if apk is app.base else None,
            app.resolver(apk),
            digest_cache,
        )
        for apk in app.apks
    ]
    for cloner in cloners:
        cloner.start()  # every check passed: the shared work may begin
    built = []
    with staged_output(out_dir) as stage:
        for spec in specs:
            built.append(_build_one(app, cloners, spec, stage, advance))
        return [_final(b, stage) for b in built]


def _build_one(
    app: AppSet, cloners: list[ApkCloner], spec: CloneSpec, stage: Stage, advance: Advance | None
) -> BuiltClone:
    paths: list[Path] = []
    digests: list[str] = []
    for cloner in cloners:
        extra = spec.extra_entries if cloner.source is app.base else ()
        image = cloner.build(
            spec.package, extra, spec.application_name, spec.rename_actions, spec.key
        )
        path = stage.path(_relative_path(app, cloner.source, spec.package))
        digests.append(image.write(path))
        paths.append(path)
    if advance is not None:
        advance(1)
    return BuiltClone(spec.index, spec.package, paths[0], digests[0], tuple(paths[1:]))


def _relative_path(app: AppSet, apk: SourceApk, package: str) -> Path:
    if not app.is_split:
        return Path(f"{package}.apk")
    if apk is app.base:
        return Path(package) / "base.apk"
    return Path(package) / f"split_{apk.split}.apk"


def _final(built: BuiltClone, stage: Stage) -> BuiltClone:
    return BuiltClone(
        built.index,
        built.package,
        stage.final(built.apk),
        built.sha256,
        tuple(stage.final(p) for p in built.splits),
    )


def _check_specs(app: AppSet, specs: Sequence[CloneSpec]) -> None:
    packages = [s.package for s in specs]
    if app.package in packages:
        raise ValueError(f"a clone cannot keep the original package {app.package!r}")
    if len(set(packages)) != len(packages):
        raise ValueError("two clones have the same package name")
    for spec in specs:
        names = [e.name for e in spec.extra_entries]
        clash = set(names) & set(app.base.archive.names)
        if clash or len(set(names)) != len(names):
            what = sorted(clash)[0] if clash else "an extra entry"
            raise ValueError(f"clone {spec.index}: {what!r} would be written twice")


class ApkCloner:
    """Builds clones of one APK, reusing per-APK work across clones (``key`` is the one a
    clone is signed with unless ``build`` is given its own).

    For a split, ``declared_permissions`` are the base's (so references to them are renamed
    the same way) and ``min_sdk`` is the base's, which decides whether v1 is needed.
    ``replacements`` are new contents for existing entries, the same in every clone.
    ``resolve`` resolves the manifest's references (default: against the APK's own
    ``resources.arsc``; a split's should fall back to the base's, see ``AppSet.resolver``).
    ``digest_cache``: where v1 digests are kept across builds (see ``build_clones``).
    """

    def __init__(
        self,
        source: SourceApk,
        key: SigningKey,
        declared_permissions: frozenset[str] = frozenset(),
        min_sdk: int | None = None,
        replacements: Mapping[str, bytes] | None = None,
        resolve: ResolveString | None = None,
        digest_cache: Path | None = None,
    ) -> None:
        self.source = source
        self.digest_cache = digest_cache
        self.resolve = resolve or source.resolver()
        self.key = key
        self.declared_permissions = declared_permissions
        self.replacements = _checked_replacements(source, replacements or {})
        self._arsc = source.read_arsc()
        if self._arsc is not None:
            arsc.read_packages(self._arsc)  # refuse a damaged table before any work
        self._sdk = source.info.min_sdk if min_sdk is None else min_sdk
        self._v1_algorithm(key)  # a key that cannot sign this APK fails before any work
        refusal = entry_name_refusal(source.archive.names, self._sdk)
        if refusal is not None:
            raise ApkInputError(f"{source.name}: {refusal.message()}")
        authorities = frozenset(source.info.provider_authorities)
        self._res_xml = find_package_xml(source.archive, source.package, authorities, self.resolve)
        self._untouched_digests: dict[v1.DigestAlgorithm, dict[str, bytes]] = {}
        self._started: dict[v1.DigestAlgorithm, Callable[[], dict[str, bytes]]] = {}
        self._shared: tuple[ZipWriter, SharedPrefix] | None = None

    def start(self) -> None:
        """Start the shared work that can run on its own: the v1 digests of the untouched
        entries (for the cloner's key; unless cached) are computed on threads while the
        clones' own parts are made. ``build`` waits for them when it needs them."""
        algorithm = self._v1_algorithm(self.key)
        if algorithm is not None and algorithm not in self._started:
            self._started[algorithm] = self._start_untouched(algorithm)

    def build(
        self,
        package: str,
        extra: Sequence[ExtraEntry] = (),
        application_name: str | None = None,
        rename_actions: bool = False,
        key: SigningKey | None = None,
    ) -> CloneImage:
        """The signed clone of this APK under ``package``, signed with ``key`` (default: the
        cloner's)."""
        key = key or self.key
        plan = RenamePlan(
            self.source.package,
            package,
            application_name,
            self.declared_permissions,
            rename_actions,
        )
        manifest = rewrite_manifest(self.source.manifest, plan, self.resolve)
        table = arsc.rename_package(self._arsc, package) if self._arsc is not None else None
        writer, prefix = self._untouched_written()
        replaced = {MANIFEST_NAME: manifest} | ({ARSC_NAME: table} if table is not None else {})
        replaced |= self._res_xml.renamed(package, self.resolve)
        for name, content in replaced.items():
            entry = self.source.archive.entry(name)
            stored = name == ARSC_NAME or entry.method == STORED
            attributes = EntryAttributes.of(entry)
            writer.add(name, content, compress=not stored, attributes=attributes)
        for item in extra:
            writer.add(item.name, item.content, compress=item.compress, alignment=item.alignment)
        v1_algorithm = self._v1_algorithm(key)
        if v1_algorithm is not None:
            self._add_v1(writer, replaced, extra, key, v1_algorithm)
        tail = join_pieces(writer.pieces()[len(prefix.pieces) :])
        central, eocd = writer.directory()
        name = v2v3.signature_algorithm(key).digest_name
        chunks = [
            *prefix.chunk_digests(name),
            *v2v3.chunk_digests(prefix.remainder + tail, name),
            *v2v3.chunk_digests(central, name),
            *v2v3.chunk_digests(eocd_with_cd_offset(eocd, writer.size), name),
        ]
        block = v2v3.signing_block_for_digest(v2v3.top_digest(chunks, name), key)
        final_eocd = eocd_with_cd_offset(eocd, writer.size + len(block))
        return CloneImage(prefix, tail, block, central, final_eocd)

    def _v1_algorithm(self, key: SigningKey) -> v1.DigestAlgorithm | None:
        return v1.digest_algorithm(key, self._sdk) if v1.needs_v1(self._sdk) else None

    def _untouched_written(self) -> tuple[ZipWriter, SharedPrefix]:
        """A writer holding every untouched entry, in order: written once, forked per clone.

        The manifest, ``resources.arsc`` and new entries follow them, so the first bytes of
        every clone are the same and their sha256 state is computed once too.
        """
        if self._shared is None:
            archive = self.source.archive
            writer = ZipWriter()
            for entry in archive.entries:
                if v1.is_signature_file(entry.name) or entry.name in _REPLACED:
                    continue
                if entry.name in self._res_xml.files:  # renamed per clone
                    continue
                content = self.replacements.get(entry.name)
                if content is None:
                    writer.copy(archive, entry)
                else:
                    compress, attributes = not entry.is_stored, EntryAttributes.of(entry)
                    writer.add(entry.name, content, compress=compress, attributes=attributes)
            self._shared = (writer, SharedPrefix(writer.pieces(), writer.size))
        writer, prefix = self._shared
        return writer.fork(), prefix

    def _add_v1(
        self,
        writer: ZipWriter,
        replaced: Mapping[str, bytes],
        extra: Sequence[ExtraEntry],
        key: SigningKey,
        algorithm: v1.DigestAlgorithm,
    ) -> None:
        digests = dict(self._untouched(algorithm))
        for name, content in (*replaced.items(), *((e.name, e.content) for e in extra)):
            if v1.needs_digest(name):
                digests[name] = v1.entry_digest(content, algorithm)
        signature = v1.sign(digests, key, algorithm=algorithm)
        for name, content in signature.files():
            writer.add(name, content, compress=True)

    def _untouched(self, algorithm: v1.DigestAlgorithm) -> dict[str, bytes]:
        """v1 digests of the entries no clone changes: computed once (or read from the
        digest cache), then reused."""
        if algorithm not in self._untouched_digests:
            started = self._started.pop(algorithm, None) or self._start_untouched(algorithm)
            digests = started()
            for name, content in self.replacements.items():
                digests[name] = v1.entry_digest(content, algorithm)
            self._untouched_digests[algorithm] = digests
        return self._untouched_digests[algorithm]

    def _start_untouched(self, algorithm: v1.DigestAlgorithm) -> Callable[[], dict[str, bytes]]:
        """The untouched entries' digests from the cache, or their computation started (on
        threads for a big APK); the function returned gives them when they are done."""
        archive = self.source.archive
        wanted = [e for e in archive.entries if v1.needs_digest(e.name) and e.name not in _REPLACED]
        cache = _DigestCache(self.digest_cache, self.source.sha256, algorithm)
        cached = cache.load(wanted)
        if cached is not None:
            return lambda: cached
        computing = _start_digests(archive, wanted, algorithm)

        def finish() -> dict[str, bytes]:
            digests = computing()
            cache.save(digests)
            return digests

        return finish


def _checked_replacements(source: SourceApk, replacements: Mapping[str, bytes]) -> dict[str, bytes]:
    for name in replacements:
        if source.archive.find(name) is None:
            raise ValueError(f"{source.name}: cannot replace {name!r}, the APK has no such entry")
        if name in _REPLACED or v1.is_signature_file(name) or name.endswith("/"):
            raise ValueError(f"{source.name}: {name!r} cannot be replaced by the payload")
    return dict(replacements)


@dataclass(frozen=True)
class _DigestCache:
    """The v1 digests of one APK's entries (by its sha256) in ``directory``, one JSON file
    per APK and algorithm. Best effort: a missing, unreadable or odd file is recomputed, a
    failed write ignored."""

    directory: Path | None
    apk_sha256: str
    algorithm: v1.DigestAlgorithm

    @property
    def path(self) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{self.apk_sha256}.{self.algorithm.hashlib_name}.json"

    def load(self, entries: Sequence[ZipEntry]) -> dict[str, bytes] | None:
        if self.path is None:
            return None
        try:
            stored = json.loads(self.path.read_text())
            digests = {e.name: bytes.fromhex(stored[e.name]) for e in entries}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        size = self.algorithm.size
        if len(stored) != len(digests) or any(len(d) != size for d in digests.values()):
            return None
        return digests

    def save(self, digests: Mapping[str, bytes]) -> None:
        if self.path is None:
            return
        text = json.dumps({name: d.hex() for name, d in digests.items()})
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def _start_digests(
    archive: ZipArchive, entries: Sequence[ZipEntry], algorithm: v1.DigestAlgorithm
) -> Callable[[], dict[str, bytes]]:
    """``_streamed_digest`` of each entry (in their order), spread over threads started now
    (inflating and hashing release the GIL), the largest entries first so the threads end
    together; a small APK is digested on the calling thread, when the result is asked for."""
    by_size = sorted(entries, key=lambda e: e.uncompressed_size, reverse=True)
    workers = min(_DIGEST_THREADS, len(by_size))

    def digest(entry: ZipEntry) -> bytes:
        return _streamed_digest(archive, entry, algorithm)

    if workers <= 1 or sum(e.uncompressed_size for e in by_size) < _PARALLEL_MIN_BYTES:
        return lambda: {e.name: digest(e) for e in entries}
    wait = _start_threads(by_size, workers, digest)

    def in_order() -> dict[str, bytes]:
        done = wait()
        return {e.name: done[e.name] for e in entries}

    return in_order


def _start_threads(
    entries: Sequence[ZipEntry], workers: int, digest: Callable[[ZipEntry], bytes]
) -> Callable[[], dict[str, bytes]]:
    """Start ``digest`` of every entry on ``workers`` threads that each take the next entry
    when done with one; the function returned waits for them and gives the digests by name,
    or raises the first error (the other threads then stop taking entries). Plain threads:
    ``concurrent.futures`` would import ``logging`` and more into every build."""
    import threading

    pending = iter(entries)
    lock = threading.Lock()
    done: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def work() -> None:
        while not errors:
            with lock:
                entry = next(pending, None)
            if entry is None:
                return
            try:
                done[entry.name] = digest(entry)
            except BaseException as e:  # raised again by wait()
                errors.append(e)
                return

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()

    def wait() -> dict[str, bytes]:
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return done

    return wait


def _streamed_digest(archive: ZipArchive, entry: ZipEntry, algorithm: v1.DigestAlgorithm) -> bytes:
    """The digest of ``entry``'s uncompressed content, inflated piecewise and CRC-checked."""
    if entry.uncompressed_size > ENTRY_LIMIT:
        raise ApkInputError(f"entry {entry.name!r} is too large ({entry.uncompressed_size} bytes)")
    digest = hashlib.new(algorithm.hashlib_name)
    crc, size = 0, 0
    for piece in _pieces(archive, entry):
        digest.update(piece)
        crc = inflate.crc32(piece, crc)
        size += len(piece)
        if size > entry.uncompressed_size:
            break
    if size != entry.uncompressed_size or crc != entry.crc32:
        raise ApkInputError(f"entry {entry.name!r} is damaged (size or CRC does not match)")
    return digest.digest()


def _pieces(archive: ZipArchive, entry: ZipEntry) -> Iterator[bytes | memoryview]:
    # the raw data is read (from the source file) in small slices; ``unconsumed_tail`` is a
    # copy, so feeding the whole entry would also copy the rest of it after every step
    if entry.method == STORED:
        yield from archive.raw_chunks(entry, _INPUT_STEP)
        return
    inflater = inflate.raw_inflater()
    try:
        for raw in archive.raw_chunks(entry, _INPUT_STEP):
            pending: bytes | memoryview = raw
            while pending and not inflater.eof:
                yield inflater.decompress(pending, _INFLATE_STEP)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        yield inflater.flush()
    except inflate.ERRORS as e:
        raise ApkInputError(f"entry {entry.name!r} is not valid deflate data: {e}") from e


__all__ = [
    "ApkCloner",
    "ApkInputError",
    "BuiltClone",
    "CloneImage",
    "CloneSpec",
    "ExtraEntry",
    "ZipFormatError",
    "build_clones",
]
