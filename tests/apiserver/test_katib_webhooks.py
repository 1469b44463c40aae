"""Katib's own experiment webhooks, built from the Katib Go module, in the admission chain."""

from __future__ import annotations

import os
import uuid

import pytest

if os.environ.get("KATIB_GITOPS_REQUIRE_GO") != "1":  # in CI, a missing client is an error
    pytest.importorskip("kubernetes", reason="the `kubernetes` client is not installed")
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from test_smoke import GROUP, MERGE, PLURAL, VERSION, make_experiment

pytestmark = pytest.mark.apiserver


@pytest.fixture(scope="module")
def api(apiserver) -> client.CustomObjectsApi:
    api_client = config.new_client_from_config(config_file=str(apiserver.kubeconfig))
    yield client.CustomObjectsApi(api_client)
    api_client.close()


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_mutating_webhook_sets_katib_defaults(api, katib_webhooks):
    ns = katib_webhooks.namespace
    exp = make_experiment(_name("defaults"), {})
    del exp["spec"]["parallelTrialCount"]
    exp["spec"]["objective"]["bogusField"] = "dropped"  # unknown field outside trialSpec
    created = api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, exp)
    spec = created["spec"]
    assert spec["parallelTrialCount"] == 3
    assert spec["resumePolicy"] == "Never"
    assert spec["metricsCollectorSpec"]["collector"]["kind"] == "StdOut"
    assert spec["parameters"][0]["feasibleSpace"]["distribution"] == "uniform"
    assert spec["objective"]["metricStrategies"] == [{"name": "accuracy", "value": "max"}]
    assert "bogusField" not in spec["objective"]
    # the controller adds its finalizer, not the webhook
    assert "finalizers" not in created["metadata"]


def test_validating_webhook_rejects(api, katib_webhooks):
    ns = katib_webhooks.namespace
    # maxTrialCount 2 without parallelTrialCount: the default 3 exceeds it.
    exp = make_experiment(_name("too-few"), {}, max_trials=2)
    del exp["spec"]["parallelTrialCount"]
    with pytest.raises(ApiException) as err:
        api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, exp)
    assert err.value.status == 400
    assert "validator.experiment.katib.kubeflow.org" in err.value.body
    assert "spec.parallelTrialCount" in err.value.body
    assert "should be less than or equal to spec.maxTrialCount" in err.value.body

    # A string where Katib's Go type has an int fails decoding.
    exp = make_experiment(_name("bad-type"), {})
    exp["spec"]["maxTrialCount"] = "6"
    with pytest.raises(ApiException) as err:
        api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, exp)
    assert err.value.status == 400


def test_validating_webhook_checks_updates(api, katib_webhooks):
    ns = katib_webhooks.namespace
    name = _name("update")
    api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, make_experiment(name, {}))
    # maxTrialCount is editable ...
    ok = api.patch_namespaced_custom_object(
        GROUP, VERSION, ns, PLURAL, name, {"spec": {"maxTrialCount": 10}}, _content_type=MERGE
    )
    assert ok["spec"]["maxTrialCount"] == 10
    # ... the objective is not.
    with pytest.raises(ApiException) as err:
        api.patch_namespaced_custom_object(
            GROUP,
            VERSION,
            ns,
            PLURAL,
            name,
            {"spec": {"objective": {"goal": 0.95}}},
            _content_type=MERGE,
        )
    assert err.value.status == 400
    assert (
        "only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable"
        in err.value.body
    )


def test_plain_namespace_is_not_behind_the_webhooks(api, apiserver, katib_webhooks):
    # The smoke-test namespace is not in the webhooks' namespaceSelector: no defaults there.
    exp = make_experiment(_name("plain"), {})
    del exp["spec"]["parallelTrialCount"]
    created = api.create_namespaced_custom_object(GROUP, VERSION, apiserver.namespace, PLURAL, exp)
    assert "parallelTrialCount" not in created["spec"]
    api.delete_namespaced_custom_object(
        GROUP, VERSION, apiserver.namespace, PLURAL, created["metadata"]["name"]
    )
