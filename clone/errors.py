"""The one error hierarchy of Clonespace.

Library code raises these (or converts foreign errors into them with ``raise … from e``);
only the CLI shows them, as one line ``clone: error: …`` with the exit code of the contract:
1 when an operation failed (device, install, runtime), 2 for bad input or usage.
"""

from __future__ import annotations


class CloneError(Exception):
    """Base of every error Clonespace reports. ``exit_code`` follows the CLI contract."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class BadInput(CloneError):
    """The user gave something unusable: a file, an option value, a name. Exit code 2."""

    exit_code = 2


class NotFound(BadInput):
    """A named thing (clone, device, file) does not exist."""


class OperationFailed(CloneError):
    """The input was fine but the work failed: device, install, runtime. Exit code 1."""


class DeviceError(OperationFailed):
    """A device could not be reached or refused a command."""


class NoDevice(DeviceError):
    """No device is connected (or none matches the choice)."""


class InstallError(DeviceError):
    """The package manager refused an APK. ``reason`` is its code, e.g. INSTALL_FAILED_…"""

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class HookError(OperationFailed):
    """The hook engine could not be started or failed inside the target."""


class BoundaryMissing(OperationFailed):
    """The run requires the kernel boundary (``--require-boundary``) and this kernel cannot
    give it (no Landlock). Exit code 1."""


class Cancelled(OperationFailed):
    """The user cancelled the work (e.g. the launcher's Cancel); what it had done is
    undone, as for any failure. Exit code 1."""


class NotSupported(BadInput):
    """The clone's backend cannot do the action (``launch`` on a host clone, ``run`` on a
    phone's clone); the message names the backends that can. Exit code 2."""


# -- ``clone host run`` (and ``Clone.run``): exit statuses as env(1) has them -------------

EXIT_TOOL_FAILED = 125
EXIT_CANNOT_RUN = 126
EXIT_NOT_FOUND = 127


class HostToolFailed(CloneError):
    """Clonespace itself failed around the program (hook engine, registry). Exit 125."""

    exit_code = EXIT_TOOL_FAILED


class ProgramLostProcesses(HostToolFailed):
    """The program ran, so its clone and store stay, but Clonespace could not keep one of
    the processes it started under the policy (it was killed). Exit 125."""


class CannotRun(CloneError):
    """The program exists but cannot be executed. Exit 126."""

    exit_code = EXIT_CANNOT_RUN


class CommandNotFound(CloneError):
    """The program was not found. Exit 127."""

    exit_code = EXIT_NOT_FOUND
