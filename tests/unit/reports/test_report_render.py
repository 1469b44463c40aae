"""Rendering Results: the same Results give the same bytes; odd values stay inside tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.model.katib import (
    AlgorithmSpec,
    Condition,
    ExperimentStatus,
    FeasibleSpace,
    MetricStrategy,
    ObjectiveSpec,
    OptimalTrial,
    ParameterAssignment,
    ParameterSpec,
)
from compiler.model.results import MetricLog, Results, TrialMetric, TrialResult
from compiler.reports import render_report, trials_csv
from compiler.reports.render import TemplateError, cell, convergence


def results(n: int = 5) -> Results:
    trials = tuple(
        TrialResult(
            name=f"t-{i}",
            index=i,
            state="Succeeded" if i % 3 else "Failed",
            reason="TrialSucceeded" if i % 3 else "TrialFailed. Job reason: Error",
            message="a | pipe\nand a newline",
            parameters=(
                ParameterAssignment(name="x", value=str(i / 10)),
                ParameterAssignment(name="opt", value="ab"[i % 2]),
            ),
            objective=(i - 2.5) ** 2 if i % 3 else None,
            metrics=(
                TrialMetric(
                    name="loss",
                    min="1",
                    max="2",
                    latest="1.5",
                    series=(MetricLog(value="2"), MetricLog(value="1.5")),
                ),
            ),
        )
        for i in range(1, n + 1)
    )
    return Results(
        name="exp",
        namespace="ns",
        backend="local",
        objective=ObjectiveSpec(
            type="minimize",
            objective_metric_name="loss",
            goal=0.1,
            metric_strategies=(MetricStrategy(name="loss", value="min"),),
        ),
        algorithm=AlgorithmSpec(algorithm_name="random"),
        parameters=(
            ParameterSpec(
                name="x", parameter_type="double", feasible_space=FeasibleSpace(min="0", max="1")
            ),
            ParameterSpec(
                name="opt",
                parameter_type="categorical",
                feasible_space=FeasibleSpace(list=("a", "b")),
            ),
        ),
        status=ExperimentStatus(
            start_time="2024-01-01T00:00:00Z",
            completion_time="2024-01-01T00:01:05Z",
            conditions=(
                Condition(
                    type="Succeeded",
                    status="True",
                    reason="ExperimentMaxTrialsReached",
                    message="Experiment has succeeded because max trial count has reached",
                ),
            ),
            current_optimal_trial=OptimalTrial(best_trial_name="t-2"),
            trials=n,
        ),
        trials=trials,
    )


def test_same_results_same_bytes(tmp_path: Path) -> None:
    a = render_report(results(), tmp_path)
    b = render_report(Results.from_json(results().to_json()), tmp_path)
    assert a == b
    assert set(a) == {
        "README.md",
        "results.json",
        "trials.csv",
        "convergence.svg",
        "parallel.svg",
        "parameters.svg",
        "metrics.svg",
    }
    readme = a["README.md"].decode()
    assert "a \\| pipe and a newline" in readme
    assert "(1m 05s)" in readme


def test_empty_results_render(tmp_path: Path) -> None:
    files = render_report(results(0), tmp_path)
    assert b"No trial reported the objective" in files["README.md"]


def test_cell_and_chart() -> None:
    assert cell("a|b\n c") == "a\\|b c"
    chart = convergence(results())
    assert chart is not None and chart["best"][-1] == "0.25"


def test_csv_quotes_messages() -> None:
    text = trials_csv(results(2))
    assert '"a | pipe\nand a newline"' in text


def test_broken_repository_template(tmp_path: Path) -> None:
    (tmp_path / "templates/reports").mkdir(parents=True)
    (tmp_path / "templates/reports/README.md.j2").write_text("{% if %}")
    with pytest.raises(TemplateError, match=r"README\.md\.j2:1"):
        render_report(results(), tmp_path)
