"""The generated type table and its use: every type resolves, and round trips are fast."""

from __future__ import annotations

import json
import time
from importlib import resources

from compiler.kubetypes import go_type, known_types, modules, roundtrip_json
from compiler.kubetypes.batchjob import validate_batch_job

ROOTS = [
    "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1.Experiment",
    "github.com/kubeflow/katib/pkg/apis/controller/trials/v1beta1.Trial",
    "github.com/kubeflow/katib/pkg/apis/controller/suggestions/v1beta1.Suggestion",
    "k8s.io/api/batch/v1.Job",
    "k8s.io/api/core/v1.Pod",
    "k8s.io/api/core/v1.ConfigMap",
    "k8s.io/api/core/v1.Namespace",
    "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1.TFJob",
    "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1.PyTorchJob",
    "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1.MPIJob",
    "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1.XGBoostJob",
    "github.com/kubeflow/trainer/v2/pkg/apis/trainer/v1alpha1.TrainJob",
]


def test_table_metadata() -> None:
    doc = json.loads(resources.files("compiler").joinpath("data", "gotypes.json").read_text())
    assert doc["roots"] == ROOTS
    assert modules()["github.com/kubeflow/katib"] == "v0.19.0"
    assert modules()["k8s.io/api"].startswith("v0.34.")


def test_every_type_resolves_and_flattens() -> None:
    for name in known_types():
        t = go_type(name)
        if t.kind == "struct":
            names = [f.name for f in t.fields]
            assert len(names) == len(set(names)), name
            assert "" not in names, name


def test_embedded_structs_are_promoted() -> None:
    job = go_type("k8s.io/api/batch/v1.Job")
    assert [f.name for f in job.fields] == ["kind", "apiVersion", "metadata", "spec", "status"]
    volume = go_type("k8s.io/api/core/v1.Volume")
    assert volume.field("emptyDir") is not None and volume.field("VolumeSource") is None


def test_special_types_are_marked() -> None:
    specials = {n: go_type(n).special for n in known_types() if go_type(n).special}
    assert specials == {
        "k8s.io/apimachinery/pkg/api/resource.Quantity": "Quantity",
        "k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1": "RawJSON",
        "k8s.io/apimachinery/pkg/apis/meta/v1.Time": "Time",
        "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.Unstructured": "Unstructured",
        "k8s.io/apimachinery/pkg/util/intstr.IntOrString": "IntOrString",
    }


def test_job_round_trip_is_well_under_a_millisecond() -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"labels": {"a": "b"}},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "t",
                            "image": "i",
                            "command": ["a", "b", "c"],
                            "env": [{"name": "A", "value": "1"}],
                            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                        }
                    ],
                }
            },
        },
    }
    roundtrip_json(job, "k8s.io/api/batch/v1.Job")  # warm the caches
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        roundtrip_json(job, "k8s.io/api/batch/v1.Job")
        validate_batch_job(job)
    per_run = (time.perf_counter() - start) / runs
    assert per_run < 1e-3
