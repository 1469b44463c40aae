"""A small builder for defaulted Katib experiments, and views of findings for assertions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from compiler.admission.algorithms import check_algorithm, check_early_stopping
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import (
    AlgorithmSpec,
    EarlyStoppingSpec,
    Experiment,
    ExperimentSpec,
    FeasibleSpace,
    GraphConfig,
    NasConfig,
    ObjectMeta,
    Operation,
    ParameterSpec,
    Setting,
)

Pairs = Sequence[tuple[str, str]]


def numeric(kind: str, name: str, bounds: tuple[str, str], step: str, dist: str) -> ParameterSpec:
    space = FeasibleSpace(min=bounds[0], max=bounds[1], step=step, distribution=dist)
    return ParameterSpec(name=name, parameter_type=kind, feasible_space=space)


def double(name: str, lo: str, hi: str, step: str = "", dist: str = "uniform") -> ParameterSpec:
    return numeric("double", name, (lo, hi), step, dist)


def integer(name: str, lo: str, hi: str, step: str = "", dist: str = "uniform") -> ParameterSpec:
    return numeric("int", name, (lo, hi), step, dist)


def listed(kind: str, name: str, *values: str) -> ParameterSpec:
    space = FeasibleSpace(list=values, distribution="uniform")
    return ParameterSpec(name=name, parameter_type=kind, feasible_space=space)


def categorical(name: str, *values: str) -> ParameterSpec:
    return listed("categorical", name, *values)


def discrete(name: str, *values: str) -> ParameterSpec:
    return listed("discrete", name, *values)


def settings(pairs: Pairs) -> tuple[Setting, ...]:
    return tuple(Setting(name=n, value=v) for n, v in pairs)


HP_SPACE = (
    double("lr", "0.01", "0.05"),
    integer("num-layers", "2", "5"),
    categorical("optimizer", "sgd", "adam", "ftrl"),
)


def experiment(
    algorithm: str,
    *params: ParameterSpec,
    algorithm_settings: Pairs = (),
    name: str = "exp",
    max_trials: int | None = 12,
    parallel: int = 3,
    resume: str = "Never",
    nas: NasConfig | None = None,
    early_stopping: Pairs | None = None,
    early_stopping_name: str = "medianstop",
) -> Experiment:
    """A defaulted experiment: parallelTrialCount and resumePolicy set, as the webhook does."""
    es = None
    if early_stopping is not None:
        es = EarlyStoppingSpec(
            algorithm_name=early_stopping_name, algorithm_settings=settings(early_stopping)
        )
    spec = ExperimentSpec(
        parameters=params if params or nas else HP_SPACE,
        algorithm=AlgorithmSpec(
            algorithm_name=algorithm, algorithm_settings=settings(algorithm_settings)
        ),
        early_stopping=es,
        parallel_trial_count=parallel,
        max_trial_count=max_trials,
        nas_config=nas,
        resume_policy=resume,
    )
    return Experiment(metadata=ObjectMeta(name=name, namespace="kubeflow"), spec=spec)


def operation(kind: str, *params: ParameterSpec) -> Operation:
    return Operation(operation_type=kind, parameters=params)


def nas_config(
    *ops: Operation,
    layers: int | None = 8,
    inputs: Sequence[int] = (32, 32, 3),
    outputs: Sequence[int] = (10,),
) -> NasConfig:
    graph = GraphConfig(num_layers=layers, input_sizes=tuple(inputs), output_sizes=tuple(outputs))
    default_ops = (operation("convolution", categorical("filter_size", "3", "5")),)
    return NasConfig(graph_config=graph, operations=ops or default_ops)


def run(exp: Experiment, service: str) -> list[RuntimeFinding]:
    if service == "medianstop":
        return check_early_stopping(exp, service)
    return check_algorithm(exp, service)


def keyed(findings: Iterable[RuntimeFinding], severity: str | None = None) -> set[tuple[str, str]]:
    """{(code, field)} of the findings, optionally of one severity."""
    return {(f.code, f.field) for f in findings if severity in (None, f.severity)}


def errors(exp: Experiment, service: str) -> set[tuple[str, str]]:
    return keyed(run(exp, service), "error")


def warnings(exp: Experiment, service: str) -> set[tuple[str, str]]:
    return keyed(run(exp, service), "warning")


def setting(i: int, part: str = "value") -> str:
    return f"spec.algorithm.algorithmSettings[{i}].{part}"


def space(i: int, key: str) -> str:
    return f"spec.parameters[{i}].feasibleSpace.{key}"
