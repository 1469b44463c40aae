"""The job of pull-request.yml run step by step as GitHub's runner runs it, in a temporary git
repository with a pull request's branch checked out. Its install step is the one step not run:
the test's own environment (where katib-gitops is installed) stands in for `.venv`; the
`uses:` steps (checkout, setup-python, upload-artifact) are other projects' actions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from compiler.prdiff.markdown import MARKER
from tests.pr.conftest import Repo, init_repo, spec
from tests.pr.runner import Run, run_job
from tests.pr.test_diff import CONFIG

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"
INSTALL = "Install katib-gitops"


def _pull_request(root: Path) -> tuple[Repo, str]:
    repo = init_repo(root)
    repo.write("policies/config.yaml", CONFIG)
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.compile()
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("specs/team-a/alpha.yaml", spec("alpha", algorithm="tpe"))
    repo.compile()
    repo.commit("pr")
    (repo.root / ".venv").symlink_to(sys.prefix)  # for the install step
    return repo, base


def _run(repo: Repo, base: str, temp: Path) -> Run:
    temp.mkdir()
    github = {
        "event.pull_request.base.sha": base,
        "event.pull_request.number": "7",
        "server_url": "https://github.com",
        "repository": "example/specs",
        "run_id": "42",
    }
    return run_job(WORKFLOW, "experiments", repo.root, temp, github, skip=(INSTALL,))


def test_the_job_writes_the_artifact_the_comment_workflow_reads(tmp_path: Path) -> None:
    repo, base = _pull_request(tmp_path / "repo")
    run = _run(repo, base, tmp_path / "temp")
    assert run.outcome == "success", [(s.id, s.stdout[-1500:], s.stderr[-1500:]) for s in run.steps]
    assert [s.uses.split("@")[0] for s in run.steps if s.uses] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
    ]
    pr = repo.root / "pr"
    assert sorted(p.name for p in pr.iterdir()) == [
        "check.md",
        "check.sarif",
        "diff.json",
        "diff.md",
        "number",
    ]
    assert (pr / "number").read_text() == "7\n"
    assert (pr / "diff.md").read_text(encoding="utf-8").startswith(MARKER)
    data = json.loads((pr / "diff.json").read_text(encoding="utf-8"))
    assert data["base"] == base and data["head"] == "worktree"
    assert [e["change"] for e in data["experiments"]] == ["replace"]
    assert json.loads((pr / "check.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert "## katib-gitops check: ✅ passed" in run.summary and MARKER in run.summary


def test_a_diff_that_cannot_be_made_still_leaves_a_comment(tmp_path: Path) -> None:
    repo, _ = _pull_request(tmp_path / "repo")
    broken = repo.root / "generated" / "kustomization.yaml"
    saved = broken.read_bytes()
    broken.write_text("resources: {not: a list}\n", encoding="utf-8")
    base = repo.commit("a base whose generated/ is malformed")
    broken.write_bytes(saved)
    run = _run(repo, base, tmp_path / "temp")
    diff_step = run.steps[-2]
    assert diff_step.outcome == "failure" and run.steps[-1].outcome == "success"  # uploaded
    assert "INPUT" in diff_step.stderr and f"(at base, {base[:12]})" in diff_step.stderr
    comment = (repo.root / "pr" / "diff.md").read_text(encoding="utf-8")
    assert comment.startswith(MARKER)
    assert "could not be computed (exit 2)" in comment
    assert "https://github.com/example/specs/actions/runs/42" in comment
    assert (repo.root / "pr" / "number").read_text() == "7\n"
