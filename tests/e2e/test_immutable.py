"""Immutable edits under Argo CD and Flux (issue 10, item 8), on the real API server behind
Katib's real webhooks, with the Katib simulator running the experiments.

The tool applies generated/ (kustomize build + server-side apply with its field manager; it never
deletes, never forces a recreate). An edit Katib cannot take in place (reference §3.3, U-3)
gives a new object name (`<name>-<revision>`), so the sync creates the new revision beside the
old one: no Forbidden, and the old run keeps its trials until `katib-gitops reconcile
--observe-only --prune` has archived its report in Git and deleted it. With
`revisionSuffix: false` the same edit reaches Katib's validating webhook as an update of the old
object, and Katib refuses it: that is why suffixed names are the default."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.gitops import TOOLS, Api, Applied, Tool, sync_all
from tests.e2e.workspace import Workspace
from tests.reconcile.conftest import git, wait_for

pytestmark = [pytest.mark.apiserver, pytest.mark.usefixtures("simulator")]
IDS = [t.name for t in TOOLS]
# Katib's validator (validator.go, U-3; reference §3.2 item 9): the error a same-name edit gets
FORBIDDEN = (
    "spec: Forbidden: only spec.parallelTrialCount, spec.maxTrialCount and "
    "spec.maxFailedTrialCount are editable"
)
WEBHOOK = 'admission webhook "validator.experiment.katib.kubeflow.org" denied the request'


def tool_sync(ws: Workspace, api: Api, kustomize: Path, tool: Tool) -> list[Applied]:
    ws.fetch_checkout()
    return sync_all(api, kustomize, ws.checkout, tool)


class Deletion:
    """Watches an object; when it is seen going (a deletionTimestamp, or gone), reads the
    report the remote holds for it at that moment."""

    def __init__(self, ws: Workspace, experiment: str, name: str) -> None:
        self.ws, self.experiment, self.name = ws, experiment, name
        self.report: dict[str, Any] | None = None
        self.seen = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        while not self._stop.is_set():
            exp = self.ws.experiments().get(self.name)
            if exp is None or exp["metadata"].get("deletionTimestamp"):
                self.report = self.ws.remote_report_of(self.experiment, self.name)
                self.seen = True
                return
            self._stop.wait(0.02)

    def __enter__(self) -> Deletion:
        self._thread.start()
        return self

    def __exit__(self, failed: type[BaseException] | None, *exc: object) -> None:
        if failed is not None:
            self._stop.set()  # the block's own error is the one to see
        self._thread.join(30)
        self._stop.set()
        if failed is None:
            assert self.seen, f"{self.name} was not deleted"


def only_object(ws: Workspace, experiment: str) -> str:
    names = wait_for(experiment, lambda: ws.object_names(experiment))
    assert len(names) == 1, names
    return str(names[0])


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_an_immutable_edit_syncs_beside_the_old_revision_which_is_archived_then_retired(
    tool: Tool,
    workspace: Any,
    api: Api,
    kustomize: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ws: Workspace = workspace(f"imm-{tool.name}")
    ws.spec("beta")
    ws.push("add beta")
    applied = tool_sync(ws, api, kustomize, tool)
    assert [(a.name, a.ok) for a in applied] == [(only_object(ws, "beta"), True)]
    old = only_object(ws, "beta")
    old_revision = old.rsplit("-", 1)[1]
    ws.wait_succeeded(old)
    assert ws.reconcile("--observe-only", "--push") == 0
    assert [t["state"] for t in ws.report("beta")["trials"]] == ["Succeeded"] * 3

    ws.spec("beta", top="0.3")  # the search space: immutable (U-3)
    ws.push("beta: a wider range")
    # The reconciler may pass before the tool syncs: the new revision is not there yet, so the
    # old one is not retired, even with --prune (observe-only leaves the replace to the tool).
    assert ws.reconcile("--observe-only", "--prune", "--push") == 0
    assert set(ws.experiments()) == {old} and len(ws.trials(old)) == 3
    applied = tool_sync(ws, api, kustomize, tool)
    assert [(a.status, a.message) for a in applied if not a.ok] == []  # no Forbidden
    (new,) = [a.name for a in applied]
    assert new != old and new.startswith("beta-")
    fields = ws.experiments()[new]["metadata"]["managedFields"]
    appliers = {f["manager"] for f in fields if f["operation"] == "Apply"}
    assert appliers == {tool.manager}  # the tool created it; observe-only applies nothing
    # Side by side: the old run is untouched, its trials and its result kept.
    live = ws.experiments()
    assert set(live) == {old, new}
    assert live[old]["spec"]["parameters"][0]["feasibleSpace"]["max"] == "0.1"
    assert live[new]["spec"]["parameters"][0]["feasibleSpace"]["max"] == "0.3"
    assert ws.succeeded(old) and len(ws.trials(old)) == 3
    assert ws.reconcile("--observe-only", "--push") == 0  # no --prune: nothing is deleted
    assert old in ws.experiments() and len(ws.trials(old)) == 3

    plan = ws.plan(capsys)
    by_name = {a["name"]: a for a in plan["actions"]}
    assert by_name[new]["action"] == "unchanged"  # the tool created it
    assert by_name[old]["action"] == "retire"
    assert f"superseded by revision {new.rsplit('-', 1)[1]}" in by_name[old]["reason"]

    # When the old object starts to go, the remote already holds its report, all trials in.
    with Deletion(ws, "beta", old) as seen:
        assert ws.reconcile("--observe-only", "--prune", "--push") == 0
    assert seen.report is not None and seen.report["deleted"] is None
    assert [t["state"] for t in seen.report["trials"]] == ["Succeeded"] * 3
    ws.wait_gone(old)
    ws.wait_succeeded(new)
    assert ws.reconcile("--observe-only", "--push") == 0

    earlier = ws.report("beta", sub=old_revision)
    assert earlier["object"]["name"] == old
    assert earlier["deleted"]["reason"] == "Replaced"
    assert earlier["deleted"]["replacedBy"] == new.rsplit("-", 1)[1]
    assert [t["state"] for t in earlier["trials"]] == ["Succeeded"] * 3
    current = ws.report("beta")
    assert current["object"]["name"] == new and current["deleted"] is None
    assert [t["state"] for t in current["trials"]] == ["Succeeded"] * 3
    assert f"revisions/{old_revision}/README.md" in ws.remote_file("reports/index.md")
    # The tool never deletes: the one delete was the reconciler's, after the archive.
    assert set(ws.experiments()) == {new}


def same_name_edit(ws: Workspace, api: Api, kustomize: Path, tool: Tool) -> Applied:
    """A same-name spec (`revisionSuffix: false`) synced and run, then an immutable edit of it
    merged and synced: the tool's answer for that object."""
    ws.spec("gamma", extra="revisionSuffix: false\n")
    ws.push("add gamma")
    assert [(a.name, a.ok) for a in tool_sync(ws, api, kustomize, tool)] == [("gamma", True)]
    ws.wait_succeeded("gamma")
    ws.spec("gamma", top="0.3", extra="revisionSuffix: false\n")
    ws.push("gamma: a wider range, under the same name")
    (answer,) = tool_sync(ws, api, kustomize, tool)
    return answer


def max_lr(ws: Workspace, name: str) -> str:
    return str(ws.experiments()[name]["spec"]["parameters"][0]["feasibleSpace"]["max"])


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_a_same_name_immutable_edit_is_refused_by_katibs_webhook_at_sync(
    tool: Tool,
    workspace: Any,
    api: Api,
    kustomize: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ws: Workspace = workspace(f"same-{tool.name}")
    refused = same_name_edit(ws, api, kustomize, tool)
    assert (refused.status, refused.name) == (400, "gamma")  # Katib's handler: BadRequest
    assert WEBHOOK in refused.message and FORBIDDEN in refused.message
    # nothing changed: the old run, its trials and its spec are as they were
    assert max_lr(ws, "gamma") == "0.1" and len(ws.trials("gamma")) == 3
    assert ws.succeeded("gamma")
    # our own plan calls it a replace under the same name: a delete, then a create
    git(ws.clone, "pull", "-q", "--ff-only")
    (action,) = ws.plan(capsys)["actions"]
    assert (action["action"], action["replaces"]) == ("replace", "gamma")
    assert action["fields"] == [
        {"path": "spec.parameters[lr].feasibleSpace.max", "before": "0.1", "after": "0.3"}
    ]


def test_observe_only_replaces_a_same_name_revision_only_with_prune(
    workspace: Any, api: Api, kustomize: Path
) -> None:
    ws: Workspace = workspace("same-stuck")
    assert not same_name_edit(ws, api, kustomize, TOOLS[0]).ok
    # without --prune it says so (exit 1): the tool cannot replace an object of the same name
    assert ws.reconcile("--observe-only", "--push") == 1
    assert ws.experiments().get("gamma") is not None
    # with --prune the old revision is archived and deleted, so that the next sync creates it
    assert ws.reconcile("--observe-only", "--prune", "--push") == 0
    old = ws.experiments().get("gamma")
    assert old is None or old["metadata"].get("deletionTimestamp"), "exit 0, and nothing done"
    ws.wait_gone("gamma")
    tool_sync(ws, api, kustomize, TOOLS[0])
    assert max_lr(ws, "gamma") == "0.3"
