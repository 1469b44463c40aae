"""Our own policy engine on the reconciler's pod: the Deployment's pod template (as kustomize
builds it) wrapped as the trial Job of a synthetic Experiment, judged by the built-in pack's
pod-level rules (Pod Security "restricted", images, resources, run time). The experiment-level
rules (budgets, deadlines, tenancy, the cluster profile) are about experiments, not about
this pod, so they are left out by name; a weakened copy shows each rule still bites."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from compiler.model.codec import from_go
from compiler.model.diagnostics import Severity
from compiler.model.katib import Experiment
from compiler.model.source import Document
from compiler.policy.api import Context
from compiler.policy.builtin import RULES
from compiler.policy.engine import Ruleset, evaluate
from compiler.policy.subject import SpecInfo, build_subject
from tests.deploy.helpers import pod_template

POD_RULES = (
    "pss-privileged",
    "pss-privilege-escalation",
    "pss-capabilities",
    "pss-run-as-non-root",
    "pss-seccomp",
    "pss-host-namespaces",
    "pss-host-ports",
    "pss-host-path",
    "pss-volume-types",
    "images-registry",
    "images-tag",
    "resources-requests",
    "resources-limits",
    "runtime-secret-env",
    "runtime-pip-install",
)
PARAMS = {"images": {"registries": ["ghcr.io/katib-gitops"]}}
SOURCE = "deploy/base/deployment.yaml"


def _experiment(template: dict[str, Any]) -> dict[str, Any]:
    """The smallest Experiment whose trial is a Job running this pod template."""
    container = template["spec"]["containers"][0]["name"]
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "katib-gitops-pod", "namespace": "katib-gitops"},
        "spec": {
            "objective": {"type": "maximize", "objectiveMetricName": "unused"},
            "algorithm": {"algorithmName": "random"},
            "trialTemplate": {
                "primaryContainerName": container,
                "trialSpec": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "spec": {"template": template},
                },
            },
        },
    }


def _findings(template: dict[str, Any]) -> list[tuple[str, Severity, str]]:
    rules = tuple(r for r in RULES if r.id in POD_RULES)
    assert sorted(r.id for r in rules) == sorted(POD_RULES)  # a renamed rule fails here
    manifest = _experiment(template)
    subject = build_subject(
        manifest, from_go(Experiment, manifest), SpecInfo(SOURCE, "katib-gitops", "pod")
    )
    assert len(subject.pods) == 1 and subject.pods[0].containers
    ruleset = Ruleset(rules, Context(params=PARAMS))
    evaluation = evaluate(subject, Document(manifest, SOURCE), ruleset)
    return [(f.rule, f.diagnostic.severity, f.diagnostic.message) for f in evaluation.findings]


def test_the_reconcilers_pod_passes_the_pod_level_rules(
    base_objects: list[dict[str, Any]],
) -> None:
    found = _findings(pod_template(base_objects))
    assert [f for f in found if f[1] is Severity.ERROR] == []
    assert found == []  # no warnings either


def _container(t: dict[str, Any]) -> dict[str, Any]:
    return t["spec"]["containers"][0]


def _set_pod(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda t: t["spec"].__setitem__(key, value)


def _set_security(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda t: _container(t)["securityContext"].__setitem__(key, value)


def _both_seccomp(t: dict[str, Any]) -> None:
    t["spec"]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    _container(t)["securityContext"]["seccompProfile"] = {"type": "Unconfined"}


def _root(t: dict[str, Any]) -> None:
    t["spec"]["securityContext"]["runAsNonRoot"] = False
    _container(t)["securityContext"]["runAsNonRoot"] = False


def _host_path(t: dict[str, Any]) -> None:
    t["spec"]["volumes"].append({"name": "node", "hostPath": {"path": "/var/run"}})


def _image(ref: str) -> Callable[[dict[str, Any]], None]:
    return lambda t: _container(t).__setitem__("image", ref)


WEAKENED: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "privileged": (_set_security("privileged", True), "pss-privileged"),
    "escalation": (_set_security("allowPrivilegeEscalation", True), "pss-privilege-escalation"),
    "capabilities": (_set_security("capabilities", {"add": ["NET_ADMIN"]}), "pss-capabilities"),
    "root": (_root, "pss-run-as-non-root"),
    "seccomp": (_both_seccomp, "pss-seccomp"),
    "host-network": (_set_pod("hostNetwork", True), "pss-host-namespaces"),
    "host-path": (_host_path, "pss-host-path"),
    "latest": (_image("ghcr.io/katib-gitops/katib-gitops:latest"), "images-tag"),
    "registry": (_image("docker.io/library/python:3.11"), "images-registry"),
    "no-limits": (lambda t: _container(t)["resources"].pop("limits"), "resources-limits"),
    "literal-token": (
        lambda t: _container(t)["env"].append({"name": "GIT_TOKEN", "value": "ghp_" + "a" * 36}),
        "runtime-secret-env",
    ),
}


@pytest.mark.parametrize("weakness", sorted(WEAKENED))
def test_a_weakened_copy_fails_the_same_check(
    base_objects: list[dict[str, Any]], weakness: str
) -> None:
    weaken, rule = WEAKENED[weakness]
    template = copy.deepcopy(pod_template(base_objects))
    weaken(template)
    errors = {r for r, severity, _ in _findings(template) if severity is Severity.ERROR}
    assert rule in errors
