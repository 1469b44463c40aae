"""Temporary git repositories with one spec, and `katib-gitops run` on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.cli import main


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root

    def spec(self, text: str, name: str = "exp.yaml") -> str:
        path = self.root / "specs" / "demo" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return f"specs/demo/{name}"

    def run(self, spec: str, *args: str) -> int:
        return main(["run", spec, "--root", str(self.root), "--plain", *args])

    def run_process(self, spec: str, *args: str, **kw: object) -> subprocess.Popen[bytes]:
        cmd = [
            sys.executable,
            "-m",
            "compiler",
            "run",
            spec,
            "--root",
            str(self.root),
            "--plain",
            *args,
        ]
        return subprocess.Popen(
            cmd,
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **kw,
        )  # type: ignore[call-overload]

    def results(self, name: str = "exp") -> dict:  # type: ignore[type-arg]
        return json.loads((self.root / "reports" / "demo" / name / "results.json").read_text())

    def journal(self, name: str = "exp") -> list[dict]:  # type: ignore[type-arg]
        path = self.root / ".state" / "runs" / "demo" / name / "journal.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=self.root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path)
    r.git("init", "-q", "-b", "main")
    r.git("config", "user.email", "test@example.com")
    r.git("config", "user.name", "Test")
    (tmp_path / ".gitignore").write_text("/.state/\n")
    r.git("add", ".gitignore")
    r.git("commit", "-q", "-m", "init")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    return r


def spec(
    trial_cmd: str,
    *,
    max_trials: int = 4,
    parallel: int = 2,
    extra: str = "",
    algorithm: str = "{name: random, settings: {random_state: 3}}",
    objective: str = "{minimize: loss}",
    params: str = "  x: {min: -3.0, max: 3.0}\n",
    deadline: str = "",
) -> str:
    """A spec whose trial is `sh -c <trial_cmd>` (fast: no Python per trial). Every search
    parameter must be used (Katib's rendering needs it, §4.3), so `${x}` is always set."""
    if "${x}" not in trial_cmd and "x:" in params:
        trial_cmd = "X=${x}; " + trial_cmd
    return (
        f"name: exp\nobjective: {objective}\nalgorithm: {algorithm}\n"
        f"trials: {{max: {max_trials}, parallel: {parallel}{extra}}}\n"
        f"parameters:\n{params}"
        f"trial:\n  image: busybox\n  command: [sh, -c, {json.dumps(trial_cmd)}]\n{deadline}"
    )


QUADRATIC = "awk 'BEGIN{x=${x}; print \"loss=\" (x-1)*(x-1)}'"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a longer end-to-end test (seconds, not minutes)")
