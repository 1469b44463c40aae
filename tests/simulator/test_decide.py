"""Katib's experiment controller rules (reference §3.3, §5.7, §7.1) on recorded sequences of
Experiment and Trial statuses: `compiler.simulator.decide.reconcile`."""

from __future__ import annotations

from typing import Any

from compiler.simulator import decide
from compiler.simulator.names import EXPERIMENT_FINALIZER
from tests.simulator.builders import T0, cond, experiment, live, trial

NOW = "2025-01-01T01:00:00Z"


def running_experiment(**kw: Any) -> dict[str, Any]:
    status = kw.pop("status", None)
    exp = live(experiment(**kw))
    exp["metadata"]["finalizers"] = [EXPERIMENT_FINALIZER]
    exp["status"] = status or {
        "startTime": T0,
        "completionTime": None,
        "conditions": [
            cond("Created", reason="ExperimentCreated", message="Experiment is created"),
            cond("Running", reason="ExperimentRunning", message="Experiment is running"),
        ],
        "currentOptimalTrial": {"observation": {}},
    }
    return exp


def types(status: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["type"], c["status"], c.get("reason", "")) for c in status["conditions"]]


def test_the_finalizer_comes_first_and_alone() -> None:
    d = decide.reconcile(live(experiment()), [], NOW)
    assert d.finalizers == [EXPERIMENT_FINALIZER]
    assert d.status is None and d.create == 0


def test_the_first_status_is_created_with_a_zero_completion_time() -> None:
    exp = live(experiment())
    exp["metadata"]["finalizers"] = [EXPERIMENT_FINALIZER]
    d = decide.reconcile(exp, [], NOW)
    assert d.status is not None
    assert d.status["startTime"] == NOW
    assert d.status["completionTime"] is None  # Go's zero metav1.Time marshals as null
    assert types(d.status) == [("Created", "True", "ExperimentCreated")]
    assert d.create == 0  # Katib creates trials on the next reconcile


def test_a_created_experiment_gets_min_parallel_max_trials() -> None:
    exp = running_experiment(max_trials=5, parallel=3)
    exp["status"]["conditions"] = exp["status"]["conditions"][:1]  # Created only
    d = decide.reconcile(exp, [], NOW)
    assert d.create == 3
    assert d.status is None  # no trials yet: Katib writes no summary, no Running


def test_running_trials_fill_the_parallel_slots() -> None:
    exp = running_experiment(max_trials=5, parallel=2)
    trials = [trial("a", "Running"), trial("b", "Running")]
    d = decide.reconcile(exp, trials, NOW)
    assert d.create == 0
    assert d.status is not None
    assert d.status["runningTrialList"] == ["a", "b"]
    assert d.status["trials"] == 2 and d.status["trialsRunning"] == 2


def test_a_finished_trial_frees_a_slot_and_becomes_the_best() -> None:
    exp = running_experiment(max_trials=5, parallel=2)
    trials = [trial("a", "Succeeded", "0.7"), trial("b", "Running")]
    d = decide.reconcile(exp, trials, NOW)
    assert d.create == 1
    assert d.status is not None
    best = d.status["currentOptimalTrial"]
    assert best["bestTrialName"] == "a"
    assert best["parameterAssignments"] == [{"name": "lr", "value": "0.05"}]
    assert best["observation"]["metrics"][0]["latest"] == "0.7"


def test_goal_reached_is_inclusive_and_wins_over_everything() -> None:
    exp = running_experiment(max_trials=2, parallel=2, goal=0.9, max_failed=1)
    trials = [trial("a", "Failed"), trial("b", "Succeeded", "0.9")]
    d = decide.reconcile(exp, trials, NOW)
    assert d.status is not None
    assert types(d.status)[-2:] == [
        ("Running", "False", "ExperimentRunning"),
        ("Succeeded", "True", "ExperimentGoalReached"),
    ]
    succeeded = d.status["conditions"][-1]
    assert succeeded["message"] == "Experiment has succeeded because Objective goal has reached"
    assert d.status["completionTime"] == NOW
    assert d.create == 0


def test_minimize_goal() -> None:
    exp = running_experiment(objective_type="minimize", goal=0.1, max_trials=9)
    trials = [
        trial("a", "Succeeded", "0.3", objective_type="minimize"),
        trial("b", "Succeeded", "0.1", objective_type="minimize"),
    ]
    d = decide.reconcile(exp, trials, NOW)
    assert d.status is not None
    assert d.status["currentOptimalTrial"]["bestTrialName"] == "b"
    assert ("Succeeded", "True", "ExperimentGoalReached") in types(d.status)


def test_max_failed_counts_metrics_unavailable_and_is_reached_at_equality() -> None:
    exp = running_experiment(max_trials=9, parallel=2, max_failed=2)
    trials = [trial("a", "Failed"), trial("b", "MetricsUnavailable"), trial("c", "Running")]
    d = decide.reconcile(exp, trials, NOW)
    assert d.status is not None
    last = d.status["conditions"][-1]
    assert (last["type"], last["reason"]) == ("Failed", "ExperimentFailed")
    assert last["message"] == "Experiment has failed because max failed count has reached"
    assert d.status["trialsFailed"] == 1 and d.status["trialMetricsUnavailable"] == 1
    assert d.status["metricsUnavailableTrialList"] == ["b"]
    assert d.create == 0  # completed: no new trials; c keeps running


def test_max_failed_zero_fails_at_the_first_failure_and_unset_never() -> None:
    zero = running_experiment(max_trials=9, max_failed=0)
    d = decide.reconcile(zero, [trial("a", "Failed")], NOW)
    assert d.status is not None and types(d.status)[-1][0] == "Failed"
    zero_ok = decide.reconcile(zero, [trial("a", "Succeeded", "0.5")], NOW)
    assert zero_ok.status is not None and types(zero_ok.status)[-1][0] == "Running"
    unset = running_experiment(max_trials=9)
    d = decide.reconcile(unset, [trial(str(i), "Failed") for i in range(5)], NOW)
    assert d.status is not None and types(d.status)[-1][0] == "Running"


def test_max_trials_counts_every_completed_state() -> None:
    exp = running_experiment(max_trials=4, parallel=2)
    trials = [
        trial("a", "Succeeded", "0.5"),
        trial("b", "Failed"),
        trial("c", "MetricsUnavailable"),
        trial("d", "EarlyStopped", "0.6"),
    ]
    d = decide.reconcile(exp, trials, NOW)
    assert d.status is not None
    assert types(d.status)[-1] == ("Succeeded", "True", "ExperimentMaxTrialsReached")
    assert d.status["currentOptimalTrial"]["bestTrialName"] == "d"  # early stopped can be best


def test_metrics_unavailable_is_not_counted_for_scheduling() -> None:
    exp = running_experiment(max_trials=4, parallel=2)
    trials = [trial("a", "MetricsUnavailable"), trial("b", "MetricsUnavailable")]
    d = decide.reconcile(exp, trials, NOW)
    # completed (for the budget) is 2 of 4, but for scheduling nothing has completed
    assert d.create == 2
    three = decide.reconcile(exp, [*trials, trial("c", "Succeeded", "0.1")], NOW)
    assert three.create == 2  # min(2, 4 - 1) - 0: more than maxTrialCount trials in all


def test_the_best_trial_ties_go_to_the_first_and_text_wins() -> None:
    exp = running_experiment(max_trials=9)
    tie = [trial("a", "Succeeded", "0.5"), trial("b", "Succeeded", "0.5")]
    d = decide.reconcile(exp, tie, NOW)
    assert d.status is not None and d.status["currentOptimalTrial"]["bestTrialName"] == "a"
    text = [trial("a", "Succeeded", "0.5"), trial("g", "Succeeded", "Genotype(x)")]
    d = decide.reconcile(exp, text, NOW)
    assert d.status is not None and d.status["currentOptimalTrial"]["bestTrialName"] == "g"


def test_a_completed_experiment_without_running_trials_is_left_alone() -> None:
    exp = running_experiment(max_trials=2)
    trials = [trial("a", "Succeeded", "0.5"), trial("b", "Succeeded", "0.6")]
    done = decide.reconcile(exp, trials, NOW)
    assert done.status is not None
    exp["status"] = done.status
    again = decide.reconcile(exp, trials, "2025-01-01T02:00:00Z")
    assert again == decide.Decision()


def test_trials_still_running_after_completion_keep_being_counted() -> None:
    exp = running_experiment(max_trials=3, parallel=3, goal=0.5)
    trials = [trial("a", "Succeeded", "0.6"), trial("b", "Running")]
    done = decide.reconcile(exp, trials, NOW)
    assert done.status is not None
    exp["status"] = done.status
    trials[1] = trial("b", "Succeeded", "0.7")
    later = decide.reconcile(exp, trials, "2025-01-01T02:00:00Z")
    assert later.status is not None
    assert later.status["trialsSucceeded"] == 2 and "trialsRunning" not in later.status
    assert later.status["currentOptimalTrial"]["bestTrialName"] == "b"
    assert types(later.status) == types(done.status)  # no condition changes once completed
    assert later.create == 0


def test_raising_max_trials_restarts_a_long_running_experiment() -> None:
    exp = running_experiment(max_trials=2, parallel=2, resume="LongRunning")
    trials = [trial("a", "Succeeded", "0.5"), trial("b", "Succeeded", "0.6")]
    done = decide.reconcile(exp, trials, NOW)
    assert done.status is not None
    exp["status"] = done.status
    exp["spec"]["maxTrialCount"] = 4
    d = decide.reconcile(exp, trials, "2025-01-01T02:00:00Z")
    assert d.status is not None
    assert types(d.status) == [
        ("Created", "True", "ExperimentCreated"),
        ("Restarting", "True", "ExperimentRestarting"),
        ("Running", "True", "ExperimentRunning"),
    ]
    assert d.status["conditions"][1]["message"] == "Experiment is restarted"
    assert d.create == 2
    assert "Restarting: ExperimentRestarting" in d.events


def test_never_and_goal_reached_experiments_do_not_restart() -> None:
    for kw in ({"resume": "Never"}, {"resume": "LongRunning", "goal": 0.5}):
        exp = running_experiment(max_trials=2, parallel=2, **kw)
        trials = [trial("a", "Succeeded", "0.5"), trial("b", "Succeeded", "0.6")]
        done = decide.reconcile(exp, trials, NOW)
        assert done.status is not None
        exp["status"] = done.status
        exp["spec"]["maxTrialCount"] = 4
        assert decide.reconcile(exp, trials, "2025-01-01T02:00:00Z") == decide.Decision()


def test_lowering_parallel_deletes_the_newest_trials_whatever_their_state() -> None:
    exp = running_experiment(max_trials=9, parallel=1)
    trials = [
        trial("old", "Running", created="2025-01-01T00:00:01Z"),
        trial("mid", "Running", created="2025-01-01T00:00:02Z"),
        trial("new", "Succeeded", "0.1", created="2025-01-01T00:00:03Z"),
        trial("newer", "Running", created="2025-01-01T00:00:03Z"),
    ]
    d = decide.reconcile(exp, trials, NOW)
    assert d.delete == ("newer", "new")  # active 3 > parallel 1: the two newest go
    assert d.create == 0


def test_deletion_deletes_the_trials_and_releases_the_finalizer() -> None:
    exp = running_experiment()
    exp["metadata"]["deletionTimestamp"] = NOW
    exp["metadata"]["finalizers"] = ["someone-else", EXPERIMENT_FINALIZER]
    d = decide.reconcile(exp, [trial("a", "Running"), trial("b", "Succeeded", "1")], NOW)
    assert d.delete == ("a", "b")
    assert d.finalizers == ["someone-else"]
    assert d.status is None


def test_no_max_trial_count_restarts_forever_once_there_are_trials() -> None:
    """§5.7 (inferred from the controller): without maxTrialCount, a completed experiment with
    trials enters the restarting branch on every reconcile."""
    exp = running_experiment(max_trials=None, parallel=2, goal=0.5)
    trials = [trial("a", "Succeeded", "0.6")]
    done = decide.reconcile(exp, trials, NOW)
    assert done.status is not None
    exp["status"] = done.status
    again = decide.reconcile(exp, trials, "2025-01-01T02:00:00Z")
    assert again.status is not None
    assert ("Restarting", "True", "ExperimentRestarting") in types(again.status)
