"""Katib's own examples (../shared/katib/examples) on a default katib-config: the reference's
section 9 says only darts-gpu.yaml fails at run time (skip_connection without parameters)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compiler.admission.algorithms import check_algorithm, check_early_stopping, service_for_image
from compiler.model.katib import Experiment

EXAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "katib" / "examples"
# The default katib-config's suggestion images (reference §6.1).
IMAGES = {
    "random": "suggestion-hyperopt",
    "tpe": "suggestion-hyperopt",
    "grid": "suggestion-optuna",
    "multivariate-tpe": "suggestion-optuna",
    "cmaes": "suggestion-goptuna",
    "sobol": "suggestion-goptuna",
    "bayesianoptimization": "suggestion-skopt",
    "hyperband": "suggestion-hyperband",
    "pbt": "suggestion-pbt",
    "enas": "suggestion-enas",
    "darts": "suggestion-darts",
}
EXPECTED = {
    "nas/darts-gpu.yaml": {("KATIB-R23", "spec.nasConfig.operations[4].parameters", "error")},
}

pytestmark = pytest.mark.shared


def _load(path: Path) -> Experiment:
    exp = Experiment.model_validate(yaml.safe_load(path.read_text()))
    # The two webhook defaults these rules read.
    spec = exp.spec.model_copy(
        update={
            "parallel_trial_count": exp.spec.parallel_trial_count or 3,
            "resume_policy": exp.spec.resume_policy or "Never",
        }
    )
    return exp.model_copy(update={"spec": spec})


def _examples() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.yaml")) if EXAMPLES.is_dir() else []


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="needs ../shared/katib/examples")
def test_all_examples_are_found() -> None:
    assert len(_examples()) == 33


@pytest.mark.parametrize("path", _examples(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example(path: Path) -> None:
    exp = _load(path)
    assert exp.spec.algorithm is not None
    image = f"ghcr.io/kubeflow/katib/{IMAGES[exp.spec.algorithm.algorithm_name]}:latest"
    found = check_algorithm(exp, service_for_image(image))
    es = exp.spec.early_stopping
    if es is not None:
        found += check_early_stopping(exp, service_for_image(f"earlystopping-{es.algorithm_name}"))
    got = {(f.code, f.field, f.severity) for f in found}
    assert got == EXPECTED.get(str(path.relative_to(EXAMPLES)), set())
