"""benchmarks/frida_gated.py's wait for the program: it ends once the gate exits, and a
process held under ptrace from this process for too long (Frida's fork hand-over that froze)
ends it early instead of holding the benchmark until its timeout."""

from __future__ import annotations

import ctypes
import subprocess

import frida_gated

from hooks.session import held_by_frida

_PTRACE_ATTACH = 16


def test_the_wait_ends_when_the_gate_exits() -> None:
    with subprocess.Popen(["sleep", "0.3"]) as gate:
        assert frida_gated.wait_exit(gate.pid, frozen_s=30, every_s=0.05) == []
        assert gate.wait(timeout=5) == 0


def test_a_process_held_too_long_ends_the_wait_killed_with_the_gate() -> None:
    """Here this process holds a ``sleep`` with PTRACE_ATTACH, as Frida's injector (a thread
    of frida_gated's process) holds a frozen one."""
    with (
        subprocess.Popen(["sleep", "60"]) as gate,
        subprocess.Popen(["sleep", "60"]) as held,
    ):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            assert libc.ptrace(_PTRACE_ATTACH, held.pid, None, None) == 0, ctypes.get_errno()
            assert held_by_frida(held.pid)
            assert frida_gated.wait_exit(gate.pid, frozen_s=0.3, every_s=0.05) == [held.pid]
            assert gate.wait(timeout=5) == -9
            assert held.wait(timeout=5) == -9
        finally:
            gate.kill()
            held.kill()
