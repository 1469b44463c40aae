"""Fixtures for the tests of deploy/: the real kustomize binary (tools/kustomize, built once from
its Go module) and the objects `kustomize build deploy/base` gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_go
from tests.deploy.helpers import BASE, kustomize_build


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """The real kustomize binary (built once from tools/kustomize/go.mod)."""
    require_go()
    from tools.kustomize.build import kustomize_binary

    return kustomize_binary()


@pytest.fixture(scope="session")
def base_objects(kustomize: Path) -> list[dict[str, Any]]:
    return kustomize_build(kustomize, BASE)
