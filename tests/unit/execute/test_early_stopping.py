"""medianstop: the service's rule and the collector's check (reference §5.8)."""

from __future__ import annotations

from compiler.execute.medianstop import MedianStop, StopWatch


def test_rule_needs_min_trials_and_uses_the_mean_of_averages() -> None:
    ms = MedianStop("acc", maximize=True, min_trials_required=2, start_step=2)
    assert ms.rules([[0.5, 0.7, 0.9]]) == ()
    (rule,) = ms.rules([[0.5, 0.7, 0.9], [0.1, 0.3]])
    assert rule.comparison == "less" and rule.start_step == 2
    assert float(rule.value) == (0.6 + 0.2) / 2


def test_rule_is_checked_only_at_the_start_step_with_the_best_so_far() -> None:
    ms = MedianStop("acc", maximize=True, min_trials_required=1, start_step=3)
    (rule,) = ms.rules([[0.5, 0.5, 0.5]])
    watch = StopWatch([rule], "acc", maximize=True)
    assert not watch.feed("acc", 0.1)
    assert not watch.feed("acc", 0.6)  # best so far 0.6
    assert not watch.feed("acc", 0.2)  # 3rd report: best 0.6 is not < 0.5
    assert not watch.feed("acc", 0.0)  # never checked again
    watch = StopWatch([rule], "acc", maximize=True)
    assert not watch.feed("acc", 0.1)
    assert not watch.feed("acc", 0.2)
    assert watch.feed("acc", 0.3)  # 3rd report: 0.3 < 0.5, stop


def test_minimize_compares_greater() -> None:
    ms = MedianStop("loss", maximize=False, min_trials_required=1, start_step=1)
    (rule,) = ms.rules([[1.0]])
    assert rule.comparison == "greater"
    assert StopWatch([rule], "loss", maximize=False).feed("loss", 2.0)
