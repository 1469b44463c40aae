"""Stopping the reconciler: SIGTERM finishes, commits and pushes; SIGKILL at any point of a
pass (sync, apply, the archive before a replace's delete, reports, commit, push) loses no
report, duplicates no commit and deletes no experiment whose report is not on the remote."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from compiler.cluster.api import WatchEvent
from compiler.cluster.client import connect
from compiler.cluster.informer import Informer
from compiler.cluster.kinds import EXPERIMENT, TRIAL
from compiler.cluster.retry import Retry
from tests.reconcile.conftest import (
    PROJECT,
    Repo,
    audit,
    command,
    git,
    git_daemon,
    remote_files,
    remote_results,
    run_cli,
    wait_for,
)

pytestmark = pytest.mark.apiserver

SEED = 1729
EXPERIMENT_LABEL = "katib.kubeflow.org/experiment"


def experiments(repo: Repo) -> dict[str, dict[str, Any]]:
    items = connect(str(repo.kubeconfig)).list(EXPERIMENT, repo.namespace).items
    return {i["metadata"]["name"]: i for i in items}


def all_done(repo: Repo, count: int) -> bool:
    exps = experiments(repo)
    return len(exps) == count and all(
        any(
            c.get("type") == "Succeeded" and c.get("status") == "True"
            for c in (e.get("status") or {}).get("conditions") or []
        )
        and not e["metadata"].get("deletionTimestamp")
        for e in exps.values()
    )


# -- SIGTERM ---------------------------------------------------------------------------------


def test_sigterm_commits_and_pushes_the_pending_report(repo: Repo) -> None:
    repo.spec("term")
    repo.push("add term")
    log = repo.clone.parent / "reconcile.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command(
                "reconcile", "--watch", "--push", "--repo", str(repo.clone),
                "--kubeconfig", str(repo.kubeconfig),
                "--commit-interval", "3600", "--fetch-interval", "3600",
            ),
            cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            written = repo.clone / "reports" / repo.namespace / "term" / "results.json"

            def pending() -> bool:
                if not written.exists():
                    return False
                trials = json.loads(written.read_text()).get("trials") or []
                return [t["state"] for t in trials] == ["Succeeded"] * 3

            wait_for("the report written in the clone", pending, 60)
            time.sleep(0.5)  # the pass that saw the last trial is over; nothing else comes
            # written, not committed (the interval), so not on the remote
            assert git(repo.clone, "status", "--porcelain", "--", "reports")
            assert not any("/term/" in p for p in remote_files(repo))
            head = git(repo.remote, "rev-parse", "main")
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(30)  # Kubernetes' default terminationGracePeriodSeconds
            seconds = time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert code == 0, text
    assert "Traceback" not in text, text
    assert "finishing the pass, then commit and push" in text
    report = repo.report("term")
    assert report == json.loads(written.read_text())
    assert [t["state"] for t in report["trials"]] == ["Succeeded"] * 3
    assert git(repo.clone, "status", "--porcelain") == ""  # committed, nothing left behind
    assert git(repo.remote, "rev-list", "--count", f"{head}..main") == "1"
    print(f"\n[sigterm] exit 0 {seconds:.2f}s after SIGTERM; the pending report pushed")


# -- SIGKILL ---------------------------------------------------------------------------------


@dataclass
class Watcher:
    """Every Experiment and Trial of the namespace the test cluster ever held, and, for each
    Experiment the moment its deletion is seen, the remote's commit then."""

    repo: Repo
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid → the last version
    trials: dict[str, set[str]] = field(default_factory=dict)  # experiment name → trial names
    deleted_at: dict[str, str] = field(default_factory=dict)  # uid → remote main then
    deleting: threading.Event = field(default_factory=threading.Event)  # a deletion was seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_experiment(self, event: WatchEvent) -> None:
        meta = event.object["metadata"]
        uid = str(meta["uid"])
        going = event.type == "DELETED" or bool(meta.get("deletionTimestamp"))
        with self.lock:
            self.seen[uid] = event.object
            if going and uid not in self.deleted_at:
                self.deleted_at[uid] = git(self.repo.remote, "rev-parse", "main")
                self.deleting.set()

    def on_trial(self, event: WatchEvent) -> None:
        meta = event.object["metadata"]
        owner = str((meta.get("labels") or {}).get(EXPERIMENT_LABEL, ""))
        with self.lock:
            self.trials.setdefault(owner, set()).add(str(meta["name"]))


@contextmanager
def watching(repo: Repo) -> Iterator[Watcher]:
    cluster = connect(str(repo.kubeconfig))
    watcher = Watcher(repo)
    stop = threading.Event()
    retry = Retry(base=0.01, cap=0.2)
    informers = [
        (Informer(cluster, EXPERIMENT, repo.namespace, retry=retry), watcher.on_experiment),
        (Informer(cluster, TRIAL, repo.namespace, retry=retry), watcher.on_trial),
    ]
    threads = [threading.Thread(target=i.run, args=(stop, on), daemon=True) for i, on in informers]
    for t in threads:
        t.start()
    wait_for("the watches", lambda: all(i.watches for i, _ in informers), 30)
    try:
        yield watcher
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        cluster.close()


@dataclass
class Killer:
    """Passes SIGKILLed at a random moment of a chosen step: after a random time, at the k-th
    git index lock (a reset, an add, a commit), a little after a commit (in its push), or
    when an experiment starts to be deleted (the replace's wait and create)."""

    repo: Repo
    watcher: Watcher
    rng: random.Random
    kills: list[tuple[str, float, str]] = field(default_factory=list)  # trigger, when, left
    completions: list[float] = field(default_factory=list)

    def args(self, *extra: str) -> list[str]:
        return [
            "reconcile", "--once", "--push", "--repo", str(self.repo.clone),
            "--kubeconfig", str(self.repo.kubeconfig), *extra,
        ]  # fmt: skip

    def kill(self, trigger: str, *extra: str) -> None:
        """One pass, SIGKILLed with its git children (a pod's processes die together)."""
        self.watcher.deleting.clear()
        proc = subprocess.Popen(
            command(*self.args(*extra)),
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        started = time.monotonic()
        lines: list[tuple[float, str]] = []  # its log, as it comes

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.append((time.monotonic() - started, line))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        fire = self._trigger(trigger, lines)
        while proc.poll() is None and not fire(time.monotonic() - started):
            time.sleep(0.001)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            state = self.left()
        else:
            reader.join(5)
            assert proc.returncode == 0, "".join(line for _, line in lines)
            state = "finished first"
        reader.join(5)
        self.kills.append((trigger, time.monotonic() - started, state))

    def _trigger(self, trigger: str, lines: list[tuple[float, str]]) -> Callable[[float], bool]:
        """When to kill, given the seconds since the start."""
        lock = self.repo.clone / ".git" / "index.lock"
        if trigger == "time":
            at = self.rng.uniform(0.2, 2.0)
            return lambda t: t >= at
        if trigger == "lock":  # the k-th index.lock seen
            k, seen, held = self.rng.randint(1, 3), [0], [False]

            def locked(t: float) -> bool:
                now = lock.exists()
                seen[0] += now and not held[0]
                held[0] = now
                return seen[0] >= k

            return locked
        if trigger == "commit":  # its log says it committed: kill in the push that follows
            wait = self.rng.uniform(0.0, 0.03)

            def pushing(t: float) -> bool:
                done = [at for at, line in lines if line.startswith("committed ")]
                return bool(done) and t >= done[0] + wait

            return pushing
        assert trigger == "delete"  # the archive is on the remote by now (asserted at the end)
        return lambda t: self.watcher.deleting.is_set()

    def left(self) -> str:
        """What a killed pass left in the clone."""
        clone = self.repo.clone
        found = []
        if list((clone / ".git").glob("*.lock")) or list((clone / ".git").glob("refs/**/*.lock")):
            found.append("a lock file")
        journal = clone / ".git" / "katib-gitops-op"  # the git room's journal of a HEAD move
        if journal.exists():
            found.append(f"a half-done {journal.read_text().split()[0]}")
        if any(line for line in git(clone, "status", "--porcelain").splitlines()):
            found.append("uncommitted reports")
        head = git(clone, "rev-parse", "HEAD")
        probe = subprocess.run(
            ["git", "-C", str(self.repo.remote), "merge-base", "--is-ancestor", head, "main"],
            capture_output=True,
            check=False,
        )
        if probe.returncode != 0:
            found.append("an unpushed commit")
        if self.watcher.deleting.is_set():
            found.append("an experiment being deleted")
        return " + ".join(found) or "nothing"

    def complete(self, *extra: str) -> None:
        """One pass to the end: it recovers whatever the killed ones left."""
        ran = run_cli(*self.args(*extra))
        assert ran.code == 0, str(ran)
        self.completions.append(ran.seconds)


#: (what changes in Git before the pass, or "" for nothing; whether it deletes an experiment)
STEPS = [
    ("", False),  # the first pass: a and b, added before
    ("", False),
    ("add c", False),
    ("edit a", True),
    ("", False),
    ("remove b", True),
    ("add d", False),
    ("edit c", True),
    ("", False),
    ("remove d", True),
    ("edit a", True),
    ("add e", False),
    ("", False),
    ("remove c", True),
    ("edit e", True),
    ("", False),
]


def change(repo: Repo, what: str, edits: Counter[str]) -> None:
    verb, *names = what.split()
    for name in names:
        if verb == "add":
            repo.spec(name)
        elif verb == "edit":  # the search space: a new revision replaces the old one
            edits[name] += 1
            repo.spec(name, top=f"0.{edits[name] + 1}")
        else:
            (repo.human / "specs" / repo.namespace / f"{name}.yaml").unlink()
    repo.push(what)


def test_sigkill_at_random_points_loses_and_duplicates_nothing(repo: Repo) -> None:
    rng = random.Random(SEED)
    edits: Counter[str] = Counter()
    specs = {"a", "b"}
    change(repo, "add a b", edits)
    with git_daemon(repo), watching(repo) as watcher:
        killer = Killer(repo, watcher, rng)
        for what, deletes in STEPS:
            if deletes:
                # what is deleted has finished first: its archived report can hold every trial
                killer.complete("--prune")
                count = len(specs)
                wait_for(f"{sorted(specs)} to finish", lambda n=count: all_done(repo, n))
            if what:
                change(repo, what, edits)
                verb, *names = what.split()
                specs = specs - set(names) if verb == "remove" else specs | set(names)
            triggers = ("commit", "delete", "lock") if deletes else ("lock", "time", "commit")
            killer.kill(rng.choice(triggers), "--prune")
        killer.complete("--prune")
        wait_for("the last experiments", lambda: all_done(repo, len(specs)))
        killer.complete("--prune")  # reports with every trial
        time.sleep(0.5)  # the last events reach the watcher

    with watcher.lock:
        seen, trials, deleted_at = (
            dict(watcher.seen),
            dict(watcher.trials),
            dict(watcher.deleted_at),
        )
    results = remote_results(repo)
    by_uid: dict[str, list[str]] = {}
    for path, report in results.items():
        by_uid.setdefault(report["object"]["uid"], []).append(path)
    # 0 lost reports: every experiment that existed has exactly one report, with all its trials
    assert len(seen) == 9  # a, b, c, d, e and the revisions the edits made
    for uid, exp in seen.items():
        name = exp["metadata"]["name"]
        paths = by_uid.get(uid, [])
        assert len(paths) == 1, f"{name}: reports {paths}"
        report = results[paths[0]]
        assert sorted(t["name"] for t in report["trials"]) == sorted(trials[name]), name
        assert len(trials[name]) == 3
        assert all(t["state"] == "Succeeded" for t in report["trials"]), name
    # no experiment deleted before its report was on the remote
    assert len(deleted_at) == 7  # all but the last revisions of a and e
    for uid, commit in deleted_at.items():
        name = seen[uid]["metadata"]["name"]
        there = remote_results(repo, commit)
        held = [r for r in there.values() if r["object"]["uid"] == uid]
        assert held and len(held[0]["trials"]) == 3, f"{name} deleted before its report was pushed"
    live = experiments(repo)
    assert sorted(n.rsplit("-", 1)[0] for n in live) == ["a", "e"]
    # 0 duplicate commits, no empty ones, a linear history
    history = audit(repo)
    assert history.merges == history.empty == history.duplicates == history.outside == []
    assert git(repo.clone, "status", "--porcelain") == ""

    triggers = Counter(trigger for trigger, _, _ in killer.kills)
    states = Counter(state for _, _, state in killer.kills)
    delays = sorted(round(d, 2) for _, d, _ in killer.kills)
    print(
        f"\n[sigkill] seed {SEED}: {len(killer.kills)} passes killed, by trigger "
        f"{dict(sorted(triggers.items()))}, at {delays} s; left behind: {dict(states)}; each "
        f"recovered by the next pass ({len(killer.completions)} completing passes, "
        f"{', '.join(f'{s:.1f}' for s in killer.completions)} s); {len(seen)} experiments, "
        f"{len(results)} reports, {history.commits} commits ({history.ours} ours), "
        "0 lost, 0 duplicated, 0 deleted before their report was pushed"
    )
