"""Experiments as Katib's webhook stores them (defaulted by `compiler.admission`), and Trials
with recorded statuses, for the simulator's tests."""

from __future__ import annotations

import copy
from typing import Any

from compiler.admission import admit
from compiler.model.source import Document

OBJECTIVE = "accuracy"


def experiment(
    name: str = "demo",
    namespace: str = "katib-test",
    *,
    max_trials: int | None = 6,
    parallel: int | None = 2,
    max_failed: int | None = None,
    goal: float | None = None,
    objective_type: str = "maximize",
    algorithm: str = "random",
    resume: str | None = None,
    command: list[str] | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    extra_metrics: list[str] | None = None,
    early_stopping: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A small Experiment (a batch/v1 Job trial) as the API server would hold it after Katib's
    mutating webhook."""
    params = parameters or [
        {"name": "lr", "parameterType": "double", "feasibleSpace": {"min": "0.01", "max": "0.1"}},
        {"name": "layers", "parameterType": "int", "feasibleSpace": {"min": "2", "max": "5"}},
        {
            "name": "optimizer",
            "parameterType": "categorical",
            "feasibleSpace": {"list": ["sgd", "adam"]},
        },
    ]
    objective: dict[str, Any] = {"type": objective_type, "objectiveMetricName": OBJECTIVE}
    if goal is not None:
        objective["goal"] = goal
    if extra_metrics:
        objective["additionalMetricNames"] = extra_metrics
    spec: dict[str, Any] = {
        "objective": objective,
        "algorithm": {"algorithmName": algorithm},
        "parameters": params,
        "trialTemplate": {
            "primaryContainerName": "training",
            "trialParameters": [{"name": p["name"], "reference": p["name"]} for p in params],
            "trialSpec": {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [
                                {
                                    "name": "training",
                                    "image": "python:3.11",
                                    "command": command
                                    or [
                                        "python3",
                                        "train.py",
                                        *(
                                            f"--{p['name']}=${{trialParameters.{p['name']}}}"
                                            for p in params
                                        ),
                                    ],
                                }
                            ],
                        }
                    }
                },
            },
        },
    }
    if max_trials is not None:
        spec["maxTrialCount"] = max_trials
    if parallel is not None:
        spec["parallelTrialCount"] = parallel
    if max_failed is not None:
        spec["maxFailedTrialCount"] = max_failed
    if resume is not None:
        spec["resumePolicy"] = resume
    if early_stopping is not None:
        spec["earlyStopping"] = early_stopping
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    manifest = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": meta,
        "spec": spec,
    }
    verdict = admit(Document(manifest, "test"))
    assert verdict.allowed, [d.message for d in verdict.errors]
    assert verdict.object is not None
    return verdict.object


def live(obj: dict[str, Any], uid: str = "uid-1", rv: int = 1, **status: Any) -> dict[str, Any]:
    """The object as the API server returns it."""
    out = copy.deepcopy(obj)
    out["metadata"].update(
        uid=uid, resourceVersion=str(rv), generation=1, creationTimestamp="2025-01-01T00:00:00Z"
    )
    if status:
        out["status"] = status
    return out


T0 = "2025-01-01T00:00:00Z"


def cond(kind: str, status: str = "True", reason: str = "", message: str = "") -> dict[str, Any]:
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastUpdateTime": T0,
        "lastTransitionTime": T0,
    }


def trial(
    name: str,
    state: str,
    value: str | None = None,
    *,
    objective_type: str = "maximize",
    created: str = T0,
    assignments: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Trial in a recorded state (Pending, Running, Succeeded, Failed, MetricsUnavailable,
    EarlyStopped, Killed) with an objective observation when `value` is given."""
    conds = [] if state == "Pending" else [cond("Created", reason="TrialCreated")]
    if state != "Pending":
        running = "True" if state in ("Running", "EarlyStopped") else "False"
        conds.append(cond("Running", running, "TrialRunning", "Trial is running"))
    if state not in ("Pending", "Running"):
        conds.append(cond(state))
    status: dict[str, Any] = {"conditions": conds}
    if value is not None:
        status["observation"] = {
            "metrics": [{"name": OBJECTIVE, "min": value, "max": value, "latest": value}]
        }
    strategy = "max" if objective_type == "maximize" else "min"
    return {
        "metadata": {"name": name, "namespace": "katib-test", "creationTimestamp": created},
        "spec": {
            "objective": {
                "type": objective_type,
                "objectiveMetricName": OBJECTIVE,
                "metricStrategies": [{"name": OBJECTIVE, "value": strategy}],
            },
            "parameterAssignments": [
                {"name": k, "value": v} for k, v in (assignments or {"lr": "0.05"}).items()
            ],
        },
        "status": status,
    }
