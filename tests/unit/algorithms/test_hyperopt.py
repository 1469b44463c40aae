"""hyperopt (random, tpe): settings are validated one by one, unknown names rejected."""

from __future__ import annotations

import pytest

from compiler.model.katib import ParameterSpec

from .builders import (
    categorical,
    double,
    errors,
    experiment,
    integer,
    listed,
    nas_config,
    run,
    setting,
    space,
)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", False), ("1", False), ("0.5", True), ("1e-9", True), ("-0.1", False), ("nan", False)],
)
def test_gamma_open_interval(value: str, ok: bool) -> None:
    found = run(experiment("tpe", algorithm_settings=[("gamma", value)]), "hyperopt")
    if ok:
        assert found == []
    else:
        assert [(f.code, f.field, f.message) for f in found] == [
            ("KATIB-R21", setting(0), "gamma should be in the range of (0, 1)")
        ]


def test_unparsable_value_uses_the_services_words() -> None:
    (found,) = run(experiment("tpe", algorithm_settings=[("gamma", "x")]), "hyperopt")
    assert found.code == "KATIB-R21"
    assert found.message == "failed to validate gamma(x): could not convert string to float: 'x'"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("prior_weight", "0"),
        ("n_EI_candidates", "0"),
        ("n_EI_candidates", "2.0"),
        ("random_state", "-1"),
    ],
)
def test_tpe_value_rules(name: str, value: str) -> None:
    exp = experiment("tpe", algorithm_settings=[(name, value)])
    assert errors(exp, "hyperopt") == {("KATIB-R21", setting(0))}


def test_python_int_semantics() -> None:
    exp = experiment("random", algorithm_settings=[("random_state", " 1_0 ")])
    assert run(exp, "hyperopt") == []


def test_optuna_setting_names_are_rejected_for_tpe_on_hyperopt() -> None:
    exp = experiment(
        "tpe",
        algorithm_settings=[("n_ei_candidates", "24"), ("n_startup_trials", "5"), ("gamma", "2")],
    )
    found = run(exp, "hyperopt")
    assert {(f.code, f.field, f.severity) for f in found} == {
        ("KATIB-R20", setting(0, "name"), "error"),
        ("KATIB-R20", setting(1, "name"), "error"),
        ("KATIB-R21", setting(2), "error"),
    }
    assert found[0].message == "unknown setting n_ei_candidates for algorithm tpe"
    assert "n_EI_candidates" in found[0].fix


def test_random_knows_only_random_state() -> None:
    exp = experiment("random", algorithm_settings=[("gamma", "0.5")])
    assert errors(exp, "hyperopt") == {("KATIB-R20", setting(0, "name"))}


def test_algorithm_the_service_does_not_implement() -> None:
    (found,) = run(experiment("grid"), "hyperopt")
    assert (found.code, found.field) == ("KATIB-R20", "spec.algorithm.algorithmName")
    assert found.message == "unknown algorithm name grid"


@pytest.mark.parametrize("dist", ["logUniform", "logNormal"])
def test_log_distributions_need_positive_bounds(dist: str) -> None:
    exp = experiment(
        "random", double("a", "0", "1", dist=dist), integer("b", "-3", "-1", dist=dist)
    )
    assert errors(exp, "hyperopt") == {
        ("KATIB-R22", space(0, "min")),
        ("KATIB-R22", space(1, "min")),
        ("KATIB-R22", space(1, "max")),
    }


def test_uniform_and_normal_accept_non_positive_bounds() -> None:
    exp = experiment("random", double("a", "-1", "0"), double("b", "-1", "0", dist="normal"))
    assert run(exp, "hyperopt") == []


def test_unknown_type_is_refused_and_empty_lists_are_left_to_r6() -> None:
    unknown = ParameterSpec(name="u", parameter_type="unknown")
    exp = experiment("random", unknown, categorical("c"), listed("discrete", "d"))
    assert errors(exp, "hyperopt") == {
        ("KATIB-R22", "spec.parameters[0].parameterType"),
    }


def test_nas_config_with_a_hyperparameter_algorithm() -> None:
    exp = experiment("random", nas=nas_config())
    assert errors(exp, "hyperopt") == {("KATIB-R23", "spec.nasConfig")}
