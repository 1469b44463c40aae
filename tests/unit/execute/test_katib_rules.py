"""Katib's experiment rules (reference §5.7, §10.4) as pure functions."""

from __future__ import annotations

from compiler.execute import rules
from compiler.model.results import TrialMetric

from .helpers import objective, trial


def test_best_is_strictly_better_so_the_first_wins_a_tie() -> None:
    trials = [trial(0, value="2"), trial(1, value="1"), trial(2, value="1"), trial(3, "Failed")]
    best = rules.best_trial(trials, objective())
    assert best is not None and best.name == "t1"


def test_non_numeric_objective_wins_the_last_such() -> None:
    trials = [trial(0, value="1"), trial(1, value="Genotype(a)"), trial(2, value="Genotype(b)")]
    best = rules.best_trial(trials, objective("maximize"))
    assert best is not None and best.name == "t2"


def test_goal_is_inclusive() -> None:
    assert rules.goal_reached(trial(0, value="0.5"), objective("minimize", 0.5))
    assert rules.goal_reached(trial(0, value="0.5"), objective("maximize", 0.5))
    assert not rules.goal_reached(trial(0, value="0.6"), objective("minimize", 0.5))


def test_termination_order_goal_then_failed_then_max() -> None:
    trials = [trial(0, value="0.1"), trial(1, "Failed")]
    counts = rules.count(trials)
    best = rules.best_trial(trials, objective())
    assert rules.termination(counts, best, objective(goal=0.2), 2, 1) == rules.GOAL
    assert rules.termination(counts, best, objective(goal=0.01), 2, 1) == rules.MAX_FAILED
    assert rules.termination(counts, best, objective(goal=0.01), 2, None) == rules.MAX_TRIALS
    assert rules.termination(counts, best, objective(), 3, None) is None


def test_max_failed_zero_fails_on_the_first_failure_only() -> None:
    ok = rules.count([trial(0, value="1")])
    assert rules.termination(ok, None, objective(), 10, 0) is None
    one = rules.count([trial(0, "MetricsUnavailable")])  # counts as failed
    assert rules.termination(one, None, objective(), 10, 0) == rules.MAX_FAILED


def test_max_failed_three_fails_at_the_third() -> None:
    two = rules.count([trial(0, "Failed"), trial(1, "MetricsUnavailable")])
    assert rules.termination(two, None, objective(), 10, 3) is None
    three = rules.count([trial(0, "Failed"), trial(1, "MetricsUnavailable"), trial(2, "Failed")])
    assert rules.termination(three, None, objective(), 10, 3) == rules.MAX_FAILED


def test_new_trials_leave_out_metrics_unavailable() -> None:
    counts = rules.count([trial(0, "MetricsUnavailable"), trial(1, "Running"), trial(2)])
    # min(3, 4 - 1) - 1 = 2: MetricsUnavailable is not "completed for scheduling"
    assert rules.to_create(counts, 3, 4) == 2
    assert rules.to_create(counts, 3, None) == 2
    assert rules.to_create(rules.count([trial(0), trial(1)]), 3, 2) == 0


def test_trial_outcome() -> None:
    metric = (TrialMetric(name="loss", latest="0.1"),)
    assert rules.trial_outcome(None, False, metric, "loss")[0] == "Succeeded"
    assert rules.trial_outcome(None, False, (TrialMetric(name="loss"),), "loss")[:2] == (
        "MetricsUnavailable",
        "MetricsUnavailable",
    )
    state, reason, message = rules.trial_outcome(
        "DeadlineExceeded: too long", False, metric, "loss"
    )
    assert (state, reason) == ("Failed", "TrialFailed. Job reason: DeadlineExceeded")
    assert message == "Trial has failed. Job message: too long"
    assert rules.trial_outcome(None, True, metric, "loss")[0] == "EarlyStopped"
