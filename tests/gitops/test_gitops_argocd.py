"""`katib-gitops gitops argocd`: AppProjects and Applications for the repository's own
policies/config.yaml and generated/, bad input, and every object accepted by a real
kube-apiserver (server-side apply, dryRun=All, strict field validation) with Argo CD's own CRDs,
read at test time from the argo-cd Go module.

The helpers for the Go module CRDs and the dry-run are shared with test_gitops_flux.py.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.cli import main
from compiler.commands.gitops import argocd_objects
from compiler.errors import UsageError
from compiler.gitops.tenancy import ArgoOptions, repo_url
from tests.conftest import ROOT, require_go

URL = "https://github.com/example/katib-gitops.git"
ARGOCD_MODULE = "github.com/argoproj/argo-cd/v3@v3.5.8"  # the newest v3 that Go 1.26 downloads
ARGOCD_CRDS = ("application-crd.yaml", "appproject-crd.yaml")
FIELD_MANAGER = "katib-gitops-test"


# --- helpers (also used by test_gitops_flux.py) ------------------------------------------------


def tenancy_map() -> dict[str, list[str]]:
    """The repository's own tenancy map, read here independently of the command."""
    config = yaml.safe_load((ROOT / "policies" / "config.yaml").read_text())
    return config["parameters"]["tenancy"]["teams"]


def team_folders() -> list[str]:
    gen = ROOT / "generated"
    return sorted(p.parent.name for p in gen.glob("*/kustomization.yaml"))


def objects(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def by_kind(docs: Iterable[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def make_root(tmp: Path, teams: dict[str, list[str]] | None = None) -> Path:
    """A repository with the real generated/ and a config.yaml with `teams` as tenancy map
    (None: the repository's own config.yaml)."""
    shutil.copytree(ROOT / "generated", tmp / "generated")
    if teams is None:
        shutil.copytree(ROOT / "policies", tmp / "policies")
    else:
        (tmp / "policies").mkdir()
        config = {"parameters": {"tenancy": {"teams": teams}}} if teams else {"rules": {}}
        (tmp / "policies" / "config.yaml").write_text(yaml.safe_dump(config))
    return tmp


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def kept(sent: Any, stored: Any) -> bool:
    """Everything sent is stored as sent (the server may add defaults beside it)."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(
            k in stored and kept(v, stored[k]) for k, v in sent.items()
        )
    return bool(sent == stored)


def kustomize_build(folder: Path) -> list[dict[str, Any]]:
    """`kustomize build` with the real kustomize (tools/kustomize, built from its Go module)."""
    require_go()
    from tools.kustomize.build import kustomize_binary

    res = subprocess.run(
        [str(kustomize_binary()), "build", str(folder)], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stderr
    return objects(res.stdout)


def canonical(docs: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(d, sort_keys=True) for d in docs)


def ids(docs: Iterable[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted(
        (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in docs
    )


def module_dir(module: str, cwd: Path) -> Path:
    """A Go module's folder in the module cache (read-only), downloaded if needed."""
    go = require_go()
    res = subprocess.run(
        [go, "mod", "download", "-json", module],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,  # the JSON error is reported below
    )
    info = json.loads(res.stdout or "{}")
    if res.returncode != 0 or not info.get("Dir"):
        pytest.fail(f"go mod download {module}: {info.get('Error') or res.stderr}", False)
    return Path(info["Dir"])


def crds(folder: Path, names: Iterable[str]) -> list[dict[str, Any]]:
    return [yaml.safe_load((folder / name).read_text()) for name in names]


class Api:
    """Server-side apply with dryRun=All and strict field validation, optionally as another
    user (impersonation), through the test API server's REST endpoint."""

    PLURALS: ClassVar[dict[str, str]] = {
        "AppProject": "appprojects",
        "Application": "applications",
        "GitRepository": "gitrepositories",
        "Kustomization": "kustomizations",
        "ServiceAccount": "serviceaccounts",
        "Role": "roles",
        "RoleBinding": "rolebindings",
        "Experiment": "experiments",
        "ConfigMap": "configmaps",
        "Secret": "secrets",
        "Namespace": "namespaces",
    }

    def __init__(self, apiserver: Any) -> None:
        self.server = apiserver.server
        self.token = apiserver.token
        self.ctx = ssl.create_default_context(cafile=str(apiserver.ca_file))

    def path(self, obj: dict[str, Any]) -> str:
        group_version = obj["apiVersion"]
        base = f"/api/{group_version}" if "/" not in group_version else f"/apis/{group_version}"
        ns = obj["metadata"].get("namespace")
        scope = f"/namespaces/{ns}" if ns else ""
        return f"{base}{scope}/{self.PLURALS[obj['kind']]}/{obj['metadata']['name']}"

    def request(
        self, method: str, path: str, body: Any = None, as_user: str = "", **headers: str
    ) -> tuple[int, dict[str, Any]]:
        req = urllib.request.Request(
            self.server + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
        )
        for k, v in headers.items():
            req.add_header(k.replace("_", "-"), v)
        if as_user:
            req.add_header("Impersonate-User", as_user)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def apply(
        self, obj: dict[str, Any], *, dry_run: bool = True, as_user: str = ""
    ) -> tuple[int, dict[str, Any]]:
        query = f"fieldManager={FIELD_MANAGER}&fieldValidation=Strict&force=true"
        if dry_run:
            query += "&dryRun=All"
        return self.request(
            "PATCH",
            f"{self.path(obj)}?{query}",
            obj,
            as_user,
            Content_Type="application/apply-patch+yaml",
        )

    def ensure(self, obj: dict[str, Any]) -> None:
        status, body = self.apply(obj, dry_run=False)
        assert status in (200, 201), body

    def install_crds(self, definitions: list[dict[str, Any]]) -> None:
        """Apply the CRDs (idempotent across tests sharing the API server) and wait until
        each is Established and its kind is served."""
        import time

        for crd in definitions:
            crd.get("metadata", {}).pop("creationTimestamp", None)
            crd.pop("status", None)
            status, body = self.request(
                "PATCH",
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                f"{crd['metadata']['name']}?fieldManager={FIELD_MANAGER}&force=true",
                crd,
                Content_Type="application/apply-patch+yaml",
            )
            assert status in (200, 201), body.get("message", body)
        deadline = time.monotonic() + 60
        for crd in definitions:
            name = crd["metadata"]["name"]
            spec = crd["spec"]
            version = next(v["name"] for v in spec["versions"] if v.get("storage"))
            served = f"/apis/{spec['group']}/{version}/{spec['names']['plural']}?limit=1"
            while True:
                _, obj = self.request(
                    "GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
                )
                conditions = {
                    c["type"]: c["status"]
                    for c in (obj.get("status") or {}).get("conditions") or []
                }
                if (
                    conditions.get("Established") == "True"
                    and self.request("GET", served)[0] == 200
                ):
                    break
                assert time.monotonic() < deadline, f"CRD {name} not Established: {conditions}"
                time.sleep(0.1)

    def namespaces(self, names: Iterable[str]) -> None:
        for name in names:
            self.ensure({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


# --- the repository's own objects ----------------------------------------------------------------


@pytest.fixture(scope="module")
def argocd_docs() -> list[dict[str, Any]]:
    run = argocd_objects(ROOT, ArgoOptions(URL))
    return objects(run.stream())


def test_one_project_and_application_per_team_folder(argocd_docs: list[dict[str, Any]]) -> None:
    projects, apps = by_kind(argocd_docs, "AppProject"), by_kind(argocd_docs, "Application")
    expected = [f"katib-{t}" for t in team_folders()]
    assert team_folders() == ["demo", "kubeflow", "nlp", "vision"]
    assert sorted(projects) == sorted(apps) == expected
    assert {d["kind"] for d in argocd_docs} == {"AppProject", "Application"}
    assert all(d["metadata"]["namespace"] == "argocd" for d in argocd_docs)


def test_projects_give_each_team_its_repository_namespaces_and_kinds(
    argocd_docs: list[dict[str, Any]],
) -> None:
    teams = tenancy_map()
    for name, project in by_kind(argocd_docs, "AppProject").items():
        spec = project["spec"]
        team = name.removeprefix("katib-")
        assert spec["sourceRepos"] == [URL]
        assert spec["destinations"] == [
            {"server": "https://kubernetes.default.svc", "namespace": ns} for ns in teams[team]
        ]
        assert spec["namespaceResourceWhitelist"] == [
            {"group": "kubeflow.org", "kind": "Experiment"},
            {"group": "", "kind": "ConfigMap"},
        ]
        assert spec["clusterResourceWhitelist"] == []  # nothing cluster-scoped
        assert "namespaceResourceBlacklist" not in spec


def test_applications_sync_server_side_and_never_prune_or_delete(
    argocd_docs: list[dict[str, Any]],
) -> None:
    teams = tenancy_map()
    for name, app in by_kind(argocd_docs, "Application").items():
        team = name.removeprefix("katib-")
        spec = app["spec"]
        assert spec["project"] == name
        assert spec["source"] == {
            "repoURL": URL,
            "targetRevision": "main",
            "path": f"generated/{team}",
        }
        assert (ROOT / spec["source"]["path"] / "kustomization.yaml").is_file()
        # the destination namespace is checked against the project's destinations
        assert spec["destination"] == {
            "server": "https://kubernetes.default.svc",
            "namespace": teams[team][0],
        }
        policy = spec["syncPolicy"]
        assert policy["automated"] == {"prune": False, "selfHeal": True}
        options = policy["syncOptions"]
        assert options[0] == "ServerSideApply=true"
        assert {"Prune=false", "Delete=false", "ApplyOutOfSyncOnly=true"} <= set(options)
        assert not any(o.startswith(("Replace=", "Force=", "CreateNamespace=")) for o in options)
        # no resources-finalizer: deleting the Application leaves the experiments alone
        assert "finalizers" not in app["metadata"]
        # what Katib's controller writes is no drift (reference §2.2, §10.1)
        assert spec["ignoreDifferences"] == [
            {
                "group": "kubeflow.org",
                "kind": "Experiment",
                "jsonPointers": ["/metadata/finalizers", "/status"],
            }
        ]


def test_output_is_byte_stable_and_names_its_command(tmp_path: Path, capsys) -> None:
    args = ["gitops", "argocd", "--repo-url", URL, "--root", str(ROOT), "--revision", "v1.2"]
    assert cli(capsys, *args, "-o", str(tmp_path / "a"))[0] == 0
    assert cli(capsys, *args, "-o", str(tmp_path / "b"))[0] == 0
    a = {p.name: p.read_bytes() for p in sorted((tmp_path / "a").iterdir())}
    b = {p.name: p.read_bytes() for p in sorted((tmp_path / "b").iterdir())}
    assert a == b
    assert sorted(a) == [*(f"katib-{t}.yaml" for t in team_folders()), "kustomization.yaml"]
    for text in a.values():
        lines = text.decode().splitlines()
        assert lines[1] == f"# Regenerate with: katib-gitops gitops argocd --repo-url {URL} " + (
            "--revision v1.2"
        )
        assert str(tmp_path) not in text.decode()  # no local paths
    listing = yaml.safe_load(a["kustomization.yaml"])
    assert listing["resources"] == sorted(n for n in a if n != "kustomization.yaml")
    code, out, err = cli(capsys, *args, "-o", str(tmp_path / "a"))
    assert (code, out) == (0, "")
    assert f"0 written, 0 removed, {len(a)} unchanged" in err
    assert "resourceTrackingMethod: annotation" in err  # the argocd-cm setting


def test_the_folder_builds_with_kustomize_into_the_same_objects(tmp_path: Path, capsys) -> None:
    args = ["gitops", "argocd", "--repo-url", URL, "--root", str(ROOT)]
    assert cli(capsys, *args, "-o", str(tmp_path))[0] == 0
    out = cli(capsys, *args)[1]
    built = kustomize_build(tmp_path)
    assert ids(built) == ids(objects(out))
    assert canonical(built) == canonical(objects(out))


def test_stdout_is_one_stream_of_objects(capsys) -> None:
    code, out, err = cli(capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(ROOT))
    assert code == 0
    docs = objects(out)
    assert len(docs) == 2 * len(team_folders())
    assert "kustomize.config.k8s.io" not in out  # kubectl apply -f - takes it whole
    assert "argocd-cm" in err


def test_the_help_states_the_defaults_the_command_uses() -> None:
    import dataclasses
    import re

    from compiler.cli import gitops as cli_gitops
    from compiler.gitops.tenancy import FluxOptions

    for table, cls in (
        (cli_gitops.ARGO_OPTIONS, ArgoOptions),
        (cli_gitops.FLUX_OPTIONS, FluxOptions),
    ):
        defaults = {f"--{f.name.replace('_', '-')}": f.default for f in dataclasses.fields(cls)}
        for flag, text in table:
            stated = re.search(r"\(default: ([^)]+)\)$", text)
            assert stated, text
            assert stated.group(1) == (defaults[flag] or "none"), flag


def test_through_the_entry_point() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "compiler", "gitops", "argocd", "--repo-url", URL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert len(objects(res.stdout)) == 2 * len(team_folders())
    res = subprocess.run(
        [sys.executable, "-m", "compiler", "gitops", "argocd"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2
    assert "the following arguments are required: --repo-url" in res.stderr


def test_stale_files_of_ours_are_removed_and_others_kept(tmp_path: Path, capsys) -> None:
    out = tmp_path / "apps"
    args = ["gitops", "argocd", "--repo-url", URL, "--root", str(ROOT), "-o", str(out)]
    assert cli(capsys, *args)[0] == 0
    stale = (out / "katib-demo.yaml").read_text()
    (out / "katib-retired.yaml").write_text(stale)  # a team that is gone
    (out / "notes.yaml").write_text("# ours, by hand\nkey: value\n")
    code, _, err = cli(capsys, *args)
    assert code == 0
    assert "1 removed" in err
    assert not (out / "katib-retired.yaml").exists()
    assert (out / "notes.yaml").read_text() == "# ours, by hand\nkey: value\n"


def test_git_scp_urls_and_other_options(capsys) -> None:
    code, out, _ = cli(
        capsys,
        *("gitops", "argocd", "--repo-url", "git@github.com:example/katib-gitops.git"),
        *("--root", str(ROOT), "--namespace", "gitops", "--server", "https://10.0.0.1:6443"),
    )
    assert code == 0
    app = by_kind(objects(out), "Application")["katib-demo"]
    assert app["metadata"]["namespace"] == "gitops"
    assert app["spec"]["source"]["repoURL"] == "git@github.com:example/katib-gitops.git"
    assert app["spec"]["destination"]["server"] == "https://10.0.0.1:6443"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("teams", [{}, None], ids=["no-tenancy-map", "no-config-file"])
def test_no_tenancy_map(tmp_path: Path, capsys, teams: dict[str, list[str]] | None) -> None:
    root = make_root(tmp_path, {})
    if teams is None:
        (root / "policies" / "config.yaml").unlink()
    out = tmp_path / "apps"
    code, stdout, err = cli(
        capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(root), "-o", str(out)
    )
    assert (code, stdout) == (2, "")
    assert err.startswith("katib-gitops: policies/config.yaml: INPUT no tenancy map")
    assert "hint: add `parameters: {tenancy: {teams:" in err
    assert not out.exists()  # nothing written


def test_a_folder_the_tenancy_map_does_not_know(tmp_path: Path, capsys) -> None:
    teams = {t: ns for t, ns in tenancy_map().items() if t != "vision"}
    root = make_root(tmp_path, teams)
    out = tmp_path / "apps"
    code, _, err = cli(
        capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(root), "-o", str(out)
    )
    assert code == 2
    assert err.splitlines()[0] == (
        "katib-gitops: generated/vision: INPUT folder 'vision' is not a team of the tenancy map "
        "(known teams: demo, kubeflow, nlp)"
    )
    assert "hint: add `vision: [<namespace>, ...]` under parameters.tenancy.teams" in err
    assert not out.exists()


def test_an_experiment_outside_its_teams_namespaces(tmp_path: Path, capsys) -> None:
    teams = {**tenancy_map(), "nlp": ["nlp-prod"]}
    root = make_root(tmp_path, teams)
    code, _, err = cli(capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(root))
    assert code == 2
    assert "generated/nlp/model-sizes/bert-base-grid.yaml: INPUT targets namespace 'nlp'" in err
    assert "(allowed: nlp-prod)" in err


def test_a_team_folder_that_cannot_name_objects(tmp_path: Path, capsys) -> None:
    root = make_root(tmp_path, {**tenancy_map(), "Demo_Team": ["demo"]})
    gen = root / "generated"
    shutil.move(gen / "demo", gen / "Demo_Team")
    listing = (gen / "kustomization.yaml").read_text().replace("- demo\n", "- Demo_Team\n")
    (gen / "kustomization.yaml").write_text(listing)
    code, _, err = cli(capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(root))
    assert code == 2
    assert "generated/Demo_Team: INPUT team 'Demo_Team' cannot name Kubernetes objects" in err


def test_generated_missing_or_unreadable(tmp_path: Path, capsys) -> None:
    root = make_root(tmp_path)
    (root / "generated" / "nlp" / "kustomization.yaml").write_text("resources: [nope.yaml]\n")
    code, _, err = cli(capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(root))
    assert code == 2
    assert "generated/nlp/nope.yaml" in err
    shutil.rmtree(root / "generated")
    code, _, err = cli(capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(root))
    assert code == 2
    assert "katib-gitops: generated: INPUT generated/ is missing" in err


BAD_URLS = [
    "",
    "not a url",
    " https://github.com/example/repo.git",
    "github.com/example/repo.git",
    "ftp://github.com/example/repo.git",
    "file:///srv/git/repo.git",
    "https://github.com",
    "https://github.com/example/repo.git\nevil: true",
    "https://[::1/example/repo.git",
    "https:///example/repo.git",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_repository_urls(capsys, url: str) -> None:
    code, out, err = cli(capsys, "gitops", "argocd", "--repo-url", url, "--root", str(ROOT))
    assert (code, out) == (2, "")
    assert err.startswith("katib-gitops: --repo-url ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "url",
    [
        "https://user:s3cr3t-token@github.com/example/repo.git",
        "https://s3cr3t-token@github.com/example/repo.git",
        "ftp://user:s3cr3t-token@github.com/example/repo.git",
        "user:s3cr3t-token@github.com:example/repo.git",
        "https://user:s3cr3t-token@github.com/example/repo.git\n",
    ],
)
def test_credentials_in_the_url_are_refused_and_not_echoed(capsys, url: str) -> None:
    code, out, err = cli(capsys, "gitops", "argocd", "--repo-url", url, "--root", str(ROOT))
    assert (code, out) == (2, "")
    assert err.startswith("katib-gitops: --repo-url")
    assert "s3cr3t" not in err


@settings(derandomize=True, max_examples=300)
@given(
    st.text(st.sampled_from("htps:/@gi.com-_x:[]1 \n%"), max_size=40)
    | st.builds(lambda a, b: f"https://{a}@{b}", st.text(max_size=12), st.text(max_size=12))
)
def test_any_url_is_taken_as_it_is_or_refused_without_its_secret(url: str) -> None:
    for scp in (True, False):
        try:
            assert repo_url(url, scp=scp) == url
        except UsageError as exc:
            user = url.partition("@")[0].rpartition("//")[2] if "@" in url else ""
            assert not user or f"{user}@" not in str(exc)  # what precedes @ is not echoed


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--namespace", "Argo_CD"),
        ("--server", "kubernetes.default.svc"),
        ("--revision", "main branch"),
        ("--revision", "../main"),
        ("--path", "../generated"),
        ("--path", "/generated"),
        ("--path", "gen erated"),
        ("--server", "https://user:pw@kubernetes.default.svc"),
        ("--server", "https://[::1"),
    ],
)
def test_bad_options(capsys, option: str, value: str) -> None:
    code, out, err = cli(
        capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(ROOT), option, value
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"katib-gitops: {option} ")


def test_output_into_a_file_or_over_a_foreign_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "apps"
    target.write_text("a file\n")
    args = ["gitops", "argocd", "--repo-url", URL, "--root", str(ROOT)]
    code, _, err = cli(capsys, *args, "-o", str(target))
    assert code == 2
    assert err.startswith(f"katib-gitops: -o {target}: exists and is not a folder")
    assert target.read_text() == "a file\n"
    code, _, err = cli(capsys, *args, "-o", str(target / "below"))
    assert code == 2
    assert "cannot create the folder" in err or "not a folder" in err

    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("resources: [by-hand.yaml]\n")
    code, _, err = cli(capsys, *args, "-o", str(folder))
    assert code == 2
    assert "kustomization.yaml exists and was not written by katib-gitops gitops argocd" in err
    assert sorted(p.name for p in folder.iterdir()) == ["kustomization.yaml"]  # nothing written


# --- the real API server with Argo CD's CRDs --------------------------------------------------


@pytest.fixture(scope="module")
def argocd_api(apiserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder = module_dir(ARGOCD_MODULE, tmp_path_factory.mktemp("go")) / "manifests" / "crds"
    api = Api(apiserver)
    api.install_crds(crds(folder, ARGOCD_CRDS))
    api.namespaces(["argocd", "gitops", *sorted({ns for v in tenancy_map().values() for ns in v})])
    yield api


@pytest.mark.apiserver
def test_the_api_server_accepts_every_object(argocd_api: Api, capsys) -> None:
    for opts in (
        [],
        ["--repo-url", "git@github.com:example/katib-gitops.git", "--namespace", "gitops"],
    ):
        code, out, _ = cli(
            capsys, "gitops", "argocd", "--repo-url", URL, "--root", str(ROOT), *opts
        )
        assert code == 0
        docs = objects(out)
        assert docs
        for obj in docs:
            status, body = argocd_api.apply(obj)
            assert status in (200, 201), (obj["metadata"]["name"], body.get("message"))
            assert kept(obj, body), body  # nothing pruned or changed


@pytest.mark.apiserver
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("prune", "no", ".spec.syncPolicy.automated.prune: expected boolean"),
        ("pruneAll", True, ".spec.syncPolicy.automated.pruneAll: field not declared in schema"),
    ],
)
def test_the_api_server_check_has_teeth(argocd_api: Api, field: str, value: Any, message: str):
    """The same dry-run refuses what Argo CD's schema does not allow, so acceptance above
    means something. (Server-side apply types the patch against the schema first, and answers
    a mistyped or unknown field with a 500 by its own design.)"""
    app = by_kind(objects(argocd_objects(ROOT, ArgoOptions(URL)).stream()), "Application")
    bad = app["katib-demo"]
    bad["spec"]["syncPolicy"]["automated"][field] = value
    status, body = argocd_api.apply(bad)
    assert status >= 400, body
    assert message in body["message"]
