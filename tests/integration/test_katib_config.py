"""One katib-config (issue 11, item 4): the repository's cluster profile is the katib-config of
admission in every command run inside it; `--katib-config` overrides it; outside a repository
Katib's default applies; the JSON says which was used; a bad profile is a located error.

Katib's Argo example (../shared/katib/examples/argo/argo-workflow.yaml) is admitted by Katib,
but its Workflow trials are watched only when katib-config lists them in trialResources
(reference §6.1, the R15 run-time rule), which Katib's default does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.admission.katibconfig import default_config
from compiler.cli import main
from compiler.commands.katibconfig import DEFAULT, ENV, resolve_katib_config
from tests.conftest import require_shared

ROOT = Path(__file__).resolve().parents[2]
SPEC = "specs/argo/katib-argo-workflow.yaml"

ARGO_PROFILE = """\
name: argo-cluster
katibConfig:
  init:
    controller:
      trialResources: [Job.v1.batch, Workflow.v1alpha1.argoproj.io]
  runtime:
    suggestions:
      - {algorithmName: random, image: "ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0"}
    metricsCollectors:
      - {kind: StdOut, image: "ghcr.io/kubeflow/katib/file-metrics-collector:v0.19.0"}
"""
NO_ARGO = ARGO_PROFILE.replace(", Workflow.v1alpha1.argoproj.io", "").replace("argo-", "plain-")


def argo_example() -> Path:
    return require_shared() / "katib" / "examples" / "argo" / "argo-workflow.yaml"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Argo example imported, with no flag, into a repository whose cluster profile lists
    Argo Workflows (import compiles its result with the same profile); once: it takes seconds."""
    root = tmp_path_factory.mktemp("import")
    write(root, "policies/cluster.yaml", ARGO_PROFILE)
    out = root / SPEC
    with pytest.MonkeyPatch.context() as env:
        env.delenv(ENV, raising=False)
        assert main(["import", str(argo_example()), "--root", str(root), "-o", str(out)]) == 0
    return out.read_text("utf-8")


@pytest.fixture
def argo_repo(tmp_path: Path, imported: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV, raising=False)
    write(tmp_path, "policies/cluster.yaml", ARGO_PROFILE)
    write(tmp_path, SPEC, imported)
    return tmp_path


def compile_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    capsys.readouterr()
    code = main(["compile", "--root", str(root), "-o", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def codes(doc: dict) -> list[str]:  # type: ignore[type-arg]
    return [d["code"] for d in doc["diagnostics"]]


def test_the_argo_example_compiles_with_the_profile_and_check_agrees(
    argo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compile", "--root", str(argo_repo)]) == 0
    assert list((argo_repo / "generated" / "argo").rglob("katib-argo-workflow*.yaml"))
    code, doc = compile_json(argo_repo, capsys, "--check")
    assert code == 0 and doc["diff"] == "" and "KATIB-R15" not in codes(doc)
    assert doc["katibConfig"]["source"] == "policies/cluster.yaml"
    assert doc["katibConfig"]["cluster"] == "argo-cluster"
    assert main(["validate", "--root", str(argo_repo)]) == 0


def test_katib_config_overrides_the_profile(
    argo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    override = write(argo_repo, "other.yaml", NO_ARGO.split("katibConfig:\n", 1)[1])
    override.write_text(
        "\n".join(line[2:] for line in override.read_text().splitlines()) + "\n"
    )  # the profile's katibConfig, as a katib-config.yaml of its own
    code, doc = compile_json(argo_repo, capsys, "--katib-config", "other.yaml")
    assert code == 1 and "KATIB-R15" in codes(doc)
    assert doc["katibConfig"]["source"] == "--katib-config other.yaml"
    assert not (argo_repo / "generated").exists()  # nothing written after an error


def test_outside_a_repository_katib_default_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no policies/ here
    assert main(["admit", "-o", "json", str(argo_example())]) == 0  # Katib admits it ...
    (verdict,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [w["code"] for w in verdict["warnings"]] == ["KATIB-R15"]  # ... and never watches it
    assert resolve_katib_config(tmp_path).source == DEFAULT
    assert resolve_katib_config(None).digest == default_config().digest()
    # a spec that needs Argo, in a repository without a profile
    write(tmp_path, "in-argo/policies/README.md", "no profile yet\n")
    out = tmp_path / "in-argo" / SPEC
    assert main(["import", str(argo_example()), "--root", "in-argo", "-o", str(out)]) == 0
    code, doc = compile_json(tmp_path / "in-argo", capsys)
    assert code == 1 and "KATIB-R15" in codes(doc)
    assert doc["katibConfig"]["source"] == DEFAULT


def test_admit_inside_the_repository_reads_the_profile(
    argo_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(argo_repo)
    assert main(["admit", "--strict", str(argo_example())]) == 0
    assert "KATIB-R15" not in capsys.readouterr().out


def test_check_json_names_the_source(argo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def check(*args: str) -> dict:  # type: ignore[type-arg]
        capsys.readouterr()
        main(["check", "--root", str(argo_repo), "-f", "json", "--no-cache", *args])
        out = capsys.readouterr()
        assert "katib-config: " in out.err
        return json.loads(out.out)  # type: ignore[no-any-return]

    doc = check()
    assert doc["katibConfig"]["source"] == "policies/cluster.yaml"
    assert doc["katibConfig"]["digest"].startswith("sha256:")
    assert doc["policies"] == {"source": "the built-in pack with its defaults"}
    assert "POLICY-DEFAULTS" in [f["code"] for f in doc["findings"]]
    write(argo_repo, "k.yaml", "runtime: {}\n")
    assert check("--katib-config", "k.yaml")["katibConfig"]["source"] == "--katib-config k.yaml"
    (argo_repo / "policies" / "cluster.yaml").write_text("name: bare\n")
    bare = check()["katibConfig"]
    assert bare["source"] == f"{DEFAULT} (policies/cluster.yaml has no katibConfig)"
    assert bare["digest"] == f"sha256:{default_config().digest()}"


def test_admission_speaks_for_the_cluster_once(
    argo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The profile's cluster has no tpe: Katib's own rejection (V-13) is reported, and the
    cluster-algorithm policy, which says the same thing, is not repeated."""
    spec = argo_repo / SPEC
    spec.write_text(spec.read_text().replace("algorithm: random", "algorithm: tpe"))
    write(argo_repo, "policies/config.yaml", "rules: {runtime-deadline: off}\n")
    capsys.readouterr()
    assert main(["check", "--root", str(argo_repo), "-f", "json", "--no-cache"]) == 1
    found = [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert "KATIB-V13" in found and "POLICY-cluster-algorithm" not in found


BAD_PROFILES = [
    ("katibConfig: [\n", "policies/cluster.yaml:2:1", "YAML-"),
    ("- a\n- b\n", "policies/cluster.yaml:1:1", "POLICY-CLUSTER"),
    ("katibConfig: 3\n", "policies/cluster.yaml:1:14", "POLICY-CLUSTER"),
    (
        "katibConfig:\n  runtime:\n    suggestions:\n      - algorithmName: random\n"
        "        image: [1]\n",
        "policies/cluster.yaml:5:16",
        "POLICY-CLUSTER",
    ),
    (
        "katibConfig:\n  init:\n    controller: {injectSecurityContext: maybe}\n",
        "policies/cluster.yaml:3:41",
        "POLICY-CLUSTER",
    ),
    ("katibConfig:\n  runtime:\n    suggestions: {random: x}\n", ":3:18", "POLICY-CLUSTER"),
    (
        "katibConfig: {kind: ConfigMap, data: {katib-config.yaml: 'runtime: {}'}}\n",
        "policies/cluster.yaml:1:14",
        "POLICY-CLUSTER",
    ),
]


@pytest.mark.parametrize(("text", "where", "code"), BAD_PROFILES)
def test_a_bad_profile_is_a_located_error(
    argo_repo: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, code: str
) -> None:
    (argo_repo / "policies" / "cluster.yaml").write_text(text)
    capsys.readouterr()
    assert main(["compile", "--root", str(argo_repo)]) == 1
    err = capsys.readouterr().err
    assert f"{where}" in err and f"error: {code}" in err, err
    assert "nothing written" in err and not (argo_repo / "generated").exists()
    assert main(["check", "--root", str(argo_repo), "-f", "json", "--no-cache"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    located = [f for f in findings if f["file"] == "policies/cluster.yaml"]
    assert len(located) == 1 and located[0]["code"].startswith(code)  # said once


def test_a_bad_profile_never_gives_a_traceback(argo_repo: Path) -> None:
    (argo_repo / "policies" / "cluster.yaml").write_text("katibConfig:\n  init: [1]\n")
    for args in (["validate"], ["check"], ["admit", str(argo_example())]):
        done = subprocess.run(
            [sys.executable, "-m", "compiler", *args],
            cwd=argo_repo,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
        assert "policies/cluster.yaml:2:9" in done.stderr + done.stdout


# --- several clusters ------------------------------------------------------------------------


@pytest.fixture
def two_clusters(argo_repo: Path) -> Path:
    (argo_repo / "policies" / "cluster.yaml").unlink()
    write(argo_repo, "policies/clusters/argo.yaml", ARGO_PROFILE)
    write(argo_repo, "policies/clusters/plain.yaml", NO_ARGO)
    return argo_repo


def test_several_clusters_need_a_name(
    two_clusters: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(two_clusters)
    capsys.readouterr()
    assert main(["compile", "--root", root]) == 2
    assert "several clusters (argo, plain): pick one with --cluster NAME" in capsys.readouterr().err
    assert main(["compile", "--root", root, "--cluster", "argo"]) == 0
    code, doc = compile_json(two_clusters, capsys, "--check", "--cluster", "plain")
    assert code == 1 and "KATIB-R15" in codes(doc)
    assert doc["katibConfig"]["source"] == "policies/clusters/plain.yaml"
    assert main(["compile", "--root", root, "--cluster", "argp"]) == 2
    assert "did you mean argo?" in capsys.readouterr().err
    assert main(["compile", "--root", root, "--cluster", "../cluster"]) == 2
    monkeypatch.setenv(ENV, "argo")
    assert main(["compile", "--root", root, "--check"]) == 0
    monkeypatch.setenv(ENV, "plain")
    assert main(["compile", "--root", root, "--check"]) == 1
    capsys.readouterr()
    main(["check", "--root", root, "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["katibConfig"]["source"] == "policies/clusters/plain.yaml"
    assert "POLICY-CLUSTER" not in [f["code"] for f in doc["findings"]]  # policies: the same
    capsys.readouterr()
    main(["check", "--root", root, "--cluster", "argo", "-f", "json"])  # the built-in pack fails
    doc = json.loads(capsys.readouterr().out)
    assert doc["katibConfig"]["source"] == "policies/clusters/argo.yaml"  # the flag wins
    assert "KATIB-R15" not in [f["code"] for f in doc["findings"]]


def test_one_cluster_of_clusters_is_the_default(two_clusters: Path) -> None:
    (two_clusters / "policies" / "clusters" / "plain.yaml").unlink()
    assert main(["compile", "--root", str(two_clusters), "--check"]) == 1  # never compiled
    assert main(["compile", "--root", str(two_clusters)]) == 0
    assert main(["compile", "--root", str(two_clusters), "--check"]) == 0


def test_outside_a_repository_a_cluster_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "specs/a/x.yaml", "name: x\n")
    assert main(["validate", "--root", str(tmp_path), "--cluster", "argo"]) == 2
    assert "there is no policies/clusters/argo.yaml" in capsys.readouterr().err
