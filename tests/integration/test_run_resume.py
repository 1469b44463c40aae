"""Crash safety and resume: SIGKILL at random moments loses and repeats nothing; a finished
run continues when maxTrialCount is raised (Katib's LongRunning resume); seeded runs repeat."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from .conftest import QUADRATIC, Repo, spec

# each trial records itself, so a repeated or lost trial shows in the ledger
LEDGER_CMD = "echo ${trial.name} >> " + "{ledger}; sleep 0.05; " + QUADRATIC


def _finished(repo: Repo) -> list[str]:
    return [e["name"] for e in repo.journal() if e["event"] == "finished"]


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_repeats_nothing(repo: Repo) -> None:
    ledger = repo.root / "ledger.txt"
    text = spec(LEDGER_CMD.replace("{ledger}", str(ledger)), max_trials=14, parallel=3)
    path = repo.spec(text)
    rng = random.Random(1234)
    for _ in range(6):
        proc = repo.run_process(path)
        time.sleep(rng.uniform(0.5, 2.0))
        os.killpg(proc.pid, signal.SIGKILL)  # the runner's whole process group
        proc.wait(timeout=30)
    assert repo.run(path) == 0
    finished = _finished(repo)
    assert len(finished) == len(set(finished)) == 14  # each trial finished exactly once
    created = [e["name"] for e in repo.journal() if e["event"] == "created"]
    assert len(created) == len(set(created)) == 14  # no trial created twice, none lost
    status = repo.results()["status"]
    assert (status["trials"], status["trialsSucceeded"]) == (14, 14)
    # a trial that was started again ran with the same name and values
    runs = ledger.read_text().split()
    assert set(runs) == set(created)


def test_resume_of_a_finished_run_changes_nothing(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=3))
    assert repo.run(path) == 0
    before = (repo.root / "reports/demo/exp/README.md").read_bytes()
    events = len(repo.journal())
    assert repo.run(path) == 0
    assert len(repo.journal()) == events
    assert (repo.root / "reports/demo/exp/README.md").read_bytes() == before


def test_raising_max_trials_continues_with_long_running(repo: Repo) -> None:
    text = spec(QUADRATIC, max_trials=3) + "resume: LongRunning\n"
    path = repo.spec(text)
    assert repo.run(path) == 0
    assert repo.run(path, "--max-trials", "5") == 0
    s = repo.results()["status"]
    assert (s["trials"], s["trialsSucceeded"]) == (5, 5)
    kinds = [c["type"] for c in s["conditions"]]
    assert kinds == ["Created", "Restarting", "Running", "Succeeded"]


def test_raising_max_trials_with_never_is_refused(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=3))
    assert repo.run(path) == 0
    assert repo.run(path, "--max-trials", "5") == 2


def test_changed_spec_needs_fresh(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=2))
    assert repo.run(path) == 0
    repo.spec(spec(QUADRATIC, max_trials=2, params="  x: {min: -2.0, max: 3.0}\n"))
    assert repo.run(path) == 2
    assert repo.run(path, "--fresh") == 0


def test_corrupt_journal_is_refused(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=2))
    assert repo.run(path) == 0
    journal = repo.root / ".state/runs/demo/exp/journal.jsonl"
    lines = journal.read_bytes().split(b"\n")
    lines[2] = b"{not json"
    journal.write_bytes(b"\n".join(lines))
    assert repo.run(path) == 2


def test_seeded_runs_repeat_exactly(repo: Repo) -> None:
    text = spec(
        QUADRATIC, max_trials=6, parallel=1, algorithm="{name: tpe, settings: {random_state: 9}}"
    )
    path = repo.spec(text)
    assert repo.run(path) == 0
    first = [(t["name"], t["parameters"], t["objective"]) for t in repo.results()["trials"]]
    assert repo.run(path, "--fresh") == 0
    second = [(t["name"], t["parameters"], t["objective"]) for t in repo.results()["trials"]]
    assert first == second
