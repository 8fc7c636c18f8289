"""Errors of the hook engine. ``clone`` converts them to ``clone.errors`` types."""

from __future__ import annotations


class HookEngineError(RuntimeError):
    """The hook engine failed."""


class AgentBundleMissing(HookEngineError):
    """The built agent (``hooks/agent/dist/agent.js``) is not there."""


class HookStartError(HookEngineError):
    """Frida could not spawn, attach to, or instrument the program."""


class HandOverFroze(HookStartError):
    """Frida held a new process (a fork or an exec being handed over) under ptrace until it
    was killed: the hand-over froze. Frida's own bug: bare Frida with child gating freezes
    the same way, 1 to 3 forks in 1,000 on the machine it was measured on
    (``benchmarks/fork_freeze.py``). Nothing the program did; running it again works."""


class ProcessesLost(HookEngineError):
    """The program ran, but a process it started could not be kept under its policy (Frida
    did not hand it over, or could not instrument it), so it was killed. ``froze``: because
    Frida's hand-over of it froze (``HandOverFroze``)."""

    def __init__(self, message: str, *, froze: bool = False) -> None:
        super().__init__(message)
        self.froze = froze


class ProgramNotFound(HookEngineError):
    """The program to run does not exist (a shell would exit 127)."""

    def __init__(self, program: str) -> None:
        super().__init__(f"program not found: {program}")
        self.program = program


class ProgramNotExecutable(HookEngineError):
    """The program exists but cannot be executed (a shell would exit 126)."""

    def __init__(self, program: str) -> None:
        super().__init__(f"program not executable: {program}")
        self.program = program


class ProgramStatic(HookEngineError):
    """The program is statically linked: it has no libc for the hooks to patch, and Frida
    cannot be injected into it, so it cannot run as a clone."""

    def __init__(self, program: str) -> None:
        super().__init__(
            f"{program} is statically linked: the hooks cannot follow it, so it cannot run "
            "as a clone"
        )
        self.program = program


class PolicyError(ValueError):
    """The agent rejected the policy; the message names the offending value."""


class BoundaryError(HookEngineError):
    """The kernel boundary (Landlock + seccomp) could not be set up."""


class BoundaryUnavailable(BoundaryError):
    """The kernel has no Landlock and the run requires the boundary."""


class SupervisorUnavailable(HookEngineError):
    """The shared supervisor (``hooks.supervisor``) cannot take this run: it cannot be
    started or reached, it is of another build, or the kernel would not let it attach.
    Raised before anything of the run is started, so the run can be supervised in-process."""


# the failures a run raises again as they are (most specific first); any other is wrapped
_RAISED_AS_IS: tuple[type[Exception], ...] = (PolicyError, HandOverFroze, HookStartError)


def failure_kind(error: Exception) -> str:
    """How a run's failure is named where it crosses a process (the shared supervisor tells
    its client): the first of the types ``failure_error`` makes again that it is, else
    ``other``."""
    for kind in _RAISED_AS_IS:
        if isinstance(error, kind):
            return kind.__name__
    return "other"


def failure_error(kind: str, message: str, *, ran: bool) -> Exception:
    """The error a run raises for its first failure (``kind`` as ``failure_kind`` names it,
    ``message`` its text), in-process or shared alike: once the program ran, ProcessesLost
    (``froze`` when Frida's hand-over froze); before, the failure itself, or a
    HookStartError around one of another kind."""
    if ran:
        froze = kind == HandOverFroze.__name__
        return ProcessesLost(f"a process of the program lost its policy: {message}", froze=froze)
    for error in _RAISED_AS_IS:
        if kind == error.__name__:
            return error(message)
    return HookStartError(f"the program could not be instrumented: {message}")
