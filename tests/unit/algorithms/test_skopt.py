"""skopt (bayesianoptimization): doubles are always log-uniform; skopt needs low < high."""

from __future__ import annotations

import pytest

from .builders import double, errors, experiment, integer, run, setting, space, warnings

ALGO = "bayesianoptimization"


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("base_estimator", "GP", True),
        ("base_estimator", "gp", False),
        ("n_initial_points", "0", True),
        ("n_initial_points", "-1", False),
        ("acq_func", "PIps", True),
        ("acq_func", "EIPS", False),
        ("acq_optimizer", "lbfgs", True),
        ("acq_optimizer", "adam", False),
        ("random_state", "x", False),
    ],
)
def test_settings(name: str, value: str, ok: bool) -> None:
    found = errors(experiment(ALGO, algorithm_settings=[(name, value)]), "skopt")
    assert found == (set() if ok else {("KATIB-R21", setting(0))})


def test_choice_message() -> None:
    (found,) = run(experiment(ALGO, algorithm_settings=[("acq_func", "XX")]), "skopt")
    assert found.message == "acq_func XX is not supported in Bayesian optimization"


def test_unknown_name_rejected() -> None:
    exp = experiment(ALGO, algorithm_settings=[("n_calls", "10")])
    assert errors(exp, "skopt") == {("KATIB-R20", setting(0, "name"))}


@pytest.mark.parametrize(("lo", "ok"), [("0", False), ("-1", False), ("1e-9", True)])
def test_double_min_must_be_positive(lo: str, ok: bool) -> None:
    exp = experiment(ALGO, double("lr", lo, "0.1"))
    assert errors(exp, "skopt") == (set() if ok else {("KATIB-R22", space(0, "min"))})


def test_single_value_ranges_hang() -> None:
    exp = experiment(ALGO, integer("n", "3", "3"), double("lr", "0.5", "0.5"))
    found = run(exp, "skopt")
    assert {(f.code, f.field) for f in found} == {
        ("KATIB-R22", space(0, "max")),
        ("KATIB-R22", space(1, "max")),
    }
    assert found[0].message == "the lower bound 3 has to be less than the upper bound 3"


def test_ignored_step_and_distribution() -> None:
    exp = experiment(
        ALGO,
        double("lr", "0.01", "0.1", step="0.01", dist="normal"),
        double("wd", "0.001", "0.1", dist="logUniform"),
        integer("n", "1", "5", dist="logUniform"),
    )
    assert errors(exp, "skopt") == set()
    assert warnings(exp, "skopt") == {
        ("KATIB-R22", space(0, "step")),
        ("KATIB-R22", space(0, "distribution")),
        ("KATIB-R22", space(2, "distribution")),
    }


def test_unsupported_algorithm() -> None:
    assert errors(experiment("random"), "skopt") == {("KATIB-R20", "spec.algorithm.algorithmName")}
