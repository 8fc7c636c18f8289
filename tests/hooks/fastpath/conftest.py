"""The fast-path harness: built once per session, one process shared by the tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.hooks.fastpath.harness import Harness, Unavailable, build


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    try:
        binary = build(tmp_path_factory.mktemp("fastpath"))
    except Unavailable as e:
        pytest.skip(f"cannot build the sanitizer harness: {e}")
    except subprocess.CalledProcessError as e:
        raise AssertionError(f"harness.c does not compile:\n{e.stderr}") from e
    running = Harness(binary)
    yield running
    running.close()
