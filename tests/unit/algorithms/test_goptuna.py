"""goptuna (Go): unknown names ignored, Go strconv parsing, errors hidden behind gRPC Internal."""

from __future__ import annotations

import pytest

from compiler.model.katib import ParameterSpec

from .builders import (
    categorical,
    double,
    errors,
    experiment,
    integer,
    run,
    setting,
    space,
    warnings,
)

TWO = (double("lr", "0.01", "0.05"), double("momentum", "0.5", "0.9"))


def test_unknown_names_are_warnings() -> None:
    exp = experiment("cmaes", *TWO, algorithm_settings=[("gamma", "0.5"), ("sigma", "0.2")])
    found = run(exp, "goptuna")
    assert [(f.code, f.field, f.severity) for f in found] == [
        ("KATIB-R20", setting(0, "name"), "warning")
    ]


def test_sobol_takes_no_settings() -> None:
    exp = experiment("sobol", algorithm_settings=[("random_state", "1")])
    assert warnings(exp, "goptuna") == {("KATIB-R20", setting(0, "name"))}
    assert errors(exp, "goptuna") == set()


@pytest.mark.parametrize(
    ("algorithm", "name", "value"),
    [
        ("cmaes", "random_state", "1.0"),
        ("cmaes", "random_state", " 5"),
        ("cmaes", "random_state", "9223372036854775808"),
        ("cmaes", "sigma", "abc"),
        ("cmaes", "sigma", "1e400"),
        ("cmaes", "restart_strategy", "None"),  # optuna accepts it, goptuna does not
        ("tpe", "n_startup_trials", "1_0"),
        ("tpe", "n_ei_candidates", "2e1"),
        ("random", "random_state", "+nan"),
    ],
)
def test_values_that_go_cannot_parse(algorithm: str, name: str, value: str) -> None:
    exp = experiment(algorithm, *TWO, algorithm_settings=[(name, value)])
    (found,) = run(exp, "goptuna")
    assert (found.code, found.field, found.severity) == ("KATIB-R21", setting(0), "error")
    assert "Internal" in found.message


def test_go_error_text() -> None:
    (found,) = run(experiment("random", algorithm_settings=[("random_state", "1.5")]), "goptuna")
    assert found.message.startswith('strconv.Atoi: parsing "1.5": invalid syntax')


def test_cmaes_needs_two_numbers() -> None:
    exp = experiment("cmaes", double("lr", "0.01", "0.05"), categorical("o", "a"))
    found = run(exp, "goptuna")
    assert [(f.code, f.field) for f in found] == [("KATIB-R22", "spec.parameters")]
    assert found[0].message == (
        "CMA-ES only supports two or more dimensional continuous search space."
    )


def test_bounds_parse_with_go() -> None:
    exp = experiment(
        "random",
        integer("a", "1e3", "2000"),
        integer("b", "1", "10", step="1.0"),
        double("c", " 0.5", "0x1p-1"),
        double("d", "0x1p-2", "1_000.5", step="0.25"),
    )
    assert errors(exp, "goptuna") == {
        ("KATIB-R22", space(0, "min")),
        ("KATIB-R22", space(1, "step")),
        ("KATIB-R22", space(2, "min")),
    }


@pytest.mark.parametrize("dist", ["logUniform", "normal", "logNormal"])
def test_distribution_is_ignored(dist: str) -> None:
    exp = experiment("sobol", double("lr", "0.01", "0.05", dist=dist))
    found = run(exp, "goptuna")
    assert [(f.code, f.field, f.severity) for f in found] == [
        ("KATIB-R22", space(0, "distribution"), "warning")
    ]


def test_unknown_type_is_refused_and_empty_lists_are_left_to_r6() -> None:
    exp = experiment("random", ParameterSpec(name="u", parameter_type="unknown"), categorical("c"))
    assert errors(exp, "goptuna") == {
        ("KATIB-R22", "spec.parameters[0].parameterType"),
    }


def test_unsupported_algorithm() -> None:
    (found,) = run(experiment("grid"), "goptuna")
    assert (found.code, found.field, found.message) == (
        "KATIB-R20",
        "spec.algorithm.algorithmName",
        "unsupported algorithm",
    )
