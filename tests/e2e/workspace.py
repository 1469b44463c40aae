"""A team's repository for the end-to-end tests: a bare remote, the humans' clone (specs are
written on branches there, pull requests run, merged and pushed), the reconciler's clone, and
the checkout Argo CD or Flux syncs from; a namespace behind Katib's real webhooks; and what the
cluster holds for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from compiler.cli import main
from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT, TRIAL
from tests.pr.runner import Run, run_job
from tests.reconcile.conftest import Repo, git, wait_for

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"
INSTALL = "Install katib-gitops"  # the test's own environment stands in for .venv

# A spec that passes the built-in policy pack (Pod Security "restricted", requests and limits,
# a time limit), so that validate, check and compile --check pass as they would in review.
SPEC = """\
name: {name}
objective: {{maximize: accuracy}}
algorithm: random
trials: {{max: {max}, parallel: 2}}
{extra}parameters:
  lr: {{min: 0.01, max: {top}}}
trial:
  image: registry.example.com/train:1.0
  command: [python3, train.py, "--lr=${{lr}}"]
  resources: {{cpu: 1, memory: 512Mi}}
  deadline: 600
  container:
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      allowPrivilegeEscalation: false
      capabilities: {{drop: [ALL]}}
      seccompProfile: {{type: RuntimeDefault}}
"""
POLICY = """\
parameters:
  tenancy:
    teams:
      {namespace}: [{namespace}]
"""
IGNORE = "/.state/\n/.venv\n/pr/\n"


class Workspace(Repo):
    """`Repo` (tests/reconcile/conftest.py) with branches, pull requests and a tool checkout.
    The team's folder is specs/<namespace>/ (its namespace by default)."""

    def __init__(self, base: Path, namespace: str, kubeconfig: Path) -> None:
        super().__init__(base, namespace, kubeconfig)
        self.checkout = base / "sync"  # what Argo CD or Flux fetches from the remote
        (self.human / ".gitignore").write_text(IGNORE)
        policy = self.human / "policies" / "config.yaml"
        policy.parent.mkdir(parents=True)
        policy.write_text(POLICY.format(namespace=namespace))
        git(self.human, "add", "-A")
        git(self.human, "commit", "-q", "-m", "the team's repository")
        git(self.human, "push", "-q", "origin", "HEAD:main")
        subprocess.run(["git", "clone", "-q", str(self.remote), str(self.clone)], check=True)

    def spec(self, name: str, *, max: int = 3, top: str = "0.1", extra: str = "") -> str:
        path = self.human / "specs" / self.namespace / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SPEC.format(name=name, max=max, top=top, extra=extra))
        return str(path.relative_to(self.human))

    def main_head(self) -> str:
        return git(self.remote, "rev-parse", "main")

    def branch(self, name: str) -> str:
        """A branch from the remote's main (reports included); returns that base commit."""
        git(self.human, "checkout", "-q", "main")
        git(self.human, "pull", "-q", "--ff-only", "origin", "main")
        git(self.human, "checkout", "-q", "-b", name)
        return git(self.human, "rev-parse", "HEAD")

    def commit_branch(self, message: str) -> str:
        """Compile, commit and push the branch (a pull request's head)."""
        assert main(["compile", "--root", str(self.human)]) == 0
        git(self.human, "add", "-A")
        git(self.human, "commit", "-q", "-m", message)
        branch = git(self.human, "rev-parse", "--abbrev-ref", "HEAD")
        git(self.human, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        return git(self.human, "rev-parse", "HEAD")

    def merge(self, branch: str, *, fast_forward: bool) -> str:
        """Merge the branch into main, as the merge button does, and push main."""
        git(self.human, "checkout", "-q", "main")
        git(self.human, "pull", "-q", "--ff-only", "origin", "main")
        if fast_forward:
            git(self.human, "merge", "-q", "--ff-only", branch)
        else:
            git(self.human, "merge", "-q", "--no-ff", "-m", f"Merge branch '{branch}'", branch)
        git(self.human, "push", "-q", "origin", "main")
        return git(self.human, "rev-parse", "HEAD")

    def pull_request(self, base: str, temp: Path, number: int) -> Run:
        """The pull-request workflow's job, step by step (tests/pr/runner.py), on the branch
        checked out in the humans' clone."""
        venv = self.human / ".venv"
        if not venv.exists():
            venv.symlink_to(sys.prefix)
        temp.mkdir(parents=True)
        github = {
            "event.pull_request.base.sha": base,
            "event.pull_request.number": str(number),
            "server_url": "https://github.com",
            "repository": "example/specs",
            "run_id": "42",
        }
        return run_job(WORKFLOW, "experiments", self.human, temp, github, skip=(INSTALL,))

    def fetch_checkout(self) -> str:
        """The tool's checkout at the remote's main, as Argo CD's repo-server or Flux's
        source-controller fetches it."""
        if not (self.checkout / ".git").exists():
            subprocess.run(["git", "clone", "-q", str(self.remote), str(self.checkout)], check=True)
        git(self.checkout, "fetch", "-q", "origin")
        git(self.checkout, "reset", "-q", "--hard", "origin/main")
        return git(self.checkout, "rev-parse", "HEAD")

    # the cluster

    def experiments(self) -> dict[str, dict[str, Any]]:
        items = connect(str(self.kubeconfig)).list(EXPERIMENT, self.namespace).items
        return {i["metadata"]["name"]: i for i in items}

    def trials(self, name: str) -> list[dict[str, Any]]:
        selector = f"katib.kubeflow.org/experiment={name}"
        found = connect(str(self.kubeconfig)).list(TRIAL, self.namespace, label_selector=selector)
        return list(found.items)

    def succeeded(self, name: str) -> bool:
        exp = self.experiments().get(name) or {}
        return any(
            c.get("type") == "Succeeded" and c.get("status") == "True"
            for c in (exp.get("status") or {}).get("conditions") or []
        )

    def wait_succeeded(self, name: str) -> None:
        wait_for(f"{name} to succeed", lambda: self.succeeded(name))

    def wait_gone(self, name: str) -> None:
        wait_for(f"{name} to go", lambda: name not in self.experiments())

    def object_names(self, experiment: str) -> list[str]:
        return sorted(n for n in self.experiments() if n.startswith(f"{experiment}-"))

    def plan(self, capsys: Any, root: Path | None = None) -> dict[str, Any]:
        capsys.readouterr()
        code = self.cli("plan", "--root", str(root or self.clone), "-o", "json")
        out = capsys.readouterr().out
        assert code == 0, out
        return dict(json.loads(out))

    def remote_paths(self, rev: str = "main") -> list[str]:
        return git(self.remote, "ls-tree", "-r", "--name-only", rev).splitlines()

    def remote_report_of(self, experiment: str, name: str) -> dict[str, Any] | None:
        """The report the remote's main holds for the object `name` (current or earlier
        revision), or None."""
        folder = f"reports/{self.namespace}/{experiment}/"
        for path in self.remote_paths():
            if path.startswith(folder) and path.endswith("/results.json"):
                report = self.report_at(path)
                if report["object"]["name"] == name:
                    return report
        return None

    def report_at(self, path: str, rev: str = "main") -> dict[str, Any]:
        return dict(json.loads(self.remote_file(path, rev)))
