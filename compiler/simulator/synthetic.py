"""Deterministic synthetic metrics for trials that are not run for real.

Each metric is a smooth function of the trial's parameter values: every parameter, scaled to
[0, 1] over its feasible space (log-scaled for logUniform, list position for categorical and
discrete), contributes `(1 + cos(pi * (u - c))) / 2`, peaking at a centre `c` drawn from the
experiment's and the metric's names. A little noise drawn from the trial's name is added, so the
same experiment, trial name and assignments always give the same values, in any run. Values
look like accuracies (in (0, 1), rising) for metrics kept by `max` or `latest`, and like losses
(falling) for metrics kept by `min`. A trial reports `STEPS` times; the last report is the
final value (reference §5.6 then gives min, max and latest).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compiler.execute.metrics import Log, observe
from compiler.execute.space import Param
from compiler.model.katib import Experiment
from compiler.model.results import TrialMetric

STEPS = 3


def unit(*parts: object) -> float:
    """A number in [0, 1) drawn from the parts' text."""
    digest = hashlib.sha256("\0".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def scaled(p: Param, text: str) -> float | None:
    """The value's place in the feasible space, in [0, 1]; None when it cannot be placed."""
    if not p.numeric:
        if text not in p.values:
            return None
        return p.values.index(text) / (len(p.values) - 1) if len(p.values) > 1 else 0.5
    try:
        x = float(text)
    except ValueError:
        return None
    lo, hi = p.low, p.high
    if p.distribution == "logUniform" and lo > 0 and x > 0:
        lo, hi, x = math.log(lo), math.log(hi), math.log(x)
    if hi <= lo:
        return 0.5
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


def score(
    experiment: str, metric: str, space: Sequence[Param], assignments: Mapping[str, str]
) -> float:
    """The smooth part, in [0, 1]: 1 at the metric's optimum."""
    parts = []
    for p in space:
        u = scaled(p, assignments.get(p.name, ""))
        if u is not None:
            centre = unit(experiment, metric, p.name)
            parts.append((1 + math.cos(math.pi * (u - centre))) / 2)
    return sum(parts) / len(parts) if parts else 0.5


@dataclass(frozen=True)
class Trial:
    """One trial's place in the search space: what its metrics are a function of."""

    experiment: str  # namespace/name
    name: str
    space: Sequence[Param]
    assignments: Mapping[str, str]

    def series(self, metric: str, strategy: str) -> list[float]:
        """The metric's reports, first to last."""
        noise = (unit(self.experiment, self.name, metric) - 0.5) * 0.02
        final = 0.05 + 0.9 * score(self.experiment, metric, self.space, self.assignments)
        final += noise
        if strategy == "min":  # a loss: falls to its final value
            loss = 1.0 - final
            return [loss * (1 + 0.5 * (STEPS - k) / STEPS) for k in range(1, STEPS + 1)]
        return [final * (0.7 + 0.3 * k / STEPS) for k in range(1, STEPS + 1)]

    def metrics(
        self, strategies: Sequence[tuple[str, str]], steps: int = STEPS
    ) -> tuple[TrialMetric, ...]:
        """The observation of the first `steps` reports of every strategy's metric (§5.6), in
        the strategies' order (objective first)."""
        logs = [
            Log(name, text(v))
            for name, strategy in strategies
            for v in self.series(name, strategy)[:steps]
        ]
        return observe(logs, [name for name, _ in strategies])


def text(value: float) -> str:
    return f"{value:.6f}"


def observed(model: Experiment) -> list[tuple[str, str]]:
    """(name, strategy) of each observation metric: one per metricStrategies name, objective
    first, then the additional metrics, then any other strategy (§5.6)."""
    obj = model.spec.objective
    if obj is None:
        return []
    strategies = {s.name: s.value for s in obj.metric_strategies}
    names = [obj.objective_metric_name, *obj.additional_metric_names]
    ordered = [n for n in names if n in strategies] + [s for s in strategies if s not in names]
    return [(n, strategies[n]) for n in dict.fromkeys(ordered)]
