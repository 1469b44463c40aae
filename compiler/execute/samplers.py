"""Katib algorithm + settings → a suggestion source. The only importer of optuna.

| Katib name | Katib's service (§6.1) | here |
|---|---|---|
| random | hyperopt rand | optuna RandomSampler(seed=random_state) |
| tpe | hyperopt tpe | optuna TPESampler with hyperopt's defaults; gamma, prior_weight, |
|     |            | n_EI_candidates mapped; the first batch is random (n_startup_jobs, §6.3) |
| multivariate-tpe | optuna | TPESampler(multivariate, constant_liar, n_startup_trials, |
|                  |        | n_ei_candidates) |
| grid | optuna GridSampler | GridSampler over Katib's grid values (§6.4), seeded order |
| cmaes | goptuna CMA-ES | CmaEsSampler(sigma0=sigma, seed=random_state, no startup trials); |
|       |              | distributions ignored as goptuna does (§6.5) |
| sobol | goptuna Sobol | QMCSampler(sobol, unscrambled); distributions ignored (§6.5) |
| bayesianoptimization | skopt | `skopt_bo.py` (extra `bayesian`) |
| hyperband | Katib's own | `hyperband.py` |
| pbt | Katib's own | `pbt.py` (numpy; the checkpoint volume in `pbt_volume.py`) |
| darts | Katib's own | `darts.py` (the trial does the search) |

Each question gets a fresh sampler seeded from the run's seed and the trial's number, and the
study is the journal's trials, so an answer depends only on the history and the seed: a resumed
run continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import (
    BaseSampler,
    CmaEsSampler,
    GridSampler,
    QMCSampler,
    RandomSampler,
    TPESampler,
)
from optuna.trial import TrialState, create_trial

from compiler.execute.errors import LocalUnsupported
from compiler.execute.sources import Source, Suggestion, TrialView, derive_seed
from compiler.execute.space import (
    GRID_LIMIT,
    Param,
    algorithm_settings,
    go_float,
    grid_values,
    parse_space,
)
from compiler.model.katib import Experiment

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", category=FutureWarning, module="optuna")

OPTUNA = ("random", "tpe", "multivariate-tpe", "grid", "cmaes", "sobol")
SUPPORTED = (*OPTUNA, "bayesianoptimization", "hyperband", "pbt", "darts")
SamplerFactory = Callable[[int | None], BaseSampler]


def make_source(exp: Experiment, seed: int | None, first_batch: int) -> Source:
    """The source for the experiment's algorithm; LocalUnsupported before any trial runs."""
    name = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
    settings = algorithm_settings(exp)
    if "random_state" in settings:
        seed = int(settings["random_state"])
    if name == "hyperband":
        from compiler.execute.hyperband import Hyperband

        return Hyperband(exp, seed)
    if name == "pbt":
        from compiler.execute.pbt import Pbt

        return Pbt(exp, seed)
    if name == "darts":
        from compiler.execute.darts import Darts

        return Darts(exp)
    if name == "bayesianoptimization":
        from compiler.execute.skopt_bo import SkoptSource

        return SkoptSource(exp, settings, seed)
    if name not in OPTUNA:
        raise LocalUnsupported(
            f"algorithm {name!r} is not supported by the local backend",
            f"run it in a cluster, or use one of {', '.join(SUPPORTED)}",
        )
    return _optuna_source(exp, name, settings, seed, first_batch)


def _optuna_source(
    exp: Experiment, name: str, settings: dict[str, str], seed: int | None, first_batch: int
) -> OptunaSource:
    space = parse_space(exp)
    goptuna = name in ("cmaes", "sobol")
    dists = {p.name: _distribution(p, name) for p in space}
    notes: list[str] = []
    factory = _FACTORIES[name](settings, space, first_batch, notes)
    maximize = exp.spec.objective is not None and exp.spec.objective.type == "maximize"
    return OptunaSource(
        space,
        dists,
        factory,
        maximize=maximize,
        seed=seed,
        goptuna=goptuna,
        notes=tuple(notes),
        stable=name == "grid",
    )


def _hyperopt_tpe(s: dict[str, str], _: Sequence[Param], first: int, n: list[str]) -> Any:
    with warnings.catch_warnings():  # deprecated in optuna 4.9, still the exact hyperopt set
        warnings.simplefilter("ignore", FutureWarning)
        params = TPESampler.hyperopt_parameters()
    gamma = float(s.get("gamma", "0.25"))
    params.update(
        n_startup_trials=first,  # Katib: n_startup_jobs = the request count (§6.3)
        n_ei_candidates=int(s.get("n_EI_candidates", "24")),
        prior_weight=float(s.get("prior_weight", "1.0")),
        gamma=lambda k: min(math.ceil(gamma * math.sqrt(k)), 25),  # hyperopt's gamma rule
        constant_liar=False,
    )
    return lambda seed: TPESampler(**params, seed=seed)


def _multivariate(s: dict[str, str], _: Sequence[Param], __: int, n: list[str]) -> Any:
    kw: dict[str, Any] = {
        "n_startup_trials": int(s.get("n_startup_trials", "10")),
        "n_ei_candidates": int(s.get("n_ei_candidates", "24")),
    }
    return lambda seed: TPESampler(**kw, multivariate=True, constant_liar=True, seed=seed)


def _grid(_: dict[str, str], space: Sequence[Param], __: int, n: list[str]) -> Any:
    grid = {p.name: grid_values(p) for p in space}
    points = math.prod(len(v) for v in grid.values())
    if points > GRID_LIMIT:  # optuna's GridSampler lists every combination
        raise LocalUnsupported(
            f"the grid has {points} points, more than the {GRID_LIMIT} a local run holds",
            "give the parameters larger steps, or run it in a cluster",
            ("spec", "parameters"),
        )
    return lambda seed: GridSampler(grid, seed=seed)


def _cmaes(s: dict[str, str], _: Sequence[Param], __: int, notes: list[str]) -> Any:
    sigma = float(s["sigma"]) if "sigma" in s else None
    if s.get("restart_strategy", "none") != "none":
        notes.append(
            f"cmaes restart_strategy {s['restart_strategy']}: optuna's CMA-ES no longer "
            "restarts, so the local run does not"
        )

    def make(seed: int | None) -> BaseSampler:
        return CmaEsSampler(
            sigma0=sigma,
            seed=seed,
            n_startup_trials=0,  # goptuna: NStartupTrials(0)
            independent_sampler=RandomSampler(seed=seed),
            warn_independent_sampling=False,
        )

    return make


def _sobol(_: dict[str, str], __: Sequence[Param], ___: int, n: list[str]) -> Any:
    def make(seed: int | None) -> BaseSampler:
        return QMCSampler(
            qmc_type="sobol",
            scramble=False,
            seed=0,  # unscrambled: the seed only names the sequence's position counter
            independent_sampler=RandomSampler(seed=seed),
            warn_independent_sampling=False,
        )

    return make


_FACTORIES: dict[str, Callable[[dict[str, str], Sequence[Param], int, list[str]], Any]] = {
    "random": lambda s, space, first, notes: lambda seed: RandomSampler(seed=seed),
    "tpe": _hyperopt_tpe,
    "multivariate-tpe": _multivariate,
    "grid": _grid,
    "cmaes": _cmaes,
    "sobol": _sobol,
}


def _distribution(p: Param, algorithm: str) -> BaseDistribution:
    if algorithm == "grid":
        return CategoricalDistribution(grid_values(p))
    if not p.numeric:
        return CategoricalDistribution(list(p.values))
    if p.distribution in ("normal", "logNormal") and algorithm not in ("cmaes", "sobol"):
        raise LocalUnsupported(
            f"parameter {p.name}: distribution {p.distribution} has no optuna equivalent",
            "use uniform or logUniform locally (goptuna's cmaes and sobol ignore it)",
        )
    log = p.distribution == "logUniform" and algorithm not in ("cmaes", "sobol")
    if p.type == "int":
        if log:  # §6.4: IntDistribution(max(1, min), max, log=True, step=1)
            return IntDistribution(max(1, int(p.low)), int(p.high), log=True)
        return IntDistribution(int(p.low), int(p.high), step=int(p.step or 1))
    if log:  # §6.4: FloatDistribution(max(1e-10, min), max, log=True), step ignored
        return FloatDistribution(max(1e-10, p.low), p.high, log=True)
    return FloatDistribution(p.low, p.high, step=p.step)


class OptunaSource:
    """An in-memory optuna study that mirrors the journal's trials."""

    def __init__(
        self,
        space: Sequence[Param],
        dists: dict[str, BaseDistribution],
        factory: SamplerFactory,
        *,
        maximize: bool,
        seed: int | None,
        goptuna: bool,
        notes: tuple[str, ...] = (),
        stable: bool = False,
    ) -> None:
        self.space, self.dists, self.factory = tuple(space), dists, factory
        self.seed, self.goptuna, self.notes = seed, goptuna, notes
        self.stable = all(isinstance(d, CategoricalDistribution) for d in dists.values()) and stable
        self.study = optuna.create_study(
            direction="maximize" if maximize else "minimize", sampler=RandomSampler(seed=0)
        )

    def state(self) -> dict[str, Any]:
        return dict(self.study._storage.get_study_system_attrs(self.study._study_id))

    def restore(self, state: dict[str, Any]) -> None:
        storage, sid = self.study._storage, self.study._study_id
        for key, value in state.items():
            storage.set_study_system_attr(sid, key, value)

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        self._sync(trials)
        out: list[Suggestion] = []
        for _ in range(count):
            number = len(self.study.get_trials(deepcopy=False))
            # GridSampler's seed orders the whole grid: it must stay the run's seed
            seed = self.seed if self.stable else derive_seed(self.seed, number)
            self.study.sampler = self.factory(seed)
            trial = self.study.ask(self.dists)
            values = {p.name: self._text(p, trial.params[p.name]) for p in self.space}
            memo = self.study._storage.get_trial_system_attrs(trial._trial_id)
            out.append(Suggestion(values, dict(memo)))
        return out

    def _sync(self, trials: Sequence[TrialView]) -> None:
        """Add the trials the study lacks (a resumed run) and tell it the finished ones."""
        known = self.study.get_trials(deepcopy=False)
        for view in trials:
            if view.index >= len(known):
                self.study.add_trial(self._frozen(view))
            elif known[view.index].state == TrialState.RUNNING and view.finished:
                self._tell(view)

    def _frozen(self, view: TrialView) -> Any:
        value = view.value if view.finished else None
        state = TrialState.RUNNING
        if view.finished:
            state = TrialState.COMPLETE if value is not None else TrialState.FAIL
        return create_trial(
            params={p.name: self._value(p, view.assignments[p.name]) for p in self.space},
            distributions=self.dists,
            value=value,
            state=state,
            system_attrs=view.memo,
        )

    def _tell(self, view: TrialView) -> None:
        """Katib gives algorithms only trials with an objective value (§6.2); the others are
        failures to optuna, so grid points are not revisited."""
        if view.value is not None:
            self.study.tell(view.index, view.value)
        else:
            self.study.tell(view.index, state=TrialState.FAIL)

    def _value(self, p: Param, text: str) -> Any:
        dist = self.dists[p.name]
        if isinstance(dist, CategoricalDistribution):
            return next((c for c in dist.choices if self._text(p, c) == text), text)
        return int(text) if p.type == "int" else float(text)

    def _text(self, p: Param, value: Any) -> str:
        """Values as each service prints them: Python `str()`; goptuna Go's shortest form."""
        if p.type == "int":
            return str(int(value))
        if p.type == "double" and self.goptuna:
            return go_float(float(value))
        return str(value)
