"""Argo CD objects that sync each team's folder of generated/: an AppProject (the team's
repository, namespaces and kinds) and an Application per team. Pure: teams in, files out.

Why each setting (the Katib reference sections are those of ../shared/katib/reference.md):

* Experiments live in Applications of their own, one per team: an HPO run is Progressing for
  hours (the Experiment health check in argocd-cm), and in an Application shared with other
  resources it would hold back every later sync wave; here it holds back nothing.
* Never prune: every revision is a new object `<name>-<revision>`; the old one is archived in
  reports/ and deleted by `katib-gitops reconcile --observe-only --prune`. So automated sync
  has `prune: false`, and the sync option `Prune=false` makes a manual sync skip pruning too.
  A manual sync that passes its own sync options replaces the Application's (Argo CD's
  server/application/application.go), so only the annotation
  `argocd.argoproj.io/sync-options: Prune=false` on each Experiment holds for every sync.
* Never delete on Application deletion: no `resources-finalizer.argocd.argoproj.io`, and the
  sync option `Delete=false`, which Argo CD reads from the Application when it deletes.
* Server-side apply: Katib's mutating webhook and its status and finalizer writes are other
  field managers; SSA leaves their fields alone (reference §2.1, §2.2). `selfHeal` is safe
  because the manifests already hold every default the webhook writes (reference §10.1).
* `ignoreDifferences` for what Katib writes: the `update-prometheus-metrics` finalizer and
  `status` (reference §2.2, §10.1). Not `RespectIgnoreDifferences=true`: our manifests hold
  neither field, and copying them into the apply would make Argo CD a co-owner of Katib's
  finalizer.
* `ApplyOutOfSyncOnly=true`: a sync does not re-send every unchanged experiment through
  Katib's webhooks; `FailOnSharedResource=true`: an object another Application tracks is an
  error, not a tug of war.
* Annotation tracking (`application.resourceTrackingMethod: annotation` in argocd-cm, the
  default since Argo CD 3.0): label tracking would put `app.kubernetes.io/instance` on the
  experiments, and Katib copies an experiment's labels onto every trial (reference §2.2).
"""

from __future__ import annotations

from typing import Any

from compiler.gitops.tenancy import OutputFile, Source, Team
from compiler.yamlout import dump

API = "argoproj.io/v1alpha1"
GROUP = "kubeflow.org"
TOOL = "argocd"
# What a team's folder may hold: Katib Experiments, and ConfigMaps for trial templates.
KINDS = ({"group": GROUP, "kind": "Experiment"}, {"group": "", "kind": "ConfigMap"})
SYNC_OPTIONS = (
    "ServerSideApply=true",
    "Prune=false",
    "Delete=false",
    "ApplyOutOfSyncOnly=true",
    "FailOnSharedResource=true",
)
IGNORED = ("/metadata/finalizers", "/status")  # written by Katib's controller
RETRY = {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}}
# In every file's header: why these objects look the way they do (details: this module).
COMMENT = (
    "# One Application per team, of Experiments only: a long HPO run is Progressing for hours\n"
    "# and holds back no other app's sync waves. Nothing is pruned or deleted: old revisions\n"
    "# are archived to reports/ and deleted by `katib-gitops reconcile --observe-only --prune`.\n"
)
NOTES = (
    "set `application.resourceTrackingMethod: annotation` in argocd-cm "
    "(deploy/argocd/argocd-cm.yaml; the default since Argo CD 3.0): label tracking would put "
    "app.kubernetes.io/instance on every trial",
)


def app_project(team: Team, source: Source, *, namespace: str, server: str) -> dict[str, Any]:
    """The team's repository, its namespaces on the server, Experiments and ConfigMaps only,
    and no cluster-scoped resources."""
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": {"name": team.object_name, "namespace": namespace},
        "spec": {
            "description": f"katib-gitops: the experiments of specs/{team.name}/ ({team.path}/)",
            "sourceRepos": [source.url],
            "destinations": [{"server": server, "namespace": ns} for ns in team.namespaces],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [dict(k) for k in KINDS],
        },
    }


def application(team: Team, source: Source, *, namespace: str, server: str) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "Application",
        # no resources-finalizer: deleting the Application never deletes experiments
        "metadata": {"name": team.object_name, "namespace": namespace},
        "spec": {
            "project": team.object_name,
            # kustomize: the team folder's kustomization.yaml adds our ownership metadata
            "source": {
                "repoURL": source.url,
                "targetRevision": source.revision,
                "path": team.path,
            },
            # the manifests name their namespaces; this one is checked against the project's
            "destination": {"server": server, "namespace": team.namespaces[0]},
            "syncPolicy": {
                "automated": {"prune": False, "selfHeal": True},
                "syncOptions": list(SYNC_OPTIONS),
                "retry": RETRY,
            },
            "ignoreDifferences": [
                {"group": GROUP, "kind": "Experiment", "jsonPointers": list(IGNORED)}
            ],
        },
    }


def argocd_files(
    teams: tuple[Team, ...], source: Source, *, namespace: str, server: str, header: str
) -> tuple[OutputFile, ...]:
    """`katib-<team>.yaml` (the AppProject, then the Application) per team, and a
    kustomization.yaml listing them, sorted by path."""
    files = []
    for team in teams:
        docs = [
            app_project(team, source, namespace=namespace, server=server),
            application(team, source, namespace=namespace, server=server),
        ]
        files.append(OutputFile(f"{team.object_name}.yaml", header + _stream(docs)))
    listing = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [f.path for f in files],
    }
    files.append(OutputFile("kustomization.yaml", header + dump(listing)))
    return tuple(sorted(files, key=lambda f: f.path))


def _stream(docs: list[dict[str, Any]]) -> str:
    return "---\n".join(dump(d) for d in docs)
