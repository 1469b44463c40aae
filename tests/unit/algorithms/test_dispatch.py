"""The package surface: image → service, dispatch, and a valid configuration per algorithm."""

from __future__ import annotations

import pytest

from compiler.admission.algorithms import check_algorithm, check_early_stopping, service_for_image
from compiler.model.katib import Experiment

from .builders import (
    categorical,
    double,
    experiment,
    integer,
    nas_config,
    operation,
    run,
)


@pytest.mark.parametrize(
    ("image", "service"),
    [
        ("ghcr.io/kubeflow/katib/suggestion-hyperopt:latest", "hyperopt"),
        ("ghcr.io/kubeflow/katib/suggestion-optuna:v0.19.0", "optuna"),
        ("docker.io/kubeflowkatib/suggestion-goptuna", "goptuna"),
        ("localhost:5000/katib/suggestion-skopt@sha256:0123abcd", "skopt"),
        ("suggestion-hyperband", "hyperband"),
        ("ghcr.io/kubeflow/katib/suggestion-pbt:latest", "pbt"),
        ("ghcr.io/kubeflow/katib/suggestion-enas:latest", "enas"),
        ("ghcr.io/kubeflow/katib/suggestion-darts:latest", "darts"),
        ("ghcr.io/kubeflow/katib/earlystopping-medianstop:latest", "medianstop"),
        ("ghcr.io/acme/my-suggestion:1.0", None),
        ("ghcr.io/kubeflow/katib/suggestion-hyperopt-fork:latest", None),
        ("", None),
    ],
)
def test_service_for_image(image: str, service: str | None) -> None:
    assert service_for_image(image) == service


def test_unknown_service_gives_no_findings() -> None:
    bad = experiment("tpe", algorithm_settings=[("gamma", "7")], early_stopping=[("x", "1")])
    assert check_algorithm(bad, None) == []
    assert check_algorithm(bad, "my-service") == []
    assert check_early_stopping(bad, None) == []


def test_early_stopping_only_when_set() -> None:
    assert check_early_stopping(experiment("random"), "medianstop") == []


TWO_NUMBERS = (double("lr", "0.01", "0.05"), double("momentum", "0.5", "0.9"))
VALID: list[tuple[str, Experiment]] = [
    ("hyperopt", experiment("random", algorithm_settings=[("random_state", "10")])),
    (
        "hyperopt",
        experiment(
            "tpe",
            double("lr", "0.001", "0.1", dist="logUniform"),
            double("m", "0.5", "0.9", step="0.1", dist="normal"),
            integer("layers", "2", "8", dist="logNormal"),
            algorithm_settings=[
                ("gamma", "0.5"),
                ("prior_weight", "1.0"),
                ("n_EI_candidates", "24"),
                ("random_state", "0"),
            ],
        ),
    ),
    (
        "optuna",
        experiment(
            "grid",
            double("lr", "0.01", "0.05", step="0.005"),
            integer("layers", "2", "5"),
            categorical("optimizer", "sgd", "adam"),
            algorithm_settings=[("random_state", "1")],
            max_trials=72,
        ),
    ),
    ("optuna", experiment("multivariate-tpe", algorithm_settings=[("n_startup_trials", "5")])),
    ("optuna", experiment("tpe", algorithm_settings=[("n_ei_candidates", "24")])),
    ("optuna", experiment("random", algorithm_settings=[("random_state", "3")])),
    (
        "optuna",
        experiment(
            "cmaes",
            *TWO_NUMBERS,
            algorithm_settings=[("restart_strategy", "None"), ("sigma", "0.5")],
        ),
    ),
    (
        "goptuna",
        experiment(
            "cmaes",
            *TWO_NUMBERS,
            algorithm_settings=[("restart_strategy", "bipop"), ("sigma", "0x1p-1")],
        ),
    ),
    ("goptuna", experiment("sobol")),
    ("goptuna", experiment("tpe", algorithm_settings=[("n_startup_trials", "+5")])),
    ("goptuna", experiment("random", algorithm_settings=[("random_state", "-1")])),
    ("skopt", experiment("bayesianoptimization", algorithm_settings=[("acq_func", "EI")])),
    (
        "hyperband",
        experiment(
            "hyperband",
            double("lr", "0.01", "0.05"),
            integer("epochs", "1", "9"),
            algorithm_settings=[("r_l", "9"), ("resource_name", "epochs"), ("eta", "3")],
            parallel=9,
            max_trials=30,
        ),
    ),
    (
        "pbt",
        experiment(
            "pbt",
            double("lr", "0.0001", "0.02", step="0.0001"),
            integer("batch", "16", "64"),
            algorithm_settings=[
                ("suggestion_trial_dir", "/var/log/katib/checkpoints/"),
                ("n_population", "40"),
                ("truncation_threshold", "0.2"),
            ],
            resume="FromVolume",
            name="simple-pbt",
        ),
    ),
    (
        "enas",
        experiment(
            "enas",
            nas=nas_config(
                operation("convolution", categorical("filter_size", "3", "5", "7")),
                operation("reduction", integer("pool_size", "2", "3", step="1")),
                operation("scale", double("factor", "0.5", "1.5", step="0.5")),
            ),
            algorithm_settings=[
                ("controller_hidden_size", "64"),
                ("controller_temperature", "None"),
            ],
        ),
    ),
    (
        "darts",
        experiment(
            "darts",
            nas=nas_config(
                operation("separable_convolution", categorical("filter_size", "3", "5")),
                operation("skip_connection", categorical("unused", "0")),
            ),
            algorithm_settings=[("num_epochs", "3"), ("batch_size", "None")],
        ),
    ),
    (
        "medianstop",
        experiment("random", early_stopping=[("min_trials_required", "1"), ("start_step", "2")]),
    ),
]


def _id(case: tuple[str, Experiment]) -> str:
    service, exp = case
    algorithm = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
    return f"{service}-{algorithm}"


@pytest.mark.parametrize(("service", "exp"), VALID, ids=[_id(c) for c in VALID])
def test_valid_configuration_passes(service: str, exp: Experiment) -> None:
    assert run(exp, service) == []
