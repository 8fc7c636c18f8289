"""hooks.errors: how a run's failure is named where it crosses from the shared supervisor to
its client, and the one error a run raises for it, in-process or shared alike."""

from __future__ import annotations

import pytest

from hooks.errors import (
    HandOverFroze,
    HookStartError,
    PolicyError,
    ProcessesLost,
    SupervisorUnavailable,
    failure_error,
    failure_kind,
)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (HandOverFroze("held"), "HandOverFroze"),  # before HookStartError, which it also is
        (HookStartError("loader crashed"), "HookStartError"),
        (PolicyError("bad path"), "PolicyError"),
        (SupervisorUnavailable("gone"), "other"),
        (OSError("EIO"), "other"),
    ],
)
def test_a_failure_is_named_by_the_most_specific_type_raised_again(
    error: Exception, kind: str
) -> None:
    assert failure_kind(error) == kind


@pytest.mark.parametrize(
    ("kind", "ran", "raised", "froze"),
    [
        ("HandOverFroze", True, ProcessesLost, True),
        ("HookStartError", True, ProcessesLost, False),
        ("HandOverFroze", False, HandOverFroze, None),
        ("HookStartError", False, HookStartError, None),
        ("PolicyError", False, PolicyError, None),
    ],
)
def test_a_failure_is_raised_as_lost_processes_once_the_program_ran_else_as_itself(
    kind: str, ran: bool, raised: type[Exception], froze: bool | None
) -> None:
    """The shared supervisor sends each failure as its kind and its text
    (``hooks.supervisor.daemon``); its client and ``hooks.runner.run`` raise the same."""
    error = failure_error(kind, "process 7 (sh) was …: killed", ran=ran)
    assert type(error) is raised
    assert "process 7 (sh)" in str(error)
    if froze is not None:
        assert isinstance(error, ProcessesLost) and error.froze is froze


def test_a_failure_of_another_kind_is_a_hook_start_error() -> None:
    error = failure_error("other", "loader crashed", ran=False)
    assert type(error) is HookStartError
    assert str(error) == "the program could not be instrumented: loader crashed"
