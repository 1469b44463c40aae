"""optuna: settings per algorithm, unsupported distributions, and grid counting."""

from __future__ import annotations

import pytest

from compiler.admission.algorithms._grid import grid_size
from compiler.model.katib import ParameterSpec

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
)

TWO = (double("lr", "0.01", "0.05", step="0.01"), integer("layers", "2", "5"))


@pytest.mark.parametrize("algorithm", ["tpe", "multivariate-tpe"])
@pytest.mark.parametrize("name", ["n_startup_trials", "n_ei_candidates", "random_state"])
def test_tpe_settings_non_negative(algorithm: str, name: str) -> None:
    assert run(experiment(algorithm, algorithm_settings=[(name, "0")]), "optuna") == []
    (found,) = run(experiment(algorithm, algorithm_settings=[(name, "-1")]), "optuna")
    assert (found.code, found.field) == ("KATIB-R21", setting(0))
    assert found.message == f"{name} should be greate or equal than zero"


@pytest.mark.parametrize("name", ["seed", "n_EI_candidates", "gamma"])
def test_tpe_unknown_names(name: str) -> None:
    exp = experiment("tpe", algorithm_settings=[(name, "1")])
    assert errors(exp, "optuna") == {("KATIB-R20", setting(0, "name"))}


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("restart_strategy", "ipop", True),
        ("restart_strategy", "None", True),
        ("restart_strategy", "none", True),
        ("restart_strategy", "bipop", False),
        ("sigma", "0", True),
        ("sigma", "-0.1", False),
        ("random_state", "-1", False),
        ("n_startup_trials", "1", False),
    ],
)
def test_cmaes_settings(name: str, value: str, ok: bool) -> None:
    exp = experiment("cmaes", *TWO, algorithm_settings=[(name, value)])
    code = "KATIB-R20" if name == "n_startup_trials" else "KATIB-R21"
    part = "name" if name == "n_startup_trials" else "value"
    assert errors(exp, "optuna") == (set() if ok else {(code, setting(0, part))})


def test_cmaes_needs_two_numbers() -> None:
    exp = experiment("cmaes", double("lr", "0.01", "0.05"), categorical("opt", "a", "b"))
    assert errors(exp, "optuna") == {("KATIB-R22", "spec.parameters")}


@pytest.mark.parametrize("algorithm", ["random", "grid"])
def test_negative_random_state_has_our_words(algorithm: str) -> None:
    exp = experiment(algorithm, *TWO, algorithm_settings=[("random_state", "-1")], max_trials=0)
    (found,) = run(exp, "optuna")
    assert (found.code, found.field) == ("KATIB-R21", setting(0))
    assert "empty" in found.message


@pytest.mark.parametrize("dist", ["normal", "logNormal"])
@pytest.mark.parametrize("algorithm", ["multivariate-tpe", "random"])
def test_normal_distributions_hang(dist: str, algorithm: str) -> None:
    exp = experiment(algorithm, double("lr", "0.01", "0.05", dist=dist), integer("n", "1", "3"))
    (found,) = run(exp, "optuna")
    assert (found.code, found.field, found.severity) == (
        "KATIB-R22",
        space(0, "distribution"),
        "error",
    )
    upper = "NORMAL" if dist == "normal" else "LOG_NORMAL"
    assert found.message.startswith(f"Unsupported distribution {upper} for parameter lr.")


def test_log_uniform_floors() -> None:
    exp = experiment(
        "multivariate-tpe",
        integer("a", "0", "0", dist="logUniform"),
        integer("b", "0", "1", dist="logUniform"),
        double("c", "1e-12", "1e-11", dist="logUniform"),
        double("d", "0", "1e-10", dist="logUniform"),
    )
    assert errors(exp, "optuna") == {("KATIB-R22", space(0, "max")), ("KATIB-R22", space(2, "max"))}


def test_grid_double_needs_step() -> None:
    exp = experiment("grid", double("lr", "0.1", "0.3"), max_trials=0)
    (found,) = run(exp, "optuna")
    assert (found.code, found.field) == ("KATIB-R22", space(0, "step"))
    assert found.message == (
        "Param lr step is nil; For discrete search space, all parameters must include step"
    )


def test_grid_float_noise_gives_three_values() -> None:
    """arange(0.1, 0.4, 0.1) has four elements; the last (0.4) is > max and dropped."""
    lr = double("lr", "0.1", "0.3", step="0.1")
    assert grid_size(lr) == 3
    assert run(experiment("grid", lr, max_trials=3), "optuna") == []
    (found,) = run(experiment("grid", lr, max_trials=4), "optuna")
    assert (found.code, found.field) == ("KATIB-R22", "spec.maxTrialCount")
    assert found.message == "Max Trial Count: 4 > all possible search combinations: 3"


@pytest.mark.parametrize(
    ("param", "size"),
    [
        (double("lr", "0.01", "0.05", step="0.005"), 9),  # ends at 0.049999999999999996
        (double("lr", "0", "1", step="0.3"), 4),
        (double("lr", "1", "1", step="0.5"), 1),
        (integer("n", "1", "10", step="3"), 4),
        (integer("n", "1", "10"), 10),
        (integer("n", "5", "1"), 0),
        (categorical("c", "a", "b", "a"), 3),
        (discrete("d", "1", "2"), 2),
        (integer("n", "1.0", "3"), None),
        (double("lr", "0", "1", step="0"), None),
        (double("lr", "1", "0", step="0.5"), None),
        (ParameterSpec(name="u", parameter_type="unknown"), None),
    ],
)
def test_grid_size(param: ParameterSpec, size: int | None) -> None:
    assert grid_size(param) == size


def test_grid_combination_count_is_the_product() -> None:
    params = (
        double("lr", "0.01", "0.05", step="0.005"),
        integer("layers", "2", "5"),
        categorical("optimizer", "sgd", "adam"),
    )
    assert run(experiment("grid", *params, max_trials=72), "optuna") == []
    assert errors(experiment("grid", *params, max_trials=73), "optuna") == {
        ("KATIB-R22", "spec.maxTrialCount")
    }


def test_grid_unset_max_trial_count_passes() -> None:
    exp = experiment("grid", integer("n", "1", "2"), max_trials=None)
    assert run(exp, "optuna") == []


def test_grid_skips_the_count_when_the_service_would_raise() -> None:
    exp = experiment("grid", integer("n", "1", "x"), double("d", "0", "1"), max_trials=99)
    assert errors(exp, "optuna") == {("KATIB-R22", space(1, "step"))}


def test_grid_with_empty_list_has_no_combinations() -> None:
    exp = experiment("grid", categorical("c"), max_trials=1)
    assert errors(exp, "optuna") == {
        ("KATIB-R22", "spec.maxTrialCount"),
    }


def test_unsupported_algorithm() -> None:
    assert errors(experiment("sobol"), "optuna") == {("KATIB-R20", "spec.algorithm.algorithmName")}
