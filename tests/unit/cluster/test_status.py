"""Live Experiment + Trials → Results (compiler.cluster.status), on statuses shaped as Katib's
controller writes them (reference §5.6, §5.7, §7)."""

from __future__ import annotations

from typing import Any

from compiler.cluster.status import observed_status, results, trial_state
from compiler.model.katib import Condition
from compiler.model.results import Deleted, MetricLog

EXPERIMENT: dict[str, Any] = {
    "apiVersion": "kubeflow.org/v1beta1",
    "kind": "Experiment",
    "metadata": {
        "name": "mnist-0123456789",
        "namespace": "team",
        "uid": "u-1",
        "labels": {"katib-gitops.dev/managed": "true", "katib-gitops.dev/experiment": "mnist"},
        "annotations": {
            "katib-gitops.dev/spec": "specs/team/mnist.yaml",
            "katib-gitops.dev/revision": "0123456789",
        },
    },
    "spec": {
        "objective": {
            "type": "maximize",
            "goal": 0.99,
            "objectiveMetricName": "accuracy",
            "additionalMetricNames": ["loss"],
            "metricStrategies": [
                {"name": "accuracy", "value": "max"},
                {"name": "loss", "value": "max"},
            ],
        },
        "algorithm": {"algorithmName": "random"},
        "parameters": [
            {
                "name": "lr",
                "parameterType": "double",
                "feasibleSpace": {"min": "0.01", "max": "0.1"},
            }
        ],
        "parallelTrialCount": 2,
        "maxTrialCount": 3,
        "maxFailedTrialCount": 1,
    },
    "status": {
        "startTime": "2026-12-01T10:00:00Z",
        "lastReconcileTime": "2026-12-01T10:05:07Z",
        "conditions": [
            {
                "type": "Created",
                "status": "True",
                "reason": "ExperimentCreated",
                "message": "Experiment is created",
            },
            {
                "type": "Running",
                "status": "True",
                "reason": "ExperimentRunning",
                "message": "Experiment is running",
            },
        ],
        "currentOptimalTrial": {"bestTrialName": "mnist-0123456789-bbbbbbbb"},
        "trials": 3,
        "trialsSucceeded": 1,
        "trialsFailed": 1,
        "trialsRunning": 1,
    },
}


def trial(
    name: str, created: str, *conditions: tuple[str, str], metrics: Any = None
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "startTime": created,
        "conditions": [
            {"type": t, "status": s, "reason": f"Trial{t}", "message": f"Trial is {t}"}
            for t, s in conditions
        ],
    }
    if metrics is not None:
        status["observation"] = {"metrics": metrics}
        status["completionTime"] = "2026-12-01T10:03:30Z"
    return {
        "metadata": {"name": name, "namespace": "team", "creationTimestamp": created},
        "spec": {"parameterAssignments": [{"name": "lr", "value": "0.05"}], "labels": {"a": "b"}},
        "status": status,
    }


TRIALS = [
    trial(
        "mnist-0123456789-cccccccc",
        "2026-12-01T10:02:00Z",
        ("Created", "True"),
        ("Running", "True"),
    ),
    trial(
        "mnist-0123456789-bbbbbbbb",
        "2026-12-01T10:01:00Z",
        ("Created", "True"),
        ("Running", "False"),
        ("Succeeded", "True"),
        metrics=[
            {"name": "loss", "min": "0.1", "max": "0.5", "latest": "0.1"},
            {"name": "accuracy", "min": "0.5", "max": "0.93", "latest": "0.91"},
        ],
    ),
    trial(
        "mnist-0123456789-aaaaaaaa",
        "2026-12-01T10:01:00Z",
        ("Created", "True"),
        ("Running", "False"),
        ("Failed", "True"),
    ),
]


def test_results_from_a_live_experiment() -> None:
    r = results(EXPERIMENT, TRIALS, notes=("n",))
    assert (r.name, r.namespace, r.backend) == ("mnist", "team", "cluster")
    assert (r.object.name, r.object.uid) == ("mnist-0123456789", "u-1")
    assert r.source.spec == "specs/team/mnist.yaml" and r.source.experiment_revision == "0123456789"
    assert r.budget.max_trial_count == 3 and r.budget.parallel_trial_count == 2
    # creation order, then name (the two created in the same second)
    assert [t.name[-8:] for t in r.trials] == ["aaaaaaaa", "bbbbbbbb", "cccccccc"]
    assert [t.index for t in r.trials] == [1, 2, 3]
    assert [t.state for t in r.trials] == ["Failed", "Succeeded", "Running"]
    best = r.best
    assert best is not None and best.objective == 0.93  # strategy max (§5.6)
    assert [m.name for m in best.metrics] == ["accuracy", "loss"]
    assert best.duration_seconds == 150.0
    assert r.trials[0].reason == "TrialFailed" and r.trials[0].objective is None
    assert r.outcome == "Running" and r.notes == ("n",)


def test_lastreconciletime_churn_is_not_observed() -> None:
    a = results(EXPERIMENT, TRIALS)
    churned = {
        **EXPERIMENT,
        "status": {**EXPERIMENT["status"], "lastReconcileTime": "2026-12-01T11:00:00Z"},
    }
    churned["metadata"] = {**EXPERIMENT["metadata"], "resourceVersion": "999"}
    assert results(churned, TRIALS).to_json() == a.to_json()
    assert observed_status(churned) == observed_status(EXPERIMENT)
    assert observed_status(EXPERIMENT).last_reconcile_time is None


def test_trial_states_follow_katibs_order() -> None:
    def c(*pairs: tuple[str, str]) -> tuple[Condition, ...]:
        return tuple(Condition(type=t, status=s) for t, s in pairs)

    assert trial_state(c())[0] == "Pending"
    assert trial_state(c(("Created", "True")))[0] == "Pending"
    assert trial_state(c(("Running", "True")))[0] == "Running"
    assert (
        trial_state(c(("Running", "False"), ("MetricsUnavailable", "True")))[0]
        == "MetricsUnavailable"
    )
    assert trial_state(c(("Succeeded", "True"), ("EarlyStopped", "True")))[0] == "Succeeded"
    assert trial_state(c(("EarlyStopped", "True"), ("Running", "True")))[0] == "EarlyStopped"
    assert trial_state(c(("Failed", "True"), ("Succeeded", "True")))[0] == "Failed"
    assert (
        trial_state(c(("Succeeded", "False"), ("Succeeded", "True")))[0] == "Pending"
    )  # the first


def test_deleted_and_series_are_carried() -> None:
    series = {"mnist-0123456789-bbbbbbbb": {"accuracy": [MetricLog(value="0.5", timestamp="t1")]}}
    r = results(EXPERIMENT, TRIALS, deleted=Deleted(reason="Retired"), series=series)
    assert r.deleted == Deleted(reason="Retired")
    best = r.best
    assert best is not None and best.metric("accuracy").series == (
        MetricLog(value="0.5", timestamp="t1"),
    )  # type: ignore[union-attr]


def test_odd_objects_do_not_break_it() -> None:
    """A hand-made object has no labels, no status, no trials: still Results."""
    r = results({"metadata": {"name": "x", "namespace": "n"}, "spec": {}}, [{"metadata": {}}])
    assert (r.name, r.outcome, len(r.trials), r.trials[0].state) == ("x", "Running", 1, "Pending")
