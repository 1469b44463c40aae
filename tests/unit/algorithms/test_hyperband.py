"""hyperband: the budget arithmetic of ValidateAlgorithmSettings and of GetSuggestions."""

from __future__ import annotations

import pytest

from compiler.model.katib import Experiment

from .builders import (
    categorical,
    discrete,
    double,
    errors,
    experiment,
    integer,
    run,
    setting,
    space,
    warnings,
)

SPACE = (double("lr", "0.01", "0.05"), integer("epochs", "1", "9"))


def hb(*pairs: tuple[str, str], parallel: int = 9, early: bool = False) -> Experiment:
    return experiment(
        "hyperband",
        *SPACE,
        algorithm_settings=pairs,
        parallel=parallel,
        max_trials=30,
        early_stopping=[] if early else None,
    )


BASE = (("resource_name", "epochs"), ("r_l", "9"))


def test_required_settings() -> None:
    found = run(hb(("r_l", "9")), "hyperband")
    assert [(f.code, f.field, f.message) for f in found] == [
        ("KATIB-R25", "spec.algorithm.algorithmSettings", "r_l and resource_name must be set.")
    ]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
def test_bad_r_l(value: str) -> None:
    exp = hb(("resource_name", "epochs"), ("r_l", value))
    assert errors(exp, "hyperband") == {("KATIB-R25", setting(1))}


@pytest.mark.parametrize("eta", ["1", "1.9", "x", "inf"])
def test_bad_eta(eta: str) -> None:
    assert errors(hb(*BASE, ("eta", eta)), "hyperband") == {("KATIB-R25", setting(2))}


@pytest.mark.parametrize(("parallel", "ok"), [(8, False), (9, True)])
def test_parallel_trial_count(parallel: int, ok: bool) -> None:
    """r_l 9, eta 3: s_max = int(ln 9 / ln 3) = 2, so ceil(3 ** 2) = 9 trials in parallel."""
    found = run(hb(*BASE, parallel=parallel), "hyperband")
    if ok:
        assert found == []
    else:
        assert [(f.code, f.field, f.message) for f in found] == [
            ("KATIB-R25", "spec.parallelTrialCount", "parallelTrialCount must be not less than 9.")
        ]


@pytest.mark.parametrize(("eta", "need"), [("0", 9), ("-2", 9), ("2", 8), ("3.0", 9)])
def test_eta_defaults_and_truncation(eta: str, need: int) -> None:
    assert run(hb(*BASE, ("eta", eta), parallel=need), "hyperband") == []
    assert errors(hb(*BASE, ("eta", eta), parallel=need - 1), "hyperband") == {
        ("KATIB-R25", "spec.parallelTrialCount")
    }


def test_fractional_eta_is_validated_truncated_but_run_as_written() -> None:
    exp = hb(*BASE, ("eta", "2.5"), parallel=8)
    assert errors(exp, "hyperband") == set()
    assert warnings(exp, "hyperband") == {("KATIB-R25", setting(2))}


def test_eta_below_one_passes_validation_but_yields_no_trials() -> None:
    exp = hb(*BASE, ("eta", "0.5"))
    assert errors(exp, "hyperband") == {("KATIB-R25", setting(1))}
    assert warnings(exp, "hyperband") == {("KATIB-R25", setting(2))}


@pytest.mark.parametrize(("r_l", "ok"), [("0.3", False), ("0.5", True), ("1", True)])
def test_small_budget_yields_no_trials(r_l: str, ok: bool) -> None:
    """s_max = int(ln r_l / ln 3): -1 for 0.3 (the loop is over at once), 0 for 0.5 and 1."""
    exp = hb(("resource_name", "epochs"), ("r_l", r_l), parallel=1)
    assert errors(exp, "hyperband") == (set() if ok else {("KATIB-R25", setting(1))})


def test_resource_name_must_be_a_parameter() -> None:
    found = run(hb(("resource_name", "num-epochs"), ("r_l", "9")), "hyperband")
    assert [(f.code, f.field, f.message) for f in found] == [
        ("KATIB-R25", setting(0), "value of resource_name setting must be in parameters.")
    ]


def test_discrete_values_must_be_integers() -> None:
    exp = experiment(
        "hyperband",
        integer("epochs", "1", "9"),
        discrete("batch", "16", "32.0", "x"),
        categorical("opt", "a", "b"),
        algorithm_settings=BASE,
        parallel=9,
    )
    assert errors(exp, "hyperband") == {
        ("KATIB-R25", space(1, "list[1]")),
        ("KATIB-R25", space(1, "list[2]")),
    }


def test_internal_and_unknown_names_are_warnings() -> None:
    exp = hb(*BASE, ("current_s", "0"), ("foo", "1"))
    assert errors(exp, "hyperband") == set()
    assert warnings(exp, "hyperband") == {
        ("KATIB-R25", setting(2, "name")),
        ("KATIB-R20", setting(3, "name")),
    }


def test_last_repeated_setting_wins() -> None:
    exp = hb(("resource_name", "epochs"), ("r_l", "abc"), ("r_l", "9"))
    assert run(exp, "hyperband") == []


def test_early_stopping_and_ignored_space() -> None:
    exp = experiment(
        "hyperband",
        double("lr", "0.01", "0.05", step="0.01", dist="logUniform"),
        integer("epochs", "1", "9"),
        algorithm_settings=BASE,
        parallel=9,
        early_stopping=[],
    )
    assert errors(exp, "hyperband") == set()
    assert warnings(exp, "hyperband") == {
        ("KATIB-R25", "spec.earlyStopping"),
        ("KATIB-R22", space(0, "step")),
        ("KATIB-R22", space(0, "distribution")),
    }
