"""The reconciler's roles, as kustomize builds them: least privilege, read statically.
(`test_apiserver.py` checks the same roles on the real API server, by impersonation.)"""

from __future__ import annotations

from typing import Any

from tests.deploy.helpers import NAMESPACE, by_kind, one

SUBJECT = {"kind": "ServiceAccount", "name": "katib-gitops", "namespace": NAMESPACE}
DANGEROUS_VERBS = {"escalate", "bind", "impersonate", "*"}
READ = {"get", "list", "watch"}


def _roles(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return by_kind(objects, "ClusterRole") + by_kind(objects, "Role")


def _grants(role: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) for every combination a role's rules allow."""
    return {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule.get("apiGroups", [])
        for resource in rule.get("resources", [])
        for verb in rule["verbs"]
    }


def test_no_role_has_a_wildcard_secrets_or_a_dangerous_verb(
    base_objects: list[dict[str, Any]],
) -> None:
    roles = _roles(base_objects)
    assert len(roles) == 4  # observe, katib-config, retire, apply
    for role in roles:
        name = role["metadata"]["name"]
        for rule in role["rules"]:
            assert "nonResourceURLs" not in rule, name
            for key in ("apiGroups", "resources", "verbs", "resourceNames"):
                assert "*" not in rule.get(key, []), f"{name}: * in {key}"
            assert not DANGEROUS_VERBS & set(rule["verbs"]), name
            assert not {"secrets", "pods/exec", "serviceaccounts/token"} & set(rule["resources"])
            assert not any(r.startswith("secrets") for r in rule["resources"]), name


def test_the_observe_role_only_reads_experiments_trials_and_namespaces(
    base_objects: list[dict[str, Any]],
) -> None:
    grants = _grants(one(base_objects, "ClusterRole", "katib-gitops-observe"))
    assert {verb for _, _, verb in grants} <= READ
    assert {(g, r) for g, r, _ in grants} == {
        ("kubeflow.org", "experiments"),
        ("kubeflow.org", "trials"),
        ("", "namespaces"),
    }


def test_katib_config_is_read_by_name_in_katibs_namespace(
    base_objects: list[dict[str, Any]],
) -> None:
    role = one(base_objects, "Role", "katib-gitops-katib-config")
    assert role["metadata"]["namespace"] == "kubeflow"  # reference §0 item 6: katib-config's home
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "resourceNames": ["katib-config"],
            "verbs": ["get"],
        }
    ]
    binding = one(base_objects, "RoleBinding", "katib-gitops-katib-config")
    assert binding["metadata"]["namespace"] == "kubeflow"
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "katib-gitops-katib-config",
    }
    assert binding["subjects"] == [SUBJECT]


def test_the_apply_role_adds_only_applying_and_retiring(
    base_objects: list[dict[str, Any]],
) -> None:
    observe = _grants(one(base_objects, "ClusterRole", "katib-gitops-observe"))
    applying = _grants(one(base_objects, "ClusterRole", "katib-gitops-apply"))
    assert observe <= applying  # bound alone, it is enough
    assert applying - observe == {
        ("kubeflow.org", "experiments", "create"),
        ("kubeflow.org", "experiments", "patch"),
        ("kubeflow.org", "experiments", "delete"),
        ("", "configmaps", "create"),
        ("", "configmaps", "patch"),
    }


def test_the_retire_role_adds_only_deleting_experiments(
    base_objects: list[dict[str, Any]],
) -> None:
    retire = _grants(one(base_objects, "ClusterRole", "katib-gitops-retire"))
    assert retire == {("kubeflow.org", "experiments", "delete")}


def test_the_base_binds_observe_and_not_apply(base_objects: list[dict[str, Any]]) -> None:
    bindings = by_kind(base_objects, "ClusterRoleBinding")
    assert [b["roleRef"]["name"] for b in bindings] == ["katib-gitops-observe"]
    assert bindings[0]["subjects"] == [SUBJECT]
    assert not by_kind(base_objects, "Secret")
