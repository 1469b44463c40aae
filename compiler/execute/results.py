"""The run's state → `Results`: Katib's ExperimentStatus (§1.1, §5.7, §7.4) plus every trial.

Times are Katib's (RFC 3339, whole seconds); durations keep the journal's microseconds. Only the
journal is read, so the same journal always gives the same Results.
"""

from __future__ import annotations

from datetime import datetime

from compiler.execute import rules
from compiler.execute.pbt_volume import FOLDER as CHECKPOINTS
from compiler.execute.pbt_volume import lineage_of
from compiler.execute.state import RunState, TrialRecord
from compiler.model.katib import (
    Experiment,
    Metric,
    Observation,
    OptimalTrial,
    ParameterAssignment,
)
from compiler.model.katib import ExperimentStatus as Status
from compiler.model.results import Budget, Results, Source, TrialResult

_LISTS = {
    rules.RUNNING: "running",
    rules.PENDING: "pending",
    rules.FAILED: "failed",
    rules.SUCCEEDED: "succeeded",
    rules.KILLED: "killed",
    rules.EARLY_STOPPED: "early_stopped",
    rules.UNAVAILABLE_STATE: "metrics_unavailable",
}


def katib_time(stamp: str | None) -> str | None:
    return stamp[:19] + "Z" if stamp else None


def _seconds(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return round((datetime.strptime(b, fmt) - datetime.strptime(a, fmt)).total_seconds(), 3)


def build_results(
    exp: Experiment, state: RunState, source: Source, log_root: str, notes: tuple[str, ...]
) -> Results:
    assert exp.spec.objective is not None and exp.spec.algorithm is not None
    trials = state.ordered()
    return Results(
        name=exp.metadata.name,
        namespace=exp.metadata.namespace,
        backend="local",
        source=source,
        objective=exp.spec.objective,
        algorithm=exp.spec.algorithm,
        early_stopping=exp.spec.early_stopping,
        parameters=exp.spec.parameters,
        budget=Budget(
            parallel_trial_count=state.budget.get("parallel"),
            max_trial_count=state.budget.get("max"),
            max_failed_trial_count=state.budget.get("maxFailed"),
        ),
        status=status(exp, state),
        trials=tuple(_trial(exp, t, log_root) for t in trials),
        notes=notes,
    )


def status(exp: Experiment, state: RunState) -> Status:
    assert exp.spec.objective is not None
    trials = state.ordered()
    counts = rules.count(trials)
    lists: dict[str, list[str]] = {v: [] for v in _LISTS.values()}
    for t in trials:
        lists[_LISTS.get(t.state, "pending")].append(t.name)
    best = rules.best_trial(trials, exp.spec.objective)
    done = state.condition("Succeeded") or state.condition("Failed")
    conditions = tuple(
        c.model_copy(
            update={
                "last_update_time": katib_time(c.last_update_time),
                "last_transition_time": katib_time(c.last_transition_time),
            }
        )
        for c in state.conditions
    )
    return Status(
        start_time=katib_time(state.header.get("at")),
        completion_time=katib_time(done.last_transition_time) if done and state.completed else None,
        conditions=conditions,
        current_optimal_trial=_optimal(best),
        **{f"{k}_trial_list": tuple(v) for k, v in lists.items()},
        trials=len(trials),
        trials_succeeded=counts.succeeded,
        trials_failed=counts.failed,
        trials_killed=counts.killed,
        trials_pending=counts.pending,
        trials_running=counts.running,
        trials_early_stopped=counts.early_stopped,
        trial_metrics_unavailable=counts.metrics_unavailable,
    )


def _optimal(best: TrialRecord | None) -> OptimalTrial:
    if best is None:
        return OptimalTrial()
    return OptimalTrial(
        best_trial_name=best.name,
        parameter_assignments=tuple(_assignments(best)),
        observation=Observation(
            metrics=tuple(
                Metric(name=m.name, min=m.min, max=m.max, latest=m.latest) for m in best.metrics
            )
        ),
    )


def _assignments(t: TrialRecord) -> list[ParameterAssignment]:
    return [ParameterAssignment(name=k, value=v) for k, v in t.assignments.items()]


def _trial(exp: Experiment, t: TrialRecord, log_root: str) -> TrialResult:
    assert exp.spec.objective is not None
    text = rules.trial_objective(t, exp.spec.objective)
    from compiler.execute.metrics import number

    return TrialResult(
        name=t.name,
        index=t.index + 1,
        state=t.state,
        reason=t.reason,
        message=t.message,
        parameters=tuple(_assignments(t)),
        objective=number(text) if text is not None else None,
        metrics=t.metrics,
        labels=t.labels,
        start_time=katib_time(t.started),
        completion_time=katib_time(t.completed) if t.finished else None,
        duration_seconds=_seconds(t.started, t.completed) if t.finished else None,
        exit_code=t.exit_code,
        attempts=t.attempts,
        log=f"{log_root}/logs/{t.name}.log" if t.attempts else "",
        log_tail=t.log_tail,
        lineage=lineage_of(t.labels, t.memo, f"{log_root}/{CHECKPOINTS}/{t.name}"),
    )
