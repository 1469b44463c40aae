"""The trial controller, with the job's part played by the executor: a new Trial is marked
Created and Running and started (for real through the spec's local command, else synthetic);
when it ends its outcome is written (§5.6, §7.2); a Trial being deleted is stopped and its
finalizer removed; a Trial whose Experiment is gone is deleted (garbage collection)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from compiler.cluster.errors import NotFound
from compiler.cluster.kinds import TRIAL
from compiler.execute import rules
from compiler.execute.medianstop import StopWatch
from compiler.execute.space import parse_space
from compiler.model.katib import EarlyStoppingRule, Experiment
from compiler.simulator import outcome as oc
from compiler.simulator import synthetic
from compiler.simulator.context import Shared, now
from compiler.simulator.executor import Executor
from compiler.simulator.experiments import delete_trial
from compiler.simulator.local import run_trial
from compiler.simulator.names import (
    TRIAL_FINALIZER,
    Key,
    controller_uid,
    deleting,
    experiment_key_of_trial,
    finalizers,
    key_of,
)
from compiler.simulator.status import trial_completed, trial_conditions


def reconcile(shared: Shared, executor: Executor, key: Key) -> None:
    trial = shared.trials.get(key)
    label = "Trial/{}/{}".format(*key)
    if trial is None:
        executor.stop(key)
        return
    if deleting(trial):
        executor.stop(key)
        held = finalizers(trial)
        if TRIAL_FINALIZER in held:
            keep = [f for f in held if f != TRIAL_FINALIZER]
            patch = {"metadata": {"finalizers": keep}}
            with contextlib.suppress(NotFound):
                shared.cluster.patch(TRIAL, key[0], key[1], patch, patch_type="merge")
        return
    exp_key = experiment_key_of_trial(trial)
    exp = shared.experiments.get(exp_key) if exp_key else None
    if exp is None or controller_uid(trial) != exp["metadata"].get("uid"):
        if shared.synced.is_set():
            delete_trial(shared, trial, "its Experiment is gone")
        return
    conds = trial_conditions(trial)
    if deleting(exp):
        return  # its trials are being deleted: none starts now
    if not any(c.get("type") == "Created" for c in conds):
        write_status(shared, trial, oc.running_status(now()))
        shared.log(f"{label}: Running")
        start(shared, executor, exp, shared.trials.get(key) or trial)
        return
    if trial_completed(trial):
        executor.forget(key)
        return
    result = executor.outcome(key)
    if result is not None:
        write_status(shared, trial, oc.final_status(trial.get("status") or {}, result, now()))
        executor.forget(key)
        shared.record_series(key, result.objective_series)
        detail = f" ({result.detail})" if result.detail else ""
        shared.log(f"{label}: {result.state}{detail}")
    elif not executor.active(key):
        start(shared, executor, exp, trial)  # it was running before the simulator restarted


def write_status(shared: Shared, trial: Mapping[str, Any], status: dict[str, Any]) -> None:
    shared.trials.put(shared.cluster.replace_status({**trial, "status": status}))


def start(
    shared: Shared, executor: Executor, exp: Mapping[str, Any], trial: Mapping[str, Any]
) -> None:
    key = key_of(trial)
    prepared = shared.prepared(exp)
    spec = trial.get("spec") or {}
    values = {
        str(a.get("name")): str(a.get("value", "")) for a in spec.get("parameterAssignments") or []
    }
    early = [EarlyStoppingRule.model_validate(r) for r in spec.get("earlyStoppingRules") or []]
    model = prepared.model
    if model is None:
        return
    kind = str((spec.get("runSpec") or {}).get("kind", ""))
    collector = ((spec.get("metricsCollector") or {}).get("collector") or {}).get("kind", "StdOut")
    enforced = early if collector in ("StdOut", "File") else []  # only these enforce (§5.8)
    plan = prepared.plan
    if plan is not None:
        executor.thread(
            key,
            lambda stop: run_trial(
                plan, model, key[1], values, early=enforced, job_kind=kind, stop=stop
            ),
        )
        return
    point = synthetic.Trial("{}/{}".format(*key_of(exp)), key[1], parse_space(model), values)
    executor.after(
        key,
        shared.options.trial_seconds,
        lambda: synthetic_outcome(point, model, enforced, kind),
    )


def synthetic_outcome(
    point: synthetic.Trial, model: Experiment, early: list[EarlyStoppingRule], job_kind: str
) -> oc.Outcome:
    """Succeeded after every report, or EarlyStopped at the report where the rules say so (the
    collector's check, §5.8)."""
    obj = model.spec.objective
    assert obj is not None
    strategies = synthetic.observed(model)
    series = point.series(obj.objective_metric_name, dict(strategies)[obj.objective_metric_name])
    steps, state = synthetic.STEPS, rules.SUCCEEDED
    if early:
        watch = StopWatch(list(early), obj.objective_metric_name, obj.type == "maximize")
        for i, v in enumerate(series, 1):
            if watch.feed(obj.objective_metric_name, float(synthetic.text(v))) and i < steps:
                steps, state = i, rules.EARLY_STOPPED
                break
    reason, message = oc.worded(state, job_kind)
    return oc.Outcome(
        state, reason, message, point.metrics(strategies, steps), tuple(series[:steps])
    )
