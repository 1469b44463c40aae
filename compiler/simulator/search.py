"""The suggestion service of one experiment: the local backend's algorithms
(`compiler.execute.samplers`, the only importer of optuna), seeded from the experiment, so a
rerun suggests the same values; deterministic random sampling when the algorithm cannot run
here (the log says so).

Like Katib's GetSuggestions, each question sees every trial so far in creation order (§6).
Trials deleted meanwhile stay in the history as Killed, so the algorithm's own trial numbering
never shifts.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.execute.errors import LocalUnsupported
from compiler.execute.metrics import number
from compiler.execute.sources import Source, Suggestion, TrialView, derive_seed
from compiler.execute.space import Param, parse_space
from compiler.model.katib import Experiment
from compiler.render.trial import NAS_SAMPLES
from compiler.simulator.status import objective_value, trial_state


@dataclass
class Entry:
    name: str
    assignments: dict[str, str]
    memo: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


class RandomSource:
    """Uniform sampling over the feasible space (log-uniform for logUniform, the step kept),
    seeded per trial number: the fallback for algorithms the local backend cannot run."""

    notes: tuple[str, ...] = ()

    def __init__(self, exp: Experiment, seed: int) -> None:
        self.space = parse_space(exp)
        self.seed = seed
        t = exp.spec.trial_template
        refs = [tp.reference for tp in t.trial_parameters] if t else []
        names = {p.name for p in self.space}
        self.nas = {r: NAS_SAMPLES[r] for r in refs if r not in names and r in NAS_SAMPLES}

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        return None

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        out = []
        for i in range(count):
            rng = random.Random(derive_seed(self.seed, "random", len(trials) + i))  # noqa: S311
            values = {p.name: sample(p, rng) for p in self.space}
            out.append(Suggestion({**values, **self.nas}))
        return out


def sample(p: Param, rng: random.Random) -> str:
    if not p.numeric:
        return rng.choice(p.values) if p.values else ""
    lo, hi = p.low, p.high
    if p.distribution == "logUniform" and lo > 0:
        x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    else:
        x = rng.uniform(lo, hi)
    if p.step:
        x = min(hi, lo + round((x - lo) / p.step) * p.step)
    return str(round(x)) if p.type == "int" else str(x)


class Search:
    def __init__(
        self, exp: Experiment, seed: int, first_batch: int, log: Callable[[str], None]
    ) -> None:
        self.seed = seed
        self.history: list[Entry] = []
        name = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
        self.source: Source
        try:
            from compiler.execute.samplers import make_source

            self.source = make_source(exp, seed, first_batch)
        except LocalUnsupported as exc:
            log(f"algorithm {name} is not runnable locally ({exc}): deterministic random sampling")
            self.source = RandomSource(exp, seed)
        for note in self.source.notes:
            log(f"note: {note}")
        obj = exp.spec.objective
        self.objective = obj.objective_metric_name if obj else ""

    def adopt(self, trials: Sequence[Mapping[str, Any]]) -> None:
        """Trials the history lacks (found in the cluster after a restart), in creation order."""
        known = {e.name for e in self.history}
        for t in trials:
            name = str(t["metadata"]["name"])
            if name not in known:
                pairs = (t.get("spec") or {}).get("parameterAssignments") or []
                values = {str(a.get("name")): str(a.get("value", "")) for a in pairs}
                self.history.append(Entry(name, values))

    def suggest(self, count: int, live: Mapping[str, Mapping[str, Any]]) -> list[Suggestion]:
        """`count` new assignments given the live trials by name (SuggestionError may stop it,
        as Katib's service would, §3.4)."""
        views = [self._view(i, e, live.get(e.name)) for i, e in enumerate(self.history)]
        return self.source.suggest(count, views)[:count]

    def record(self, name: str, suggestion: Suggestion) -> None:
        self.history.append(Entry(name, dict(suggestion.assignments), dict(suggestion.memo)))

    def _view(self, index: int, e: Entry, trial: Mapping[str, Any] | None) -> TrialView:
        state = trial_state(trial) if trial is not None else "Killed"
        value = None
        if trial is not None and state in ("Succeeded", "EarlyStopped"):
            value = number(objective_value(trial))
        return TrialView(index, e.name, e.assignments, state, value, e.memo, e.labels)
