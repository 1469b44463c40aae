"""Argo CD and Flux as they sync generated/, for the end-to-end tests: the folders they are given
(read from the objects `katib-gitops gitops argocd|flux` writes), `kustomize build` of each with
the real kustomize (tools/kustomize), and a server-side apply of every object it gives, with the
tool's field manager and the metadata the tool adds, on the real API server. Nothing is ever
deleted, and an object the API server refuses is reported, not retried (a failed sync).

What each tool does, from its own code (read in the Go module cache):

* Argo CD (gitops-engine `pkg/sync/sync_context.go`, `pkg/utils/kube/resource_ops.go`; argo-cd
  `common/common.go`): with `ServerSideApply=true` it applies with field manager
  `argocd-controller`, and with annotation tracking it first sets
  `argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<namespace>/<name>`
  (`util/argo/resource_tracking.go`). It never deletes with `Prune=false`, and it recreates an
  object only with the `Replace=true`/`Force=true` sync options, which we never set.
* Flux (kustomize-controller `internal/controller/kustomization_controller.go`): field manager
  `kustomize-controller`, the owner labels `kustomize.toolkit.fluxcd.io/name` and `/namespace`
  on every object (`SetOwnerLabels`), a dry run before the apply, as the Kustomization's
  `serviceAccountName`; it recreates an object only with `force: true`, which we never set.

Both tools pass `force=true` for field-ownership conflicts (gitops-engine sets
`ForceConflicts = serverSideApply`; Flux's ssa applies with ForceOwnership). These tests apply
with `force=false`: stricter, since a conflict with Katib's or our reconciler's fields would
then fail the sync instead of being taken over silently.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from compiler.cluster.kinds import EXPERIMENT

URL = "https://git.example.com/platform/experiments.git"
APPLY = "application/apply-patch+yaml"
TRACKING = "argocd.argoproj.io/tracking-id"
FLUX_NAME = "kustomize.toolkit.fluxcd.io/name"
FLUX_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"


@dataclass(frozen=True)
class Tool:
    name: str  # argocd or flux
    manager: str  # its server-side apply field manager
    dry_run_first: bool


ARGOCD = Tool("argocd", "argocd-controller", dry_run_first=False)
FLUX = Tool("flux", "kustomize-controller", dry_run_first=True)
TOOLS = (ARGOCD, FLUX)


@dataclass(frozen=True)
class Source:
    """One Argo CD Application or Flux Kustomization: a team's folder of generated/."""

    tool: Tool
    name: str  # the Application's or Kustomization's name
    owner_namespace: str  # argocd / flux-system
    path: str  # generated/<team>, relative to the repository
    service_account: str = ""  # Flux applies as this ServiceAccount (in owner_namespace)

    @property
    def user(self) -> str:
        sa = self.service_account
        return f"system:serviceaccount:{self.owner_namespace}:{sa}" if sa else ""


@dataclass(frozen=True)
class Applied:
    """One object of a sync: the API server's answer."""

    namespace: str
    name: str
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))


def gitops_objects(root: Path, tool: Tool) -> list[dict[str, Any]]:
    """What `katib-gitops gitops <tool>` writes for the repository at `root` (a subprocess)."""
    proc = subprocess.run(
        [sys.executable, "-m", "compiler", "gitops", tool.name, "--repo-url", URL],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def sources(root: Path, tool: Tool) -> tuple[list[Source], list[dict[str, Any]]]:
    """The tool's sources and the other objects it needs (Flux: the teams' ServiceAccounts,
    Roles and RoleBindings). Checks the settings these tests rely on: never prune, never
    force, server-side apply."""
    objects = gitops_objects(root, tool)
    found: list[Source] = []
    rest: list[dict[str, Any]] = []
    for obj in objects:
        meta, spec = obj["metadata"], obj.get("spec") or {}
        if obj["kind"] == "Application":
            options = spec["syncPolicy"]["syncOptions"]
            assert {"ServerSideApply=true", "Prune=false", "Delete=false"} <= set(options)
            assert not any(o.startswith(("Replace=", "Force=")) for o in options), options
            assert spec["syncPolicy"]["automated"]["prune"] is False
            found.append(Source(tool, meta["name"], meta["namespace"], spec["source"]["path"]))
        elif obj["kind"] == "Kustomization":
            assert spec["prune"] is False and spec["force"] is False
            path = spec["path"].removeprefix("./")
            sa = spec["serviceAccountName"]
            found.append(Source(tool, meta["name"], meta["namespace"], path, sa))
        elif obj["kind"] in ("ServiceAccount", "Role", "RoleBinding"):
            rest.append(obj)
    assert found, f"`katib-gitops gitops {tool.name}` gave no source"
    return found, rest


def build(kustomize: Path, folder: Path) -> list[dict[str, Any]]:
    """`kustomize build <folder>`, as both tools run it, parsed."""
    proc = subprocess.run(
        [str(kustomize), "build", str(folder)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"kustomize build {folder}: {proc.stderr}"
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


class Api:
    """Raw requests to the test API server as its admin, or as a user (impersonation)."""

    def __init__(self, apiserver: Any) -> None:
        self.server = str(apiserver.server)
        self.token = str(apiserver.token)
        self.ctx = ssl.create_default_context(cafile=str(apiserver.ca_file))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        content_type: str = "application/json",
        user: str = "",
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        if user:
            headers["Impersonate-User"] = user
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        return status, (json.loads(raw) if raw else {})

    def apply(
        self,
        path: str,
        obj: dict[str, Any],
        *,
        manager: str,
        dry_run: bool = False,
        user: str = "",
    ) -> tuple[int, dict[str, Any]]:
        query = {"fieldManager": manager, "force": "false"} | ({"dryRun": "All"} if dry_run else {})
        return self.call("PATCH", f"{path}?{urlencode(query)}", obj, content_type=APPLY, user=user)


# the kinds `katib-gitops gitops flux` writes besides its Flux objects: kind → (prefix, plural)
_PATHS = {
    "Namespace": ("/api/v1", "namespaces"),
    "ServiceAccount": ("/api/v1", "serviceaccounts"),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles"),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
}


def install(api: Api, objects: list[dict[str, Any]]) -> None:
    """The namespaces and RBAC a tool needs, applied as the admin (a platform team's job)."""
    spaces = sorted({o["metadata"]["namespace"] for o in objects if o["metadata"].get("namespace")})
    todo = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in spaces]
    for obj in todo + objects:
        prefix, plural = _PATHS[obj["kind"]]
        meta = obj["metadata"]
        ns = f"/namespaces/{meta['namespace']}" if meta.get("namespace") else ""
        status, body = api.apply(
            f"{prefix}{ns}/{plural}/{meta['name']}", obj, manager="platform-admin"
        )
        assert status in (200, 201), body


def tool_metadata(source: Source, obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the tool sends it: with its tracking annotation or owner labels."""
    meta = dict(obj["metadata"])
    if source.tool is ARGOCD:
        group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
        value = f"{source.name}:{group}/{obj['kind']}:{meta.get('namespace', '')}/{meta['name']}"
        meta["annotations"] = {**(meta.get("annotations") or {}), TRACKING: value}
    else:
        flux = {FLUX_NAME: source.name, FLUX_NAMESPACE: source.owner_namespace}
        meta["labels"] = {**(meta.get("labels") or {}), **flux}
    return {**obj, "metadata": meta}


def sync(api: Api, kustomize: Path, checkout: Path, source: Source) -> list[Applied]:
    """One sync of `source` from the checkout: build, then apply every object; never delete."""
    out: list[Applied] = []
    for obj in build(kustomize, checkout / source.path):
        assert obj["kind"] == "Experiment", f"only experiments are expected here: {obj['kind']}"
        sent = tool_metadata(source, obj)
        ns, name = sent["metadata"]["namespace"], sent["metadata"]["name"]
        path = EXPERIMENT.path(ns, name)
        status, body = 200, dict[str, Any]()
        if source.tool.dry_run_first:
            status, body = api.apply(
                path, sent, manager=source.tool.manager, dry_run=True, user=source.user
            )
        if status in (200, 201):
            status, body = api.apply(path, sent, manager=source.tool.manager, user=source.user)
        out.append(Applied(ns, name, status, body))
    return out


def sync_all(api: Api, kustomize: Path, checkout: Path, tool: Tool) -> list[Applied]:
    """Every source of the tool, in order (Flux's RBAC installed first)."""
    found, needs = sources(checkout, tool)
    if needs:
        install(api, needs)
    return [a for s in found for a in sync(api, kustomize, checkout, s)]
