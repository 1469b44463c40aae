"""`kustomize build deploy/base` (the real kustomize) and the overlays deploy/README.md shows:
what comes out, and that it is what the reconciler needs."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.helpers import (
    BASE,
    NAMESPACE,
    by_kind,
    kustomize_build,
    kustomize_run,
    one,
    overlays,
    pod_template,
    readme_files,
)

IMAGE = "ghcr.io/katib-gitops/katib-gitops"
EXPECTED = {
    ("Namespace", None, "katib-gitops"),
    ("ServiceAccount", NAMESPACE, "katib-gitops"),
    ("ClusterRole", None, "katib-gitops-observe"),
    ("ClusterRole", None, "katib-gitops-apply"),
    ("ClusterRole", None, "katib-gitops-retire"),
    ("ClusterRoleBinding", None, "katib-gitops-observe"),
    ("Role", "kubeflow", "katib-gitops-katib-config"),
    ("RoleBinding", "kubeflow", "katib-gitops-katib-config"),
    ("ConfigMap", NAMESPACE, "katib-gitops"),  # before kustomize's hash suffix
    ("Deployment", NAMESPACE, "katib-gitops"),
    ("Service", NAMESPACE, "katib-gitops-metrics"),
    ("NetworkPolicy", NAMESPACE, "katib-gitops"),
}


def _ref(obj: dict[str, Any]) -> tuple[str, str | None, str]:
    meta = obj["metadata"]
    name = meta["name"]
    if obj["kind"] == "ConfigMap":
        name = name.rsplit("-", 1)[0]
    return obj["kind"], meta.get("namespace"), name


def _container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (container,) = pod_template(objects)["spec"]["containers"]
    return container


def _flag(args: list[str], name: str) -> str:
    values = [a.split("=", 1)[1] for a in args if a.startswith(f"{name}=")]
    assert len(values) == 1, f"{name} given {len(values)} times in {args}"
    return values[0]


def test_the_base_has_exactly_the_reconcilers_objects(base_objects: list[dict[str, Any]]) -> None:
    assert {_ref(o) for o in base_objects} == EXPECTED
    assert len(base_objects) == len(EXPECTED)
    # the example Secret is not part of the kustomization: credentials are never committed
    assert not by_kind(base_objects, "Secret")
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert "secret.example.yaml" not in kustomization["resources"]
    assert (BASE / "secret.example.yaml").is_file()


def test_the_build_is_byte_stable(kustomize: Path) -> None:
    first = subprocess.run([str(kustomize), "build", str(BASE)], capture_output=True, check=True)
    again = subprocess.run([str(kustomize), "build", str(BASE)], capture_output=True, check=True)
    assert first.stdout == again.stdout


def test_the_image_is_this_releases(base_objects: list[dict[str, Any]]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert _container(base_objects)["image"] == f"{IMAGE}:{version}"


def test_the_deployment_runs_one_reconciler_that_finishes_its_pass(
    base_objects: list[dict[str, Any]],
) -> None:
    spec = one(base_objects, "Deployment")["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}  # never two reconcilers at once
    pod = spec["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] >= 60
    assert pod["serviceAccountName"] == "katib-gitops"
    assert pod["automountServiceAccountToken"] is True
    sa = one(base_objects, "ServiceAccount")
    assert sa["automountServiceAccountToken"] is False  # only this pod asks for a token
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()


def test_the_container_is_hardened_and_bounded(base_objects: list[dict[str, Any]]) -> None:
    c = _container(base_objects)
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    pod_sc = pod_template(base_objects)["spec"]["securityContext"]
    assert pod_sc["runAsNonRoot"] is True
    assert pod_sc["runAsUser"] > 0 and pod_sc["runAsGroup"] > 0
    assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}
    for section in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][section])


def test_the_probes_use_the_health_server(base_objects: list[dict[str, Any]]) -> None:
    c = _container(base_objects)
    (port,) = c["ports"]
    assert port["name"] == "http"
    assert f":{port['containerPort']}" == _flag(c["args"], "--listen")
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


def test_every_path_the_reconciler_writes_is_an_emptydir(
    base_objects: list[dict[str, Any]],
) -> None:
    c = _container(base_objects)
    volumes = {v["name"]: v for v in pod_template(base_objects)["spec"]["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in c["volumeMounts"]}
    repo = Path(_flag(c["args"], "--repo"))
    assert "emptyDir" in mounts[str(repo.parent)]
    assert "emptyDir" in mounts["/tmp"]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["HOME"].startswith("/tmp") and env["MPLCONFIGDIR"].startswith("/tmp")


def test_the_git_credentials_are_a_read_only_secret(base_objects: list[dict[str, Any]]) -> None:
    c = _container(base_objects)
    volumes = {v["name"]: v for v in pod_template(base_objects)["spec"]["volumes"]}
    path = _flag(c["args"], "--git-credentials")
    (mount,) = [m for m in c["volumeMounts"] if m["mountPath"] == path]
    assert mount["readOnly"] is True
    secret = volumes[mount["name"]]["secret"]
    assert secret["secretName"] == "katib-gitops-git"
    assert secret["defaultMode"] == 0o400
    example = yaml.safe_load((BASE / "secret.example.yaml").read_text())
    assert (example["kind"], example["metadata"]["name"]) == ("Secret", "katib-gitops-git")
    assert example["metadata"]["namespace"] == NAMESPACE


def test_the_arguments_come_from_the_generated_configmap(
    base_objects: list[dict[str, Any]],
) -> None:
    c = _container(base_objects)
    configmap = one(base_objects, "ConfigMap")
    env = {e["name"]: e for e in c["env"]}
    for flag, key in (("--clone-url", "clone-url"), ("--branch", "branch")):
        var = _flag(c["args"], flag).removeprefix("$(").removesuffix(")")
        ref = env[var]["valueFrom"]["configMapKeyRef"]
        assert ref == {"name": configmap["metadata"]["name"], "key": key}  # the hashed name
        assert configmap["data"][key]
    assert "--observe-only" in c["args"]  # the base binds only the observe role


def test_the_network_policy_covers_the_pod(base_objects: list[dict[str, Any]]) -> None:
    policy = one(base_objects, "NetworkPolicy")["spec"]
    labels = pod_template(base_objects)["metadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= labels.items()
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    (ingress,) = policy["ingress"]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    egress = {(p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"]}
    assert egress == {(53, "UDP"), (53, "TCP"), (443, "TCP"), (6443, "TCP"), (22, "TCP"),
                      (6789, "TCP")}  # fmt: skip
    service = one(base_objects, "Service")["spec"]
    assert service["selector"].items() <= labels.items()


def test_the_readme_overlays_build(kustomize: Path, tmp_path: Path) -> None:
    assert set(readme_files()) == {
        "overlays/observe/kustomization.yaml",
        "overlays/apply/kustomization.yaml",
        "overlays/apply/clusterrolebinding-apply.yaml",
        "overlays/retire/kustomization.yaml",
        "overlays/retire/clusterrolebinding-retire.yaml",
    }
    root = overlays(tmp_path)
    observe = kustomize_build(kustomize, root / "overlays/observe")
    data = one(observe, "ConfigMap")["data"]
    assert data["clone-url"] == "https://github.com/my-org/ml-experiments.git"
    applying = kustomize_build(kustomize, root / "overlays/apply")
    args = _container(applying)["args"]
    assert "--observe-only" not in args and "--prune" in args
    binding = one(applying, "ClusterRoleBinding", "katib-gitops-apply")
    assert binding["roleRef"]["name"] == "katib-gitops-apply"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "katib-gitops", "namespace": NAMESPACE}
    ]
    retiring = kustomize_build(kustomize, root / "overlays/retire")
    args = _container(retiring)["args"]
    assert "--observe-only" in args and args[-1] == "--prune"  # ArgoCD or Flux applies
    binding = one(retiring, "ClusterRoleBinding", "katib-gitops-retire")
    assert binding["roleRef"]["name"] == "katib-gitops-retire"


def test_the_apply_overlay_refuses_a_base_whose_arguments_moved(
    kustomize: Path, tmp_path: Path
) -> None:
    root = overlays(tmp_path)
    deployment = root / "base" / "deployment.yaml"
    text = deployment.read_text()
    deployment.write_text(text.replace("        - --watch\n", "        - --watch\n        - -v\n"))
    res = kustomize_run(kustomize, root / "overlays/apply")
    assert res.returncode != 0
    assert "test" in res.stderr.lower()


def test_the_deployment_and_the_image_use_flags_reconcile_knows(
    base_objects: list[dict[str, Any]], tmp_path: Path
) -> None:
    from compiler.cli import parser

    p = parser()
    sub = next(a for a in p._actions if a.dest == "command")
    reconcile = sub.choices["reconcile"]  # type: ignore[index]
    if not any("--watch" in a.option_strings for a in reconcile._actions):
        pytest.skip("`katib-gitops reconcile` has no options yet (being written)")
    env = {"KATIB_GITOPS_CLONE_URL": "https://git.example.com/x.git", "KATIB_GITOPS_BRANCH": "main"}
    args = [_expand(a, env) for a in _container(base_objects)["args"]]
    p.parse_args(args)  # exits 2 on an unknown flag or a bad value
    cmd = _dockerfile_cmd()
    p.parse_args(cmd)


def _expand(arg: str, env: dict[str, str]) -> str:
    """What the kubelet does with $(VAR) in args."""
    for name, value in env.items():
        arg = arg.replace(f"$({name})", value)
    return arg


def _dockerfile_cmd() -> list[str]:
    import json

    for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            return list(json.loads(line[4:]))
    raise AssertionError("no CMD in deploy/Dockerfile")


def test_kustomize_reports_a_broken_base(kustomize: Path, tmp_path: Path) -> None:
    """The build fails loudly (not silently dropping a resource) when a listed file is gone."""
    broken = tmp_path / "base"
    shutil.copytree(BASE, broken)
    (broken / "networkpolicy.yaml").unlink()
    res = kustomize_run(kustomize, broken)
    assert res.returncode != 0
    assert "networkpolicy.yaml" in res.stderr
