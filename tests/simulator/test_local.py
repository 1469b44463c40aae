"""The simulator's inputs: the command line, and the spec annotation an Experiment carries (it
comes from the cluster, so it is untrusted: only specs under the repository's specs/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compiler.simulator.local import Specs

ROOT = Path(__file__).resolve().parents[2]
SPEC = """\
name: tiny
objective: {maximize: accuracy}
algorithm: random
trials: {max: 3, parallel: 3}
parameters:
  lr: {min: 0.01, max: 0.1}
trial:
  image: python:3.11
  command: [python3, train.py, "--lr=${lr}"]
"""
LOCAL = 'local:\n  command: [sh, -c, "echo accuracy=0.9"]\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "specs" / "team").mkdir(parents=True)
    (tmp_path / "specs" / "team" / "tiny.yaml").write_text(SPEC + LOCAL)
    (tmp_path / "specs" / "team" / "plain.yaml").write_text(SPEC.replace("tiny", "plain"))
    (tmp_path / "specs" / "team" / "broken.yaml").write_text("name: [unclosed\n")
    (tmp_path / "secret.yaml").write_text(SPEC + LOCAL)
    (tmp_path / "specs" / "team" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    return tmp_path


def found(repo: Path, path: str, name: str = "tiny", revision: str = "") -> tuple[bool, str]:
    labels = {"katib-gitops.dev/experiment": name}
    annotations = {"katib-gitops.dev/spec": path}
    if revision:
        annotations["katib-gitops.dev/revision"] = revision
    result = Specs(repo).local_for(labels, annotations)
    return result.local is not None, result.why


def test_a_spec_with_a_local_command_is_found(repo: Path) -> None:
    assert found(repo, "specs/team/tiny.yaml") == (True, "")


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../secret.yaml", "is not a spec under specs/"),
        ("specs/../secret.yaml", "is not a spec under specs/"),
        ("/etc/passwd", "is not a spec under specs/"),
        ("specs/team/tiny.txt", "is not a spec under specs/"),
        ("specs/team/none.yaml", "no such spec"),
        ("specs/team/broken.yaml", "does not compile: specs/team/broken.yaml:2:1: YAML-SYNTAX"),
        ("specs/team/link.yaml", "is not a spec under specs/"),
        ("specs/team/plain.yaml", "has no single experiment named 'tiny'"),
    ],
)
def test_hostile_or_broken_annotations_fall_back_to_synthetic(
    repo: Path, path: str, why: str
) -> None:
    ok, reason = found(repo, path)
    assert not ok and why in reason


def test_no_local_command_and_another_revision(repo: Path) -> None:
    assert found(repo, "specs/team/plain.yaml", name="plain") == (
        False,
        "specs/team/plain.yaml has no local command",
    )
    ok, why = found(repo, "specs/team/tiny.yaml", revision="0000000000")
    assert not ok and "the experiment is 0000000000" in why


def test_without_a_repository_or_annotation(repo: Path) -> None:
    assert Specs(None).local_for({}, {}).why == "no --repo"
    assert Specs(repo).local_for({}, {}).why == "no katib-gitops.dev/spec annotation"


@pytest.mark.parametrize(
    "args",
    [["--trial-seconds", "-1"], ["--repo", "/nonexistent"], ["--workers", "0"], ["--seed", "x"]],
)
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "compiler.simulator", "--kubeconfig", "k", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, args
    assert "Traceback" not in proc.stderr and "error:" in proc.stderr


def test_an_unreadable_kubeconfig_is_a_clear_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "compiler.simulator", "--kubeconfig", str(tmp_path / "none")],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("katib-simulator: ") and "Traceback" not in proc.stderr
