"""The boot loader: one generated class that loads the payload before the app's code.

The clone's manifest names this class as ``<application android:name>``. It extends the
app's own Application class (or ``android.app.Application``), so the app behaves exactly as
before, and its static initializer calls ``System.loadLibrary(<payload>)``: Android
initialises the Application class before it attaches a context, before any content
provider and before ``onCreate``, so the Gadget (and our agent) is in place first. The one
piece of app code that can run earlier is the static initializer of the app's own
Application class and its superclasses (the JVM initialises a superclass first), and an
``appComponentFactory`` (API 28+), which the framework instantiates before the
Application: it receives our class name in ``instantiateApplication`` and — unless it
special-cases the original name — instantiates it through the class loader as before, so an
existing factory (e.g. ``androidx.core.app.CoreComponentFactory``) keeps working untouched.

If the payload cannot load (no library for the device's ABI, a 4 KiB-aligned library on a
16 KiB-page device, a Gadget that refuses to start), the clone stops: the static
initializer logs one line to logcat, ``E clonespace: the hook payload lib<name>.so failed to
load; …``, with the cause, and rethrows, so the framework cannot make the Application and
the app does not start. It never runs on without its hooks, reading and reporting the
device's real identity.

A ``final`` Application class is made extendable by ``dexpatch``; one whose no-argument
constructor is private is refused (the framework could not instantiate it either).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from hooks.payload.dexgen import (
    ACC_CONSTRUCTOR,
    ACC_PUBLIC,
    ACC_STATIC,
    CatchAll,
    ClassDef,
    Code,
    ConstString,
    DirectMethod,
    InvokeDirect,
    InvokeStatic,
    MethodRef,
    MoveException,
    ReturnVoid,
    Throw,
    descriptor,
    mutf8,
    write_dex,
)

ANDROID_APPLICATION = "android.app.Application"
LOADER_SIMPLE_NAME = "CsBootApplication"
LOADER_KIND = "dex-subclass"

_STRING = "Ljava/lang/String;"
_LOAD_LIBRARY = MethodRef("Ljava/lang/System;", "loadLibrary", (_STRING,), "V")
_LOG_ERROR = MethodRef("Landroid/util/Log;", "e", (_STRING, _STRING, "Ljava/lang/Throwable;"), "I")
LOG_TAG = "clonespace"
_EXTERNAL = 0xFFFFFFFF  # LIEF's class index for a class a dex refers to but does not define


class LoaderInputError(ValueError):
    """The app's Application class cannot be extended (final, private constructor…)."""


@dataclass(frozen=True)
class ApplicationClass:
    """What the app's dex files say about its Application class."""

    name: str
    found: bool
    final: bool = False
    public: bool = True
    constructor_visible: bool = True
    dex: str | None = None  # the dex entry that defines it


def payload_failure_line(library: str) -> str:
    """What the loader logs (tag ``clonespace``) when its library cannot load."""
    return (
        f"the hook payload lib{library}.so failed to load; the clone stops rather than run "
        "without its hooks (its own identity and accounts)"
    )


def loader_dex(loader_class: str, superclass: str, library: str) -> bytes:
    """A DEX defining ``public class loader_class extends superclass`` whose ``<clinit>``
    calls ``System.loadLibrary(library)`` and whose ``<init>()`` calls the superclass's.
    Whatever ``loadLibrary`` throws is logged (``Log.e``) and thrown again."""
    this, parent = descriptor(loader_class), descriptor(superclass)
    load_or_stop = (
        ConstString(0, library),
        InvokeStatic((0,), _LOAD_LIBRARY),
        ReturnVoid(),
        MoveException(0),  # the handler: log the cause, then throw it on
        ConstString(1, LOG_TAG),
        ConstString(2, payload_failure_line(library)),
        InvokeStatic((1, 2, 0), _LOG_ERROR),
        Throw(0),
    )
    clinit = DirectMethod(
        "<clinit>",
        (),
        "V",
        ACC_STATIC | ACC_CONSTRUCTOR,
        Code(3, 0, 3, load_or_stop, (CatchAll(0, 2, 3),)),
    )
    init = DirectMethod(
        "<init>",
        (),
        "V",
        ACC_PUBLIC | ACC_CONSTRUCTOR,
        Code(1, 1, 1, (InvokeDirect((0,), MethodRef(parent, "<init>", (), "V")), ReturnVoid())),
    )
    return write_dex([ClassDef(this, parent, ACC_PUBLIC, (clinit, init))])


def loader_class_name(package: str, original: str | None, taken: Iterable[str] = ()) -> str:
    """The loader's class name: in the package of the Application class it extends (so a
    package-private constructor stays reachable), else in the app's package; never one of
    ``taken``."""
    home = original.rpartition(".")[0] if original else package
    if not home or home.startswith(("android.", "java.", "javax.")):
        home = package
    taken_set = set(taken)
    name = f"{home}.{LOADER_SIMPLE_NAME}"
    n = 1
    while name in taken_set:
        n += 1
        name = f"{home}.{LOADER_SIMPLE_NAME}{n}"
    return name


def inspect_application(name: str, dex_files: Mapping[str, bytes]) -> ApplicationClass:
    """Find class ``name`` in the app's dex files (entry name -> content) with LIEF and say
    whether it can be subclassed. Only dex files that mention its descriptor are parsed."""
    import lief

    desc = mutf8(descriptor(name))
    for dex_name, raw in dex_files.items():
        if desc not in raw:
            continue
        lief.logging.disable()
        with tempfile.NamedTemporaryFile(suffix=".dex") as tmp:
            tmp.write(raw)
            tmp.flush()
            parsed = lief.DEX.parse(tmp.name)
        if parsed is None:
            raise LoaderInputError(f"LIEF could not parse {dex_name} of the app")
        cls = parsed.get_class(name) if parsed.has_class(name) else None
        if cls is None or cls.index == _EXTERNAL:  # only referenced here, defined elsewhere
            continue
        return replace(_describe(name, cls), dex=dex_name)
    return ApplicationClass(name, found=False)


def _describe(name: str, cls: object) -> ApplicationClass:
    import lief

    flags = lief.DEX.ACCESS_FLAGS
    access = set(cls.access_flags)  # type: ignore[attr-defined]
    ctor_visible = True
    for method in cls.methods:  # type: ignore[attr-defined]
        if method.name == "<init>" and not method.prototype.parameters_type:
            ctor_visible = flags.PRIVATE not in set(method.access_flags)
    return ApplicationClass(
        name,
        found=True,
        final=flags.FINAL in access,
        public=flags.PUBLIC in access,
        constructor_visible=ctor_visible,
    )


def check_extendable(app: ApplicationClass) -> None:
    """Raise LoaderInputError when a subclass of ``app`` cannot work even with its
    ``final`` flag cleared (see dexpatch)."""
    if not app.constructor_visible:
        raise LoaderInputError(
            f"the app's Application class {app.name} has a private constructor, so the boot "
            "loader cannot extend it; build this app with --hooks none"
        )


def final_refusal(app: ApplicationClass) -> LoaderInputError:
    """The error for a final Application class when its dex cannot be patched."""
    return LoaderInputError(
        f"the app's Application class {app.name} is final, so the boot loader cannot "
        "extend it; build this app with --hooks none"
    )
