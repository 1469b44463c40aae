"""The simulator against the in-memory API server (`tests/simulator/fake.py`): experiments run
to completion by Katib's rules, deletion, budget edits, orphans, relists, determinism."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from compiler.cluster.kinds import EXPERIMENT, TRIAL
from compiler.kubetypes import roundtrip_json
from compiler.simulator.context import Options
from compiler.simulator.controller import Simulator
from compiler.simulator.status import trial_state
from compiler.simulator.trials import EXPERIMENT_TYPE, TRIAL_TYPE
from tests.simulator.builders import experiment
from tests.simulator.fake import FakeCluster

NS = "katib-test"


class Running:
    def __init__(self, seconds: float = 0.05, seed: int = 1) -> None:
        self.cluster = FakeCluster()
        self.lines: list[str] = []
        self.sim = Simulator(
            self.cluster, Options(trial_seconds=seconds, seed=seed, workers=2), self.lines.append
        )
        self.sim.start()

    def stop(self) -> None:
        self.sim.stop()
        self.cluster.close()

    def exp(self, name: str = "demo") -> dict[str, Any]:
        found = self.cluster.get(EXPERIMENT, NS, name)
        assert found is not None
        return found

    def trials(self, name: str = "demo") -> list[dict[str, Any]]:
        items = self.cluster.all(TRIAL, NS)
        mine = [
            t for t in items if t["metadata"]["labels"].get("katib.kubeflow.org/experiment") == name
        ]
        return sorted(mine, key=lambda t: int(t["metadata"]["resourceVersion"]))

    def condition(self, name: str = "demo") -> tuple[str, str] | None:
        conds = (self.exp(name).get("status") or {}).get("conditions") or []
        return (conds[-1]["type"], conds[-1].get("reason", "")) if conds else None


@pytest.fixture
def running() -> Iterator[Running]:
    r = Running()
    yield r
    r.stop()


def wait_for(what: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def decodes(obj: dict[str, Any], go_type: str) -> None:
    result = roundtrip_json(obj, go_type)
    assert not result.errors, result.errors
    assert not result.unknown, result.unknown


def test_an_experiment_runs_to_max_trials(running: Running) -> None:
    running.cluster.create(experiment(max_trials=6, parallel=2))
    wait_for(
        "Succeeded", lambda: running.condition() == ("Succeeded", "ExperimentMaxTrialsReached")
    )
    exp = running.exp()
    trials = running.trials()
    assert len(trials) == 6
    assert all(trial_state(t) == "Succeeded" for t in trials)
    status = exp["status"]
    assert status["trials"] == 6 and status["trialsSucceeded"] == 6
    assert sorted(status["succeededTrialList"]) == sorted(t["metadata"]["name"] for t in trials)
    assert exp["metadata"]["finalizers"] == ["update-prometheus-metrics"]
    assert [c["type"] for c in status["conditions"]] == ["Created", "Running", "Succeeded"]
    best = max(trials, key=lambda t: float(t["status"]["observation"]["metrics"][0]["max"]))
    assert status["currentOptimalTrial"]["bestTrialName"] == best["metadata"]["name"]
    assert status["startTime"] and status["completionTime"]
    decodes(exp, EXPERIMENT_TYPE)
    for t in trials:
        decodes(t, TRIAL_TYPE)
        assert (
            t["status"]["conditions"][-1]["reason"]
            == "TrialSucceeded. Job reason: CompletionsReached"
        )
        assert t["status"]["startTime"] and t["status"]["completionTime"]


def test_never_more_than_parallel_trials_at_once(running: Running) -> None:
    running.cluster.create(experiment(max_trials=6, parallel=2))
    peak = 0
    deadline = time.monotonic() + 20
    while running.condition() != ("Succeeded", "ExperimentMaxTrialsReached"):
        active = [t for t in running.trials() if trial_state(t) in ("Pending", "Running")]
        peak = max(peak, len(active))
        assert time.monotonic() < deadline
        time.sleep(0.005)
    assert 1 <= peak <= 2


def test_the_goal_ends_it_early(running: Running) -> None:
    running.cluster.create(experiment(max_trials=12, parallel=1, goal=0.01))
    wait_for("goal", lambda: running.condition() == ("Succeeded", "ExperimentGoalReached"))
    assert len(running.trials()) == 1


def run_once(seed: int) -> list[tuple[str, list[dict[str, str]], list[dict[str, str]]]]:
    r = Running(seed=seed)
    try:
        r.cluster.create(experiment(max_trials=5, parallel=1))
        wait_for("done", lambda: r.condition() == ("Succeeded", "ExperimentMaxTrialsReached"))
        return [
            (
                t["metadata"]["name"],
                t["spec"]["parameterAssignments"],
                t["status"]["observation"]["metrics"],
            )
            for t in r.trials()
        ]
    finally:
        r.stop()


def test_the_same_seed_gives_the_same_trials() -> None:
    first, second, other = run_once(3), run_once(3), run_once(4)
    assert first == second
    assert [t[0] for t in first] != [t[0] for t in other]


def test_deleting_a_running_experiment_removes_its_trials() -> None:
    r = Running(seconds=30)
    try:
        r.cluster.create(experiment(max_trials=6, parallel=3))
        wait_for("3 trials", lambda: len(r.trials()) == 3)
        r.cluster.delete(EXPERIMENT, NS, "demo")
        wait_for("gone", lambda: r.cluster.get(EXPERIMENT, NS, "demo") is None)
        wait_for("no trials", lambda: r.trials() == [])
    finally:
        r.stop()
    assert any("deleted (the Experiment is being deleted)" in line for line in r.lines)


def test_raising_the_budget_continues_a_long_running_experiment(running: Running) -> None:
    running.cluster.create(experiment(max_trials=3, parallel=2, resume="LongRunning"))
    wait_for("done", lambda: running.condition() == ("Succeeded", "ExperimentMaxTrialsReached"))
    running.cluster.patch(EXPERIMENT, NS, "demo", {"spec": {"maxTrialCount": 5}})
    wait_for("5 trials", lambda: running.exp()["status"].get("trialsSucceeded") == 5)
    wait_for(
        "done again", lambda: running.condition() == ("Succeeded", "ExperimentMaxTrialsReached")
    )
    conds = [c["type"] for c in running.exp()["status"]["conditions"]]
    assert conds == ["Created", "Restarting", "Running", "Succeeded"]
    assert len(running.trials()) == 5


def test_lowering_parallel_deletes_the_newest_active_trials() -> None:
    r = Running(seconds=30)
    try:
        r.cluster.create(experiment(max_trials=9, parallel=3))
        wait_for("3 running", lambda: sum(trial_state(t) == "Running" for t in r.trials()) == 3)
        first = r.trials()[0]["metadata"]["name"]
        r.cluster.patch(EXPERIMENT, NS, "demo", {"spec": {"parallelTrialCount": 1}})
        wait_for("1 left", lambda: len(r.trials()) == 1)
        assert r.trials()[0]["metadata"]["name"] == first
        time.sleep(0.3)
        assert len(r.trials()) == 1  # and no new ones
    finally:
        r.stop()


def test_orphaned_trials_are_deleted() -> None:
    cluster = FakeCluster()
    cluster.create(
        {
            "apiVersion": "kubeflow.org/v1beta1",
            "kind": "Trial",
            "metadata": {
                "name": "ghost-bcdfghjk",
                "namespace": NS,
                "labels": {"katib.kubeflow.org/experiment": "ghost"},
                "ownerReferences": [
                    {
                        "apiVersion": "kubeflow.org/v1beta1",
                        "kind": "Experiment",
                        "name": "ghost",
                        "uid": "gone",
                        "controller": True,
                    }
                ],
                "finalizers": ["clean-metrics-in-db"],
            },
        }
    )
    lines: list[str] = []
    sim = Simulator(cluster, Options(trial_seconds=0.05), lines.append)
    sim.start()
    try:
        wait_for("orphan gone", lambda: cluster.all(TRIAL) == [])
    finally:
        sim.stop()
        cluster.close()


def test_a_compacted_watch_is_listed_again(running: Running) -> None:
    running.cluster.create(experiment(name="one", max_trials=2, parallel=2))
    wait_for(
        "one done",
        lambda: running.condition("one") is not None and running.condition("one")[0] == "Succeeded",
    )
    running.cluster.compact()
    running.cluster.create(experiment(name="two", max_trials=2, parallel=2))
    wait_for(
        "two done",
        lambda: running.condition("two") is not None and running.condition("two")[0] == "Succeeded",
    )


def test_an_algorithm_the_local_backend_lacks_falls_back_to_random(running: Running) -> None:
    params = [
        {
            "name": "lr",
            "parameterType": "double",
            "feasibleSpace": {"min": "0.01", "max": "0.1", "distribution": "normal"},
        }
    ]
    running.cluster.create(experiment(max_trials=2, parallel=2, parameters=params))
    wait_for("done", lambda: running.condition() == ("Succeeded", "ExperimentMaxTrialsReached"))
    assert any("deterministic random sampling" in line for line in running.lines)
    for t in running.trials():
        assert 0.01 <= float(t["spec"]["parameterAssignments"][0]["value"]) <= 0.1


def test_early_stopping_stops_trials_below_the_median(running: Running) -> None:
    es = {
        "algorithmName": "medianstop",
        "algorithmSettings": [
            {"name": "min_trials_required", "value": "2"},
            {"name": "start_step", "value": "1"},
        ],
    }
    running.cluster.create(experiment(max_trials=12, parallel=1, early_stopping=es))
    wait_for("done", lambda: running.condition() == ("Succeeded", "ExperimentMaxTrialsReached"))
    trials = running.trials()
    assert "earlyStoppingRules" not in trials[0]["spec"]  # no rule before 2 have succeeded
    assert all("earlyStoppingRules" in t["spec"] for t in trials[3:])
    states = [trial_state(t) for t in trials]
    assert states[:2] == ["Succeeded", "Succeeded"]
    assert "EarlyStopped" in states
    for t in trials:
        decodes(t, TRIAL_TYPE)


def test_a_taken_trial_name_is_drawn_again() -> None:
    """The seeded name of the first trial is taken by an object we do not watch: the create
    gets AlreadyExists and the next name is drawn."""
    from compiler.execute.sources import derive_seed
    from compiler.simulator.names import trial_name

    cluster = FakeCluster()
    seed = derive_seed(1, NS, "demo") or 0
    squatter = trial_name("demo", seed, 0, set())
    cluster.create(
        {"apiVersion": "kubeflow.org/v1beta1", "kind": "Trial",
         "metadata": {"name": squatter, "namespace": NS}}
    )  # fmt: skip
    sim = Simulator(cluster, Options(trial_seconds=0.05, seed=1), lambda line: None)
    sim.start()
    try:
        cluster.create(experiment(max_trials=2, parallel=1))
        wait_for(
            "done",
            lambda: (
                (cluster.get(EXPERIMENT, NS, "demo") or {}).get("status", {}).get("trialsSucceeded")
                == 2
            ),
        )
    finally:
        sim.stop()
        cluster.close()
    mine = [t for t in cluster.all(TRIAL, NS) if t["metadata"].get("labels")]
    assert len(mine) == 2 and squatter not in {t["metadata"]["name"] for t in mine}
