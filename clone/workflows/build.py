"""``clone build``: N signed clone APKs of one app, written all at once or not at all.

The APK work is ``apk.pipeline``; this module chooses names and each clone's key, asks the payload
workflow for each clone's extra entries, and turns the ``apk`` package's exceptions into
``clone.errors`` (bad input: exit 2; a failure to write: exit 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clone.errors import BadInput, NotFound, OperationFailed
from clone.home import DEFAULT_COUNT, DEFAULT_TEMPLATE, Home
from clone.workflows.payload import DEFAULT_HOOKS, HookMode, HookPlan, prepare_hooks

if TYPE_CHECKING:
    from apk.pipeline import CloneSpec
    from apk.signing.keys import SigningKey
    from apk.splits import AppSet
    from identity import Identity

Advance = Callable[[int], None]
MAX_COUNT = 999


@dataclass(frozen=True)
class BuildRequest:
    """What ``clone build`` was asked: the app (one path, or the files of a split set)."""

    apks: tuple[Path, ...]
    count: int = DEFAULT_COUNT
    out: Path = Path("dist")
    name_template: str = DEFAULT_TEMPLATE
    hooks: HookMode = DEFAULT_HOOKS
    gadget_dir: Path | None = None
    key: Path | None = None
    cert: Path | None = None
    key_password: str | None = None
    seed: int | None = None  # identities embedded in the clones' policies (None: random)
    force: bool = False  # replace clone APKs an earlier build left in ``out``


@dataclass(frozen=True)
class SourceSummary:
    package: str
    version_code: int | None
    min_sdk: int
    sha256: str


@dataclass(frozen=True)
class BuiltApk:
    """One written clone; ``splits`` are the other APKs of a split set; ``identity`` the one
    its embedded hook policy carries (None without hooks)."""

    index: int
    package: str
    apk: Path
    sha256: str
    splits: tuple[Path, ...] = ()
    identity: Identity | None = None


@dataclass(frozen=True)
class BuildResult:
    source: SourceSummary
    clones: tuple[BuiltApk, ...]
    hooks: dict[str, Any] = field(default_factory=dict)
    app_warnings: tuple[str, ...] = ()  # what the rename could not reach (see AppSet.warnings)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the user should know about the clones (e.g. a provider authority given as a
        reference nothing resolves, a Gadget not 16 KiB aligned)."""
        return self.app_warnings + tuple(str(w) for w in self.hooks.get("warnings", ()))

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document of the CLI contract."""
        clones = []
        for c in self.clones:
            item: dict[str, Any] = {
                "index": c.index,
                "package": c.package,
                "apk": str(c.apk),
                "sha256": c.sha256,
            }
            if c.splits:
                item["splits"] = [str(p) for p in c.splits]
            if c.identity is not None:
                item["identity"] = c.identity.to_dict()
            clones.append(item)
        s = self.source
        source = {
            "package": s.package,
            "version_code": s.version_code,
            "min_sdk": s.min_sdk,
            "sha256": s.sha256,
        }
        return {
            "source": source,
            "clones": clones,
            "hooks": self.hooks,
            "warnings": list(self.warnings),
        }


def build(home: Home, req: BuildRequest, advance: Advance | None = None) -> BuildResult:
    """Build ``req.count`` clones of ``req.apks`` into ``req.out``."""
    _check_request(req)
    app = load_app(req.apks)
    indices = range(1, req.count + 1)
    packages = _packages(req.name_template, app.package, indices)  # fails before any work
    _check_free(req.out, packages, bool(app.splits), req.force)
    plan = prepare_hooks(app, req.hooks, gadget_dir=req.gadget_dir, cache_root=home.gadget_cache)
    identities = None
    if plan.payload is not None:  # only a payload carries them (and needs their modules)
        from clone.workflows.identity import draw_clone_identities

        identities = draw_clone_identities(indices, req.seed)
    return build_app(home, app, indices, req, plan, advance, identities)


def build_app(
    home: Home,
    app: AppSet,
    indices: Sequence[int],
    req: BuildRequest,
    plan: HookPlan,
    advance: Advance | None = None,
    identities: Mapping[int, Identity] | None = None,
) -> BuildResult:
    """Build clones ``indices`` of an already loaded app with a prepared hook plan; with
    hooks, clone ``n``'s policy carries ``identities[n]`` (when given)."""
    from apk.pipeline import build_clones

    packages = _packages(req.name_template, app.package, indices)
    keys = signing_keys(home, req, app, indices)
    embedded = dict(identities or {}) if plan.payload is not None else {}
    specs = [
        replace(_spec(plan, i, p, embedded.get(i)), key=keys[i])
        for i, p in zip(indices, packages, strict=True)
    ]
    with _apk_errors(str(req.out)):
        built = build_clones(
            app, specs, req.out.absolute(), None, advance, plan.replaced_entries, home.v1_digests
        )
    info = app.base.info
    source = SourceSummary(info.package, info.version_code, info.min_sdk, app.base.sha256)
    clones = tuple(
        BuiltApk(b.index, b.package, b.apk, b.sha256, b.splits, embedded.get(b.index))
        for b in built
    )
    return BuildResult(source, clones, plan.summary(), app.warnings())


def _spec(plan: HookPlan, index: int, package: str, ident: Identity | None) -> CloneSpec:
    """Clone ``index``'s pipeline spec; its hook policy carries ``ident`` when given."""
    if ident is None:
        return plan.spec(index, package)
    from clone.workflows.identity import embedded_policy

    return plan.spec(index, package, embedded_policy(plan.policy(index, package), ident))


def build_for_install(
    home_root: Path,
    app: AppSet,
    indices: Sequence[int],
    out: Path,
    abis: Sequence[str],
    *,
    hooks: HookMode = DEFAULT_HOOKS,
    gadget_dir: Path | None = None,
    identities: Mapping[int, Identity] | None = None,
) -> BuildResult:
    """The clones ``indices`` of the loaded ``app`` for ``clone install`` (a device with
    ``abis``); with hooks, clone ``n`` carries ``identities[n]`` (the identity install then
    registers)."""
    home = Home(home_root)
    apks = tuple(Path(a.name) for a in app.apks)
    req = BuildRequest(apks, len(indices), out, hooks=hooks, gadget_dir=gadget_dir)
    plan = prepare_hooks(
        app, hooks, gadget_dir=gadget_dir, cache_root=home.gadget_cache, device_abis=abis
    )
    return build_app(home, app, indices, req, plan, identities=identities)


def load_app(apks: Sequence[Path]) -> AppSet:
    """The app to clone, checked: readable, an APK (set), one Android would install as a clone
    (``apk.platform_rules``)."""
    from apk.platform_rules import app_refusal, entry_name_refusal
    from apk.splits import load_app as load

    where = ", ".join(str(p) for p in apks)
    with _apk_errors(where):
        app = load(list(apks))
    info = app.base.info
    refusal = app_refusal(info.package, info.shared_user_id)
    for apk in app.apks:
        refusal = refusal or entry_name_refusal(apk.archive.names, info.min_sdk)
    if refusal is not None:
        raise BadInput(f"{where}: {refusal.message()}", hint="pick an app's APK")
    return app


def signing_keys(
    home: Home, req: BuildRequest, app: AppSet, indices: Sequence[int]
) -> dict[int, SigningKey]:
    """Each clone's key: the user's (``--key``/``--cert``) for all, or by default clone n's
    own, ``$CLONE_HOME/keys/clones/<app>/<n>.pem``, made on first use and reused by every
    later build of clone n (so ``adb install -r`` of an update is accepted). A new key is EC
    P-256, RSA when the app's minSdk is below what an EC v1 signature needs."""
    from apk.signing import KeyAlgorithm, load_or_create, load_user_key
    from apk.signing.keys import clone_key_file
    from apk.signing.v1 import SHA256_MIN_SDK

    try:
        if req.key is not None:
            key = load_user_key(req.key, req.cert, req.key_password)
            return dict.fromkeys(indices, key)
        if req.cert is not None:
            raise BadInput("--cert needs --key")
        keys_dir = home.ensure().keys_dir
        ec = app.base.info.min_sdk >= SHA256_MIN_SDK
        algorithm = KeyAlgorithm.EC if ec else KeyAlgorithm.RSA
        return {
            n: load_or_create(keys_dir, clone_key_file(app.package, n), algorithm=algorithm)
            for n in indices
        }
    except ValueError as e:  # SigningKeyError, or no key file for such a package name
        raise BadInput(str(e)) from e
    except OSError as e:
        raise OperationFailed(f"cannot read or create the signing key: {e}") from e


def check_apks_exist(apks: Sequence[Path]) -> None:
    """The one wording of a missing APK, for build and install alike (NotFound, exit 2)."""
    for path in apks:
        if not path.exists():
            raise NotFound(
                f"no APK at {path}",
                hint="pass an .apk file, an .apks/.xapk, or a directory of split APKs",
            )


def _check_request(req: BuildRequest) -> None:
    if not 1 <= req.count <= MAX_COUNT:
        raise BadInput(f"--count must be between 1 and {MAX_COUNT}, got {req.count}")
    if req.out.exists() and not req.out.is_dir():
        raise BadInput(f"--out {req.out} exists and is not a directory")
    check_apks_exist(req.apks)


def _check_free(out: Path, packages: Sequence[str], split: bool, force: bool) -> None:
    """Refuses to replace an earlier build's output unless ``force`` (like export)."""
    if force:
        return
    for package in packages:
        path = out / package if split else out / f"{package}.apk"
        if path.exists():
            raise BadInput(
                f"{path} exists", hint="pass --force to replace it, or pick another --out"
            )


def _packages(template: str, package: str, indices: Sequence[int]) -> list[str]:
    from apk.clone_names import ClonePackageError, clone_packages

    try:
        return clone_packages(template, package, indices)
    except ClonePackageError as e:
        raise BadInput(str(e), hint="fix --name-template") from e


@contextmanager
def _apk_errors(where: str) -> Iterator[None]:
    """``apk`` exceptions as ``clone.errors``: bad input exits 2, a failed write exits 1."""
    try:
        yield
    except FileNotFoundError as e:
        raise NotFound(_message(e, where), hint="check the path") from e
    except IsADirectoryError as e:
        raise BadInput(_message(e, where)) from e
    except ValueError as e:
        raise BadInput(str(e)) from e
    except OSError as e:
        raise OperationFailed(_message(e, where)) from e


def _message(e: OSError, where: str) -> str:
    if e.filename is None and e.strerror is None:
        return str(e)
    return f"{e.filename or where}: {e.strerror or e}"
