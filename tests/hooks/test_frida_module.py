"""hooks.frida_module: frida imported without asyncio, its asyncio API still there on use."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from hooks.frida_module import import_without_asyncio
import_without_asyncio()
import frida
seen = {"asyncio_after_import": "asyncio" in sys.modules,
        "device": frida.get_local_device().type}
exports = frida.ScriptExportsAsync
import frida.aio
seen["exports_async"] = exports is frida.aio._ScriptExports
seen["aio_api"] = callable(frida.aio.get_local_device)
seen["asyncio_after_use"] = "asyncio" in sys.modules
try:
    frida.no_such_name
except AttributeError as e:
    seen["missing"] = str(e)
print(json.dumps(seen))
"""


def test_frida_is_imported_without_asyncio_until_its_asyncio_api_is_used() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == {
        "asyncio_after_import": False,
        "device": "local",
        "exports_async": True,
        "aio_api": True,
        "asyncio_after_use": True,
        "missing": "module 'frida' has no attribute 'no_such_name'",
    }


def test_the_runners_device_comes_without_asyncio() -> None:
    code = "import sys\nfrom hooks import runner\nrunner.local_device()\n"
    code += "print('asyncio' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
