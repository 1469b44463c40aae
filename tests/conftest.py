"""Shared test helpers: the reference corpus at ../shared and the Go toolchain.

Both are optional on a developer's machine and required in CI (.ci/run): tests that need them
skip with a clear message, unless `KATIB_GITOPS_REQUIRE_SHARED=1` or `KATIB_GITOPS_REQUIRE_GO=1`
turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ("tests.fixtures.cluster",)  # the real kube-apiserver fixtures

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def skip_or_fail(message: str, require_env: str) -> None:
    """Skip the test, or fail it when `require_env` is set to 1 (CI)."""
    if os.environ.get(require_env) == "1":
        pytest.fail(f"{message} (and {require_env}=1)", pytrace=False)
    pytest.skip(message)


def require_shared() -> Path:
    """../shared, or skip (fail under KATIB_GITOPS_REQUIRE_SHARED=1)."""
    if not (SHARED / "katib" / "examples").is_dir():
        skip_or_fail(
            f"{SHARED} (the Katib reference corpus) is absent", "KATIB_GITOPS_REQUIRE_SHARED"
        )
    return SHARED


def require_go() -> str:
    """The `go` binary, or skip (fail under KATIB_GITOPS_REQUIRE_GO=1)."""
    go = shutil.which("go")
    if go is None:
        skip_or_fail("Go is not installed (no `go` on PATH)", "KATIB_GITOPS_REQUIRE_GO")
    assert go is not None
    return go


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()
