"""plan, apply and reconcile --once against the real kube-apiserver, with the Katib simulator
running the experiments and a real git remote receiving the reports."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT
from tests.reconcile.conftest import Repo, git, wait_for

pytestmark = pytest.mark.apiserver


def kube(repo: Repo) -> Any:
    return connect(str(repo.kubeconfig))


def experiments(repo: Repo) -> dict[str, dict[str, Any]]:
    items = kube(repo).list(EXPERIMENT, repo.namespace).items
    return {i["metadata"]["name"]: i for i in items}


def succeeded(repo: Repo, name: str) -> bool:
    exp = experiments(repo).get(name) or {}
    return any(
        c.get("type") == "Succeeded" and c.get("status") == "True"
        for c in (exp.get("status") or {}).get("conditions") or []
    )


def object_name(repo: Repo, name: str) -> str:
    return str(
        wait_for(name, lambda: next((n for n in experiments(repo) if n.startswith(f"{name}-")), ""))
    )


def plan_json(repo: Repo, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    capsys.readouterr()
    code = repo.cli("plan", "--root", str(repo.clone), "-o", "json", *args)
    return code, json.loads(capsys.readouterr().out)


def test_create_observe_report_and_then_nothing(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.spec("alpha")
    repo.push("add alpha")
    code, body = plan_json(repo, capsys, "--detailed-exitcode")
    assert code == 4
    assert [(a["action"], a["experiment"]) for a in body["actions"]] == [("create", "alpha")]
    assert repo.reconcile("--push") == 0
    name = object_name(repo, "alpha")
    wait_for("alpha to succeed", lambda: succeeded(repo, name))
    assert repo.reconcile("--push") == 0
    report = repo.report("alpha")
    assert report["backend"] == "cluster" and report["object"]["name"] == name
    assert [t["state"] for t in report["trials"]] == ["Succeeded"] * 3
    assert report["status"]["trialsSucceeded"] == 3
    log = repo.remote_log()
    # steady state: nothing more to commit, nothing to apply
    assert repo.reconcile("--push") == 0
    assert repo.remote_log() == log
    code, body = plan_json(repo, capsys, "--detailed-exitcode")
    assert code == 0 and [a["action"] for a in body["actions"]] == ["unchanged"]


def test_an_immutable_edit_replaces_after_the_old_report_is_in_git(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.spec("beta")
    repo.push("add beta")
    assert repo.reconcile("--push") == 0
    old = object_name(repo, "beta")
    wait_for("beta to succeed", lambda: succeeded(repo, old))
    old_revision = old.rsplit("-", 1)[1]
    repo.spec("beta", top="0.3")
    repo.push("beta: a wider range")
    git(repo.clone, "pull", "-q", "--rebase")
    _, body = plan_json(repo, capsys)
    (action,) = body["actions"]
    assert action["action"] == "replace" and action["replaces"] == old
    assert action["fields"] == [
        {"path": "spec.parameters[lr].feasibleSpace.max", "before": "0.1", "after": "0.3"}
    ]
    # When the old object starts to go, Git already holds its report with its three trials.
    seen: dict[str, Any] = {}
    stop = threading.Event()

    def watch_deletion() -> None:
        while not stop.is_set():
            exp = experiments(repo).get(old)
            if exp is None or exp["metadata"].get("deletionTimestamp"):
                try:
                    seen["report"] = repo.report("beta")
                except AssertionError:
                    seen["report"] = None
                return
            stop.wait(0.02)

    watcher = threading.Thread(target=watch_deletion)
    watcher.start()
    try:
        assert repo.reconcile("--push") == 0
        watcher.join(30)
    finally:
        stop.set()
    assert seen["report"] is not None
    assert seen["report"]["object"]["name"] == old
    assert [t["state"] for t in seen["report"]["trials"]] == ["Succeeded"] * 3
    new = object_name(repo, "beta")
    assert new != old
    wait_for("the old revision to go", lambda: old not in experiments(repo))
    wait_for("beta's new revision", lambda: succeeded(repo, new))
    assert repo.reconcile("--push") == 0
    archived = repo.report("beta", sub=old_revision)
    assert archived["deleted"] == {
        "reason": "Replaced",
        "message": "",
        "replacedBy": new.rsplit("-", 1)[1],
    }
    assert len(archived["trials"]) == 3
    assert repo.report("beta")["object"]["name"] == new
    assert f"revisions/{old_revision}/README.md" in repo.remote_file("reports/index.md")


def test_a_budget_edit_is_in_place_and_katib_refusals_are_blocked(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.spec("gamma", max=2, extra="resume: LongRunning\n")
    repo.spec("delta", max=2)
    repo.push("add gamma and delta")
    assert repo.reconcile("--push") == 0
    gamma, delta = object_name(repo, "gamma"), object_name(repo, "delta")
    wait_for("both to succeed", lambda: succeeded(repo, gamma) and succeeded(repo, delta))
    repo.spec("gamma", max=4, extra="resume: LongRunning\n")
    repo.spec("delta", max=4)
    repo.push("more trials")
    git(repo.clone, "pull", "-q", "--rebase")
    code, body = plan_json(repo, capsys)
    by = {a["experiment"]: a for a in body["actions"]}
    assert code == 1  # delta is blocked
    assert by["gamma"]["action"] == "in-place" and by["gamma"]["name"] == gamma
    assert by["gamma"]["fields"] == [{"path": "spec.maxTrialCount", "before": 2, "after": 4}]
    # U-1 (reference §3.3): a completed experiment with resumePolicy Never cannot be edited
    assert by["delta"]["action"] == "blocked" and "LongRunning" in by["delta"]["reason"]
    assert repo.reconcile("--push") == 1
    wait_for("gamma to run on", lambda: len(_trials(repo, gamma)) == 4 and succeeded(repo, gamma))
    assert experiments(repo)[delta]["spec"]["maxTrialCount"] == 2  # untouched


def _trials(repo: Repo, name: str) -> list[Any]:
    from compiler.cluster.kinds import TRIAL

    return list(
        kube(repo)
        .list(TRIAL, repo.namespace, label_selector=f"katib.kubeflow.org/experiment={name}")
        .items
    )


def test_objects_not_ours_are_never_touched_even_with_prune(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.spec("eps")
    repo.push("add eps")
    git(repo.clone, "pull", "-q", "--rebase")
    code, body = plan_json(repo, capsys)
    wanted = body["actions"][0]["name"]
    cluster = kube(repo)
    hand = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"namespace": repo.namespace},
        "spec": json.loads(json.dumps(_manifest(repo, "eps")["spec"])),
    }
    for name in (wanted, "hand-made"):
        cluster.create({**hand, "metadata": {**hand["metadata"], "name": name}})
    before = {n: e["metadata"]["resourceVersion"] for n, e in experiments(repo).items()}
    code, body = plan_json(repo, capsys)
    assert code == 1
    assert [(a["action"], a["name"]) for a in body["actions"]] == [("foreign", wanted)]
    assert repo.reconcile("--push", "--prune") == 1
    after = experiments(repo)
    assert set(after) == {wanted, "hand-made"}
    # the simulator plays Katib on them (status, finalizer); their spec and labels stay theirs
    for name, exp in after.items():
        assert "katib-gitops.dev/managed" not in (exp["metadata"].get("labels") or {}), name
        assert exp["spec"] == hand["spec"] | {
            "parallelTrialCount": exp["spec"]["parallelTrialCount"]
        }
    assert before  # both were there before the pass
    repo.spec("eps", max=5)


def _manifest(repo: Repo, name: str) -> dict[str, Any]:
    from compiler.desired import read_desired

    folder = repo.clone / "generated"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}
    return dict(next(d for d in read_desired(files).experiments if d.experiment == name).manifest)


def test_a_removed_spec_is_retired_only_with_prune_after_its_report(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.spec("zeta")
    repo.spec("keep")
    repo.push("add zeta")
    assert repo.reconcile("--push") == 0
    zeta = object_name(repo, "zeta")
    wait_for("zeta to succeed", lambda: succeeded(repo, zeta))
    (repo.human / "specs" / repo.namespace / "zeta.yaml").unlink()
    repo.push("remove zeta")
    assert repo.reconcile("--push") == 0
    assert zeta in experiments(repo)  # no --prune: retire waits
    report = repo.report("zeta")
    assert report["deleted"] is None and len(report["trials"]) == 3
    assert repo.reconcile("--push", "--prune") == 0
    wait_for("zeta to go", lambda: zeta not in experiments(repo))
    assert repo.reconcile("--push") == 0
    gone = repo.report("zeta")
    assert gone["deleted"]["reason"] == "Retired" and len(gone["trials"]) == 3
