"""One experiment reconcile as Katib's experiment controller does it, as a pure decision over
the Experiment and its Trials (reference §2.2, §3.3, §5.7, §7.1; `experiment_controller.go`):

1. The finalizer `update-prometheus-metrics` is added first (one update, then a new reconcile).
   On deletion the trials are deleted and the finalizer removed (no garbage collector runs in
   the test cluster, so the simulator does the collector's part too).
2. A completed experiment is restarted when restartable with maxTrialCount above
   status.trials (Restarting; Succeeded/Failed removed); otherwise it is left alone unless
   trials are still running (their states keep being counted).
3. The first reconcile only sets startTime, a zero completionTime and Created.
4. Later ones recompute the summary, check termination while not completed, then schedule:
   more than parallelTrialCount active trials deletes the newest ones (by creation, whatever
   their state); fewer adds `min(parallel, max - completedForScheduling) - active`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.execute import rules
from compiler.simulator import conditions as cond
from compiler.simulator import status as st
from compiler.simulator.names import EXPERIMENT_FINALIZER, deleting, finalizers


@dataclass(frozen=True)
class Decision:
    finalizers: list[str] | None = None  # write these finalizers (and do nothing else)
    status: dict[str, Any] | None = None  # write this status
    create: int = 0  # trials to add
    delete: tuple[str, ...] = ()  # trials to delete, in this order
    events: tuple[str, ...] = field(default=())  # what happened, for the log


def reconcile(
    experiment: Mapping[str, Any], trials: Sequence[Mapping[str, Any]], now: str
) -> Decision:
    """`trials`: the experiment's trials in creation order, without those being deleted."""
    held = finalizers(experiment)
    if deleting(experiment):
        names = tuple(str(t["metadata"]["name"]) for t in trials)
        keep = [f for f in held if f != EXPERIMENT_FINALIZER]
        return Decision(finalizers=keep if keep != held else None, delete=names)
    if EXPERIMENT_FINALIZER not in held:
        return Decision(finalizers=[*held, EXPERIMENT_FINALIZER])
    spec = experiment.get("spec") or {}
    original: dict[str, Any] = dict(experiment.get("status") or {})
    status = dict(original)
    events: list[str] = []
    if st.completed(status):
        if st.restart_due(spec, status):
            status = st.with_conditions(status, cond.mark_restarting(_conds(status), now))
            events.append("Restarting: ExperimentRestarting")
        elif not status.get("trialsRunning"):
            return Decision()
    if not cond.has(_conds(status), "Created"):
        status.setdefault("startTime", now)
        status.setdefault("completionTime", None)  # Go's zero Time marshals as null
        status = st.with_conditions(
            status,
            cond.set_condition(
                _conds(status), "Created", "True", "ExperimentCreated", "Experiment is created", now
            ),
        )
        return Decision(status=_changed(original, status), events=("Created",))
    create: int = 0
    delete: tuple[str, ...] = ()
    if trials:
        summary = st.summarize(spec, trials)
        status = st.apply_summary(status, summary, len(trials))
        if not st.completed(status):
            status, event = _condition(spec, status, summary, now)
            events += event
    if not st.completed(status):
        create, delete = schedule(spec, status, trials)
    return Decision(
        status=_changed(original, status), create=create, delete=delete, events=tuple(events)
    )


def _conds(status: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(status.get("conditions") or [])


def _changed(original: Mapping[str, Any], status: dict[str, Any]) -> dict[str, Any] | None:
    return None if dict(original) == status else status


def _condition(
    spec: Mapping[str, Any], status: dict[str, Any], summary: st.Summary, now: str
) -> tuple[dict[str, Any], list[str]]:
    verdict = st.termination(spec, summary)
    conds = _conds(status)
    if verdict is None:
        conds = cond.set_condition(
            conds, "Running", "True", "ExperimentRunning", "Experiment is running", now
        )
        new = st.with_conditions(status, conds)
        became = cond.condition(conds, "Running") != cond.condition(_conds(status), "Running")
        return new, (["Running: ExperimentRunning"] if became else [])
    kind, reason, message = verdict
    new = st.with_conditions(status, cond.mark_terminal(conds, kind, reason, message, now))
    new["completionTime"] = now
    return st.reorder(new), [f"{kind}: {reason}"]


def schedule(
    spec: Mapping[str, Any], status: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]
) -> tuple[int, tuple[str, ...]]:
    """ReconcileTrials (§5.7), from the counters just computed."""
    parallel = int(spec.get("parallelTrialCount") or 3)
    counts = rules.Counts(
        succeeded=int(status.get("trialsSucceeded") or 0),
        failed=int(status.get("trialsFailed") or 0),
        killed=int(status.get("trialsKilled") or 0),
        early_stopped=int(status.get("trialsEarlyStopped") or 0),
        metrics_unavailable=int(status.get("trialMetricsUnavailable") or 0),
        running=int(status.get("trialsRunning") or 0),
        pending=int(status.get("trialsPending") or 0),
    )
    if counts.active > parallel:
        newest = sorted(
            range(len(trials)),
            key=lambda i: (str(trials[i]["metadata"].get("creationTimestamp") or ""), i),
            reverse=True,
        )
        excess = counts.active - parallel
        return 0, tuple(str(trials[i]["metadata"]["name"]) for i in newest[:excess])
    return rules.to_create(counts, parallel, spec.get("maxTrialCount")), ()
