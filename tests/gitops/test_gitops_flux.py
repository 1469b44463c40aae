"""`katib-gitops gitops flux`: a GitRepository and, per team, a Kustomization (with the
ServiceAccount and Roles it runs as) for the repository's own policies/config.yaml and
generated/; bad input; every object accepted by a real kube-apiserver (server-side apply,
dryRun=All) with Flux's own CRDs from the source-controller and kustomize-controller Go
modules; and the Roles doing what the tenancy map says, tried as the team's ServiceAccount.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.cli import main
from compiler.commands.gitops import flux_objects
from compiler.gitops import flux
from compiler.gitops.flux_health import HEALTH_CHECK_EXPRS
from compiler.gitops.tenancy import FluxOptions, Source, Team
from tests.conftest import ROOT
from tests.gitops.test_gitops_argocd import (
    Api,
    by_kind,
    canonical,
    crds,
    ids,
    kept,
    kustomize_build,
    make_root,
    module_dir,
    objects,
    team_folders,
    tenancy_map,
)

URL = "https://github.com/example/katib-gitops.git"
SOURCE_MODULE = "github.com/fluxcd/source-controller@v1.9.6"  # the newest Go 1.26 downloads
KUSTOMIZE_MODULE = "github.com/fluxcd/kustomize-controller@v1.9.6"
CRD_DIR = Path("config") / "crd" / "bases"


@pytest.fixture(scope="module")
def flux_docs() -> list[dict[str, Any]]:
    return objects(flux_objects(ROOT, FluxOptions(URL)).stream())


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["gitops", "flux", *args])
    out, err = capsys.readouterr()
    return code, out, err


# --- the repository's own objects ----------------------------------------------------------------


def test_one_repository_and_one_kustomization_per_team(flux_docs: list[dict[str, Any]]) -> None:
    (repo,) = by_kind(flux_docs, "GitRepository").values()
    assert repo["metadata"] == {"name": "katib-gitops", "namespace": "flux-system"}
    assert repo["spec"] == {
        "interval": "1m",
        "url": URL,
        "ref": {"branch": "main"},
        "ignore": "/*\n!/generated/\n",  # the artifact holds generated/ only, not reports/
    }
    assert sorted(by_kind(flux_docs, "Kustomization")) == [f"katib-{t}" for t in team_folders()]


def test_kustomizations_never_prune_and_never_wait_for_a_run(
    flux_docs: list[dict[str, Any]],
) -> None:
    for name, k in by_kind(flux_docs, "Kustomization").items():
        team = name.removeprefix("katib-")
        spec = k["spec"]
        assert k["metadata"]["namespace"] == "flux-system"
        assert spec["sourceRef"] == {"kind": "GitRepository", "name": "katib-gitops"}
        assert spec["path"] == f"./generated/{team}"
        assert (ROOT / spec["path"] / "kustomization.yaml").is_file()
        assert "targetNamespace" not in spec  # the manifests name their namespaces
        assert spec["prune"] is False
        assert spec["deletionPolicy"] == "Orphan"
        assert spec["force"] is False
        # Succeeded is Current: waiting for it would hold the Kustomization for the whole run
        assert spec["wait"] is False
        assert "healthChecks" not in spec
        assert (spec["interval"], spec["timeout"]) == ("1m", "2m")
        # the expressions, for --wait
        assert spec["healthCheckExprs"] == list(HEALTH_CHECK_EXPRS)
        assert {e["kind"] for e in spec["healthCheckExprs"]} == {"Experiment"}
        assert all(e["current"] and e["failed"] for e in spec["healthCheckExprs"])
        assert spec["serviceAccountName"] == name


def test_each_team_may_touch_only_its_namespaces(flux_docs: list[dict[str, Any]]) -> None:
    teams = tenancy_map()
    roles = [d for d in flux_docs if d["kind"] == "Role"]
    bindings = [d for d in flux_docs if d["kind"] == "RoleBinding"]
    expected = sorted((f"katib-{t}", ns) for t in team_folders() for ns in teams[t])
    assert sorted((r["metadata"]["name"], r["metadata"]["namespace"]) for r in roles) == expected
    assert sorted((b["metadata"]["name"], b["metadata"]["namespace"]) for b in bindings) == (
        expected
    )
    for r in roles:
        assert {
            (g, res) for rule in r["rules"] for g in rule["apiGroups"] for res in rule["resources"]
        } == {
            ("kubeflow.org", "experiments"),
            ("", "configmaps"),
        }
        verbs = {v for rule in r["rules"] for v in rule["verbs"]}
        assert "delete" not in verbs and "deletecollection" not in verbs and "*" not in verbs
    for b in bindings:
        assert b["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": b["metadata"]["name"],
        }
        assert b["subjects"] == [
            {"kind": "ServiceAccount", "name": b["metadata"]["name"], "namespace": "flux-system"}
        ]
    accounts = by_kind(flux_docs, "ServiceAccount")
    assert sorted(accounts) == [f"katib-{t}" for t in team_folders()]
    assert {a["metadata"]["namespace"] for a in accounts.values()} == {"flux-system"}
    assert not {"ClusterRole", "ClusterRoleBinding"} & {d["kind"] for d in flux_docs}


def test_options_and_byte_stable_files(tmp_path: Path, capsys) -> None:
    args = ["--repo-url", "ssh://git@github.com/example/katib-gitops.git", "--root", str(ROOT)]
    args += ["--branch", "release", "--interval", "5m", "--timeout", "90s"]
    args += ["--namespace", "gitops", "--secret-ref", "katib-gitops-deploy-key"]
    assert cli(capsys, *args, "-o", str(tmp_path / "a"))[0] == 0
    assert cli(capsys, *args, "-o", str(tmp_path / "b"))[0] == 0
    a = {p.name: p.read_bytes() for p in sorted((tmp_path / "a").iterdir())}
    assert a == {p.name: p.read_bytes() for p in sorted((tmp_path / "b").iterdir())}
    assert sorted(a) == sorted(
        ["gitrepository.yaml", "kustomization.yaml", *(f"katib-{t}.yaml" for t in team_folders())]
    )
    repo = yaml.safe_load(a["gitrepository.yaml"])
    assert repo["metadata"]["namespace"] == "gitops"
    assert repo["spec"]["ref"] == {"branch": "release"}
    assert repo["spec"]["secretRef"] == {"name": "katib-gitops-deploy-key"}
    k = by_kind(objects(a["katib-nlp.yaml"].decode()), "Kustomization")["katib-nlp"]
    assert (k["spec"]["interval"], k["spec"]["timeout"]) == ("5m", "90s")
    assert a["katib-nlp.yaml"].decode().splitlines()[1] == (
        "# Regenerate with: katib-gitops gitops flux --repo-url "
        "ssh://git@github.com/example/katib-gitops.git --branch release --interval 5m "
        "--timeout 90s --namespace gitops --secret-ref katib-gitops-deploy-key"
    )
    listing = yaml.safe_load(a["kustomization.yaml"])
    assert listing["resources"] == sorted(n for n in a if n != "kustomization.yaml")


def test_wait_for_short_runs(capsys) -> None:
    code, out, err = cli(capsys, "--repo-url", URL, "--root", str(ROOT), "--wait")
    assert code == 0
    for k in by_kind(objects(out), "Kustomization").values():
        assert k["spec"]["wait"] is True
        assert k["spec"]["healthCheckExprs"] == list(HEALTH_CHECK_EXPRS)
    assert "--wait: each Kustomization is Ready only when every experiment has Succeeded" in err
    assert out.splitlines()[1] == (
        f"# Regenerate with: katib-gitops gitops flux --repo-url {URL} --wait"
    )


def test_the_folder_builds_with_kustomize_into_the_same_objects(
    tmp_path: Path, capsys, flux_docs
) -> None:
    assert cli(capsys, "--repo-url", URL, "--root", str(ROOT), "-o", str(tmp_path))[0] == 0
    built = kustomize_build(tmp_path)
    assert ids(built) == ids(flux_docs)
    assert canonical(built) == canonical(flux_docs)


def test_two_teams_sharing_a_namespace_get_a_role_each() -> None:
    source = Source(URL, "main", "generated")
    teams = (Team("a", ("shared",), "generated/a"), Team("b", ("shared", "b"), "generated/b"))
    files = flux.flux_files(
        teams,
        source,
        namespace="flux-system",
        interval="1m",
        timeout="2m",
        secret=None,
        wait=False,
        health=HEALTH_CHECK_EXPRS,
        header="",
    )
    ids = [
        (d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
        for f in files
        if f.path != "kustomization.yaml"
        for d in objects(f.text)
    ]
    # the repository; a: account, role, binding, kustomization; b: the same, with two roles
    assert len(ids) == len(set(ids)) == 1 + 4 + 6  # kustomize needs unique ids


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "git@github.com:example/katib-gitops.git",  # Argo CD takes it; Flux's CRD does not
        "ftp://github.com/example/katib-gitops.git",
        "https://oauth2:ghp_secret@github.com/example/katib-gitops.git",
    ],
)
def test_urls_flux_cannot_use(capsys, url: str) -> None:
    code, out, err = cli(capsys, "--repo-url", url, "--root", str(ROOT))
    assert (code, out) == (2, "")
    assert err.startswith("katib-gitops: --repo-url")
    assert "ghp_secret" not in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--interval", "1 minute"),
        ("--interval", "60"),
        ("--timeout", "2d"),
        ("--secret-ref", "Deploy_Key"),
        ("--branch", "feature..x"),
        ("--namespace", "flux system"),
    ],
)
def test_bad_options(capsys, option: str, value: str) -> None:
    code, out, err = cli(capsys, "--repo-url", URL, "--root", str(ROOT), option, value)
    assert (code, out) == (2, "")
    assert err.startswith(f"katib-gitops: {option} ")


def test_a_folder_the_tenancy_map_does_not_know(tmp_path: Path, capsys) -> None:
    root = make_root(tmp_path, {t: ns for t, ns in tenancy_map().items() if t != "demo"})
    out = tmp_path / "flux"
    code, _, err = cli(capsys, "--repo-url", URL, "--root", str(root), "-o", str(out))
    assert code == 2
    assert err.startswith("katib-gitops: generated/demo: INPUT folder 'demo' is not a team")
    assert not out.exists()


def test_output_into_a_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "flux.yaml"
    target.write_text("kind: List\n")
    code, _, err = cli(capsys, "--repo-url", URL, "--root", str(ROOT), "-o", str(target))
    assert code == 2
    assert "exists and is not a folder" in err
    assert target.read_text() == "kind: List\n"


def test_teams_without_a_folder_are_noted(tmp_path: Path, capsys) -> None:
    root = make_root(tmp_path, {**tenancy_map(), "speech": ["speech"]})
    code, out, err = cli(capsys, "--repo-url", URL, "--root", str(root))
    assert code == 0
    assert "note: team 'speech' has no folder in generated/" in err
    assert "katib-speech" not in out


# --- the real API server with Flux's CRDs ------------------------------------------------------


@pytest.fixture(scope="module")
def flux_api(apiserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    cwd = tmp_path_factory.mktemp("go")
    definitions = crds(
        module_dir(SOURCE_MODULE, cwd) / CRD_DIR, ["source.toolkit.fluxcd.io_gitrepositories.yaml"]
    ) + crds(
        module_dir(KUSTOMIZE_MODULE, cwd) / CRD_DIR,
        ["kustomize.toolkit.fluxcd.io_kustomizations.yaml"],
    )
    api = Api(apiserver)
    api.install_crds(definitions)
    api.namespaces(["flux-system", *sorted({ns for v in tenancy_map().values() for ns in v})])
    yield api


@pytest.mark.apiserver
def test_the_api_server_accepts_every_object(flux_api: Api, flux_docs) -> None:
    assert {d["kind"] for d in flux_docs} == {
        "GitRepository",
        "Kustomization",
        "ServiceAccount",
        "Role",
        "RoleBinding",
    }
    for obj in flux_docs:
        status, body = flux_api.apply(obj)
        assert status in (200, 201), (obj["kind"], obj["metadata"]["name"], body.get("message"))
        assert kept(obj, body), body  # nothing pruned or changed


@pytest.mark.apiserver
@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("Kustomization", "interval", "1 minute", "spec.interval"),
        ("Kustomization", "deletionPolicy", "Keep", "spec.deletionPolicy"),
        ("Kustomization", "pruneExperiments", False, "field not declared in schema"),
        ("GitRepository", "url", "git@github.com:example/x.git", "spec.url"),
    ],
)
def test_the_api_server_check_has_teeth(
    flux_api: Api, flux_docs, *, kind: str, field: str, value: Any, message: str
) -> None:
    obj = copy.deepcopy(next(d for d in flux_docs if d["kind"] == kind))
    obj["spec"][field] = value
    status, body = flux_api.apply(obj)
    assert status >= 400, body
    assert message in body["message"]


@pytest.mark.apiserver
def test_a_team_account_applies_its_experiments_and_nothing_else(flux_api: Api) -> None:
    """The Roles, created for real, tried as kustomize-controller would use them: impersonating
    the team's ServiceAccount."""
    suffix = uuid.uuid4().hex[:6]
    mine, theirs = f"gitops-a-{suffix}", f"gitops-b-{suffix}"
    flux_api.namespaces([mine, theirs])
    team = Team(f"a-{suffix}", (mine,), f"generated/a-{suffix}")
    other = Team(f"b-{suffix}", (theirs,), f"generated/b-{suffix}")
    files = flux.flux_files(
        (team, other),
        Source(URL, "main", "generated"),
        namespace="flux-system",
        interval="1m",
        timeout="2m",
        secret=None,
        wait=False,
        health=HEALTH_CHECK_EXPRS,
        header="",
    )
    for f in files:
        for obj in objects(f.text):
            if obj["kind"] in ("ServiceAccount", "Role", "RoleBinding"):
                flux_api.ensure(obj)
    user = f"system:serviceaccount:flux-system:{team.object_name}"
    experiment = yaml.safe_load((ROOT / "generated/demo/spirals/spirals.yaml").read_text())
    experiment["metadata"]["namespace"] = mine
    status, body = flux_api.apply(experiment, as_user=user)
    assert status in (200, 201), body  # server-side apply creates it (dry run)
    flux_api.ensure(experiment)  # for real, as the test's admin, to try a delete on
    path = flux_api.path(experiment)
    assert flux_api.request("GET", path, as_user=user)[0] == 200
    assert flux_api.request("GET", path.rsplit("/", 1)[0], as_user=user)[0] == 200  # list
    assert flux_api.request("DELETE", path + "?dryRun=All", as_user=user)[0] == 403
    elsewhere = {**experiment, "metadata": {**experiment["metadata"], "namespace": theirs}}
    status, body = flux_api.apply(elsewhere, as_user=user)
    assert status == 403, body
    denied = 'cannot patch resource "experiments" in API group "kubeflow.org" in the namespace'
    assert f'{denied} "{theirs}"' in body["message"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t", "namespace": mine}}
    assert flux_api.apply(cm, as_user=user)[0] in (200, 201)
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "t", "namespace": mine}}
    assert flux_api.apply(secret, as_user=user)[0] == 403
