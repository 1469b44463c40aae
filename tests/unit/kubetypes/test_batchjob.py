"""Katib V-34 on batch/v1 Job templates (Go's verdicts: data/go_expected.json, validate-*)."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.kubetypes import validate_batch_job
from compiler.kubetypes.batchjob import parse_group_version


def job(
    pod: dict[str, Any] | None = None, container: dict[str, Any] | None = None, **spec: Any
) -> dict[str, Any]:
    c = {
        "name": "training",
        "image": "busybox",
        "command": ["python", "--lr=0.01"],
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
        **(container or {}),
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [c], **(pod or {})}},
            **spec,
        },
    }


@pytest.mark.parametrize(
    "template",
    [
        job(),
        job(backoffLimit=0, parallelism=3, completions=3.0),
        job(container={"resources": {"limits": {"memory": "1024Mi"}}}),
        job(container={"resources": {"requests": {"cpu": "0.5"}}}),
        job(container={"resources": {}, "ports": [{"containerPort": 8080.0}]}),
        job(pod={"hostNetwork": True, "volumes": [{"name": "v", "emptyDir": {}}]}),
        job(container={"command": ["python", "--lr=test-value"]}),
    ],
    ids=["normal", "pointers-and-floats", "limits-1024Mi", "requests-0.5", "ports", "pod", "args"],
)
def test_accepted(template: dict[str, Any]) -> None:
    assert validate_batch_job(template) is None


@pytest.mark.parametrize(
    ("template", "where"),
    [
        (job(pod={"hostNetwork": False}), "/spec/template/spec/hostNetwork - false"),
        (job(pod={"foo": "bar"}), "/spec/template/spec/foo - bar"),
        (job(container={"bogus": 1}), "/spec/template/spec/containers/0/bogus - 1"),
        (
            job(pod={"volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}]}),
            "/spec/template/spec/volumes/0/emptyDir/sizeLimit - 1024Mi",
        ),
        (job(container={"args": []}), "/spec/template/spec/containers/0/args - []"),
        (job(pod={"nodeSelector": {}}), "/spec/template/spec/nodeSelector - map[]"),
        (
            job(container={"env": [{"name": "A", "value": ""}]}),
            "/spec/template/spec/containers/0/env/0/value - ",
        ),
    ],
    ids=[
        "hostNetwork-false",
        "unknown-pod-field",
        "unknown-container-field",
        "sizeLimit",
        "args-empty",
        "nodeSelector-empty",
        "env-empty-value",
    ],
)
def test_rejected_by_the_patch(template: dict[str, Any], where: str) -> None:
    message = validate_batch_job(template)
    assert message is not None
    assert message.startswith(f"unable to convert: {where} to Job: ")


def test_placeholder_in_a_numeric_field_is_rejected() -> None:
    message = validate_batch_job(job(parallelism="test-value"))
    assert message == (
        "unable to convert spec.TrialTemplate to Job: unrecognized type: int32 "
        "(at spec.parallelism, value test-value)"
    )


def test_fractional_number_in_an_int_field_is_rejected() -> None:
    message = validate_batch_job(job(activeDeadlineSeconds=3.5))
    assert message is not None and "cannot convert float64 to int64" in message


def test_messages_explain_the_operation() -> None:
    message = validate_batch_job(job(pod={"hostNetwork": False}))
    assert message is not None and "empty value" in message
    message = validate_batch_job(
        job(pod={"volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}]})
    )
    assert message is not None and "turns it into 1Gi" in message


def test_go_panic_is_reported() -> None:
    message = validate_batch_job(job(pod={"containers": [None]}))
    assert message is not None and "panics" in message


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("kubeflow.org/v1", "TFJob"),
        ("batch/v1beta1", "Job"),
        ("batch/v1/x", "Job"),
        ("batch/v1", "job"),
        (None, "Job"),
        ("v1", "Job"),
    ],
)
def test_only_batch_v1_jobs_are_checked(api_version: Any, kind: str) -> None:
    template = job(pod={"foo": 1})
    template["apiVersion"], template["kind"] = api_version, kind
    assert validate_batch_job(template) is None


def test_parse_group_version() -> None:
    assert parse_group_version("batch/v1") == ("batch", "v1")
    assert parse_group_version("v1") == ("", "v1")
    assert parse_group_version("/") == ("", "")
    assert parse_group_version("a/b/c") is None
