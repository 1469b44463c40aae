"""The cluster side's revision check (commands/revision.py) compiles a revision's specs with that
revision's cluster profile, and keys its cached verdicts on the profile's digest (issue 11)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compiler.cli import main
from compiler.commands.katibconfig import ENV
from compiler.commands.revision import CACHE, Refused, Verifier
from compiler.git_repo import state_dir
from tests.git.conftest import as_human, git
from tests.unit.policy.helpers import clean_spec

PROFILE = """\
name: small
katibConfig:
  runtime:
    suggestions:
      - {algorithmName: random, image: "ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0"}
{more}    metricsCollectors:
      - {kind: StdOut, image: "ghcr.io/kubeflow/katib/file-metrics-collector:v0.19.0"}
"""


def profile(more: str) -> str:
    return PROFILE.replace("{more}", more)


TPE = '      - {algorithmName: tpe, image: "ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0"}\n'


def commit(root: Path, files: dict[str, str], *, compile_with: str | None = None) -> str:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    flags = ["--katib-config", compile_with] if compile_with else []
    assert main(["compile", "--root", str(root), *flags]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "edit", env=as_human())
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV, raising=False)
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    return tmp_path


def test_the_revision_is_compiled_with_its_own_profile(root: Path) -> None:
    spec = "specs/team-a/x.yaml"
    small = commit(root, {"policies/cluster.yaml": profile(""), spec: clean_spec("x")})
    Verifier(root)(small)
    # generated/ compiled against another katib-config, where tpe exists: this cluster has none
    inner = profile(TPE).split("katibConfig:\n")[1].splitlines()
    (root / "k.yaml").write_text("".join(f"{line[2:]}\n" for line in inner))
    tpe_spec = clean_spec("x").replace("algorithm: random", "algorithm: tpe")
    wrong = commit(root, {spec: tpe_spec}, compile_with="k.yaml")
    with pytest.raises(Refused, match="KATIB-V13"):
        Verifier(root)(wrong)
    fixed = commit(root, {"policies/cluster.yaml": profile(TPE)})
    assert git(root, "diff", "--stat", wrong, fixed, "--", "generated") == ""
    Verifier(root)(fixed)  # the same generated/, now what its specs compile to on this cluster
    keys = json.loads((state_dir(root) / CACHE).read_text())
    blob = git(root, "rev-parse", f"{fixed}:policies/cluster.yaml").strip()
    assert keys[-1].endswith(f":{blob}:")  # the profile's digest (no clusters/ folder)


def test_the_cluster_name_is_part_of_the_key(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = profile("")
    files = {"policies/clusters/a.yaml": text, "policies/clusters/b.yaml": text}
    monkeypatch.setenv(ENV, "a")
    sha = commit(root, {**files, "specs/team-a/x.yaml": clean_spec("x")})
    Verifier(root)(sha)
    monkeypatch.setenv(ENV, "b")
    Verifier(root)(sha)
    keys = json.loads((state_dir(root) / CACHE).read_text())
    assert len(keys) == 2 and keys[0].split("/")[-1].startswith("a:")
    assert keys[1].split("/")[-1].startswith("b:")
