"""A human commit lands on the remote in the middle of a pass (the pass's observer pushes it, in
process, when it first reads Trials): the pass's push is rejected, fetched, rebased and retried;
the human commit is kept; a spec edit is applied by the next pass; a human edit of a report
(ours: a conflict) is kept in history and the reports are written again on top of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT
from compiler.cluster.observe import Listing
from tests.reconcile.conftest import Repo, audit, git, wait_for

pytestmark = pytest.mark.apiserver

LONG = "resume: LongRunning\n"  # Katib takes a budget edit of a finished experiment (U-1)


def mid_pass(monkeypatch: pytest.MonkeyPatch, repo: Repo, human: Callable[[], None]) -> list[str]:
    """`human()` pushes its commit when the pass first reads Trials (after its plan and apply,
    before its reports); the list gets the remote's head just after."""
    original = Listing.trials
    pushed: list[str] = []

    def trials(self: Listing, experiments: Sequence[Any]) -> Any:
        if not pushed:
            before = git(repo.remote, "rev-parse", "main")
            human()
            pushed.append(git(repo.remote, "rev-parse", "main"))
            assert pushed[0] != before
        return original(self, experiments)

    monkeypatch.setattr(Listing, "trials", trials)
    return pushed


def experiment(repo: Repo, name: str) -> dict[str, Any]:
    items = connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items
    return next(i for i in items if i["metadata"]["name"].startswith(f"{name}-"))


def finished(repo: Repo, name: str) -> bool:
    conditions = (experiment(repo, name).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Succeeded" and c.get("status") == "True" for c in conditions)


def assert_on_top(repo: Repo, human: str) -> None:
    """Our report commit is the remote's head, replayed on the human commit; linear history."""
    head = git(repo.remote, "rev-parse", "main")
    assert git(repo.remote, "log", "-1", "--format=%ae", head).startswith("katib-gitops@")
    assert git(repo.remote, "rev-parse", f"{head}^") == human
    assert git(repo.clone, "rev-parse", "HEAD") == head
    history = audit(repo)
    assert history.merges == history.empty == history.duplicates == history.outside == []


def test_a_readme_edit_mid_pass_is_kept_and_the_push_rebased(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.spec("a")
    repo.push("add a")

    def edit_readme() -> None:
        (repo.human / "README.md").write_text("# Our experiments\n")
        repo.push("README")

    human = mid_pass(monkeypatch, repo, edit_readme)
    assert repo.reconcile("--push") == 0
    assert_on_top(repo, human[0])
    assert repo.remote_file("README.md") == "# Our experiments"
    assert repo.report("a")["object"]["name"] == experiment(repo, "a")["metadata"]["name"]


def test_a_spec_edit_mid_pass_is_kept_and_applied_by_the_next_pass(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.spec("a", extra=LONG)
    repo.push("add a")

    def edit_spec() -> None:
        repo.spec("a", max=4, extra=LONG)
        repo.push("a: one more trial")

    human = mid_pass(monkeypatch, repo, edit_spec)
    assert repo.reconcile("--push") == 0
    assert_on_top(repo, human[0])
    assert experiment(repo, "a")["spec"]["maxTrialCount"] == 3  # the pass applied its revision
    folder = f"generated/{repo.namespace}/a"
    assert "maxTrialCount: 4" in git(
        repo.remote, "grep", "-h", "maxTrialCount", "main", "--", folder
    )
    monkeypatch.undo()
    assert repo.reconcile("--push") == 0  # the next pass: an in-place edit
    assert experiment(repo, "a")["spec"]["maxTrialCount"] == 4
    wait_for("a's fourth trial", lambda: finished(repo, "a") and _trials(repo, "a") == 4)
    assert repo.reconcile("--push") == 0
    assert [t["state"] for t in repo.report("a")["trials"]] == ["Succeeded"] * 4


def test_a_human_edit_of_our_report_mid_pass_is_written_over_on_top(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.spec("a")
    repo.push("add a")
    assert repo.reconcile("--push") == 0
    wait_for("a to finish", lambda: finished(repo, "a"))
    readme = f"reports/{repo.namespace}/a/README.md"
    before = repo.remote_file(readme)

    def edit_report() -> None:
        git(repo.human, "pull", "-q", "--rebase", "origin", "main")
        path = repo.human / readme
        path.write_text(path.read_text() + "\nA note by a human.\n")
        git(repo.human, "commit", "-q", "-am", "a note in a's report")
        git(repo.human, "push", "-q", "origin", "HEAD:main")

    human = mid_pass(monkeypatch, repo, edit_report)
    assert repo.reconcile("--push") == 0
    # the pass's commit changed the same file: it was dropped, the report written again from
    # what the pass observed, on top of the human commit, and committed once
    assert_on_top(repo, human[0])
    report = repo.report("a")
    assert [t["state"] for t in report["trials"]] == ["Succeeded"] * 3
    after = repo.remote_file(readme)
    assert after != before and "A note by a human." not in after  # ours: written again
    assert "A note by a human." in repo.remote_file(readme, human[0])  # kept in history
    log = repo.remote_log()
    assert log[:2] == [log[0], "a note in a's report"] and log[0].startswith("reports: ")
    monkeypatch.undo()
    head = git(repo.remote, "rev-parse", "main")
    assert repo.reconcile("--push") == 0
    assert git(repo.remote, "rev-parse", "main") == head  # nothing left to write


def _trials(repo: Repo, name: str) -> int:
    from compiler.cluster.kinds import TRIAL

    selector = f"katib.kubeflow.org/experiment={experiment(repo, name)['metadata']['name']}"
    cluster = connect(str(repo.kubeconfig))
    return len(cluster.list(TRIAL, repo.namespace, label_selector=selector).items)
