"""How a trial ends, and the Trial status Katib's trial controller writes for it (reference
§5.6, §7.2; `trial_controller_util.go`, `trials/v1beta1/util.go`, medianstop's SetTrialStatus).

* Created: startTime, a zero completionTime, condition Created; Katib then creates the job and,
  seeing it exist, marks Running. Both are written at once here.
* Succeeded / MetricsUnavailable / Failed: Running becomes False (reason and message kept),
  the terminal condition is appended with the job condition's reason and message, and
  completionTime is set. Failed trials get no observation.
* EarlyStopped: the early-stopping service appends the condition (Running stays True, and
  nobody sets completionTime); the trial controller then reads the observation.

The job's own words are those of a batch/v1 Job under Kubernetes 1.34 (`job_controller.go`);
for other kinds the simulator plays no operator, so no job reason is appended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.execute import rules
from compiler.model.results import TrialMetric
from compiler.simulator import conditions as cond

JOB_SUCCESS = ("CompletionsReached", "Reached expected number of succeeded pods")
JOB_FAILURE = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
JOB_DEADLINE = ("DeadlineExceeded", "Job was active longer than specified deadline")
HEAD = {
    rules.SUCCEEDED: ("TrialSucceeded", "Trial has succeeded"),
    rules.UNAVAILABLE_STATE: ("MetricsUnavailable", "Metrics are not available"),
    rules.FAILED: ("TrialFailed", "Trial has failed"),
}


@dataclass(frozen=True)
class Outcome:
    state: str  # Succeeded | Failed | MetricsUnavailable | EarlyStopped
    reason: str
    message: str
    metrics: tuple[TrialMetric, ...] = ()
    objective_series: tuple[float, ...] = ()  # for medianstop's threshold (§5.8)
    detail: str = ""  # what the local run said, for the log
    extra: dict[str, Any] = field(default_factory=dict)


def worded(state: str, job_kind: str, failure: str | None = None) -> tuple[str, str]:
    """Katib's reason and message for a terminal state of a trial whose job is `job_kind`."""
    if state == rules.EARLY_STOPPED:
        return "TrialEarlyStopped", "Trial is early stopped"
    reason, message = HEAD[state]
    if job_kind == "Job":
        job = JOB_SUCCESS
        if state == rules.FAILED:
            deadline = failure is not None and failure.startswith(JOB_DEADLINE[0])
            job = JOB_DEADLINE if deadline else JOB_FAILURE
        return f"{reason}. Job reason: {job[0]}", f"{message}. Job message: {job[1]}"
    if state == rules.FAILED and failure:
        job_reason, _, job_message = failure.partition(": ")
        return f"{reason}. Job reason: {job_reason}", f"{message}. Job message: {job_message}"
    return reason, message


def running_status(now: str) -> dict[str, Any]:
    conds = cond.set_condition([], "Created", "True", "TrialCreated", "Trial is created", now)
    conds = cond.set_condition(conds, "Running", "True", "TrialRunning", "Trial is running", now)
    return {"startTime": now, "completionTime": None, "conditions": conds}


def final_status(status: Mapping[str, Any], outcome: Outcome, now: str) -> dict[str, Any]:
    conds: Sequence[dict[str, Any]] = list(status.get("conditions") or [])
    out = {
        k: status[k] for k in ("startTime", "completionTime", "lastReconcileTime") if k in status
    }
    if outcome.state == rules.EARLY_STOPPED:
        conds = cond.set_condition(
            conds, "EarlyStopped", "True", outcome.reason, outcome.message, now
        )
    else:
        conds = cond.mark_terminal(conds, outcome.state, outcome.reason, outcome.message, now)
        out["completionTime"] = now
    out["conditions"] = list(conds)
    if outcome.state != rules.FAILED and outcome.metrics:
        out["observation"] = {"metrics": [metric_json(m) for m in outcome.metrics]}
    return out


def metric_json(m: TrialMetric) -> dict[str, str]:
    return {"name": m.name, "min": m.min, "max": m.max, "latest": m.latest}
