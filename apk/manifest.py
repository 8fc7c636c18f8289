"""``AndroidManifest.xml``: the facts a clone build needs, and the rewrite under a new package.

``read_manifest_info(data)`` reads the compiled manifest; ``rewrite_manifest(data, plan)``
returns it renamed to ``plan.new_package`` with component classes kept (relative names are
expanded to the original package), provider authorities, declared permissions and every
reference to them made unique, and optionally ``<application android:name>`` replaced (and
``android:hasCode`` made true, so Android loads the dex that holds that class).

An attribute may be a resource reference (``android:authorities="@string/authority"``). Given
a ``resolve`` function (resource id → text, see ``apk.arsc_values``), reading reports the
text it stands for, and the rewrite replaces a reference it must rename with the renamed
literal text. A reference ``resolve`` cannot answer is left as it is;
``unresolved_references`` lists those that keep a clone from installing next to the original.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from apk import android_attrs as attrs
from apk.axml import (
    TYPE_INT_BOOLEAN,
    TYPE_INT_DEC,
    TYPE_INT_HEX,
    TYPE_REFERENCE,
    TYPE_STRING,
    Attribute,
    Document,
    ElementRef,
    ResValue,
    StartElement,
    parse,
    set_attribute,
    set_string_values,
)
from apk.manifest_names import (
    ManifestError,
    check_class_name,
    check_package_name,
    expand_class_name,
    rename_identifier,
    rename_prefixed,
)

ResolveString = Callable[[int], str | None]
"""The text a resource id (``@string/…``) stands for, or ``None`` if it is not known."""

ACTION_MAIN = "android.intent.action.MAIN"
CATEGORY_LAUNCHER = "android.intent.category.LAUNCHER"
DYNAMIC_RECEIVER_PERMISSION = ".DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION"
CUR_DEVELOPMENT_SDK = 10000  # what Android takes a preview codename (minSdkVersion="Q") for
PARENT_ACTIVITY_META = "android.support.PARENT_ACTIVITY"

_APP = ("manifest", "application")
COMPONENT_TAGS = frozenset({"activity", "activity-alias", "service", "receiver", "provider"})
_ACTIVITY_TAGS = frozenset({"activity", "activity-alias"})
_CLASS_ATTRS: dict[str, tuple[int, ...]] = {
    "application": (
        attrs.NAME,
        attrs.BACKUP_AGENT,
        attrs.APP_COMPONENT_FACTORY,
        attrs.MANAGE_SPACE_ACTIVITY,
        attrs.ZYGOTE_PRELOAD_NAME,
    ),
    "activity": (attrs.NAME, attrs.PARENT_ACTIVITY_NAME),
    "activity-alias": (attrs.NAME, attrs.TARGET_ACTIVITY, attrs.PARENT_ACTIVITY_NAME),
    "service": (attrs.NAME,),
    "receiver": (attrs.NAME,),
    "provider": (attrs.NAME,),
    "instrumentation": (attrs.NAME,),
}
_PERMISSION_DECLARATIONS = frozenset({"permission", "permission-group", "permission-tree"})
_PERMISSION_USES = frozenset({"uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"})
_PERMISSION_REFS = (
    attrs.PERMISSION,
    attrs.READ_PERMISSION,
    attrs.WRITE_PERMISSION,
    attrs.PERMISSION_GROUP,
)


@dataclass(frozen=True)
class ManifestInfo:
    """What a clone build needs to know. SDK levels are effective values: ``min_sdk`` is 1 when
    absent (or a resource reference), ``target_sdk`` defaults to ``min_sdk``; a preview codename
    counts as 10000. Class names are full. ``launchable_activity`` is the first activity or
    ``activity-alias`` (by the alias's own name, which is what the launcher starts) with MAIN and
    LAUNCHER in its intent filters; for activities this is what ``aapt dump badging`` reports
    (aapt ignores aliases). ``has_code`` is ``<application android:hasCode>``: true when absent
    (the platform default) or a reference, false for ``false`` (a pure-native app)."""

    package: str
    version_code: int | None
    version_name: str | None
    min_sdk: int
    target_sdk: int
    application_name: str | None
    app_component_factory: str | None
    launchable_activity: str | None
    extract_native_libs: bool | None
    has_code: bool
    provider_authorities: tuple[str, ...]
    permissions: tuple[str, ...]
    permission_groups: tuple[str, ...]
    split: str | None
    shared_user_id: str | None
    own_actions: tuple[str, ...] = ()  # intent-filter actions named <package>.…


@dataclass(frozen=True)
class RenamePlan:
    """Rename ``old_package`` to ``new_package``. ``application_name`` replaces (or adds)
    ``<application android:name>`` in a base manifest, and makes an ``android:hasCode`` that
    does not say true (a pure-native app's ``false``) true: that class lives in a dex, which
    Android loads only for an APK with code. ``declared_permissions`` adds names the
    base APK declares, so a split manifest renames its references to them the same way.
    ``rename_actions`` renames the app's own intent-filter actions (``<old_package>.…``), so
    an implicit intent of one clone reaches no other clone and no chooser lists them all;
    only for clones whose hooks map the app's code to the new names
    (``ManifestInfo.own_actions``)."""

    old_package: str
    new_package: str
    application_name: str | None = None
    declared_permissions: frozenset[str] = frozenset()
    rename_actions: bool = False

    def __post_init__(self) -> None:
        check_package_name(self.new_package)
        if self.application_name is not None:
            check_class_name(self.application_name)
        if self.new_package == self.old_package:
            raise ManifestError(f"new package {self.new_package!r} equals the original")


# ---------------------------------------------------------------------------------------- reading


def _text(doc: Document, attr: Attribute, resolve: ResolveString | None) -> str | None:
    """The attribute's text; a reference is resolved when ``resolve`` can (else, as without
    ``resolve``, its raw string if the compiler kept one)."""
    if resolve is not None and attr.value.data_type == TYPE_REFERENCE:
        resolved = resolve(attr.value.data)
        if resolved is not None:
            return resolved
    return doc.attribute_string(attr)


def _string(
    doc: Document, element: StartElement, resource_id: int, resolve: ResolveString | None = None
) -> str | None:
    attr = doc.get(element, attrs.NAMES.get(resource_id, ""), resource_id)
    return None if attr is None else _text(doc, attr, resolve)


def _plain_string(doc: Document, element: StartElement, name: str) -> str | None:
    attr = doc.get(element, name)
    return None if attr is None else doc.attribute_string(attr)


def _int(doc: Document, element: StartElement, resource_id: int) -> int | str | None:
    """A literal integer; a string that is not a number is returned as text."""
    attr = doc.get(element, "", resource_id)
    if attr is None:
        return None
    if attr.value.data_type in (TYPE_INT_DEC, TYPE_INT_HEX):
        return attr.value.data
    text = doc.attribute_string(attr) if attr.value.data_type == TYPE_STRING else None
    return int(text) if text is not None and text.isdigit() else text


def _sdk(doc: Document, element: StartElement | None, resource_id: int) -> int | None:
    value = _int(doc, element, resource_id) if element is not None else None
    return CUR_DEVELOPMENT_SDK if isinstance(value, str) else value


def _bool(doc: Document, element: StartElement, resource_id: int) -> bool | None:
    attr = doc.get(element, "", resource_id)
    if attr is None:
        return None
    if attr.value.data_type == TYPE_INT_BOOLEAN:
        return attr.value.data != 0
    text = doc.attribute_string(attr)
    return {"true": True, "false": False}.get(text or "")


def _root(doc: Document) -> ElementRef:
    first = next(doc.elements(), None)
    if first is None or first.tag != "manifest":
        found = "no element" if first is None else f"<{first.tag}>"
        raise ManifestError(f"the root of the manifest is {found}, not <manifest>")
    return first


def _package(doc: Document, root: ElementRef) -> str:
    package = _plain_string(doc, root.element, "package")
    if not package:
        raise ManifestError("<manifest> has no package attribute")
    return package


def _launchable(doc: Document, package: str, resolve: ResolveString | None) -> str | None:
    """The first activity or alias whose intent filters hold MAIN and LAUNCHER (aapt's rule)."""
    current: str | None = None
    main = launcher = False
    for ref in doc.elements():
        if len(ref.path) == 3 and ref.path[:2] == _APP:
            if current is not None and main and launcher:
                return current
            name = _string(doc, ref.element, attrs.NAME, resolve)
            current = (
                expand_class_name(package, name) if ref.tag in _ACTIVITY_TAGS and name else None
            )
            main = launcher = False
        elif current is not None and len(ref.path) == 5 and ref.path[3] == "intent-filter":
            value = _string(doc, ref.element, attrs.NAME, resolve)
            main = main or (ref.tag == "action" and value == ACTION_MAIN)
            launcher = launcher or (ref.tag == "category" and value == CATEGORY_LAUNCHER)
    return current if current is not None and main and launcher else None


def _names(
    doc: Document, path: tuple[str, ...], resource_id: int, resolve: ResolveString | None
) -> tuple[str, ...]:
    found = (
        _string(doc, ref.element, resource_id, resolve)
        for ref in doc.elements()
        if ref.path == path
    )
    return tuple(name for name in found if name)


def manifest_info(doc: Document, resolve: ResolveString | None = None) -> ManifestInfo:
    """The facts of a parsed manifest; string attributes that are references are reported
    as the text ``resolve`` gives for them (when it does)."""
    root = _root(doc)
    package = _package(doc, root)
    sdk = next((r.element for r in doc.elements() if r.path == ("manifest", "uses-sdk")), None)
    min_sdk = _sdk(doc, sdk, attrs.MIN_SDK_VERSION) or 1
    target_sdk = _sdk(doc, sdk, attrs.TARGET_SDK_VERSION) or min_sdk
    app = next((r.element for r in doc.elements() if r.path == _APP), None)
    version_code = _int(doc, root.element, attrs.VERSION_CODE)

    def app_class(resource_id: int) -> str | None:
        name = _string(doc, app, resource_id, resolve) if app else None
        return expand_class_name(package, name) if name else None

    authorities = _names(doc, (*_APP, "provider"), attrs.AUTHORITIES, resolve)
    return ManifestInfo(
        package=package,
        version_code=version_code if isinstance(version_code, int) else None,
        version_name=_string(doc, root.element, attrs.VERSION_NAME, resolve),
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        application_name=app_class(attrs.NAME),
        app_component_factory=app_class(attrs.APP_COMPONENT_FACTORY),
        launchable_activity=_launchable(doc, package, resolve),
        extract_native_libs=_bool(doc, app, attrs.EXTRACT_NATIVE_LIBS) if app else None,
        has_code=_bool(doc, app, attrs.HAS_CODE) is not False if app else True,
        provider_authorities=tuple(
            a.strip() for entry in authorities for a in entry.split(";") if a.strip()
        ),
        permissions=_names(doc, ("manifest", "permission"), attrs.NAME, resolve),
        permission_groups=_names(doc, ("manifest", "permission-group"), attrs.NAME, resolve),
        split=_plain_string(doc, root.element, "split"),
        shared_user_id=_string(doc, root.element, attrs.SHARED_USER_ID, resolve),
        own_actions=_own_actions(doc, package, resolve),
    )


def read_manifest_info(data: bytes, resolve: ResolveString | None = None) -> ManifestInfo:
    """The facts of compiled manifest bytes; ``ValueError`` (``AxmlError``/``ManifestError``,
    or what ``resolve`` raises)."""
    return manifest_info(parse(data), resolve)


@dataclass(frozen=True)
class ProviderDecl:
    """One ``<provider>``: its class (full name) and authorities."""

    name: str
    authorities: tuple[str, ...]


def read_providers(data: bytes, resolve: ResolveString | None = None) -> tuple[ProviderDecl, ...]:
    """The ``<provider>`` elements of compiled manifest bytes, in document order."""
    doc = parse(data)
    package = _package(doc, _root(doc))
    found: list[ProviderDecl] = []
    for ref in doc.elements():
        if ref.path != (*_APP, "provider"):
            continue
        name = _string(doc, ref.element, attrs.NAME, resolve)
        authorities = _string(doc, ref.element, attrs.AUTHORITIES, resolve) or ""
        if name:
            found.append(
                ProviderDecl(
                    expand_class_name(package, name),
                    tuple(a.strip() for a in authorities.split(";") if a.strip()),
                )
            )
    return tuple(found)


def read_requested_permissions(data: bytes) -> tuple[str, ...]:
    """The permissions a compiled manifest requests (``<uses-permission>`` and its SDK forms;
    literal names only, as Android reads them)."""
    doc = parse(data)
    found = (
        _string(doc, ref.element, attrs.NAME)
        for ref in doc.elements()
        if _is_permission_use(ref, attrs.NAME)
    )
    return tuple(name for name in found if name)


# ---------------------------------------------------------------------------------------- rewriting


def _declared_permissions(
    doc: Document, plan: RenamePlan, resolve: ResolveString | None
) -> dict[str, str]:
    declared = set(plan.declared_permissions) | {plan.old_package + DYNAMIC_RECEIVER_PERMISSION}
    for ref in doc.elements():
        if len(ref.path) == 2 and ref.tag in _PERMISSION_DECLARATIONS:
            name = _string(doc, ref.element, attrs.NAME, resolve)
            if name:
                declared.add(name)
    return {p: rename_identifier(p, plan.old_package, plan.new_package) for p in declared}


def _class_attr_ids(ref: ElementRef) -> tuple[int, ...]:
    path = ref.path
    if path == _APP or path == ("manifest", "instrumentation"):
        return _CLASS_ATTRS[ref.tag]
    if len(path) == 3 and path[:2] == _APP and ref.tag in COMPONENT_TAGS:
        return _CLASS_ATTRS[ref.tag]
    return ()


def _is_authorities(ref: ElementRef, rid: int | None) -> bool:
    return rid == attrs.AUTHORITIES and ref.path == (*_APP, "provider")


def _is_declaration(ref: ElementRef, rid: int | None) -> bool:
    return rid == attrs.NAME and len(ref.path) == 2 and ref.tag in _PERMISSION_DECLARATIONS


def _is_shared_user(ref: ElementRef, rid: int | None) -> bool:
    return rid == attrs.SHARED_USER_ID and ref.path == ("manifest",)


def _must_differ(ref: ElementRef, rid: int | None) -> bool:
    """Values two installed apps may not share (the clone would not install)."""
    return _is_authorities(ref, rid) or _is_declaration(ref, rid) or _is_shared_user(ref, rid)


def _is_permission_use(ref: ElementRef, rid: int | None) -> bool:
    """``<uses-permission android:name>``: Android reads it with ``getNonResourceString``,
    which ignores a reference, so the rewrite never resolves one there (else the clone
    would request a permission the original does not)."""
    return rid == attrs.NAME and len(ref.path) == 2 and ref.tag in _PERMISSION_USES


def _renamer(
    doc: Document, ref: ElementRef, attr: Attribute, plan: RenamePlan, perms: dict[str, str]
) -> Callable[[str], str] | None:
    """How one attribute of ``ref`` is renamed (a function of its text), or ``None`` if the
    rewrite leaves it alone."""
    old, new, rid = plan.old_package, plan.new_package, doc.attribute_id(attr)
    if rid is None:
        is_package = ref.path == ("manifest",) and doc.attribute_name(attr) == "package"
        return (lambda v: new if v == old else v) if is_package else None
    if rid in _class_attr_ids(ref):
        return lambda v: expand_class_name(old, v)
    if _is_authorities(ref, rid):
        return lambda v: ";".join(
            rename_identifier(a, old, new) if a.strip() else a for a in v.split(";")
        )
    if rid in _PERMISSION_REFS or _is_declaration(ref, rid) or _is_permission_use(ref, rid):
        return lambda v: perms.get(v, v)
    if _is_shared_user(ref, rid):
        return lambda v: rename_identifier(v, old, new)
    if rid == attrs.TASK_AFFINITY:
        return lambda v: rename_prefixed(v, old, new)
    if rid == attrs.TARGET_PACKAGE and ref.tag == "instrumentation":
        return lambda v: new if v == old else v
    if plan.rename_actions and rid == attrs.NAME and _is_filter_action(ref):
        return lambda v: rename_action(v, old, new)
    return None


def _is_filter_action(ref: ElementRef) -> bool:
    """An ``<action>`` of an ``<intent-filter>``."""
    return ref.tag == "action" and ref.path[-2:-1] == ("intent-filter",)


def rename_action(action: str, old: str, new: str) -> str:
    """An intent action of the app's own (``<old>.…``) under the clone's package; any other
    action as it is."""
    return new + action[len(old) :] if action.startswith(old + ".") else action


def _own_actions(doc: Document, package: str, resolve: ResolveString | None) -> tuple[str, ...]:
    """The app's own intent-filter actions (``<package>.…``), each once, in manifest order."""
    found = (
        _string(doc, ref.element, attrs.NAME, resolve)
        for ref in doc.elements()
        if _is_filter_action(ref)
    )
    return tuple(dict.fromkeys(a for a in found if a and a.startswith(package + ".")))


def _new_value(
    doc: Document,
    ref: ElementRef,
    attr: Attribute,
    plan: RenamePlan,
    perms: dict[str, str],
    resolve: ResolveString | None,
) -> str | None:
    """The renamed text of one attribute of ``ref``, or ``None`` if it stays as it is. The
    text is a literal's, or what a reference resolves to."""
    rename = _renamer(doc, ref, attr, plan, perms)
    if rename is None:
        return None
    value: str | None = None
    if attr.value.data_type == TYPE_REFERENCE:
        literal_only = _is_permission_use(ref, doc.attribute_id(attr))
        value = None if resolve is None or literal_only else resolve(attr.value.data)
    elif attr.value.data_type in (TYPE_STRING, 0):
        value = doc.attribute_string(attr)
    renamed = None if value is None else rename(value)
    return None if renamed == value else renamed


def _meta_parent_activity(doc: Document, ref: ElementRef, old: str) -> dict[int, str]:
    """``<meta-data android:name="android.support.PARENT_ACTIVITY" android:value=".X">``: the
    support library resolves ``.X`` against the package name, so expand it."""
    if ref.tag != "meta-data" or _string(doc, ref.element, attrs.NAME) != PARENT_ACTIVITY_META:
        return {}
    pos = doc.find_attribute(ref.element, "value", attrs.VALUE)
    value = None if pos is None else doc.attribute_string(ref.element.attributes[pos])
    if pos is None or not value or not value.startswith("."):
        return {}
    return {pos: old + value}


def rewrite_manifest(data: bytes, plan: RenamePlan, resolve: ResolveString | None = None) -> bytes:
    """The compiled manifest ``data`` renamed by ``plan``. A reference that must change (say
    ``android:authorities="@string/authority"``) becomes the renamed literal text of what
    ``resolve`` gives for it; one it cannot resolve stays as it is. Raises ``ValueError``
    subclasses for malformed input or a manifest of another package."""
    doc = parse(data)
    root = _root(doc)
    package = _package(doc, root)
    if package != plan.old_package:
        raise ManifestError(f"manifest package is {package!r}, not {plan.old_package!r}")
    is_split = _plain_string(doc, root.element, "split") is not None
    perms = _declared_permissions(doc, plan, resolve)
    changes: dict[tuple[int, int], str] = {}
    app_index: int | None = None
    for ref in doc.elements():
        app_index = ref.index if ref.path == _APP else app_index
        for pos, attr in enumerate(ref.element.attributes):
            new_value = _new_value(doc, ref, attr, plan, perms, resolve)
            if new_value is not None:
                changes[(ref.index, pos)] = new_value
        for pos, new_value in _meta_parent_activity(doc, ref, plan.old_package).items():
            changes[(ref.index, pos)] = new_value
    doc = set_string_values(doc, changes)
    if plan.application_name is not None and not is_split:
        if app_index is None:
            raise ManifestError("the manifest has no <application> to set android:name on")
        doc = _with_code(doc, app_index)
        doc = set_attribute(doc, app_index, "name", plan.application_name, attrs.NAME)
    return doc.to_bytes()


_TRUE = ResValue(TYPE_INT_BOOLEAN, 0xFFFFFFFF)  # a literal true, as aapt compiles it


def _with_code(doc: Document, app_index: int) -> Document:
    """``doc`` whose ``<application>`` (at ``app_index``) has code: an ``android:hasCode`` that
    does not say true (``false``, ``"false"``, a reference) becomes a literal true; absent it
    stays absent (the default is true). Replacing a present attribute moves no chunk."""
    app = doc.chunks[app_index]
    assert isinstance(app, StartElement)
    if doc.get(app, "", attrs.HAS_CODE) is None or _bool(doc, app, attrs.HAS_CODE):
        return doc
    return set_attribute(doc, app_index, attrs.NAMES[attrs.HAS_CODE], _TRUE, attrs.HAS_CODE)


@dataclass(frozen=True)
class OwnNames:
    """The names an app gives its own things, which every clone's manifest renames: its
    provider authorities, declared permissions and own intent actions, each once, over all
    the APKs of the app. The hooks map the app's code from these to the clone's names."""

    authorities: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()

    @classmethod
    def of(cls, infos: Iterable[ManifestInfo]) -> OwnNames:
        infos = tuple(infos)
        return cls(
            tuple(dict.fromkeys(a for info in infos for a in info.provider_authorities)),
            tuple(dict.fromkeys(p for info in infos for p in info.permissions)),
            tuple(dict.fromkeys(a for info in infos for a in info.own_actions)),
        )

    def renamed(self, old: str, new: str) -> dict[str, dict[str, str]]:
        """Original → clone name, by kind, as ``rewrite_manifest`` renames them for a plan
        from ``old`` to ``new`` with ``rename_actions``."""
        return {
            "authorities": {a: rename_identifier(a, old, new) for a in self.authorities},
            "permissions": {p: rename_identifier(p, old, new) for p in self.permissions},
            "actions": {a: rename_action(a, old, new) for a in self.actions},
        }


@dataclass(frozen=True)
class UnresolvedReference:
    """A reference a clone must rename (its value must differ from the original's for both
    to be installed) that could not be resolved, so the rewrite left it as it is."""

    tag: str
    attribute: str
    resource_id: int

    def __str__(self) -> str:
        return (
            f"<{self.tag} android:{self.attribute}> is @{self.resource_id:#010x}, which "
            "resources.arsc does not resolve in its default configuration; the clone keeps "
            "it and may not install next to the original"
        )


def unresolved_references(
    data: bytes, resolve: ResolveString | None = None
) -> tuple[UnresolvedReference, ...]:
    """The provider authorities, declared permission names and ``sharedUserId`` of manifest
    ``data`` that are references ``resolve`` cannot resolve (all of them without one)."""
    doc = parse(data)
    found = []
    for ref in doc.elements():
        for attr in ref.element.attributes:
            if attr.value.data_type != TYPE_REFERENCE:
                continue
            if not _must_differ(ref, doc.attribute_id(attr)):
                continue
            if resolve is None or resolve(attr.value.data) is None:
                name = doc.attribute_name(attr)
                found.append(UnresolvedReference(ref.tag, name, attr.value.data))
    return tuple(found)
