"""The whole GitOps flow, end to end (issue 10, item 9): a bare remote and clones; a pull request
that adds a spec, checked by the pull-request workflow's own job steps (tests/pr/runner.py runs
.github/workflows/pull-request.yml); the merge; the experiment applied to the real API server
behind Katib's real webhooks, both by `katib-gitops reconcile` (one team's repository and
namespace) and by Argo CD (kustomize build + server-side apply, tests/e2e/gitops.py) with the
reconciler observing only (another's); the Katib simulator running it; the report committed and
pushed; then a pull request that edits an immutable field: `replace` in the plan, a new run
after the merge, the old one archived under revisions/ in the remote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.prdiff.markdown import MARKER
from tests.e2e.gitops import ARGOCD, Api, sync_all
from tests.e2e.workspace import INSTALL, WORKFLOW, Workspace
from tests.pr.runner import Run
from tests.reconcile.conftest import git

pytestmark = [pytest.mark.apiserver, pytest.mark.usefixtures("simulator")]
FIELD = "spec.parameters[lr].feasibleSpace.max"
STEPS = [  # the job's `run:` steps after the install, all of which must run and pass
    "Validate the specs with Katib's admission rules",
    "Check the policies (annotations on the pull request)",
    "The check as SARIF and as the job summary",
    "generated/ is what the specs compile to",
    "The plan of the pull request",
]


class Team:
    """A repository and its namespace, applied by our reconciler or by Argo CD."""

    def __init__(self, ws: Workspace, *, argocd: bool) -> None:
        self.ws, self.argocd = ws, argocd

    def deliver(self, api: Api, kustomize: Path) -> None:
        """What happens after a merge: the reconciler applies, or Argo CD syncs and the
        reconciler (observe-only, with --prune to retire old revisions) reports."""
        if not self.argocd:
            assert self.ws.reconcile("--push") == 0
            return
        self.ws.fetch_checkout()
        applied = sync_all(api, kustomize, self.ws.checkout, ARGOCD)
        assert applied and [(a.name, a.message) for a in applied if not a.ok] == []
        assert self.ws.reconcile("--observe-only", "--prune", "--push") == 0

    def managers(self, name: str) -> set[str]:
        """Who applied the object (server-side apply's managers)."""
        fields = self.ws.experiments()[name]["metadata"]["managedFields"]
        return {f["manager"] for f in fields if f["operation"] == "Apply"}

    def report_pass(self) -> None:
        extra = ("--observe-only",) if self.argocd else ()
        assert self.ws.reconcile(*extra, "--push") == 0


def pull_request(ws: Workspace, base: str, temp: Path, number: int) -> tuple[Run, str, Any]:
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["experiments"]
    assert [s["name"] for s in job["steps"] if "run" in s] == [INSTALL, *STEPS]
    run = ws.pull_request(base, temp, number)
    failed = [(s.id, s.stdout[-800:], s.stderr[-800:]) for s in run.steps if s.outcome != "success"]
    assert run.outcome == "success", failed
    assert [s.outcome for s in run.steps if not s.uses] == ["skipped"] + ["success"] * len(STEPS)
    comment = (ws.human / "pr" / "diff.md").read_text(encoding="utf-8")
    data = json.loads((ws.human / "pr" / "diff.json").read_text(encoding="utf-8"))
    assert (ws.human / "pr" / "number").read_text() == f"{number}\n"
    assert data["base"] == base and not data["stale"] and data["policy"]["new"] == []
    assert MARKER in run.summary  # the job summary shows the plan too
    return run, comment, data


def test_a_spec_from_pull_request_to_report_and_an_immutable_edit_to_a_new_run(
    workspace: Any, api: Api, kustomize: Path, tmp_path: Path
) -> None:
    teams = [Team(workspace("flow-ours"), argocd=False), Team(workspace("flow-argo"), argocd=True)]

    # A branch adds a spec; the pull request's job validates, checks and plans it.
    for i, t in enumerate(teams):
        ns = t.ws.namespace
        base = t.ws.branch("add-alpha")
        t.ws.spec("alpha")
        t.ws.commit_branch("add alpha")
        _, comment, data = pull_request(t.ws, base, tmp_path / f"pr-{i}-1", 1)
        assert comment.startswith(MARKER + "\n## katib-gitops diff")
        assert "| ➕ added | 1 | a new Experiment |" in comment
        assert f"### ➕ `{ns}/alpha`: added" in comment
        (added,) = data["experiments"]
        assert (added["name"], added["namespace"], added["change"]) == ("alpha", ns, "added")
        name = added["objects"]["after"]
        assert f"Object: `{name}`" in comment
        # the cost section: 3 trials x 1 CPU x 600 s = 0.5 CPU-hours
        assert "### Worst-case cost" in comment
        assert f"| `{ns}/alpha` | added | 0.5 | +0.5 | 0.0 | ±0 |" in comment
        assert added["cost"]["after"] == {"cpuHours": 0.5, "gpuHours": 0.0}

    # Merged (fast-forward) and pushed; applied both ways; run; reported and pushed.
    first: dict[str, str] = {}
    for t in teams:
        t.ws.merge("add-alpha", fast_forward=True)
        t.deliver(api, kustomize)
        (first[t.ws.namespace],) = t.ws.object_names("alpha")
        managers = t.managers(first[t.ws.namespace])
        assert managers == {"argocd-controller" if t.argocd else "katib-gitops"}, managers
    for t in teams:
        name = first[t.ws.namespace]
        t.ws.wait_succeeded(name)
        t.report_pass()
        report = t.ws.report("alpha")
        assert report["object"]["name"] == name and report["backend"] == "cluster"
        assert report["status"]["trialsSucceeded"] == 3
        assert [tr["state"] for tr in report["trials"]] == ["Succeeded"] * 3
        index = t.ws.remote_file("reports/index.md")
        assert f"[{t.ws.namespace}/alpha]({t.ws.namespace}/alpha/README.md)" in index

    # A second branch edits an immutable field: the plan says replace, field by field.
    for i, t in enumerate(teams):
        ns = t.ws.namespace
        base = t.ws.branch("wider-lr")
        assert base == t.ws.main_head()  # the reports the reconciler pushed are in the base
        t.ws.spec("alpha", top="0.3")
        t.ws.commit_branch("alpha: a wider range")
        _, comment, data = pull_request(t.ws, base, tmp_path / f"pr-{i}-2", 2)
        (replace,) = data["experiments"]
        assert replace["change"] == "replace"
        assert replace["fields"] == [{"path": FIELD, "before": "0.1", "after": "0.3"}]
        assert replace["objects"]["before"] == first[ns]
        assert f"### 🔁 `{ns}/alpha`: replace" in comment
        assert f'| `{FIELD}` | "0.1" | "0.3" |' in comment
        assert f"Object: `{first[ns]}` → `{replace['objects']['after']}`" in comment

    # Merged with a merge commit; the new revision runs, the old one is archived, then deleted.
    for t in teams:
        merged = t.ws.merge("wider-lr", fast_forward=False)
        assert len(git(t.ws.remote, "rev-list", "--parents", "-n1", merged).split()) == 3
        t.deliver(api, kustomize)
    for t in teams:
        old = first[t.ws.namespace]
        old_revision = old.rsplit("-", 1)[1]
        t.ws.wait_gone(old)
        (new,) = t.ws.object_names("alpha")
        assert t.managers(new) == {"argocd-controller" if t.argocd else "katib-gitops"}
        t.ws.wait_succeeded(new)
        t.report_pass()
        earlier = t.ws.report("alpha", sub=old_revision)
        assert earlier["object"]["name"] == old
        assert earlier["deleted"]["reason"] == "Replaced"
        assert earlier["deleted"]["replacedBy"] == new.rsplit("-", 1)[1]
        assert [tr["state"] for tr in earlier["trials"]] == ["Succeeded"] * 3
        current = t.ws.report("alpha")
        assert current["object"]["name"] == new and current["deleted"] is None
        assert [tr["state"] for tr in current["trials"]] == ["Succeeded"] * 3
        index = t.ws.remote_file("reports/index.md")
        assert f"{t.ws.namespace}/alpha/revisions/{old_revision}/README.md" in index
        paths = t.ws.remote_paths()
        assert f"reports/{t.ws.namespace}/alpha/revisions/{old_revision}/trials.csv" in paths
