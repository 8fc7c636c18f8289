"""Importing frida without its asyncio layer until something asks for it.

``import frida`` ends by importing ``frida.aio`` (asyncio, and through it SSL, sockets and
concurrent futures: about half of frida's import time, paid by every ``clone host run``)
only to name one of its classes ``frida.ScriptExportsAsync``. Nothing here uses Frida's
asyncio API, so ``import_without_asyncio`` imports frida with that step deferred:
``frida.aio`` and ``frida.ScriptExportsAsync`` are imported when first used, and are then
what they always were. Once frida is imported (either way) it does nothing.
"""

from __future__ import annotations

import importlib
import sys
import types

_DEFERRED = ("aio", "ScriptExportsAsync")


def import_without_asyncio() -> None:
    """Imports frida (if it is not yet) with ``frida.aio`` deferred to its first use."""
    if "frida" in sys.modules:
        return
    stand_in = types.ModuleType("frida.aio")
    stand_in._ScriptExports = None  # type: ignore[attr-defined]  # read once, at import
    sys.modules["frida.aio"] = stand_in
    try:
        import frida
    finally:
        if sys.modules.get("frida.aio") is stand_in:
            del sys.modules["frida.aio"]
    names = vars(frida)
    if names.get("aio") is stand_in:
        del names["aio"]
        names.pop("ScriptExportsAsync", None)
        names["__getattr__"] = _deferred


def _deferred(name: str) -> object:
    """The package's ``__getattr__`` (PEP 562) for the names left out at import."""
    if name not in _DEFERRED:
        raise AttributeError(f"module 'frida' has no attribute {name!r}")
    aio = importlib.import_module("frida.aio")  # also sets frida.aio
    frida = sys.modules["frida"]
    exports = aio._ScriptExports
    setattr(frida, "ScriptExportsAsync", exports)  # noqa: B010
    return aio if name == "aio" else exports
