"""deploy/base on the real kube-apiserver: every object passes a server-side dry run, the pod
meets Pod Security "restricted" where it is enforced, and the roles allow what the reconciler
does and nothing more (checked by impersonating its ServiceAccount)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from tests.deploy.helpers import (
    NAMESPACE,
    SERVICE_ACCOUNT,
    Answer,
    apply,
    by_kind,
    call,
    object_path,
    one,
    pod_template,
    readme_files,
)

pytestmark = pytest.mark.apiserver

EXPERIMENTS = "/apis/kubeflow.org/v1beta1"
RBAC_KINDS = ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")


def _create(api: Any, obj: dict[str, Any]) -> None:
    answer = call(api, "POST", object_path(obj, named=False), obj)
    assert answer.status in (201, 409), answer.body


@pytest.fixture(scope="module")
def namespace(apiserver: Any, base_objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The base's Namespace, created for real (and Katib's namespace, as an install has it)."""
    ns = one(base_objects, "Namespace")
    _create(apiserver, ns)
    _create(apiserver, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}})
    live = call(apiserver, "GET", object_path(ns))
    assert live.status == 200
    return live.body


def test_every_object_passes_a_server_side_dry_run(
    apiserver: Any, base_objects: list[dict[str, Any]], namespace: dict[str, Any]
) -> None:
    answers = {
        f"{o['kind']}/{o['metadata']['name']}": apply(apiserver, o, dry_run=True)
        for o in base_objects
        if o["kind"] != "Namespace"
    }
    assert len(answers) == len(base_objects) - 1
    refused = {ref: (a.status, a.body.get("message")) for ref, a in answers.items()
               if a.status not in (200, 201)}  # fmt: skip
    assert refused == {}
    assert {ref: a.warnings for ref, a in answers.items() if a.warnings} == {}


def _pod(template: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": template["metadata"]["labels"],
        },
        "spec": template["spec"],
    }


def _weakened(template: dict[str, Any]) -> dict[str, Any]:
    """Privilege escalation allowed. (Not `privileged: true`: this API server, like many,
    runs without --allow-privileged, so validation would refuse it before Pod Security.)"""
    weak = copy.deepcopy(template)
    weak["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    return weak


def test_the_pod_meets_pod_security_restricted_where_it_is_enforced(
    apiserver: Any, base_objects: list[dict[str, Any]], namespace: dict[str, Any]
) -> None:
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    template = pod_template(base_objects)
    pod = call(apiserver, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods?dryRun=All",
               _pod(template, "katib-gitops-pss"))  # fmt: skip
    assert pod.status == 201, pod.body.get("message")
    assert pod.warnings == ()
    deployment = apply(apiserver, one(base_objects, "Deployment"), dry_run=True)
    assert deployment.status in (200, 201)
    assert not [w for w in deployment.warnings if "PodSecurity" in w]


def test_a_weakened_pod_is_refused_so_the_check_can_fail(
    apiserver: Any, base_objects: list[dict[str, Any]], namespace: dict[str, Any]
) -> None:
    weak = _weakened(pod_template(base_objects))
    pod = call(apiserver, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods?dryRun=All",
               _pod(weak, "katib-gitops-weak"))  # fmt: skip
    assert pod.status == 403
    assert 'violates PodSecurity "restricted' in pod.body["message"]
    assert "allowPrivilegeEscalation != false" in pod.body["message"]
    deployment = copy.deepcopy(one(base_objects, "Deployment"))
    deployment["spec"]["template"] = weak
    answer = apply(apiserver, deployment, dry_run=True)
    assert answer.status in (200, 201)  # workloads are warned about, their pods refused
    assert any('would violate PodSecurity "restricted' in w for w in answer.warnings)


# --- RBAC, by impersonating the ServiceAccount ------------------------------------------------


@pytest.fixture(scope="module")
def observe_rbac(
    apiserver: Any, base_objects: list[dict[str, Any]], namespace: dict[str, Any]
) -> None:
    """The base's ServiceAccount, roles and bindings, applied for real."""
    for kind in RBAC_KINDS:
        for obj in by_kind(base_objects, kind):
            answer = apply(apiserver, obj, dry_run=False)
            assert answer.status in (200, 201), answer.body
    # the RBAC authorizer learns of new bindings through a watch: wait for it
    _eventually(lambda: _as_sa(apiserver, "GET", f"{EXPERIMENTS}/experiments").status == 200)


def _as_sa(api: Any, method: str, path: str, body: Any = None, **kw: Any) -> Answer:
    return call(api, method, path, body, user=SERVICE_ACCOUNT, **kw)


def _allowed(api: Any, verb: str, resource: str, namespace: str = "", group: str = "", **kw: str):
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {
            "resourceAttributes": {
                "verb": verb,
                "resource": resource,
                "group": group,
                "namespace": namespace,
                **kw,
            }
        },
    }
    answer = _as_sa(api, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
    assert answer.status == 201, answer.body
    return answer.body["status"].get("allowed", False)


def _eventually(check: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "RBAC did not converge"
        time.sleep(0.1)


def _delete_experiment(api: Any) -> int:
    """A delete of an experiment that does not exist: 404 when allowed, 403 when not."""
    path = f"{EXPERIMENTS}/namespaces/{api.namespace}/experiments/katib-gitops-rbac-probe"
    return _as_sa(api, "DELETE", path).status


def _never_allowed(api: Any) -> dict[str, bool]:
    """What neither role may do: read Secrets anywhere, escalate, bind, impersonate."""
    checks = {
        "get secrets katib-gitops": ("get", "secrets", NAMESPACE, ""),
        "list secrets (all)": ("list", "secrets", "", ""),
        "watch secrets kubeflow": ("watch", "secrets", "kubeflow", ""),
        "escalate clusterroles": ("escalate", "clusterroles", "", "rbac.authorization.k8s.io"),
        "bind clusterroles": ("bind", "clusterroles", "", "rbac.authorization.k8s.io"),
        "impersonate users": ("impersonate", "users", "", ""),
        "impersonate serviceaccounts": ("impersonate", "serviceaccounts", NAMESPACE, ""),
        "create pods": ("create", "pods", api.namespace, ""),
        "create serviceaccounts/token": ("create", "serviceaccounts", NAMESPACE, ""),
        "deletecollection experiments": ("deletecollection", "experiments", "", "kubeflow.org"),
        "delete configmaps": ("delete", "configmaps", api.namespace, ""),
        "update experiments/status": ("update", "experiments", "", "kubeflow.org"),
    }
    return {name: _allowed(api, *args) for name, args in checks.items() if _allowed(api, *args)}


def test_the_observe_role_lists_but_cannot_delete(apiserver: Any, observe_rbac: None) -> None:
    ns = apiserver.namespace
    assert _as_sa(apiserver, "GET", f"{EXPERIMENTS}/experiments").status == 200
    assert _as_sa(apiserver, "GET", f"{EXPERIMENTS}/namespaces/{ns}/trials").status == 200
    assert _as_sa(apiserver, "GET", "/api/v1/namespaces").status == 200
    for resource, group in (("experiments", "kubeflow.org"), ("trials", "kubeflow.org"),
                            ("namespaces", "")):  # fmt: skip
        assert _allowed(apiserver, "watch", resource, "", group)  # the reconciler's informers
    assert _delete_experiment(apiserver) == 403
    configmaps = "/api/v1/namespaces/kubeflow/configmaps"
    # katib-config by name (200, or 404 before Katib is installed), and nothing else there
    assert _as_sa(apiserver, "GET", f"{configmaps}/katib-config").status in (200, 404)
    assert _as_sa(apiserver, "GET", f"{configmaps}/other").status == 403
    assert _as_sa(apiserver, "GET", configmaps).status == 403
    assert _as_sa(apiserver, "GET", f"/api/v1/namespaces/{NAMESPACE}/secrets").status == 403
    assert not _allowed(apiserver, "patch", "experiments", ns, "kubeflow.org")
    assert not _allowed(apiserver, "create", "configmaps", ns)
    assert _never_allowed(apiserver) == {}


@pytest.fixture
def apply_binding(apiserver: Any, observe_rbac: None) -> Iterator[None]:
    """The README's apply ClusterRoleBinding, applied for real, removed afterwards."""
    binding = yaml.safe_load(readme_files()["overlays/apply/clusterrolebinding-apply.yaml"])
    assert apply(apiserver, binding, dry_run=False).status in (200, 201)
    _eventually(lambda: _delete_experiment(apiserver) == 404)
    try:
        yield
    finally:
        call(apiserver, "DELETE", object_path(binding))
        _eventually(lambda: _delete_experiment(apiserver) == 403)


def test_the_apply_role_may_apply_and_retire(apiserver: Any, apply_binding: None) -> None:
    ns = apiserver.namespace
    assert _delete_experiment(apiserver) == 404  # allowed: it just is not there
    template = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "katib-gitops-rbac-template", "namespace": ns},
        "data": {"job.yaml": "apiVersion: batch/v1\nkind: Job\n"},
    }
    answer = apply(apiserver, template, dry_run=True, user=SERVICE_ACCOUNT)
    assert answer.status in (200, 201), answer.body
    assert _allowed(apiserver, "patch", "experiments", ns, "kubeflow.org")
    assert _allowed(apiserver, "create", "experiments", ns, "kubeflow.org")
    assert not _allowed(apiserver, "get", "configmaps", ns)  # applies templates, reads none
    assert _never_allowed(apiserver) == {}
