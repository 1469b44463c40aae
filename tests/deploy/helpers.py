"""Helpers for the tests of deploy/: `kustomize build`, the README's overlays written
out beside a copy of the base, and a REST call to the real API server that also returns the
`Warning` headers and can impersonate a user."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "base"
README = DEPLOY / "README.md"
NAMESPACE = "katib-gitops"
SERVICE_ACCOUNT = f"system:serviceaccount:{NAMESPACE}:katib-gitops"
APPLY = "application/apply-patch+yaml"

# kind -> (API path prefix, plural); the kinds deploy/ ships
PATHS = {
    "Namespace": ("/api/v1", "namespaces"),
    "ServiceAccount": ("/api/v1", "serviceaccounts"),
    "ConfigMap": ("/api/v1", "configmaps"),
    "Service": ("/api/v1", "services"),
    "Secret": ("/api/v1", "secrets"),
    "Pod": ("/api/v1", "pods"),
    "Deployment": ("/apis/apps/v1", "deployments"),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies"),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles"),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings"),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles"),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
}


def object_path(obj: dict[str, Any], *, named: bool = True) -> str:
    prefix, plural = PATHS[obj["kind"]]
    meta = obj["metadata"]
    ns = f"/namespaces/{meta['namespace']}" if meta.get("namespace") else ""
    return f"{prefix}{ns}/{plural}" + (f"/{meta['name']}" if named else "")


def kustomize_run(kustomize: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(kustomize), "build", str(folder)], capture_output=True, text=True, check=False
    )


def kustomize_build(kustomize: Path, folder: Path) -> list[dict[str, Any]]:
    res = kustomize_run(kustomize, folder)
    assert res.returncode == 0, f"kustomize build {folder} failed:\n{res.stderr}"
    return [d for d in yaml.safe_load_all(res.stdout) if d]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [o for o in by_kind(objects, kind) if name is None or o["metadata"]["name"] == name]
    assert len(found) == 1, f"want one {kind} {name or ''}, found {len(found)}"
    return found[0]


_TESTED = re.compile(r"<!-- tested: (\S+) -->\s*```yaml\n(.*?)```", re.S)


def readme_files() -> dict[str, str]:
    """The files deploy/README.md shows (each after a `<!-- tested: path -->` marker)."""
    return dict(_TESTED.findall(README.read_text()))


def overlays(tmp: Path) -> Path:
    """A copy of deploy/base with the README's overlays beside it: `tmp/deploy`."""
    root = tmp / "deploy"
    shutil.copytree(BASE, root / "base")
    for rel, text in readme_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def pod_template(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "Deployment", "katib-gitops")["spec"]["template"]


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    warnings: tuple[str, ...]


def call(
    api: Any,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    user: str | None = None,
) -> Answer:
    """One request as the admin, or as `user` through impersonation (`Impersonate-User`)."""
    headers = {"Authorization": f"Bearer {api.token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    if user:
        headers["Impersonate-User"] = user
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api.server + path, data=data, method=method, headers=headers)
    ctx = ssl.create_default_context(cafile=str(api.ca_file))
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
            status, raw, got = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as e:
        status, raw, got = e.code, e.read(), e.headers
    warnings = tuple(_warning_text(w) for w in got.get_all("Warning") or ())
    return Answer(status, json.loads(raw) if raw else {}, warnings)


_WARNING = re.compile(r'^\d{3} \S+ "((?:[^"\\]|\\.)*)"')


def _warning_text(header: str) -> str:
    """RFC 7234 `299 - "text"` (quotes and backslashes escaped) -> text."""
    m = _WARNING.match(header)
    return re.sub(r"\\(.)", r"\1", m.group(1)) if m else header


def apply(api: Any, obj: dict[str, Any], *, dry_run: bool, user: str | None = None) -> Answer:
    """Server-side apply with the reconciler's field manager (dryRun=All when asked)."""
    query = "?fieldManager=katib-gitops&force=true" + ("&dryRun=All" if dry_run else "")
    return call(api, "PATCH", object_path(obj) + query, obj, content_type=APPLY, user=user)
