"""hyperband, following Katib's service (reference §6.7), written anew.

State is Katib's `HyperBandParam` (eta, s_max, r_l, b_l, r, n, current_s, current_i,
evaluating_trials), which Katib writes back to `Suggestion.status.algorithmSettings` after each
call; here the journal records it. Katib's quirks are kept:
* `n` is overwritten with the request count on every call, so a master bracket has as many
  trials as were requested (at most parallelTrialCount);
* the resource parameter is overwritten with the bracket budget, as an integer string;
* other parameters are sampled uniformly (ints rounded, discrete to the nearest value,
  categorical by one-hot argmax), ignoring step and distribution;
* a child bracket keeps the top ceil(n_i / eta) of the last bracket's trials (by start order)
  and needs every one of them Succeeded. Katib raises otherwise and the experiment hangs; we
  wait while they run and stop with an error when one did not succeed;
* after the outer loop (current_s < 0) there are no more suggestions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from compiler.execute.errors import SuggestionError
from compiler.execute.sources import Suggestion, TrialView, derive_seed
from compiler.execute.space import Param, algorithm_settings, parse_space
from compiler.model.katib import Experiment


@dataclass
class HyperBandParam:
    eta: float = 3.0
    s_max: int = -1
    r_l: float = -1.0
    b_l: float = -1.0
    r: float = -1.0
    n: int = -1
    current_s: int = -2
    current_i: int = -1
    evaluating_trials: int = 0

    def complete(self) -> None:
        """HyperBandParam.convert: fill what is unset from r_l and eta."""
        if self.current_s == -1:
            return  # the outer loop has finished
        self.eta = 3.0 if self.eta <= 0 else self.eta
        if self.s_max < 0:
            self.s_max = int(math.log(self.r_l) / math.log(self.eta))
        if self.b_l < 0:
            self.b_l = (self.s_max + 1) * self.r_l
        if self.current_s < 0:
            self.current_s = self.s_max
        self.current_i = max(self.current_i, 0)
        if self.n < 0:
            self.n = _bracket_n(self.s_max, self.eta, self.current_s)
        if self.r < 0:
            self.r = self.r_l * self.eta ** (-self.current_s)


def _bracket_n(s_max: int, eta: float, s: int) -> int:
    return math.ceil(float(s_max + 1) * (float(eta**s) / float(s + 1)))


class Hyperband:
    notes: tuple[str, ...] = ()

    def __init__(self, exp: Experiment, seed: int | None) -> None:
        settings = algorithm_settings(exp)
        self.resource = settings["resource_name"]
        self.space = parse_space(exp)
        self.seed = seed
        self.maximize = exp.spec.objective is not None and exp.spec.objective.type == "maximize"
        self.param = HyperBandParam(eta=float(settings.get("eta", "3")), r_l=float(settings["r_l"]))
        self.param.complete()

    def state(self) -> dict[str, Any]:
        return asdict(self.param)

    def restore(self, state: dict[str, Any]) -> None:
        self.param = HyperBandParam(**state)

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        p = self.param
        if p.current_s < 0 or count <= 0:
            return []
        if p.evaluating_trials and not self._bracket_done(trials):
            return []  # Katib's child bracket raises until the last bracket has finished
        p.n = count  # "a hack to get current request number" (service.py)
        made = self._master(len(trials)) if p.evaluating_trials == 0 else self._child(trials)
        p.evaluating_trials = len(made) if p.current_i < p.current_s else 0
        if p.evaluating_trials == 0:
            self._next_bracket()
        return made

    def _bracket_done(self, trials: Sequence[TrialView]) -> bool:
        last = list(trials)[-self.param.evaluating_trials :]
        if any(not t.finished for t in last):
            return False
        bad = [t for t in last if t.state != "Succeeded"]
        if bad:
            raise SuggestionError(
                f"hyperband: trial {bad[0].name} is {bad[0].state}, and a child bracket needs "
                "every trial of the last bracket Succeeded; Katib's hyperband service raises "
                "here, so the experiment would hang",
                "make trials reliable (or raise maxFailedTrialCount does not help hyperband)",
            )
        return True

    def _next_bracket(self) -> None:
        p = self.param
        p.current_s -= 1
        p.current_i = 0
        if p.current_s >= 0:
            p.n = _bracket_n(p.s_max, p.eta, p.current_s)
            p.r = p.r_l * p.eta ** (-p.current_s)

    def _master(self, base: int) -> list[Suggestion]:
        budget = str(int(self.param.r))
        rng = np.random.default_rng(derive_seed(self.seed, "hyperband", base))
        out = []
        for _ in range(self.param.n):
            values = {q.name: _sample(q, rng) for q in self.space}
            values[self.resource] = budget
            out.append(Suggestion(values))
        return out

    def _child(self, trials: Sequence[TrialView]) -> list[Suggestion]:
        p = self.param
        n_i = math.ceil(p.n * p.eta ** (-p.current_i))
        top = math.ceil(n_i / p.eta)
        p.current_i += 1
        if p.current_i > p.current_s:
            self._next_bracket()
        budget = str(int(p.r * p.eta**p.current_i))
        last = list(trials)[-p.evaluating_trials :]
        ranked = sorted(last, key=lambda t: t.value or 0.0, reverse=self.maximize)
        return [Suggestion({**t.assignments, self.resource: budget}) for t in ranked[:top]]


def _sample(p: Param, rng: np.random.Generator) -> str:
    """parsing_util.parse_x_next_vector over a uniform sample of the box."""
    if p.type == "categorical":
        return p.values[int(np.argmax(rng.uniform(0, 1, len(p.values))))]
    if p.type == "discrete":
        values = [int(v) for v in p.values]
        x = rng.uniform(min(values), max(values))
        return str(values[int(np.argmin(np.abs(np.subtract(values, x))))])
    x = float(rng.uniform(p.low, p.high))
    return str(int(round(x, 0))) if p.type == "int" else str(x)
