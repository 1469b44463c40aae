"""The mutating webhook's defaults (reference §2.1), as the stored object shows them: each
default, the exact GJSON strings, the order of metricStrategies, kind-specific conditions and
primaryPodLabels, collector sources, distributions. Then: defaulting twice changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.admission import store
from compiler.admission.defaults import set_default
from compiler.model.codec import from_go

from .builders import Obj, chain, del_, edited, get, run, set_
from .cases import MC, TS, TT, configmap_source, workflow
from .test_runtime import DARTS, ENAS

JOB_SUCCESS = 'status.conditions.#(type=="Complete")#|#(status=="True")#'
JOB_FAILURE = 'status.conditions.#(type=="Failed")#|#(status=="True")#'
KUBEFLOW_SUCCESS = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#'
MASTER = {"training.kubeflow.org/job-role": "master"}
TRAINJOB_LABELS = {
    "jobset.sigs.k8s.io/replicatedjob-name": "node",
    "batch.kubernetes.io/job-completion-index": "0",
}


def stored(*edits: Any) -> Obj:
    verdict = run(edited(*edits))
    assert verdict.object is not None, verdict.errors
    return verdict.object


def test_parallel_trial_count_defaults_to_3() -> None:
    obj = stored(del_("spec.parallelTrialCount"), set_("spec.maxTrialCount", 9))
    assert obj["spec"]["parallelTrialCount"] == 3


def test_an_explicit_zero_is_kept() -> None:
    """A pointer keeps 0 (and V-4 then rejects it); maxFailedTrialCount: 0 survives too."""
    obj = stored(set_("spec.parallelTrialCount", 0), set_("spec.maxFailedTrialCount", 0))
    assert obj["spec"]["parallelTrialCount"] == 0
    assert obj["spec"]["maxFailedTrialCount"] == 0


def test_resume_policy_defaults_to_never() -> None:
    assert stored()["spec"]["resumePolicy"] == "Never"
    assert stored(set_("spec.resumePolicy", ""))["spec"]["resumePolicy"] == "Never"
    assert stored(set_("spec.resumePolicy", "LongRunning"))["spec"]["resumePolicy"] == "LongRunning"


def _strategies(*edits: Any) -> list[tuple[str, str]]:
    obj = stored(*edits)
    return [(s["name"], s["value"]) for s in obj["spec"]["objective"]["metricStrategies"]]


def test_metric_strategies_objective_then_additional_with_its_direction() -> None:
    assert _strategies() == [("accuracy", "max"), ("loss", "max")]
    minimize = set_("spec.objective.type", "minimize")
    assert _strategies(minimize) == [("accuracy", "min"), ("loss", "min")]


def test_metric_strategies_keep_the_users_first() -> None:
    user = [{"name": "loss", "value": "min"}, {"name": "other", "value": "latest"}]
    got = _strategies(
        set_("spec.objective.metricStrategies", user),
        set_("spec.objective.additionalMetricNames", ["loss", "f1"]),
    )
    assert got == [("loss", "min"), ("other", "latest"), ("accuracy", "max"), ("f1", "max")]


def test_metric_strategy_for_the_objective_given_by_the_user() -> None:
    got = _strategies(
        set_("spec.objective.metricStrategies", [{"name": "accuracy", "value": "latest"}])
    )
    assert got == [("accuracy", "latest"), ("loss", "max")]


def test_a_name_listed_twice_gets_two_strategies() -> None:
    got = _strategies(set_("spec.objective.additionalMetricNames", ["loss", "loss"]))
    assert got == [("accuracy", "max"), ("loss", "max"), ("loss", "max")]


def test_no_type_gives_latest() -> None:
    verdict = run(edited(set_("spec.objective.type", "")))
    assert verdict.object is not None
    strategies = verdict.object["spec"]["objective"]["metricStrategies"]
    assert [s["value"] for s in strategies] == ["latest", "latest"]
    assert [d.code for d in verdict.errors] == ["KATIB-V8"]


def _replicas(kind: str, key: str) -> Any:
    container = {
        "name": "trainer",
        "image": "x",
        "args": [
            "${trialParameters.learningRate}",
            "${trialParameters.numLayers}",
            "${trialParameters.optimizer}",
        ],
    }
    spec = {key: {"Master": {"replicas": 1, "template": {"spec": {"containers": [container]}}}}}
    return set_(TS, {"apiVersion": "kubeflow.org/v1", "kind": kind, "spec": spec})


TRAINJOB = set_(
    TS,
    {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "spec": {
            "trainer": {
                "command": [
                    "${trialParameters.learningRate}",
                    "${trialParameters.numLayers}",
                    "${trialParameters.optimizer}",
                ]
            }
        },
    },
)


@pytest.mark.parametrize(
    ("edit", "success", "labels"),
    [
        (set_(f"{TS}.kind", "Job"), JOB_SUCCESS, None),
        (_replicas("TFJob", "tfReplicaSpecs"), KUBEFLOW_SUCCESS, MASTER),
        (_replicas("PyTorchJob", "pytorchReplicaSpecs"), KUBEFLOW_SUCCESS, MASTER),
        (_replicas("XGBoostJob", "xgbReplicaSpecs"), KUBEFLOW_SUCCESS, MASTER),
        (_replicas("MPIJob", "mpiReplicaSpecs"), KUBEFLOW_SUCCESS, MASTER),
        (TRAINJOB, JOB_SUCCESS, TRAINJOB_LABELS),
    ],
    ids=["Job", "TFJob", "PyTorchJob", "XGBoostJob", "MPIJob", "TrainJob"],
)
def test_kind_specific_conditions_and_labels(edit: Any, success: str, labels: Any) -> None:
    t = stored(edit)["spec"]["trialTemplate"]
    assert t["successCondition"] == success
    assert t["failureCondition"] == JOB_FAILURE
    assert t.get("primaryPodLabels") == labels


def test_the_switch_is_on_kind_alone() -> None:
    """A `Job` of any apiVersion gets the Job conditions."""
    t = stored(set_(f"{TS}.apiVersion", "example.org/v1"))["spec"]["trialTemplate"]
    assert t["successCondition"] == JOB_SUCCESS


def test_given_primary_pod_labels_are_kept() -> None:
    mine = {"training.kubeflow.org/replica-type": "worker"}
    t = stored(_replicas("PyTorchJob", "pytorchReplicaSpecs"), set_(f"{TT}.primaryPodLabels", mine))
    assert t["spec"]["trialTemplate"]["primaryPodLabels"] == mine


def test_conditions_are_defaulted_independently() -> None:
    t = stored(set_(f"{TT}.successCondition", "status.done"))["spec"]["trialTemplate"]
    assert (t["successCondition"], t["failureCondition"]) == ("status.done", JOB_FAILURE)


def test_other_kinds_get_nothing() -> None:
    verdict = run(edited(workflow))
    assert verdict.object is not None
    t = verdict.object["spec"]["trialTemplate"]
    assert not {"successCondition", "failureCondition", "primaryPodLabels"} & set(t)
    assert [d.code for d in verdict.errors] == ["KATIB-V19"]


def test_configmap_source_gets_nothing() -> None:
    verdict = run(edited(configmap_source, del_(f"{TT}.successCondition")))
    assert verdict.object is not None
    assert "successCondition" not in verdict.object["spec"]["trialTemplate"]


def _collector(spec: Any) -> Any:
    return stored(set_(MC, spec))["spec"]["metricsCollectorSpec"]


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (None, {"collector": {"kind": "StdOut"}}),
        ({}, {"collector": {"kind": "StdOut"}}),
        (
            {"source": {"filter": {"metricsFormat": ["(a)(b)"]}}},
            {"source": {"filter": {"metricsFormat": ["(a)(b)"]}}, "collector": {"kind": "StdOut"}},
        ),
        (
            {"collector": {"kind": "File"}},
            {
                "source": {
                    "fileSystemPath": {
                        "path": "/var/log/katib/metrics.log",
                        "kind": "File",
                        "format": "TEXT",
                    }
                },
                "collector": {"kind": "File"},
            },
        ),
        (
            {"collector": {"kind": "File"}, "source": {"fileSystemPath": {"format": "JSON"}}},
            {
                "source": {
                    "fileSystemPath": {
                        "path": "/var/log/katib/metrics.log",
                        "kind": "File",
                        "format": "JSON",
                    }
                },
                "collector": {"kind": "File"},
            },
        ),
        (
            {"collector": {"kind": "TensorFlowEvent"}},
            {
                "source": {
                    "fileSystemPath": {"path": "/var/log/katib/tfevent/", "kind": "Directory"}
                },
                "collector": {"kind": "TensorFlowEvent"},
            },
        ),
        (
            {"collector": {"kind": "PrometheusMetric"}},
            {
                "source": {"httpGet": {"path": "/metrics", "port": 8080}},
                "collector": {"kind": "PrometheusMetric"},
            },
        ),
        (
            {"collector": {"kind": "PrometheusMetric"}, "source": {"httpGet": {"port": "0"}}},
            {
                "source": {"httpGet": {"path": "/metrics", "port": 8080}},
                "collector": {"kind": "PrometheusMetric"},
            },
        ),
        (
            {"collector": {"kind": "PrometheusMetric"}, "source": {"httpGet": {"port": "web"}}},
            {
                "source": {"httpGet": {"path": "/metrics", "port": "web"}},
                "collector": {"kind": "PrometheusMetric"},
            },
        ),
        ({"collector": {"kind": "Push"}}, {"collector": {"kind": "Push"}}),
        ({"collector": {"kind": "Custom"}}, {"collector": {"kind": "Custom"}}),
        ({"collector": {}}, {"collector": {}}),
    ],
    ids=[
        "absent",
        "empty",
        "filter-only",
        "File",
        "File-JSON",
        "TensorFlowEvent",
        "Prometheus",
        "Prometheus-port-0",
        "Prometheus-named-port",
        "Push",
        "Custom",
        "empty-collector",
    ],
)
def test_collector_defaults(given: Any, want: Any) -> None:
    edit = chain() if given is None else set_(MC, given)
    verdict = run(edited(edit))
    assert verdict.object is not None
    assert verdict.object["spec"]["metricsCollectorSpec"] == want


def test_distribution_on_every_parameter() -> None:
    params = stored()["spec"]["parameters"]
    assert [p["feasibleSpace"]["distribution"] for p in params] == ["uniform"] * 3


def test_distribution_given_is_kept() -> None:
    obj = stored(set_("spec.parameters[0].feasibleSpace.distribution", "logUniform"))
    assert obj["spec"]["parameters"][0]["feasibleSpace"]["distribution"] == "logUniform"


@pytest.mark.parametrize("nas", [ENAS, DARTS], ids=["enas", "darts"])
def test_no_distribution_on_nas_operation_parameters(nas: Any) -> None:
    obj = stored(nas)
    for op in obj["spec"]["nasConfig"]["operations"]:
        for p in op["parameters"]:
            assert "distribution" not in p["feasibleSpace"]


def test_omitempty_zero_values_are_dropped() -> None:
    obj = stored(
        set_(f"{TT}.retain", False),
        set_("spec.objective.additionalMetricNames", []),
        set_("spec.algorithm.algorithmSettings", []),
        set_(f"{TT}.primaryPodLabels", {}),
        set_("spec.parameters[0].feasibleSpace.step", ""),
        set_("spec.objective.goal", None),
    )
    t = obj["spec"]["trialTemplate"]
    assert "retain" not in t and "primaryPodLabels" not in t
    assert "additionalMetricNames" not in obj["spec"]["objective"]
    assert "goal" not in obj["spec"]["objective"]
    assert "algorithmSettings" not in obj["spec"]["algorithm"]
    assert "step" not in obj["spec"]["parameters"][0]["feasibleSpace"]


def test_unknown_fields_are_dropped_outside_trial_spec() -> None:
    obj = stored(
        set_("spec.objective.goall", 1),
        set_(f"{TS}.spec.template.spec.containers[0].bogus", 1),
    )
    assert "goall" not in obj["spec"]["objective"]
    assert get(obj, f"{TS}.spec.template.spec.containers[0].bogus") == 1


# --- idempotence -------------------------------------------------------------------------------

DEFAULTED_INPUTS = {
    "fixture": chain(),
    "no-defaults-given": chain(del_("spec.parallelTrialCount"), set_("spec.maxTrialCount", 9)),
    "strategies": set_("spec.objective.metricStrategies", [{"name": "loss", "value": "min"}]),
    "pytorch": _replicas("PyTorchJob", "pytorchReplicaSpecs"),
    "trainjob": TRAINJOB,
    "file": set_(MC, {"collector": {"kind": "File"}}),
    "tfevent": set_(MC, {"collector": {"kind": "TensorFlowEvent"}}),
    "prometheus": set_(MC, {"collector": {"kind": "PrometheusMetric"}}),
    "enas": ENAS,
    "twice-listed": set_("spec.objective.additionalMetricNames", ["loss", "loss"]),
}


@pytest.mark.parametrize("name", sorted(DEFAULTED_INPUTS))
def test_defaulting_twice_changes_nothing(name: str) -> None:
    exp = from_go_experiment(edited(DEFAULTED_INPUTS[name]))
    once = set_default(exp)
    assert set_default(once) == once
    _, first = store(exp)
    _, second = store(once)
    assert first == second


@pytest.mark.parametrize("name", sorted(DEFAULTED_INPUTS))
def test_the_stored_object_admits_to_itself(name: str) -> None:
    first = stored(DEFAULTED_INPUTS[name])
    assert stored(lambda obj: (obj.clear(), obj.update(first))) == first


def from_go_experiment(obj: Obj) -> Any:
    from compiler.admission import decode
    from compiler.model.katib import Experiment
    from compiler.model.source import Document

    decoded = decode(Document(obj, "x.yaml"))
    assert isinstance(decoded.experiment, Experiment)
    return decoded.experiment


def test_from_go_is_the_model_codec() -> None:
    """The stored object reads back into the same model (the codec the admission uses)."""
    from compiler.model.katib import Experiment

    obj = stored()
    assert from_go(Experiment, obj).spec.parallel_trial_count == 2
