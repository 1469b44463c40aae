"""The GitOps loop on real things: the real kube-apiserver (tests/fixtures/cluster.py), the
Katib simulator playing Katib's controller (a subprocess), and git repositories with a bare
remote: the humans' clone, where specs are written, compiled and pushed, and the reconciler's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.cli import main

SPEC = """\
name: {name}
objective: {{maximize: accuracy}}
algorithm: random
trials: {{max: {max}, parallel: 2}}
{extra}parameters:
  lr: {{min: 0.01, max: {top}}}
trial:
  image: python:3.11
  command: [python3, train.py, "--lr=${{lr}}"]
"""
GIT = {
    "GIT_AUTHOR_NAME": "Human",
    "GIT_AUTHOR_EMAIL": "human@example.com",
    "GIT_COMMITTER_NAME": "Human",
    "GIT_COMMITTER_EMAIL": "human@example.com",
}


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, f"git {' '.join(args)}: {out.stderr}"
    return out.stdout.strip()


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture(scope="session")
def simulator(apiserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The Katib simulator for every namespace, synthetic trials of 0.2 s."""
    work = tmp_path_factory.mktemp("simulator")
    ready = work / "ready"
    log = (work / "simulator.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compiler.simulator",
            "--kubeconfig",
            str(apiserver.kubeconfig),
            "--trial-seconds",
            "0.2",
            "--state",
            str(work / "state"),
            "--ready-file",
            str(ready),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for("the simulator", lambda: ready.exists() or proc.poll() is not None, 60)
        assert proc.poll() is None, (work / "simulator.log").read_text()
        yield work / "simulator.log"
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


class Repo:
    """A remote, the humans' clone and the reconciler's, and the namespace they use."""

    def __init__(self, base: Path, namespace: str, kubeconfig: Path) -> None:
        self.remote = base / "remote.git"
        self.human = base / "human"
        self.clone = base / "reconciler"
        self.namespace = namespace
        self.kubeconfig = kubeconfig
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.remote)], check=True)
        subprocess.run(["git", "init", "-q", "-b", "main", str(self.human)], check=True)
        git(self.human, "remote", "add", "origin", str(self.remote))

    def spec(self, name: str, *, max: int = 3, top: str = "0.1", extra: str = "") -> str:
        path = self.human / "specs" / self.namespace / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SPEC.format(name=name, max=max, top=top, extra=extra))
        return str(path.relative_to(self.human))

    def push(self, message: str) -> str:
        """Compile, commit and push what the humans changed (pulling reports first)."""
        if git(self.human, "ls-remote", "origin", "main"):
            git(self.human, "pull", "-q", "--rebase", "--autostash", "origin", "main")
        assert main(["compile", "--root", str(self.human)]) == 0
        git(self.human, "add", "-A")
        git(self.human, "commit", "-q", "-m", message)
        git(self.human, "push", "-q", "origin", "HEAD:main")
        if not (self.clone / ".git").exists():
            subprocess.run(["git", "clone", "-q", str(self.remote), str(self.clone)], check=True)
        return git(self.human, "rev-parse", "HEAD")

    def cli(self, *args: str) -> int:
        return main([*args, "--kubeconfig", str(self.kubeconfig)])

    def reconcile(self, *args: str) -> int:
        return self.cli("reconcile", "--once", "--repo", str(self.clone), *args)

    def remote_log(self) -> list[str]:
        return git(self.remote, "log", "--format=%s", "main").splitlines()

    def remote_file(self, path: str, rev: str = "main") -> str:
        return git(self.remote, "show", f"{rev}:{path}")

    def report(self, name: str, rev: str = "main", sub: str = "") -> dict[str, Any]:
        import json

        folder = f"reports/{self.namespace}/{name}" + (f"/revisions/{sub}" if sub else "")
        return dict(json.loads(self.remote_file(f"{folder}/results.json", rev)))


@pytest.fixture
def repo(apiserver: Any, simulator: Path, tmp_path: Path) -> Repo:
    """A fresh namespace (labelled for Katib) and repositories for it."""
    namespace = f"gitops-{uuid.uuid4().hex[:8]}"
    rest = apiserver.rest()
    rest.create(
        "/api/v1/namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": namespace,
                "labels": {"katib.kubeflow.org/metrics-collector-injection": "enabled"},
            },
        },
    )
    return Repo(tmp_path, namespace, apiserver.kubeconfig)
