"""Small builders for the local backend's unit tests."""

from __future__ import annotations

from compiler.execute.state import TrialRecord
from compiler.model.katib import MetricStrategy, ObjectiveSpec
from compiler.model.results import TrialMetric


def objective(
    kind: str = "minimize", goal: float | None = None, strategy: str = ""
) -> ObjectiveSpec:
    value = strategy or ("min" if kind == "minimize" else "max")
    return ObjectiveSpec(
        type=kind,
        goal=goal,
        objective_metric_name="loss",
        metric_strategies=(MetricStrategy(name="loss", value=value),),
    )


def trial(i: int, state: str = "Succeeded", value: str | None = None) -> TrialRecord:
    metrics = ()
    if value is not None:
        metrics = (TrialMetric(name="loss", min=value, max=value, latest=value),)
    return TrialRecord(f"t{i}", i, {"x": str(i)}, state=state, metrics=metrics)
