"""The offline schema check for rendered manifests."""

from __future__ import annotations

from compiler.kubetypes import check, go_type
from compiler.kubetypes.check import suggest_field

JOB = "k8s.io/api/batch/v1.Job"
TFJOB = "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1.TFJob"


def test_clean_manifest_has_no_issues() -> None:
    obj = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "t", "image": "i", "ports": [{"containerPort": 80}]}]
                }
            }
        },
    }
    assert check(obj, JOB) == []


def test_unknown_fields_get_suggestions() -> None:
    obj = {
        "spec": {
            "templte": {},
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "t",
                            "Image": "i",
                            "ports": [{"containerport": 80}],
                            "comand": ["x"],
                        }
                    ]
                }
            },
        }
    }
    issues = {i.path: i for i in check(obj, JOB)}
    container = ("spec", "template", "spec", "containers", 0)
    assert issues[("spec", "templte")].suggestion == "template"
    assert issues[(*container, "Image")].suggestion == "image"
    assert issues[(*container, "comand")].suggestion == "command"
    assert issues[(*container, "ports", 0, "containerport")].suggestion == "containerPort"
    assert all(i.code == "unknown-field" for i in issues.values())
    assert str(issues[("spec", "templte")]) == (
        'spec.templte: unknown field "templte" (v1.JobSpec has no such field) '
        "(did you mean 'template'?)"
    )


def test_type_mismatches_and_invalid_values() -> None:
    obj = {
        "spec": {
            "parallelism": "3",
            "template": {
                "spec": {"containers": [{"name": "t", "resources": {"limits": {"cpu": "two"}}}]}
            },
        }
    }
    issues = check(obj, JOB)
    assert [(i.path, i.code) for i in issues] == [
        (("spec", "parallelism"), "type-mismatch"),
        (
            ("spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"),
            "invalid-value",
        ),
    ]
    assert "Go type int32" in issues[0].message


def test_tfjob_replica_specs() -> None:
    obj = {"spec": {"tfReplicaSpecs": {"Worker": {"replicas": "2", "restartpolicy": "Never"}}}}
    issues = check(obj, TFJOB)
    assert [(i.path, i.code, i.suggestion) for i in issues] == [
        (("spec", "tfReplicaSpecs", "Worker", "replicas"), "type-mismatch", None),
        (("spec", "tfReplicaSpecs", "Worker", "restartpolicy"), "unknown-field", "restartPolicy"),
    ]


def test_no_suggestion_for_unrelated_names() -> None:
    assert suggest_field("zzzzzz", go_type("k8s.io/api/core/v1.Container")) is None
