"""Each algorithm finds a known optimum, repeats itself with a seed, and continues after a
resume exactly as it would have without one (the history is the journal's)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from compiler.execute.samplers import make_source
from compiler.execute.sources import Source, TrialView
from compiler.model.katib import (
    AlgorithmSpec,
    Experiment,
    ExperimentSpec,
    FeasibleSpace,
    MetricStrategy,
    ObjectiveSpec,
    ObjectMeta,
    ParameterSpec,
    Setting,
)


def experiment(
    algorithm: str,
    settings: dict[str, str] | None = None,
    step: str = "",
    extra: tuple[ParameterSpec, ...] = (),
) -> Experiment:
    params = (
        tuple(
            ParameterSpec(
                name=n,
                parameter_type="double",
                feasible_space=FeasibleSpace(min="-5", max="5", step=step, distribution="uniform"),
            )
            for n in ("x", "y")
        )
        + extra
    )
    return Experiment(
        metadata=ObjectMeta(name="q", namespace="t"),
        spec=ExperimentSpec(
            parameters=params,
            objective=ObjectiveSpec(
                type="minimize",
                objective_metric_name="loss",
                metric_strategies=(MetricStrategy(name="loss", value="min"),),
            ),
            algorithm=AlgorithmSpec(
                algorithm_name=algorithm,
                algorithm_settings=tuple(
                    Setting(name=k, value=v) for k, v in (settings or {}).items()
                ),
            ),
        ),
    )


def quadratic(a: dict[str, str]) -> float:
    return (float(a["x"]) - 1) ** 2 + (float(a["y"]) + 2) ** 2


def drive(
    source: Source,
    n: int,
    batch: int = 1,
    history: list[TrialView] | None = None,
    f: Callable[[dict[str, str]], float] = quadratic,
) -> list[TrialView]:
    trials = list(history or [])
    while len(trials) < n:
        made = source.suggest(min(batch, n - len(trials)), trials)
        assert made, "the algorithm stopped early"
        for s in made:
            trials.append(
                TrialView(
                    len(trials),
                    f"t{len(trials)}",
                    s.assignments,
                    "Succeeded",
                    f(s.assignments),
                    s.memo,
                )
            )
    return trials


CASES = [
    ("random", {"random_state": "1"}, 80, 3.0),
    ("tpe", {"random_state": "1"}, 60, 0.3),
    ("multivariate-tpe", {"random_state": "1"}, 60, 0.3),
    ("cmaes", {"random_state": "1", "sigma": "1"}, 60, 0.5),
    ("sobol", {}, 64, 1.0),
]


@pytest.mark.parametrize(("name", "settings", "n", "tolerance"), CASES)
def test_reaches_the_known_optimum(
    name: str, settings: dict[str, str], n: int, tolerance: float
) -> None:
    if name == "cmaes":
        pytest.importorskip("cmaes")
    if name == "sobol":
        pytest.importorskip("scipy")
    trials = drive(make_source(experiment(name, settings), None, 1), n)
    assert min(99.0 if t.value is None else t.value for t in trials) < tolerance


def test_grid_visits_every_point_once_with_katib_values() -> None:
    exp = experiment("grid", {"random_state": "3"}, step="1")
    trials = drive(make_source(exp, None, 1), 121)
    assert len({(t.assignments["x"], t.assignments["y"]) for t in trials}) == 121
    assert min(99.0 if t.value is None else t.value for t in trials) == 0.0
    assert {t.assignments["x"] for t in trials} == {f"{float(v)}" for v in range(-5, 6)}


def test_bayesianoptimization_through_skopt() -> None:
    pytest.importorskip("skopt")
    exp = experiment("bayesianoptimization", {"random_state": "2", "n_initial_points": "8"})
    # skopt always samples doubles log-uniformly (§6.6): shift the space above zero
    exp = exp.model_copy(
        update={
            "spec": exp.spec.model_copy(
                update={
                    "parameters": tuple(
                        p.model_copy(update={"feasible_space": FeasibleSpace(min="0.1", max="10")})
                        for p in exp.spec.parameters
                    )
                }
            )
        }
    )
    f = lambda a: (float(a["x"]) - 1) ** 2 + (float(a["y"]) - 2) ** 2  # noqa: E731
    trials = drive(make_source(exp, None, 1), 20, f=f)
    assert min(99.0 if t.value is None else t.value for t in trials) < 0.5


@pytest.mark.parametrize("name", ["random", "tpe", "multivariate-tpe", "grid", "cmaes", "sobol"])
def test_seeded_runs_repeat_and_resume_exactly(name: str) -> None:
    if name == "cmaes":
        pytest.importorskip("cmaes")
    if name == "sobol":
        pytest.importorskip("scipy")
    exp = experiment(
        name, {} if name == "sobol" else {"random_state": "5"}, step="0.5" if name == "grid" else ""
    )
    whole = drive(make_source(exp, 11, 2), 24, batch=2)
    again = drive(make_source(exp, 11, 2), 24, batch=2)
    assert [t.assignments for t in whole] == [t.assignments for t in again]
    resumed_source = make_source(exp, 11, 2)
    first = drive(make_source(exp, 11, 2), 12, batch=2)
    if name == "sobol":  # the sequence's position is study state, kept by the journal
        probe = make_source(exp, 11, 2)
        drive(probe, 12, batch=2)
        resumed_source.restore(probe.state())
    resumed = drive(resumed_source, 24, batch=2, history=first)
    assert [t.assignments for t in resumed] == [t.assignments for t in whole]


def test_hyperband_brackets_follow_katib() -> None:
    extra = (
        ParameterSpec(
            name="epochs", parameter_type="int", feasible_space=FeasibleSpace(min="1", max="9")
        ),
    )
    exp = experiment("hyperband", {"r_l": "9", "resource_name": "epochs", "eta": "3"}, extra=extra)
    source = make_source(exp, 4, 9)
    trials: list[TrialView] = []
    budgets = []
    for _ in range(6):
        made = source.suggest(9, trials)
        budgets.append([s.assignments["epochs"] for s in made])
        for s in made:
            trials.append(
                TrialView(
                    len(trials),
                    f"t{len(trials)}",
                    s.assignments,
                    "Succeeded",
                    quadratic(s.assignments),
                )
            )
    # s_max = 2: master bracket of 9 with r=1, then the top 3 with 3, then the top 1 with 9, ...
    assert budgets[0] == ["1"] * 9
    assert budgets[1] == ["3"] * 3
    assert budgets[2] == ["9"]
    survivors = sorted(trials[:9], key=lambda t: t.value or 0)[:3]
    assert [t.assignments["x"] for t in trials[9:12]] == [t.assignments["x"] for t in survivors]


def test_hyperband_waits_for_its_bracket() -> None:
    extra = (
        ParameterSpec(
            name="epochs", parameter_type="int", feasible_space=FeasibleSpace(min="1", max="9")
        ),
    )
    exp = experiment("hyperband", {"r_l": "9", "resource_name": "epochs"}, extra=extra)
    source = make_source(exp, 4, 9)
    made = source.suggest(9, [])
    running = [TrialView(i, f"t{i}", s.assignments, "Running", None) for i, s in enumerate(made)]
    assert source.suggest(9, running) == []


def test_unsupported_algorithm_fails_before_any_trial() -> None:
    from compiler.execute.errors import LocalUnsupported

    with pytest.raises(LocalUnsupported, match="not supported"):
        make_source(experiment("enas"), None, 1)
