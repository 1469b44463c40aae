"""A live Experiment and its Trials (JSON, as the API server sends them) → `Results`, the model
the local backend fills too, so one report writer renders both. Pure.

Only what can be observed goes in: Katib's status (reference §1.1, §5.7, §7.4) without
`lastReconcileTime`, which Katib rewrites on every reconcile (§2.2) and would make every pass a
commit; each Trial's assignments, observation (§5.6) and conditions (§7.2). Trials are ordered by
creation time, then name, which every pass sees the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from compiler.execute.metrics import number, objective_text
from compiler.execute.rules import strategy_of
from compiler.model.codec import from_go
from compiler.model.katib import (
    AlgorithmSpec,
    Condition,
    EarlyStoppingSpec,
    ExperimentStatus,
    ObjectiveSpec,
    ParameterAssignment,
    ParameterSpec,
)
from compiler.model.results import (
    UNAVAILABLE,
    Budget,
    Deleted,
    MetricLog,
    ObjectRef,
    Results,
    Source,
    TrialMetric,
    TrialResult,
)
from compiler.render.manifests import EXPERIMENT_LABEL, REVISION_ANNOTATION, SPEC_ANNOTATION

BACKEND = "cluster"
TRIAL_EXPERIMENT_LABEL = "katib.kubeflow.org/experiment"  # set by Katib on every trial (§4.4)
#: §5.7: a trial's state, first match wins
TRIAL_STATES = ("Killed", "Failed", "Succeeded", "EarlyStopped", "Running", "MetricsUnavailable")
#: metric series by trial name, then metric name (katib-db-manager's observation logs)
Series = Mapping[str, Mapping[str, Sequence[MetricLog]]]


def experiment_name(obj: Mapping[str, Any]) -> str:
    """The spec's name: our label, or the object's own name for one we did not label."""
    meta = obj.get("metadata") or {}
    return str((meta.get("labels") or {}).get(EXPERIMENT_LABEL) or meta.get("name", ""))


def results(
    exp: Mapping[str, Any],
    trials: Sequence[Mapping[str, Any]],
    *,
    deleted: Deleted | None = None,
    series: Series | None = None,
    notes: tuple[str, ...] = (),
) -> Results:
    meta = exp.get("metadata") or {}
    spec = exp.get("spec") or {}
    annotations = meta.get("annotations") or {}
    objective = from_go(ObjectiveSpec, spec.get("objective"))
    early = spec.get("earlyStopping")
    ordered = sorted(trials, key=_created)
    return Results(
        name=experiment_name(exp),
        namespace=str(meta.get("namespace", "")),
        backend=BACKEND,
        source=Source(
            spec=str(annotations.get(SPEC_ANNOTATION, "")),
            experiment_revision=str(annotations.get(REVISION_ANNOTATION, "")),
        ),
        object=ObjectRef(name=str(meta.get("name", "")), uid=str(meta.get("uid", ""))),
        deleted=deleted,
        objective=objective,
        algorithm=from_go(AlgorithmSpec, spec.get("algorithm")),
        early_stopping=from_go(EarlyStoppingSpec, early) if early else None,
        parameters=tuple(from_go(ParameterSpec, p) for p in spec.get("parameters") or []),
        budget=Budget(
            parallel_trial_count=spec.get("parallelTrialCount"),
            max_trial_count=spec.get("maxTrialCount"),
            max_failed_trial_count=spec.get("maxFailedTrialCount"),
        ),
        status=observed_status(exp),
        trials=tuple(
            _trial(t, i, objective, (series or {}).get(_name(t), {}))
            for i, t in enumerate(ordered, 1)
        ),
        notes=notes,
    )


def observed_status(exp: Mapping[str, Any]) -> ExperimentStatus:
    """Katib's status, less what changes without anything happening (lastReconcileTime)."""
    status = from_go(ExperimentStatus, exp.get("status"))
    return status.model_copy(update={"last_reconcile_time": None})


def trial_state(conditions: Sequence[Condition]) -> tuple[str, Condition | None]:
    """§5.7's order; a condition counts when the first of its type is True (Katib's
    hasCondition). No such condition: Pending."""
    first: dict[str, Condition] = {}
    for c in conditions:
        first.setdefault(c.type, c)
    for state in TRIAL_STATES:
        found = first.get(state)
        if found is not None and found.status == "True":
            return state, found
    return "Pending", first.get("Created")


def _trial(
    t: Mapping[str, Any],
    index: int,
    objective: ObjectiveSpec,
    series: Mapping[str, Sequence[MetricLog]],
) -> TrialResult:
    spec, status = t.get("spec") or {}, t.get("status") or {}
    conditions = tuple(from_go(Condition, c) for c in status.get("conditions") or [])
    state, condition = trial_state(conditions)
    metrics = tuple(
        _metric(m, series.get(str(m.get("name", "")), ()))
        for m in (status.get("observation") or {}).get("metrics") or []
    )
    start, end = status.get("startTime"), status.get("completionTime")
    return TrialResult(
        name=_name(t),
        index=index,
        state=state,
        reason=condition.reason if condition else "",
        message=condition.message if condition else "",
        parameters=tuple(
            from_go(ParameterAssignment, p) for p in spec.get("parameterAssignments") or []
        ),
        objective=_objective(metrics, objective),
        metrics=tuple(sorted(metrics, key=lambda m: m.name)),  # Katib's order is a Go map's
        labels={str(k): str(v) for k, v in (spec.get("labels") or {}).items()},
        start_time=start,
        completion_time=end,
        duration_seconds=_seconds(start, end),
    )


def _metric(m: Mapping[str, Any], series: Sequence[MetricLog]) -> TrialMetric:
    """The observation's min, max, latest; the series without Katib's "unavailable" markers
    (the local backend records them the same way)."""
    return TrialMetric(
        name=str(m.get("name", "")),
        min=str(m.get("min", UNAVAILABLE)),
        max=str(m.get("max", UNAVAILABLE)),
        latest=str(m.get("latest", UNAVAILABLE)),
        series=tuple(s for s in series if s.value != UNAVAILABLE),
    )


def _objective(metrics: Sequence[TrialMetric], objective: ObjectiveSpec) -> float | None:
    """§5.6: the objective metric by its strategy (min/max falling back to latest)."""
    name = objective.objective_metric_name
    metric = next((m for m in metrics if m.name == name), None)
    text = objective_text(metric, strategy_of(objective, name))
    return number(text) if text is not None else None


def _name(t: Mapping[str, Any]) -> str:
    return str((t.get("metadata") or {}).get("name", ""))


def _created(t: Mapping[str, Any]) -> tuple[str, str]:
    meta = t.get("metadata") or {}
    return (str(meta.get("creationTimestamp", "")), str(meta.get("name", "")))


def _seconds(start: Any, end: Any) -> float | None:
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round((b - a).total_seconds(), 3)
