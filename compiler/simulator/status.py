"""Katib's experiment status rules over the JSON of an Experiment and its Trials, pure
(reference §5.6, §5.7, §7.1, §7.4; `experiment/util/status_util.go`).

Each reconcile recomputes the trial lists and counters from scratch, picks the best trial, and,
while the experiment is not completed, checks in Katib's order: goal reached, max failed
(failed = Failed + MetricsUnavailable, only when there is a failure), max trials (completed
includes MetricsUnavailable); otherwise Running. Trials are taken in creation order (Katib's
list order comes from its cache, which has none; creation order makes ties deterministic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.execute import rules
from compiler.execute.metrics import number
from compiler.model.results import UNAVAILABLE
from compiler.simulator import conditions as cond

# §5.7 classification order, and the status list each state fills
STATES = ("Killed", "Failed", "Succeeded", "EarlyStopped", "Running", "MetricsUnavailable")
LISTS = {  # in Go's field order
    "Running": "runningTrialList",
    "Pending": "pendingTrialList",
    "Failed": "failedTrialList",
    "Succeeded": "succeededTrialList",
    "Killed": "killedTrialList",
    "EarlyStopped": "earlyStoppedTrialList",
    "MetricsUnavailable": "metricsUnavailableTrialList",
}
COUNTERS = (  # Go's field order
    ("trialsSucceeded", "Succeeded"),
    ("trialsFailed", "Failed"),
    ("trialsKilled", "Killed"),
    ("trialsPending", "Pending"),
    ("trialsRunning", "Running"),
    ("trialsEarlyStopped", "EarlyStopped"),
    ("trialMetricsUnavailable", "MetricsUnavailable"),
)
TIMES = ("startTime", "completionTime", "lastReconcileTime")
ORDER = (  # ExperimentStatus's fields, in Go's order
    *TIMES,
    "conditions",
    "currentOptimalTrial",
    *LISTS.values(),
    "trials",
    *(field for field, _ in COUNTERS),
)


def trial_conditions(trial: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((trial.get("status") or {}).get("conditions") or [])


def trial_state(trial: Mapping[str, Any]) -> str:
    """updateTrialsSummary's classification: the first state whose condition is True."""
    conds = trial_conditions(trial)
    return next((s for s in STATES if cond.has(conds, s)), "Pending")


def trial_completed(trial: Mapping[str, Any]) -> bool:
    """Trial.IsCompleted (§1.3)."""
    return trial_state(trial) not in ("Running", "Pending")


def objective_value(trial: Mapping[str, Any]) -> str:
    """getObjectiveMetricValue (§5.6): by the objective's strategy from the Trial's own spec."""
    observation = (trial.get("status") or {}).get("observation")
    if observation is None:
        return UNAVAILABLE
    objective = (trial.get("spec") or {}).get("objective") or {}
    name = objective.get("objectiveMetricName", "")
    strategy = next(
        (s.get("value") for s in objective.get("metricStrategies") or [] if s.get("name") == name),
        "",
    )
    for metric in observation.get("metrics") or []:
        if metric.get("name") != name:
            continue
        if strategy in ("min", "max"):
            value = metric.get(strategy, UNAVAILABLE)
            return str(metric.get("latest", "")) if value == UNAVAILABLE else str(value)
        if strategy == "latest":
            return str(metric.get("latest", ""))
    return UNAVAILABLE


@dataclass(frozen=True)
class Summary:
    lists: dict[str, list[str]]
    best: Mapping[str, Any] | None
    goal_reached: bool

    def counts(self) -> rules.Counts:
        n = {state: len(names) for state, names in self.lists.items()}
        return rules.Counts(
            succeeded=n["Succeeded"],
            failed=n["Failed"],
            killed=n["Killed"],
            early_stopped=n["EarlyStopped"],
            metrics_unavailable=n["MetricsUnavailable"],
            running=n["Running"],
            pending=n["Pending"],
        )


def summarize(spec: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]) -> Summary:
    """updateTrialsSummary: lists, the best trial and whether the goal is reached."""
    objective = spec.get("objective") or {}
    goal = objective.get("goal")
    maximize = objective.get("type") == "maximize"
    minimize = objective.get("type") == "minimize"
    lists: dict[str, list[str]] = {state: [] for state in LISTS}
    best_index, best_value, reached = -1, 0.0, False
    for index, trial in enumerate(trials):
        lists[trial_state(trial)].append(str(trial["metadata"]["name"]))
        text = objective_value(trial)
        if text == UNAVAILABLE:
            continue
        value = number(text)
        if value is None:  # a non-numeric value is the best (DARTS' Best-Genotype)
            best_index = index
            continue
        if best_index == -1:
            best_index, best_value = index, value
        if (minimize and value < best_value) or (maximize and value > best_value):
            best_index, best_value = index, value
        if goal is not None and (
            (minimize and best_value <= goal) or (maximize and best_value >= goal)
        ):
            reached = True
    return Summary(lists, trials[best_index] if best_index != -1 else None, reached)


def optimal_trial(best: Mapping[str, Any] | None, previous: Mapping[str, Any]) -> dict[str, Any]:
    """§7.4: the best trial's name, assignments and every observed metric; kept as it was when
    there is no best trial (Katib only overwrites it)."""
    if best is None:
        return dict(previous) if previous else {"observation": {}}
    out: dict[str, Any] = {"bestTrialName": best["metadata"]["name"]}
    assignments = (best.get("spec") or {}).get("parameterAssignments") or []
    if assignments:
        out["parameterAssignments"] = [dict(a) for a in assignments]
    metrics = ((best.get("status") or {}).get("observation") or {}).get("metrics") or []
    out["observation"] = {"metrics": [dict(m) for m in metrics]} if metrics else {}
    return out


def apply_summary(status: Mapping[str, Any], summary: Summary, count: int) -> dict[str, Any]:
    """The status with the summary written in, in Go's field order, omitempty applied."""
    out: dict[str, Any] = {k: status[k] for k in TIMES if k in status}
    if status.get("conditions"):
        out["conditions"] = list(status["conditions"])
    out["currentOptimalTrial"] = optimal_trial(
        summary.best, status.get("currentOptimalTrial") or {}
    )
    out.update({LISTS[s]: list(names) for s, names in summary.lists.items() if names})
    if count:
        out["trials"] = count
    out.update({f: len(summary.lists[s]) for f, s in COUNTERS if summary.lists[s]})
    return reorder(out)


def with_conditions(status: Mapping[str, Any], conditions: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(status)
    out["conditions"] = conditions
    return reorder(out)


def reorder(status: Mapping[str, Any]) -> dict[str, Any]:
    """ExperimentStatus in Go's field order."""
    return {k: status[k] for k in ORDER if k in status}


def termination(spec: Mapping[str, Any], summary: Summary) -> tuple[str, str, str] | None:
    """UpdateExperimentStatusCondition (§5.7): goal, then max failed, then max trials."""
    if summary.goal_reached:
        return rules.GOAL
    counts = summary.counts()
    failed = counts.failed_for_budget
    max_failed = spec.get("maxFailedTrialCount")
    if max_failed is not None and failed != 0 and failed >= max_failed:
        return rules.MAX_FAILED
    max_trials = spec.get("maxTrialCount")
    if max_trials is not None and counts.completed >= max_trials:
        return rules.MAX_TRIALS
    return None


def completed(status: Mapping[str, Any]) -> bool:
    """Experiment.IsCompleted: Succeeded or Failed."""
    conds = status.get("conditions") or []
    return cond.has(conds, "Succeeded") or cond.has(conds, "Failed")


def restartable(spec: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    """IsCompletedExperimentRestartable (§3.3): Succeeded by max trials, LongRunning or
    FromVolume."""
    succeeded = cond.condition(status.get("conditions") or [], "Succeeded")
    return (
        succeeded is not None
        and succeeded.get("status") == "True"
        and succeeded.get("reason") == rules.MAX_TRIALS[1]
        and spec.get("resumePolicy") in ("LongRunning", "FromVolume")
    )


def restart_due(spec: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    """The experiment controller's restart test: restartable with maxTrialCount above
    status.trials, or no maxTrialCount at all once there are trials (§5.7's odd loop)."""
    max_trials = spec.get("maxTrialCount")
    trials = int(status.get("trials") or 0)
    if max_trials is None:
        return trials != 0
    return restartable(spec, status) and max_trials > trials
