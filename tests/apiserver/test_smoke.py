"""Smoke test of the real kube-apiserver with Katib's CRDs, through the official client.

The Experiment here is written for this test; it is valid for Katib's webhooks too.
"""

from __future__ import annotations

import copy
import json
import os
import uuid

import pytest

if os.environ.get("KATIB_GITOPS_REQUIRE_GO") != "1":  # in CI, a missing client is an error
    pytest.importorskip("kubernetes", reason="the `kubernetes` client is not installed")
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

pytestmark = pytest.mark.apiserver

GROUP, VERSION, PLURAL = "kubeflow.org", "v1beta1", "experiments"
MANAGER = "katib-gitops-smoke"
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"


def make_experiment(name: str, labels: dict[str, str], max_trials: int = 6) -> dict:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Experiment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "objective": {"type": "maximize", "goal": 0.9, "objectiveMetricName": "accuracy"},
            "algorithm": {"algorithmName": "random"},
            "parallelTrialCount": 2,
            "maxTrialCount": max_trials,
            "maxFailedTrialCount": 1,
            "parameters": [
                {
                    "name": "lr",
                    "parameterType": "double",
                    "feasibleSpace": {"min": "0.001", "max": "0.1"},
                }
            ],
            "trialTemplate": {
                "primaryContainerName": "train",
                "trialParameters": [
                    {"name": "learningRate", "reference": "lr", "description": "learning rate"}
                ],
                "trialSpec": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "train",
                                        "image": "busybox:1.36",
                                        "command": [
                                            "sh",
                                            "-c",
                                            "echo accuracy=0.5 lr=${trialParameters.learningRate}",
                                        ],
                                    }
                                ],
                            }
                        }
                    },
                },
            },
        },
    }


def apply(api: client.CustomObjectsApi, ns: str, obj: dict) -> tuple[int, dict]:
    """Server-side apply as MANAGER; returns (HTTP status, object).

    The raw response is read because some client versions return None for the 201 of an
    apply that creates the object.
    """
    resp = api.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        ns,
        PLURAL,
        obj["metadata"]["name"],
        obj,
        field_manager=MANAGER,
        _content_type=APPLY,
        _preload_content=False,
    )
    return resp.status, json.loads(resp.data)


@pytest.fixture(scope="module")
def api(apiserver) -> client.CustomObjectsApi:
    api_client = config.new_client_from_config(config_file=str(apiserver.kubeconfig))
    yield client.CustomObjectsApi(api_client)
    api_client.close()


@pytest.fixture()
def ns(apiserver) -> str:
    return apiserver.namespace


def test_version_and_crds(apiserver):
    api_client = config.new_client_from_config(config_file=str(apiserver.kubeconfig))
    try:
        version = client.VersionApi(api_client).get_code()
        assert version.major == "1"
        crds = client.ApiextensionsV1Api(api_client).list_custom_resource_definition().items
        names = {c.metadata.name for c in crds}
        assert {
            "experiments.kubeflow.org",
            "trials.kubeflow.org",
            "suggestions.kubeflow.org",
        } <= names
        for crd in crds:
            conds = {c.type: c.status for c in crd.status.conditions}
            assert conds["Established"] == "True"
            assert crd.spec.versions[0].subresources.status is not None
        namespace = client.CoreV1Api(api_client).read_namespace(apiserver.namespace)
        assert (
            namespace.metadata.labels["katib.kubeflow.org/metrics-collector-injection"] == "enabled"
        )
    finally:
        api_client.close()


def test_experiment_lifecycle(api: client.CustomObjectsApi, ns: str):
    run = uuid.uuid4().hex[:8]
    name = f"smoke-{run}"
    selector = f"katib-gitops.test/run={run}"
    exp = make_experiment(name, {"katib-gitops.test/run": run})

    # 1. server-side apply creates it ...
    status, created = apply(api, ns, exp)
    assert status == 201
    rv1 = created["metadata"]["resourceVersion"]
    assert created["spec"]["maxTrialCount"] == 6
    managers = {(m["manager"], m["operation"]) for m in created["metadata"]["managedFields"]}
    assert (MANAGER, "Apply") in managers
    # ... and the same apply again by the same manager changes nothing.
    status, again = apply(api, ns, exp)
    assert status == 200
    assert again["metadata"]["resourceVersion"] == rv1
    assert again["metadata"]["generation"] == created["metadata"]["generation"] == 1

    # 2. list by label selector: ours only, not a differently labelled neighbour.
    other = make_experiment(f"other-{run}", {"katib-gitops.test/run": f"other-{run}"})
    api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, other)
    listed = api.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, label_selector=selector)
    assert [i["metadata"]["name"] for i in listed["items"]] == [name]

    # 3. watch: ADDED for the existing object, then MODIFIED after a change.
    w = watch.Watch()
    events = []
    for event in w.stream(
        api.list_namespaced_custom_object,
        GROUP,
        VERSION,
        ns,
        PLURAL,
        label_selector=selector,
        timeout_seconds=30,
    ):
        obj = event["raw_object"] if isinstance(event.get("raw_object"), dict) else event["object"]
        events.append((event["type"], obj["metadata"]["name"], obj["spec"]["maxTrialCount"]))
        if event["type"] == "ADDED":
            api.patch_namespaced_custom_object(
                GROUP,
                VERSION,
                ns,
                PLURAL,
                name,
                {"spec": {"maxTrialCount": 8}},
                _content_type=MERGE,
            )
        elif event["type"] == "MODIFIED":
            w.stop()
    assert events == [("ADDED", name, 6), ("MODIFIED", name, 8)]

    # 4. status goes through the status subresource only.
    status = {
        "conditions": [
            {
                "type": "Created",
                "status": "True",
                "reason": "ExperimentCreated",
                "message": "set by the smoke test",
            }
        ],
        "trials": 0,
    }
    ignored = api.patch_namespaced_custom_object(
        GROUP, VERSION, ns, PLURAL, name, {"status": status}, _content_type=MERGE
    )
    assert "status" not in ignored  # the main resource ignores status
    patched = api.patch_namespaced_custom_object_status(
        GROUP, VERSION, ns, PLURAL, name, {"status": status}, _content_type=MERGE
    )
    assert patched["status"]["conditions"][0]["reason"] == "ExperimentCreated"
    assert patched["metadata"]["generation"] == ignored["metadata"]["generation"]  # spec untouched
    got = api.get_namespaced_custom_object_status(GROUP, VERSION, ns, PLURAL, name)
    assert got["status"] == status

    # 5. optimistic concurrency: an update from a stale copy gets 409 Conflict.
    stale = copy.deepcopy(got)
    fresh = copy.deepcopy(got)
    fresh["spec"]["parallelTrialCount"] = 3
    updated = api.replace_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, name, fresh)
    assert updated["metadata"]["resourceVersion"] != stale["metadata"]["resourceVersion"]
    stale["spec"]["parallelTrialCount"] = 1
    with pytest.raises(ApiException) as err:
        api.replace_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, name, stale)
    assert err.value.status == 409
    final = api.get_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, name)
    assert final["spec"]["parallelTrialCount"] == 3

    for n in (name, other["metadata"]["name"]):
        api.delete_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, n)
