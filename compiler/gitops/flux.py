"""Flux objects that sync each team's folder of generated/: one GitRepository for the
repository, and per team a Kustomization with a ServiceAccount it runs as, bound in each of
the team's namespaces to a Role for Experiments and ConfigMaps. Pure: teams in, files out.

Why each setting (Katib reference sections: ../shared/katib/reference.md):

* `prune: false` on the Kustomization rather than `prune: true` and the per-object opt-out
  `kustomize.toolkit.fluxcd.io/prune: disabled`: every revision is a new object
  `<name>-<revision>`, and an old one must stay until its results are archived in reports/ and
  `katib-gitops reconcile --observe-only --prune` deletes it. With the opt-out, one object
  without the annotation (a hand edit, a future kind) would be a run deleted with its trials;
  with `prune: false` nothing here ever deletes. `deletionPolicy: Orphan` keeps the
  experiments when the Kustomization itself is deleted, and `force: false` never
  re-creates an experiment Katib refuses to change in place (reference §3.3).
* Server-side apply is how kustomize-controller applies; Katib's webhook defaults, status and
  finalizer belong to other field managers and are left alone (reference §2.1, §2.2).
* Health: `healthCheckExprs` (compiler.gitops.flux_health) say what an Experiment's
  conditions mean (reference §7.1): Succeeded is Current, Failed is Failed, anything else
  (Created, Running) is InProgress, as Argo CD's health check says. kustomize-controller
  evaluates them only with `wait: true` or `healthChecks` (checkHealth returns at once
  otherwise), and then waits up to `timeout` on every reconcile for every experiment to be
  Current: an HPO run of hours would keep the Kustomization not Ready, with a
  HealthCheckFailed error every `timeout`, for the whole run. So `wait: false` by default:
  Flux applies and is Ready, and the runs are followed by Katib, the reconciler and reports/;
  the expressions are there for `--wait` (`wait: true`), for clusters whose runs are short (CI,
  smoke tests), where Ready then means every experiment succeeded within `timeout`.
  `healthChecks` would have to name every revision's object, so it is not used.
* Tenancy: `serviceAccountName` makes kustomize-controller act as the team's ServiceAccount,
  which may touch Experiments and ConfigMaps in the team's namespaces only, so a folder cannot
  reach another team's namespace (Argo CD's AppProject does the same). No `delete` verb: Flux
  never deletes here.
* The GitRepository's artifact holds generated/ only (`ignore`): the reports our reconciler
  commits back do not grow it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compiler.gitops.tenancy import OutputFile, Source, Team
from compiler.yamlout import dump

SOURCE_API = "source.toolkit.fluxcd.io/v1"
KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"
RBAC_API = "rbac.authorization.k8s.io/v1"
TOOL = "flux"
REPOSITORY = "katib-gitops"  # the GitRepository's name
# patch: server-side apply; create: an apply that creates (the API server checks both);
# get, list, watch: drift detection and --wait's health checks. No delete: Flux never deletes.
VERBS = ("get", "list", "watch", "create", "patch")
RULES = (("kubeflow.org", "experiments"), ("", "configmaps"))
# In every file's header: why these objects look the way they do (details: this module).
COMMENT = (
    "# A Kustomization per team, as the team's ServiceAccount. Nothing is pruned or deleted:\n"
    "# old revisions are archived to reports/ and deleted by `katib-gitops reconcile\n"
    "# --observe-only --prune`. No wait by default: an experiment is healthy once it Succeeded.\n"
)
WAIT_NOTE = (
    "--wait: each Kustomization is Ready only when every experiment has Succeeded; until then "
    "kustomize-controller waits --timeout on every reconcile and reports HealthCheckFailed"
)
NOTES = (
    "each Kustomization runs as its team's ServiceAccount (impersonation: kustomize-controller "
    "needs the `impersonate` verb, which Flux's default cluster-admin binding gives it)",
)


def git_repository(
    source: Source, *, namespace: str, interval: str, secret: str | None
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": interval,
        "url": source.url,
        "ref": {"branch": source.revision},
        "ignore": f"/*\n!/{source.path}/\n",
    }
    if secret:
        spec["secretRef"] = {"name": secret}
    return {
        "apiVersion": SOURCE_API,
        "kind": "GitRepository",
        "metadata": {"name": REPOSITORY, "namespace": namespace},
        "spec": spec,
    }


def kustomization(
    team: Team,
    *,
    namespace: str,
    interval: str,
    timeout: str,
    wait: bool,
    health: Sequence[Mapping[str, str]],
) -> dict[str, Any]:
    return {
        "apiVersion": KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": {"name": team.object_name, "namespace": namespace},
        "spec": {
            "interval": interval,
            "timeout": timeout,
            "sourceRef": {"kind": "GitRepository", "name": REPOSITORY},
            "path": f"./{team.path}",
            # no targetNamespace: each manifest names its namespace
            "serviceAccountName": team.object_name,
            "prune": False,
            "deletionPolicy": "Orphan",
            "force": False,
            "wait": wait,
            "healthCheckExprs": [dict(h) for h in health],
        },
    }


def service_account(team: Team, *, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": team.object_name, "namespace": namespace},
    }


def role(team: Team, team_namespace: str) -> dict[str, Any]:
    """Named after the team: two teams may share a namespace, each with its own Role."""
    return {
        "apiVersion": RBAC_API,
        "kind": "Role",
        "metadata": {"name": team.object_name, "namespace": team_namespace},
        "rules": [
            {"apiGroups": [group], "resources": [resource], "verbs": list(VERBS)}
            for group, resource in RULES
        ],
    }


def role_binding(team: Team, team_namespace: str, *, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API,
        "kind": "RoleBinding",
        "metadata": {"name": team.object_name, "namespace": team_namespace},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": team.object_name,
        },
        "subjects": [{"kind": "ServiceAccount", "name": team.object_name, "namespace": namespace}],
    }


def flux_files(
    teams: tuple[Team, ...],
    source: Source,
    *,
    namespace: str,
    interval: str,
    timeout: str,
    secret: str | None,
    wait: bool,
    health: Sequence[Mapping[str, str]],
    header: str,
) -> tuple[OutputFile, ...]:
    """`gitrepository.yaml`, `katib-<team>.yaml` per team (ServiceAccount, Roles,
    RoleBindings, Kustomization) and a kustomization.yaml listing them, sorted by path."""
    repo = git_repository(source, namespace=namespace, interval=interval, secret=secret)
    files = [OutputFile("gitrepository.yaml", header + dump(repo))]
    for team in teams:
        docs = [service_account(team, namespace=namespace)]
        for ns in team.namespaces:
            docs += [role(team, ns), role_binding(team, ns, namespace=namespace)]
        docs.append(
            kustomization(
                team,
                namespace=namespace,
                interval=interval,
                timeout=timeout,
                wait=wait,
                health=health,
            )
        )
        files.append(OutputFile(f"{team.object_name}.yaml", header + _stream(docs)))
    listing = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(f.path for f in files),
    }
    files.append(OutputFile("kustomization.yaml", header + dump(listing)))
    return tuple(sorted(files, key=lambda f: f.path))


def _stream(docs: list[dict[str, Any]]) -> str:
    return "---\n".join(dump(d) for d in docs)
