"""medianstop early stopping (reference §5.8, §6.10), written anew.

The service: once at least `min_trials_required` (default 3) trials have Succeeded, each new
trial gets one rule `{name: objective, value: threshold, comparison: less (maximize) | greater
(minimize), startStep: start_step (default 4)}`. The threshold is the arithmetic **mean** (not
the median) of each succeeded trial's average over its first `start_step` objective reports.

The collector (StdOut and File only): for the objective, the value compared is the best so far;
a rule with startStep N is evaluated only at exactly the N-th report (a counter decremented on
every report), a rule with startStep 0 at every report. When every rule is satisfied the
trial is stopped and becomes EarlyStopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from compiler.execute.space import settings_of
from compiler.model.katib import EarlyStoppingRule, Experiment


@dataclass(frozen=True)
class MedianStop:
    objective: str
    maximize: bool
    min_trials_required: int = 3
    start_step: int = 4

    @classmethod
    def of(cls, exp: Experiment) -> MedianStop | None:
        es = exp.spec.early_stopping
        if es is None or exp.spec.objective is None:
            return None
        s = settings_of(es.algorithm_settings)
        return cls(
            exp.spec.objective.objective_metric_name,
            exp.spec.objective.type == "maximize",
            int(s.get("min_trials_required", "3")),
            int(s.get("start_step", "4")),
        )

    def rules(self, succeeded: Sequence[Sequence[float]]) -> tuple[EarlyStoppingRule, ...]:
        """`succeeded`: each Succeeded trial's objective reports, in order."""
        averages = [sum(v[: self.start_step]) / len(v[: self.start_step]) for v in succeeded if v]
        if not averages or len(averages) < self.min_trials_required:
            return ()
        threshold = sum(averages) / len(averages)
        return (
            EarlyStoppingRule(
                name=self.objective,
                value=str(threshold),
                comparison="less" if self.maximize else "greater",
                start_step=self.start_step,
            ),
        )


@dataclass
class StopWatch:
    """The collector's side: fed every report of the rule metrics, says when to stop."""

    rules: list[EarlyStoppingRule]
    objective: str
    maximize: bool
    counters: dict[str, int] = field(default_factory=dict)
    best: float | None = None

    def __post_init__(self) -> None:
        self.counters = {r.name: r.start_step for r in self.rules if r.start_step != 0}

    def feed(self, name: str, value: float) -> bool:
        """True once every rule is satisfied."""
        for rule in [r for r in self.rules if r.name == name]:
            if self._satisfied(rule, value):
                self.rules.remove(rule)
        return not self.rules

    def _satisfied(self, rule: EarlyStoppingRule, value: float) -> bool:
        if rule.name == self.objective:
            if self.best is None or (value > self.best if self.maximize else value < self.best):
                self.best = value
            value = self.best
        if rule.name in self.counters:
            self.counters[rule.name] -= 1
            if self.counters[rule.name] != 0:
                return False
        threshold = float(rule.value)
        return {
            "equal": value == threshold,
            "less": value < threshold,
            "greater": value > threshold,
        }.get(rule.comparison, False)
