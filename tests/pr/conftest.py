"""Temporary git repositories with specs on branches, compiled by the real `katib-gitops
compile` and committed by the real git, for `katib-gitops diff` and the pull-request tooling."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]

SPEC = """name: {name}
objective: {{maximize: accuracy}}
algorithm: {algorithm}
trials: {{max: {max}, parallel: {parallel}}}
parameters:
  lr: {{min: 0.01, max: {lr_max}}}
trial:
  image: registry.example.com/train:1.0
  command: [python, train.py, "--lr=${{lr}}"]
  resources: {{cpu: {cpu}{gpu}}}
{deadline}"""


def spec(
    name: str,
    *,
    algorithm: str = "random",
    max: int = 6,
    parallel: int = 2,
    lr_max: float = 0.1,
    cpu: float = 2,
    gpus: int = 0,
    deadline: int | None = 3600,
) -> str:
    return SPEC.format(
        name=name,
        algorithm=algorithm,
        max=max,
        parallel=parallel,
        lr_max=lr_max,
        cpu=cpu,
        gpu=f", gpu: {gpus}" if gpus else "",
        deadline=f"  deadline: {deadline}\n" if deadline else "",
    )


class Repo:
    """A repository in a temporary folder: write specs, compile, commit, diff."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=self.root, check=True, capture_output=True, text=True
        ).stdout

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def remove(self, path: str) -> None:
        (self.root / path).unlink()

    def compile(self) -> None:
        assert main(["compile", "--root", str(self.root)]) == 0

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def diff(self, *args: str) -> int:
        return main(["diff", "--root", str(self.root), *args])

    def diff_json(self, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
        capsys.readouterr()
        assert self.diff(*args, "-o", "json") == 0
        out: dict[str, Any] = json.loads(capsys.readouterr().out)
        return out


def init_repo(root: Path) -> Repo:
    repo = Repo(root)
    root.mkdir(parents=True, exist_ok=True)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.email", "test@example.com")
    repo.git("config", "user.name", "Test")
    repo.git("config", "commit.gpgsign", "false")
    repo.write(".gitignore", "/.state/\n/.venv\n")
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    return init_repo(tmp_path / "repo")


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in data["experiments"]}


def write_specs(repo: Repo, specs: Sequence[tuple[str, str]]) -> None:
    for path, text in specs:
        repo.write(path, text)
