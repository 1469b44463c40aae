"""Fixed inputs on both sides: Katib's own examples (../shared, when present) and the compiler's
golden manifests (tests/golden/*/expected/**/*.yaml, once they exist)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.load.files import load_file
from tests.conftest import ROOT, SHARED

from .conftest import Check
from .harness import Case

pytestmark = pytest.mark.conformance

EXAMPLES = SHARED / "katib" / "examples"
GOLDEN = ROOT / "tests" / "golden"
CONFIGMAP_EXAMPLE = "trial-template/trial-configmap-source.yaml"
# Katib ships the ConfigMap that example names in its manifests; read it from the Go module.
SHIPPED_TEMPLATES = "manifests/v1beta1/components/controller/trial-templates.yaml"


def _docs(path: Path) -> list[Any]:
    return [d.data for d in load_file(path) if isinstance(d.data, dict)]


def _experiments(path: Path) -> list[Any]:
    return [d for d in _docs(path) if d.get("kind") == "Experiment"]


def _examples() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.yaml")) if EXAMPLES.is_dir() else []


def _golden() -> list[Path]:
    found = sorted(GOLDEN.glob("*/expected/**/*.yaml")) if GOLDEN.is_dir() else []
    return [p for p in found if _experiments(p)]


@pytest.mark.shared
@pytest.mark.parametrize("path", _examples(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_katib_example(path: Path, shared_dir: Path, check: Check) -> None:
    for i, obj in enumerate(_experiments(path)):
        check(Case(f"{path.name}#{i}", obj), "examples")


@pytest.mark.shared
def test_configmap_example_with_shipped_configmap(
    shared_dir: Path, check: Check, katib_module: Path
) -> None:
    shipped = katib_module / SHIPPED_TEMPLATES
    configmaps = [d for d in _docs(shipped) if d.get("kind") == "ConfigMap"]
    (obj,) = _experiments(EXAMPLES / CONFIGMAP_EXAMPLE)
    theirs = check(Case("configmap-source+shipped", obj, configmaps=configmaps), "examples")
    assert [e["field"] for e in theirs["errors"]] == ["spec.trialTemplate.trialParameters[1].name"]


@pytest.mark.parametrize(
    "path", _golden() or [None], ids=lambda p: str(p.relative_to(GOLDEN)) if p else "none-yet"
)
def test_golden_manifest(path: Path | None, check: Check) -> None:
    if path is None:
        return  # no golden case written yet: nothing to compare
    case_dir = GOLDEN / path.relative_to(GOLDEN).parts[0]
    # a golden case may carry the cluster it compiles for: katib-config.yaml, configmap.yaml
    config = case_dir / "katib-config.yaml"
    maps = case_dir / "configmap.yaml"
    configmaps = [
        d for p in (path, maps) if p.exists() for d in _docs(p) if d.get("kind") == "ConfigMap"
    ]
    for i, obj in enumerate(_experiments(path)):
        case = Case(f"{path.name}#{i}", obj, configmaps=configmaps)
        case.katib_config = config.read_text("utf-8") if config.exists() else None
        check(case, "golden")
