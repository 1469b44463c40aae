"""Two reconcilers, each with its own clone of one remote, on one cluster, started together pass
after pass: both finish, the remote's history stays linear with no commit duplicated, and the
reports are what one clean observation gives."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT
from tests.reconcile.conftest import (
    PROJECT,
    Ran,
    Repo,
    assert_same,
    audit,
    clean_observation,
    command,
    current,
    git,
    remote_results,
    run_cli,
    wait_for,
)

pytestmark = pytest.mark.apiserver


LOST_RACE = "cannot lock ref"  # git's words when another push took the ref first


def args(repo: Repo, clone: Path) -> list[str]:
    return [
        "reconcile", "--once", "--push", "--prune", "--repo", str(clone),
        "--kubeconfig", str(repo.kubeconfig),
    ]  # fmt: skip


def together(repo: Repo, clones: list[Path]) -> list[Ran]:
    """`reconcile --once --push --prune` in every clone at the same moment."""
    started = time.monotonic()
    procs = []
    for clone in clones:
        procs.append(
            subprocess.Popen(
                command(*args(repo, clone)),
                cwd=PROJECT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    ran = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        ran.append(Ran(proc.returncode, out, err, time.monotonic() - started))
    return ran


def settled(repo: Repo, count: int) -> bool:
    items = connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items
    return len(items) == count and all(
        any(
            c.get("type") == "Succeeded" and c.get("status") == "True"
            for c in (e.get("status") or {}).get("conditions") or []
        )
        for e in items
    )


def test_two_reconcilers_racing_for_one_remote(repo: Repo, tmp_path: Path) -> None:
    repo.spec("a")
    repo.spec("b")
    repo.push("add a and b")
    second = tmp_path / "reconciler-2"
    subprocess.run(["git", "clone", "-q", str(repo.remote), str(second)], check=True)
    clones = [repo.clone, second]
    runs: list[Ran] = []
    lost: list[str] = []  # passes whose push lost the race for the ref lock (see below)

    def race(rounds: int) -> None:
        for _ in range(rounds):
            for clone, first in zip(clones, together(repo, clones), strict=True):
                runs.append(ran := first)
                assert "Traceback" not in ran.err, str(ran)
                if ran.code == 2 and LOST_RACE in ran.err:
                    # a known bug of the git room (compiler/git_repo/remote.py, push_once):
                    # the remote refused the ref update because the other push updated it
                    # between its check and its lock; that is a rejection to fetch, rebase
                    # and retry, not a refusal (exit 2). Its commit is kept: the next pass
                    # pushes it.
                    lost.append(ran.err.strip().splitlines()[-2])
                    ran = run_cli(*args(repo, clone))
                    runs.append(ran)
                assert ran.code == 0, str(ran)

    race(2)  # both create, both report the running experiments
    wait_for("a and b to finish", lambda: settled(repo, 2))
    race(1)
    old = remote_results(repo)[f"reports/{repo.namespace}/b/results.json"]
    # an immutable edit: both archive the old b, both delete it (the uid precondition makes
    # the second delete a no-op), both create the new one
    repo.spec("b", top="0.4")
    repo.push("b: a wider range")
    race(2)
    wait_for("the new b to finish", lambda: settled(repo, 2))
    race(1)

    history = audit(repo)
    assert history.merges == [], "the history is linear"
    assert history.empty == history.duplicates == history.outside == []
    results = remote_results(repo)
    uids = [r["object"]["uid"] for r in results.values()]
    assert len(uids) == len(set(uids)) == 3  # a, b and the archived b: one report each
    archived = next(r for p, r in results.items() if "/revisions/" in p)
    assert archived["object"] == old["object"] and archived["trials"] == old["trials"]
    assert archived["deleted"]["reason"] == "Replaced"
    assert_same(current(results), current(clean_observation(repo, tmp_path / "clean")))
    for clone in clones:  # both clones end clean, at the remote's head
        assert git(clone, "status", "--porcelain") == ""
        assert git(clone, "rev-parse", "HEAD") == git(repo.remote, "rev-parse", "main")
    assert not lost, f"{len(lost)} push(es) lost the ref-lock race and exited 2: {lost[0]}"
    committed = sum(r.err.count("committed ") for r in runs)
    print(
        f"\n[race] {len(runs)} passes in {len(runs) // 2} rounds of two made {committed} "
        f"commits; {history.ours} reached the remote (the others' were dropped on a conflict "
        f"and found equal when written again), {history.commits} commits in all, linear, "
        f"0 duplicated; the reports equal a clean observation; pass seconds "
        f"{sorted(round(r.seconds, 1) for r in runs)}"
    )
