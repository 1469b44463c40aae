"""The cross-check corpus: inputs for which the real Go code's answers become test fixtures.

Prints a JSON list of cases for `go run ./crosscheck`. Numbers are written by json.dumps,
so the JSON text Go reads is exactly what compiler.kubetypes assumes for a Python value.

    cd tools/gotypes
    python3 crosscheck/make_cases.py | go run ./crosscheck \
        > ../../tests/unit/kubetypes/data/go_expected.json
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

JOB = "k8s.io/api/batch/v1.Job"
EXP = "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1.Experiment"
KF = "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1."
SUGGESTION = "github.com/kubeflow/katib/pkg/apis/controller/suggestions/v1beta1.Suggestion"
TRIAL_SPEC: list[str | int] = ["spec", "trialTemplate", "trialSpec"]

QUANTITIES = [
    "0",
    "00",
    "-0",
    "+0",
    "1",
    "+1",
    "-1",
    "1.0",
    "1.5",
    "0.5",
    ".5",
    "5.",
    ".",
    "-",
    "+",
    "",
    "1000",
    "1000m",
    "100m",
    "1m",
    "0.1m",
    "0.0001",
    "0.0000000001",
    "-0.0000000001",
    "1n",
    "1u",
    "1k",
    "1K",
    "1M",
    "1G",
    "1T",
    "1P",
    "1E",
    "1000E",
    "1024Mi",
    "1536Mi",
    "100Mi",
    "1Mi",
    "8Ki",
    "1Ki",
    "1.5Gi",
    "0.5Gi",
    "0.1Gi",
    "1024Ki",
    "1023Ki",
    "1025Ki",
    "0.5Ki",
    "0.0001Ki",
    "1Ti",
    "1Pi",
    "1Ei",
    "8Ei",
    "-8Ei",
    "16Ei",
    "1e3",
    "1E3",
    "1e2",
    "1e-3",
    "1e-10",
    "1.5e3",
    "15e5",
    "1e+3",
    "1e18",
    "1e19",
    "1e21",
    "123456789012345678",
    "1234567890123456789",
    "12345678901234567890",
    "1000000000000000000000",
    "1.500k",
    "1.5k",
    "Gi",
    "m",
    "1Gi ",
    "  1Gi",
    "1 Gi",
    "1gi",
    "1mi",
    "1.5.5",
    "abc",
    "1e",
    "1ee3",
    "1e3.5",
    "-1Gi",
    "-1.5Gi",
    "-1m",
    "0.000001m",
    "123.456789",
    "9223372036854775807",
    "9223372036854775808",
    "10Gi",
    "100G",
    "1200m",
    "2500m",
    "0.25",
    "3.000",
    "1.000",
    "50Mi",
    "512Mi",
    "2Gi",
    "4096Mi",
    "2048Ki",
    "0.5Mi",
    "1.25Gi",
    "1e9",
    "1e4294967296",
    "007",
    "0.010",
    "1Ki1",
    "1.",
    "+.5Ki",
]
TIMES = [
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00.123456789123+05:30",
    "2024-01-01T10:00:00,5Z",
    "2024-01-01T1:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-01-01T00:60:00Z",
    "2024-01-01T00:00:60Z",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00+25:00",
    "2024-01-01T00:00:00+01:61",
    "2024-01-01T00:00:00+01:60",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00ZZ",
    "2024-1-01T00:00:00Z",
    "8080",
    "",
    "yesterday",
    "+024-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00.000000001Z",
    "9999-12-31T23:00:00-05:00",
    "2024-01-01T00:00:00*01:00",
    "2024-01-01T00:00:00+0100",
    "2024-01-01T00:00:00.Z",
]
RAW_QUANTITIES = [
    "0.5",
    "1",
    "1.5",
    "1000",
    "1e3",
    "-2",
    "1.0",
    "null",
    "true",
    "[1]",
    '{"a":1}',
    '"1Gi"',
    '" 2Gi "',
    "100000000000000000000",
]

FLOATS = [
    1e6,
    123456.0,
    1234567.0,
    0.0001,
    0.00001,
    1e20,
    1e21,
    1.5e-7,
    2.5,
    100.0,
    1e-6,
    123456789012345678.0,
    -0.5,
    1e-10,
    1e100,
    -2e22,
    0.1,
    1 / 3,
    5e-324,
    1.7976931348623157e308,
]


def job(**spec: Any) -> dict[str, Any]:
    """A small valid Job, with spec fields overridden."""
    base: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "training",
                            "image": "docker.io/kubeflowkatib/mxnet-mnist:latest",
                            "command": ["python3", "/opt/mxnet-mnist/mnist.py", "--lr=0.01"],
                            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                        }
                    ],
                }
            }
        },
    }
    base["spec"].update(spec)
    return base


def with_container(**fields: Any) -> dict[str, Any]:
    """A Job whose container has extra fields."""
    j = job()
    j["spec"]["template"]["spec"]["containers"][0].update(fields)
    return j


def with_pod(**fields: Any) -> dict[str, Any]:
    """A Job whose pod spec has extra fields."""
    j = job()
    j["spec"]["template"]["spec"].update(fields)
    return j


RICH_JOB = job(
    parallelism=2,
    completions=4,
    backoffLimit=0,
    activeDeadlineSeconds=3600,
    suspend=False,
    ttlSecondsAfterFinished=60,
    manualSelector=False,
    completionMode="NonIndexed",
)
RICH_JOB["metadata"] = {
    "labels": {"b": "2", "a": "1"},
    "annotations": {"x": ""},
    "creationTimestamp": "2024-01-01T10:00:00.5+02:00",
}
RICH_JOB["spec"]["template"]["metadata"] = {"labels": {"app": "t"}}
RICH_JOB["spec"]["template"]["spec"].update(
    {
        "hostNetwork": False,
        "nodeSelector": {},
        "serviceAccountName": "",
        "volumes": [
            {"name": "cache", "emptyDir": {"sizeLimit": "1024Mi", "medium": ""}},
            {
                "name": "cfg",
                "configMap": {
                    "name": "c",
                    "defaultMode": 420,
                    "items": [{"key": "k", "path": "p"}],
                },
            },
        ],
        "tolerations": [
            {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 0}
        ],
    }
)
RICH_JOB["spec"]["template"]["spec"]["containers"][0].update(
    {
        "args": [],
        "env": [
            {"name": "A", "value": ""},
            {
                "name": "B",
                "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}},
            },
        ],
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 0},
        "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5},
        "resources": {
            "limits": {"cpu": "0.5", "memory": "1024Mi", "nvidia.com/gpu": 1},
            "requests": {"cpu": "500m", "memory": "512Mi"},
        },
        "securityContext": {"runAsUser": 0, "privileged": False},
    }
)
RICH_JOB["status"] = {"startTime": "2024-02-03T04:05:06Z", "active": 0, "succeeded": 1}


def experiment() -> dict[str, Any]:
    """A small Katib Experiment in the shape of the shipped random-search example."""
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"namespace": "kubeflow", "name": "random"},
        "spec": {
            "objective": {
                "type": "maximize",
                "goal": 0.99,
                "objectiveMetricName": "Validation-accuracy",
                "additionalMetricNames": ["Train-accuracy"],
            },
            "algorithm": {"algorithmName": "random", "algorithmSettings": []},
            "parallelTrialCount": 3,
            "maxTrialCount": 12,
            "maxFailedTrialCount": 0,
            "resumePolicy": "Never",
            "metricsCollectorSpec": {"collector": {"kind": "StdOut"}, "source": {"filter": {}}},
            "parameters": [
                {
                    "name": "lr",
                    "parameterType": "double",
                    "feasibleSpace": {"min": "0.01", "max": "0.03"},
                },
                {
                    "name": "optimizer",
                    "parameterType": "categorical",
                    "feasibleSpace": {"list": ["sgd", "adam", "ftrl"]},
                },
            ],
            "trialTemplate": {
                "primaryContainerName": "training",
                "retain": False,
                "primaryPodLabels": {},
                "trialParameters": [{"name": "learningRate", "description": "", "reference": "lr"}],
                "trialSpec": with_container(args=["--lr=${trialParameters.learningRate}"]),
            },
        },
    }


def exp_with(path: list[str | int], value: Any) -> dict[str, Any]:
    """The example Experiment with one value replaced (or deleted if value is ...)."""
    e = experiment()
    node: Any = e
    for part in path[:-1]:
        node = node[part]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return e


def cases() -> list[dict[str, Any]]:
    """Every case, in a stable order."""
    out: list[dict[str, Any]] = []

    def add(case_id: str, op: str, input_: Any, type_: str = "", b: Any = None) -> None:
        case: dict[str, Any] = {"id": case_id, "op": op, "input": input_}
        if type_:
            case["type"] = type_
        if b is not None:
            case["b"] = b
        out.append(case)

    for i, q in enumerate(QUANTITIES):
        add(f"quantity-{i:03d}", "quantity", json.dumps(q))
    for i, raw in enumerate(RAW_QUANTITIES):
        add(f"quantity-raw-{i:02d}", "quantity", raw)
    for i, t in enumerate(TIMES):
        add(f"time-{i:02d}", "json", {"status": {"startTime": t}}, JOB)
    for i, f in enumerate(FLOATS):
        add(f"float-{i:02d}", "float", f)
    for mode in ("json", "unstructured"):
        for name, obj in job_cases().items():
            add(f"{mode}-job-{name}", mode, obj, JOB)
        for name, (type_, obj) in other_cases().items():
            add(f"{mode}-{name}", mode, obj, type_)
    for name, obj in json_only_cases().items():
        add(f"json-{name}", "json", obj, JOB)
    for name, (a, b) in patch_cases().items():
        add(f"patch-{name}", "patch", a, b=b)
    for name, obj in validate_cases().items():
        add(f"validate-{name}", "validate", obj)
    return out


def job_cases() -> dict[str, Any]:
    """Jobs run through both decoders."""
    spec = job()["spec"]
    return {
        "minimal": job(),
        "rich": RICH_JOB,
        "parallelism-string": job(parallelism="test-value"),
        "parallelism-float-integral": job(parallelism=2.0),
        "parallelism-float-fraction": job(parallelism=1.5),
        "parallelism-bool": job(parallelism=True),
        "parallelism-overflow": job(parallelism=4294967297),
        "parallelism-float-overflow": job(parallelism=1e10),
        "backoff-float-huge": job(backoffLimit=1e19),
        "parallelism-null": job(parallelism=None),
        "active-deadline-float": job(activeDeadlineSeconds=1000.0),
        "two-errors": job(parallelism="x", completions="y"),
        "zero-pointers": job(backoffLimit=0, completions=None, suspend=False),
        "unknown-fields": {**job(foo=1), "Spec": {}, "extra": {"a": 1}},
        "wrong-case": with_container(Image="x", containerport=1),
        "containers-object": with_pod(containers={"name": "a"}),
        "containers-null": with_pod(containers=None),
        "containers-empty": with_pod(containers=[]),
        "container-name-int": with_container(name=5),
        "container-name-float": with_container(name=5.5),
        "args-mixed": with_container(args=[1, "a", None]),
        "host-network-string": with_pod(hostNetwork="true"),
        "spec-string": {**job(), "spec": "x"},
        "template-string": {**job(), "spec": {"template": "x"}},
        "labels-list": {**job(), "metadata": {"labels": []}},
        "labels-number": {**job(), "metadata": {"labels": {"a": 1, "b": None}}},
        "labels-string": {**job(), "metadata": {"labels": "x"}},
        "quantity-numbers": with_container(
            resources={
                "limits": {"cpu": 0.5, "memory": 1024.0},
                "requests": {"cpu": 2, "memory": 1.5},
            }
        ),
        "quantity-float-integral": with_container(resources={"limits": {"cpu": 2.0}}),
        "quantity-bad": with_container(resources={"limits": {"cpu": "abc"}}),
        "quantity-null": with_container(resources={"limits": {"cpu": None}}),
        "sizelimit": with_pod(volumes=[{"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}]),
        "port-int": with_container(livenessProbe={"httpGet": {"port": 8080}}),
        "port-float-integral": with_container(livenessProbe={"httpGet": {"port": 8080.0}}),
        "port-float-fraction": with_container(livenessProbe={"httpGet": {"port": 1.5}}),
        "port-bool": with_container(livenessProbe={"httpGet": {"port": True}}),
        "port-null": with_container(livenessProbe={"httpGet": {"port": None, "path": "/"}}),
        "port-overflow": with_container(livenessProbe={"httpGet": {"port": 3000000000}}),
        "times": {
            **job(),
            "metadata": {
                "creationTimestamp": "2024-06-30T23:59:59-01:30",
                "deletionTimestamp": "2024-01-01T00:00:00.999Z",
            },
            "status": {
                "startTime": "0001-01-01T00:00:00Z",
                "completionTime": "2024-01-01T00:00:00Z",
            },
        },
        "time-bad": {**job(), "status": {"startTime": "yesterday"}},
        "time-number": {**job(), "status": {"startTime": 5}},
        "time-month-range": {**job(), "status": {"startTime": "2024-13-01T00:00:00Z"}},
        "time-null": {**job(), "metadata": {"creationTimestamp": None}},
        "env-null-item": with_container(env=[None, {"name": "A"}]),
        "managed-fields": {
            **job(),
            "metadata": {
                "managedFields": [
                    {
                        "manager": "m",
                        "operation": "Update",
                        "fieldsType": "FieldsV1",
                        "fieldsV1": {"f:metadata": {"f:labels": {"f:b": {}, "f:a": {}}}, "x": 1.0},
                        "time": "2024-01-01T00:00:00Z",
                    }
                ]
            },
        },
        "empty-structs": {**job(), "status": {}, "spec": {**spec, "selector": {}}},
        "null-everywhere": {"apiVersion": None, "kind": None, "metadata": None, "spec": None},
        "resources-empty": with_container(resources={}),
        "node-selector-null-value": with_pod(nodeSelector={"a": None}),
        "big-int-label": {**job(), "metadata": {"labels": {"a": 12345678901234567890}}},
    }


def other_cases() -> dict[str, tuple[str, Any]]:
    """Katib and Kubeflow kinds, through both decoders."""
    tf_replica = {
        "replicas": 2,
        "restartPolicy": "OnFailure",
        "template": {"spec": {"containers": [{"name": "tensorflow", "image": "i"}]}},
    }
    return {
        "exp-example": (EXP, experiment()),
        "exp-min-number": (EXP, exp_with(["spec", "parameters", 0, "feasibleSpace", "min"], 0.01)),
        "exp-setting-number": (
            EXP,
            exp_with(
                ["spec", "algorithm", "algorithmSettings"], [{"name": "random_state", "value": 10}]
            ),
        ),
        "exp-goal-string": (EXP, exp_with(["spec", "objective", "goal"], "0.99")),
        "exp-goal-int": (EXP, exp_with(["spec", "objective", "goal"], 1)),
        "exp-goal-big": (EXP, exp_with(["spec", "objective", "goal"], 1e20)),
        "exp-goal-tiny": (EXP, exp_with(["spec", "objective", "goal"], 1e-7)),
        "exp-max-trials-float": (EXP, exp_with(["spec", "maxTrialCount"], 12.0)),
        "exp-trialspec-no-kind": (EXP, exp_with([*TRIAL_SPEC, "kind"], ...)),
        "exp-trialspec-kind-number": (EXP, exp_with([*TRIAL_SPEC, "kind"], 5)),
        "exp-trialspec-bad-apiversion": (
            EXP,
            exp_with(["spec", "trialTemplate", "trialSpec", "apiVersion"], "a/b/c"),
        ),
        "exp-trialspec-list": (EXP, exp_with(["spec", "trialTemplate", "trialSpec"], [])),
        "exp-trialspec-string": (EXP, exp_with(["spec", "trialTemplate", "trialSpec"], "x")),
        "exp-trialspec-numbers": (
            EXP,
            exp_with(
                ["spec", "trialTemplate", "trialSpec", "spec"],
                {"parallelism": 1.0, "x": [1.5, 2, 1e20, None], "b": {"z": 1, "a": True}},
            ),
        ),
        "exp-httpget-port": (
            EXP,
            exp_with(
                ["spec", "metricsCollectorSpec", "source"],
                {"httpGet": {"port": "8080", "path": "/metrics"}},
            ),
        ),
        "exp-nas": (
            EXP,
            exp_with(
                ["spec", "nasConfig"],
                {
                    "graphConfig": {"numLayers": 8, "inputSizes": [32, 32, 3], "outputSizes": [10]},
                    "operations": [
                        {
                            "operationType": "convolution",
                            "parameters": [
                                {
                                    "name": "filter_size",
                                    "parameterType": "categorical",
                                    "feasibleSpace": {"list": ["3", "5"]},
                                }
                            ],
                        }
                    ],
                },
            ),
        ),
        "exp-status": (
            EXP,
            exp_with(
                ["status"],
                {
                    "startTime": "2024-01-01T00:00:00Z",
                    "trials": 3,
                    "trialsSucceeded": 0,
                    "conditions": [
                        {
                            "type": "Created",
                            "status": "True",
                            "reason": "r",
                            "lastUpdateTime": "2024-01-01T00:00:00Z",
                            "lastTransitionTime": None,
                        }
                    ],
                    "currentOptimalTrial": {
                        "bestTrialName": "",
                        "observation": {
                            "metrics": [
                                {"name": "acc", "min": "0.9", "max": "0.95", "latest": "0.93"}
                            ]
                        },
                    },
                },
            ),
        ),
        "trial": (
            "github.com/kubeflow/katib/pkg/apis/controller/trials/v1beta1.Trial",
            {
                "apiVersion": "kubeflow.org/v1beta1",
                "kind": "Trial",
                "spec": {
                    "objective": {"type": "minimize", "goal": 0.1, "objectiveMetricName": "loss"},
                    "parameterAssignments": [{"name": "lr", "value": "0.01"}],
                    "runSpec": job(),
                    "primaryContainerName": "training",
                    "retainRun": False,
                    "labels": {},
                },
            },
        ),
        "suggestion": (
            SUGGESTION,
            {
                "spec": {
                    "algorithm": {"algorithmName": "tpe"},
                    "requests": 3,
                    "resumePolicy": "Never",
                },
                "status": {
                    "suggestionCount": 1,
                    "suggestions": [
                        {
                            "name": "t1",
                            "parameterAssignments": [{"name": "lr", "value": "0.02"}],
                            "labels": {},
                        }
                    ],
                },
            },
        ),
        "tfjob": (
            KF + "TFJob",
            {
                "apiVersion": "kubeflow.org/v1",
                "kind": "TFJob",
                "spec": {
                    "runPolicy": {
                        "cleanPodPolicy": "None",
                        "backoffLimit": 0,
                        "schedulingPolicy": {"minResources": {"cpu": "1000m"}},
                    },
                    "tfReplicaSpecs": {"Worker": tf_replica, "PS": {**tf_replica, "replicas": 1}},
                    "enableDynamicWorker": False,
                },
            },
        ),
        "tfjob-replicas-string": (
            KF + "TFJob",
            {"spec": {"tfReplicaSpecs": {"Worker": {**tf_replica, "replicas": "2"}}}},
        ),
        "tfjob-replica-string": (KF + "TFJob", {"spec": {"tfReplicaSpecs": {"Worker": "x"}}}),
        "pytorchjob": (
            KF + "PyTorchJob",
            {
                "spec": {
                    "elasticPolicy": {"minReplicas": 1, "maxReplicas": 3, "nProcPerNode": 2},
                    "nprocPerNode": "auto",
                    "pytorchReplicaSpecs": {"Master": {**tf_replica, "replicas": 1}},
                }
            },
        ),
        "mpijob": (
            KF + "MPIJob",
            {
                "spec": {
                    "slotsPerWorker": 1,
                    "mpiReplicaSpecs": {"Launcher": {**tf_replica, "replicas": 1}},
                }
            },
        ),
        "xgboostjob": (
            KF + "XGBoostJob",
            {"spec": {"xgbReplicaSpecs": {"Master": {**tf_replica, "replicas": 1}}}},
        ),
        "trainjob": (
            "github.com/kubeflow/trainer/v2/pkg/apis/trainer/v1alpha1.TrainJob",
            {
                "apiVersion": "trainer.kubeflow.org/v1alpha1",
                "kind": "TrainJob",
                "spec": {
                    "runtimeRef": {"name": "torch-distributed"},
                    "trainer": {
                        "numNodes": 2,
                        "image": "i",
                        "args": [],
                        "resourcesPerNode": {"limits": {"nvidia.com/gpu": "1"}},
                    },
                    "suspend": False,
                    "labels": {},
                },
            },
        ),
        "configmap": (
            "k8s.io/api/core/v1.ConfigMap",
            {"data": {"b": "2", "a": "1"}, "binaryData": {"k": "aGVsbG8="}, "immutable": False},
        ),
        "configmap-bad-base64": ("k8s.io/api/core/v1.ConfigMap", {"binaryData": {"k": "!!!"}}),
        "namespace": (
            "k8s.io/api/core/v1.Namespace",
            {
                "metadata": {
                    "name": "n",
                    "labels": {"katib.kubeflow.org/metrics-collector-injection": "enabled"},
                },
                "spec": {"finalizers": ["kubernetes"]},
            },
        ),
        "pod": (
            "k8s.io/api/core/v1.Pod",
            {
                "spec": {
                    "hostNetwork": True,
                    "priority": 0,
                    "overhead": {"cpu": "0.25"},
                    "securityContext": {"runAsUser": 0, "fsGroup": 1000.0},
                    "containers": [{"name": "c", "ports": [{"containerPort": "80"}]}],
                }
            },
        ),
    }


def json_only_cases() -> dict[str, Any]:
    """Inputs that only the JSON decoder accepts (the converter needs an object)."""
    return {
        "root-array": [1],
        "root-null": None,
        "root-string": "x",
        "fatal-after-saved": job(
            parallelism="x",
            template={
                "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "bad"}}}]}
            },
        ),
    }


def patch_cases() -> dict[str, tuple[Any, Any]]:
    """mattbaird/jsonpatch CreatePatch(a, b)."""
    return {
        "same": ({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}),
        "scalars": ({"a": 1, "b": "x", "c": True}, {"a": 2, "b": "x", "d": None}),
        "int-float": ({"a": 1}, {"a": 1.0}),
        "type-change": ({"a": 1, "b": [1], "c": {"x": 1}}, {"a": "1", "b": {"x": 1}, "c": [1]}),
        "bool-number": ({"a": True}, {"a": 1}),
        "nested": ({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"c": 3, "e": 4}}}),
        "array-same-len": ({"a": [1, "x", {"k": 1}]}, {"a": [2, "x", {"k": 2}]}),
        "array-diff-len": ({"a": [1, 2, 3]}, {"a": [3, 4]}),
        "array-dupes": ({"a": [1, 1, 2]}, {"a": [1, 2]}),
        "array-to-object": ({"a": [1]}, {"a": {"0": 1}}),
        "object-to-array": ({"a": {"0": 1}}, {"a": [1]}),
        "nulls": ({"a": None, "b": 1, "c": None}, {"a": 1, "b": None, "c": None}),
        "nulls-in-array": ({"a": [None, "x", None]}, {"a": ["y", None, None]}),
        "escaped-keys": ({"a/b": 1, "c~d": {"e/f": 1}}, {"a/b": 2, "c~d": {"e/f": 2}}),
        "empty-key": ({"": {"x": 1}}, {"": {"x": 2}}),
        "panic": ({"a": [{"k": 1}]}, {"a": ["x"]}),
        "empty-docs": ({}, {}),
        "add-object": ({}, {"a": {"b": [1, {"c": None}]}}),
    }


def validate_cases() -> dict[str, Any]:
    """Katib V-34: the substituted trial template, as JSON text would decode it."""
    v = {
        "normal": job(),
        "rich": RICH_JOB,
        "host-network-false": with_pod(hostNetwork=False),
        "host-network-true": with_pod(hostNetwork=True),
        "unknown-field": with_pod(foo="bar"),
        "unknown-container-field": with_container(imagePullPolicy="Always", bogus=1),
        "sizelimit-1024mi": with_pod(volumes=[{"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}]),
        "sizelimit-1gi": with_pod(volumes=[{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}]),
        "limits-1024mi": with_container(resources={"limits": {"memory": "1024Mi"}}),
        "requests-half-cpu": with_container(resources={"requests": {"cpu": "0.5"}}),
        "resources-empty": with_container(resources={}),
        "parallelism-placeholder": job(parallelism="test-value"),
        "parallelism-int": job(parallelism=3),
        "parallelism-float": job(parallelism=3.0),
        "parallelism-fraction": job(activeDeadlineSeconds=3.5),
        "backoff-zero": job(backoffLimit=0),
        "args-empty": with_container(args=[]),
        "env-empty-value": with_container(env=[{"name": "A", "value": ""}]),
        "restart-policy-empty": with_pod(restartPolicy=""),
        "node-selector-empty": with_pod(nodeSelector={}),
        "port-float": with_container(ports=[{"containerPort": 8080.0}]),
        "port-string": with_container(ports=[{"containerPort": "8080"}]),
        "creation-timestamp-null": {**job(), "metadata": {"creationTimestamp": None}},
        "labels": {**job(), "metadata": {"labels": {"a": "test-value"}}},
        "containers-null-item": with_pod(containers=[None]),
        "empty-dir": with_pod(volumes=[{"name": "v", "emptyDir": {}}]),
        "tfjob": {"apiVersion": "kubeflow.org/v1", "kind": "TFJob", "spec": {"x": 1}},
        "batch-v1beta1": {**job(foo=1), "apiVersion": "batch/v1beta1"},
        "batch-v1-extra-slash": {**job(foo=1), "apiVersion": "batch/v1/x"},
        "kind-lowercase": {**job(foo=1), "kind": "job"},
        "command-placeholder": with_container(command=["python", "--lr=test-value"]),
        "toleration-seconds": with_pod(
            tolerations=[{"key": "k", "operator": "Exists", "tolerationSeconds": 30}]
        ),
    }
    return {k: copy.deepcopy(x) for k, x in v.items()}


if __name__ == "__main__":
    # One compact case a line: Go sees exactly json.dumps's text (separators included).
    lines = [json.dumps(c, separators=(",", ":")) for c in cases()]
    sys.stdout.write("[\n" + ",\n".join(lines) + "\n]\n")
