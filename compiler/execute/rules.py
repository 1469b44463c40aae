"""Katib's experiment rules as pure functions over the run's trials (reference §5.6, §5.7, §7,
§10.4). The study loop only asks these; it decides nothing itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compiler.execute.metrics import number, objective_text
from compiler.execute.state import TrialRecord
from compiler.model.katib import ObjectiveSpec
from compiler.model.results import UNAVAILABLE, TrialMetric

SUCCEEDED, FAILED, UNAVAILABLE_STATE = "Succeeded", "Failed", "MetricsUnavailable"
EARLY_STOPPED, KILLED, RUNNING, PENDING = "EarlyStopped", "Killed", "Running", "Pending"

# §7.1 reasons and messages
GOAL = (
    "Succeeded",
    "ExperimentGoalReached",
    "Experiment has succeeded because Objective goal has reached",
)
MAX_FAILED = (
    "Failed",
    "ExperimentFailed",
    "Experiment has failed because max failed count has reached",
)
MAX_TRIALS = (
    "Succeeded",
    "ExperimentMaxTrialsReached",
    "Experiment has succeeded because max trial count has reached",
)


@dataclass(frozen=True)
class Counts:
    succeeded: int = 0
    failed: int = 0
    killed: int = 0
    early_stopped: int = 0
    metrics_unavailable: int = 0
    running: int = 0
    pending: int = 0

    @property
    def active(self) -> int:
        return self.pending + self.running

    @property
    def failed_for_budget(self) -> int:
        """§5.7: failed = trialsFailed + trialMetricsUnavailable."""
        return self.failed + self.metrics_unavailable

    @property
    def completed(self) -> int:
        return (
            self.succeeded
            + self.failed
            + self.killed
            + self.early_stopped
            + self.metrics_unavailable
        )

    @property
    def completed_for_scheduling(self) -> int:
        """§5.7 ReconcileTrials: MetricsUnavailable is *not* included."""
        return self.succeeded + self.failed + self.killed + self.early_stopped


def count(trials: Sequence[TrialRecord]) -> Counts:
    states = [t.state for t in trials]
    return Counts(
        succeeded=states.count(SUCCEEDED),
        failed=states.count(FAILED),
        killed=states.count(KILLED),
        early_stopped=states.count(EARLY_STOPPED),
        metrics_unavailable=states.count(UNAVAILABLE_STATE),
        running=states.count(RUNNING),
        pending=states.count(PENDING),
    )


def strategy_of(objective: ObjectiveSpec, metric: str) -> str:
    return next((s.value for s in objective.metric_strategies if s.name == metric), "")


def trial_objective(t: TrialRecord, objective: ObjectiveSpec) -> str | None:
    name = objective.objective_metric_name
    metric = next((m for m in t.metrics if m.name == name), None)
    return objective_text(metric, strategy_of(objective, name))


def best_trial(trials: Sequence[TrialRecord], objective: ObjectiveSpec) -> TrialRecord | None:
    """§5.7: any state; skip "unavailable"; a non-numeric value wins (the last such); else the
    strictly better value, so the first trial seen wins a tie."""
    best: TrialRecord | None = None
    best_value: float | None = None
    text_best: TrialRecord | None = None
    for t in trials:
        text = trial_objective(t, objective)
        if text is None:
            continue
        value = number(text)
        if value is None:
            text_best = t
            continue
        if best_value is None or _better(value, best_value, objective.type):
            best, best_value = t, value
    return text_best or best


def _better(a: float, b: float, kind: str) -> bool:
    return a < b if kind == "minimize" else a > b


def goal_reached(best: TrialRecord | None, objective: ObjectiveSpec) -> bool:
    """§5.7: inclusive, best <= goal (minimize) or best >= goal (maximize)."""
    if best is None or objective.goal is None:
        return False
    text = trial_objective(best, objective)
    value = number(text) if text is not None else None
    if value is None:
        return False
    return value <= objective.goal if objective.type == "minimize" else value >= objective.goal


def termination(
    counts: Counts,
    best: TrialRecord | None,
    objective: ObjectiveSpec,
    max_trials: int | None,
    max_failed: int | None,
) -> tuple[str, str, str] | None:
    """§5.7 checks, in order: goal, then max failed (only with a failure), then max trials."""
    if goal_reached(best, objective):
        return GOAL
    failed = counts.failed_for_budget
    if max_failed is not None and failed != 0 and failed >= max_failed:
        return MAX_FAILED
    if max_trials is not None and counts.completed >= max_trials:
        return MAX_TRIALS
    return None


def to_create(counts: Counts, parallel: int, max_trials: int | None) -> int:
    """§5.7 ReconcileTrials: min(parallel, max - completedForScheduling) - active."""
    room = (
        parallel
        if max_trials is None
        else min(parallel, max_trials - counts.completed_for_scheduling)
    )
    return max(0, room - counts.active)


def trial_outcome(
    failure: str | None, early_stopped: bool, metrics: tuple[TrialMetric, ...], objective: str
) -> tuple[str, str, str]:
    """§5.6 and §7.2: failure first (no observation), then success with an objective
    `latest`, else MetricsUnavailable. `failure` is the job's own reason and message."""
    if failure is not None:
        reason, _, message = failure.partition(": ")
        return (
            FAILED,
            f"TrialFailed. Job reason: {reason}",
            f"Trial has failed. Job message: {message}",
        )
    if early_stopped:
        return EARLY_STOPPED, "TrialEarlyStopped", "Trial is early stopped"
    latest = next((m.latest for m in metrics if m.name == objective), UNAVAILABLE)
    if latest != UNAVAILABLE:
        return SUCCEEDED, "TrialSucceeded", "Trial has succeeded"
    return UNAVAILABLE_STATE, "MetricsUnavailable", "Metrics are not available"
