"""bayesianoptimization through scikit-optimize, as Katib's skopt service runs it (§6.6).

ints are `Integer(min, max)`, doubles **always** `Real(min, max, "log-uniform")` whatever their
distribution, lists `Categorical`; step and distribution are ignored. The objective is negated
for maximize. Settings: base_estimator, n_initial_points, acq_func, acq_optimizer,
random_state. Each call builds the optimizer from the succeeded trials (one `tell`), so the
answer depends only on the history and the seed.

scikit-optimize is the optional extra `bayesian`; without it the run stops before any trial.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler.execute.errors import LocalUnsupported
from compiler.execute.sources import Suggestion, TrialView, derive_seed
from compiler.execute.space import Param, parse_space
from compiler.model.katib import Experiment

INSTALL = "pip install 'katib-gitops[bayesian]'  (or: pip install scikit-optimize)"


class SkoptSource:
    notes: tuple[str, ...] = ()

    def __init__(self, exp: Experiment, settings: dict[str, str], seed: int | None) -> None:
        try:
            import skopt  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
        except ImportError:
            raise LocalUnsupported(
                "bayesianoptimization runs on scikit-optimize, which is not installed", INSTALL
            ) from None
        self.space = parse_space(exp)
        self.maximize = exp.spec.objective is not None and exp.spec.objective.type == "maximize"
        self.seed = seed
        self.options = {
            "base_estimator": settings.get("base_estimator", "GP"),
            "n_initial_points": int(settings.get("n_initial_points", "10")),
            "acq_func": settings.get("acq_func", "gp_hedge"),
            "acq_optimizer": settings.get("acq_optimizer", "auto"),
        }

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        return None

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        import skopt  # type: ignore[import-untyped,import-not-found,unused-ignore]

        dims = [_dimension(p) for p in self.space]
        seed = derive_seed(self.seed, "skopt", len(trials))
        from threadpoolctl import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            threadpool_limits,  # scikit-learn's own dependency
        )

        with threadpool_limits(1):  # a small GP: threads only contend
            opt = skopt.Optimizer(dims, random_state=seed, **self.options)
            done = [t for t in trials if t.value is not None]
            if done:
                xs = [[_decode(p, t.assignments[p.name]) for p in self.space] for t in done]
                ys = [-t.value if self.maximize else t.value for t in done if t.value is not None]
                opt.tell(xs, ys)
            points = [opt.ask()] if count == 1 else opt.ask(n_points=count) if count else []
        return [
            Suggestion({p.name: str(v) for p, v in zip(self.space, x, strict=True)}) for x in points
        ]


def _dimension(p: Param) -> Any:
    from skopt.space import Categorical, Integer, Real  # type: ignore[import-untyped,import-not-found,unused-ignore]

    if p.type == "int":
        return Integer(int(p.low), int(p.high), name=p.name)
    if p.type == "double":
        return Real(p.low, p.high, "log-uniform", name=p.name)
    return Categorical(list(p.values), name=p.name)


def _decode(p: Param, text: str) -> Any:
    if p.type == "int":
        return int(text)
    return float(text) if p.type == "double" else text
