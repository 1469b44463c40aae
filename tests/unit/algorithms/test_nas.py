"""NAS: nasConfig placement, the shared operation validation, ENAS graph/runtime, settings."""

from __future__ import annotations

import pytest

from compiler.model.katib import FeasibleSpace, ParameterSpec

from .builders import (
    categorical,
    discrete,
    double,
    errors,
    experiment,
    integer,
    nas_config,
    operation,
    run,
    setting,
    warnings,
)

OPS = "spec.nasConfig.operations"


def op_path(j: int, tail: str) -> str:
    return f"{OPS}[{j}].{tail}"


@pytest.mark.parametrize("service", ["enas", "darts"])
def test_nas_config_required(service: str) -> None:
    exp = experiment(service, double("lr", "0.1", "0.2"))
    assert [(f.code, f.field) for f in run(exp, service)] == [("KATIB-R23", "spec.nasConfig")]


@pytest.mark.parametrize("service", ["enas", "darts"])
def test_operation_needs_type_and_parameters(service: str) -> None:
    exp = experiment(
        service,
        nas=nas_config(
            operation("", categorical("filter_size", "3")),
            operation("skip_connection"),  # as in examples/v1beta1/nas/darts-gpu.yaml
        ),
    )
    found = run(exp, service)
    assert {(f.code, f.field) for f in found if f.severity == "error"} == {
        ("KATIB-R23", op_path(0, "operationType")),
        ("KATIB-R23", op_path(1, "parameters")),
    }


@pytest.mark.parametrize("service", ["enas", "darts"])
def test_every_parameter_problem_is_reported(service: str) -> None:
    exp = experiment(
        service,
        nas=nas_config(
            operation(
                "conv",
                categorical("filter_size", "3"),
                categorical("", "1"),
                ParameterSpec(name="u", parameter_type="unknown"),
                categorical("empty"),
                ParameterSpec(name="n", parameter_type="int", feasible_space=FeasibleSpace()),
                double("no-step", "0.1", "0.2"),
                double("zero-step", "0.1", "0.2", step="0"),
                double("bad-step", "0.1", "0.2", step="x"),
            )
        ),
    )
    assert errors(exp, service) >= {
        ("KATIB-R23", op_path(0, "parameters[1].name")),
        ("KATIB-R23", op_path(0, "parameters[2].parameterType")),
        ("KATIB-R23", op_path(0, "parameters[3].feasibleSpace.list")),
        ("KATIB-R23", op_path(0, "parameters[4].feasibleSpace.max")),
        ("KATIB-R23", op_path(0, "parameters[5].feasibleSpace.step")),
        ("KATIB-R23", op_path(0, "parameters[6].feasibleSpace.step")),
        ("KATIB-R23", op_path(0, "parameters[7].feasibleSpace.step")),
    }


def test_shared_validation_passes_a_nan_step_and_one_bound() -> None:
    exp = experiment(
        "darts",
        nas=nas_config(
            operation("conv", categorical("filter_size", "3")),
            operation("scale", double("f", "", "1", step="nan"), integer("n", "1", "")),
        ),
    )
    assert errors(exp, "darts") == set()


def test_empty_operations() -> None:
    exp = experiment("enas", nas=nas_config().model_copy(update={"operations": ()}))
    assert errors(exp, "enas") == {("KATIB-R23", OPS)}


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"layers": None}, "numLayers"),
        ({"layers": 0}, "numLayers"),
        ({"inputs": ()}, "inputSizes"),
        ({"outputs": ()}, "outputSizes"),
    ],
)
def test_enas_graph(kwargs: dict[str, object], key: str) -> None:
    exp = experiment("enas", nas=nas_config(**kwargs))  # type: ignore[arg-type]
    found = run(exp, "enas")
    assert [(f.code, f.field) for f in found] == [
        ("KATIB-R23", f"spec.nasConfig.graphConfig.{key}")
    ]


def test_enas_runtime_operation_parameters() -> None:
    exp = experiment(
        "enas",
        nas=nas_config(
            operation("pool", integer("pool_size", "2", "3")),  # no step: int("") in enas
            operation("mix", discrete("d", "1", "2")),
            operation("scale", double("f", "0.1", "0.3", step="0.1")),  # arange overshoots
            operation("ok", double("g", "0.5", "1.5", step="0.5")),
        ),
    )
    assert errors(exp, "enas") == {
        ("KATIB-R23", op_path(0, "parameters[0].feasibleSpace.step")),
        ("KATIB-R23", op_path(1, "parameters[0].parameterType")),
        ("KATIB-R23", op_path(2, "parameters[0].feasibleSpace.max")),
    }


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("controller_baseline_decay", "0", False),
        ("controller_baseline_decay", "1", True),
        ("controller_baseline_decay", "1.5", False),
        ("controller_learning_rate", "None", False),
        ("controller_temperature", "None", True),
        ("controller_temperature", "0", False),
        ("controller_temperature", "inf", True),
        ("controller_skip_weight", "nan", True),  # NaN passes both comparisons
        ("controller_hidden_size", "0", False),
        ("controller_hidden_size", "1", True),
        ("controller_train_steps", "1.0", False),
    ],
)
def test_enas_settings(name: str, value: str, ok: bool) -> None:
    exp = experiment("enas", nas=nas_config(), algorithm_settings=[(name, value)])
    assert errors(exp, "enas") == (set() if ok else {("KATIB-R21", setting(0))})


def test_enas_setting_messages() -> None:
    exp = experiment(
        "enas",
        nas=nas_config(),
        algorithm_settings=[("controller_skip_target", "2"), ("controller_hidden_size", "0")],
    )
    assert [f.message for f in run(exp, "enas")] == [
        "Algorithm Setting controller_skip_target: 2.0 with float type must be in range (0.0, 1.0)",
        "Algorithm Setting controller_hidden_size: 0 with int type must be in range [1, inf)",
    ]


def test_enas_rejects_unknown_names() -> None:
    exp = experiment("enas", nas=nas_config(), algorithm_settings=[("num_epochs", "3")])
    assert errors(exp, "enas") == {("KATIB-R20", setting(0, "name"))}


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("num_epochs", "0", False),
        ("num_epochs", "1", True),
        ("w_lr", "-0.1", False),
        ("w_lr", "nan", False),
        ("alpha_weight_decay", "0", True),
        ("batch_size", "None", True),
        ("batch_size", "0", False),
        ("num_workers", "0", True),
        ("stem_multiplier", "0", False),
        ("w_grad_clip", "None", False),
    ],
)
def test_darts_settings(name: str, value: str, ok: bool) -> None:
    exp = experiment("darts", nas=nas_config(), algorithm_settings=[(name, value)])
    assert errors(exp, "darts") == (set() if ok else {("KATIB-R21", setting(0))})


def test_darts_passes_unknown_names_to_the_trial() -> None:
    exp = experiment("darts", nas=nas_config(), algorithm_settings=[("learning_rate", "0.1")])
    found = run(exp, "darts")
    assert [(f.code, f.field, f.severity) for f in found] == [
        ("KATIB-R20", setting(0, "name"), "warning")
    ]


def test_darts_warnings() -> None:
    exp = experiment(
        "darts",
        nas=nas_config(operation("conv", integer("k", "3", "5", step="2")), layers=None),
    )
    assert errors(exp, "darts") == set()
    assert warnings(exp, "darts") == {
        ("KATIB-R23", "spec.nasConfig.graphConfig.numLayers"),
        ("KATIB-R23", op_path(0, "parameters[0].feasibleSpace.list")),
    }
