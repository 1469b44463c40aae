"""pbt as Katib's service runs it (reference §6.8, pkg/suggestion/v1beta1/pbt/service.py): the
first generation random, a new generation once the pool holds more than n_population trials,
exploit below the truncation threshold, explore (perturb or resample) for the rest, failed
trials queued again, names `<experiment>-<uuid4>`, and a seeded run that repeats and resumes."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest

from compiler.admission.algorithms._arange import arange_value
from compiler.execute.errors import LocalUnsupported, SuggestionError
from compiler.execute.local import RunOptions, prepare
from compiler.execute.pbt import Pbt, Sampler
from compiler.execute.samplers import make_source
from compiler.execute.sources import Suggestion, TrialView
from compiler.execute.space import Param
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
from compiler.model.results import PBT_GENERATION as GENERATION
from compiler.model.results import PBT_PARENT as PARENT

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
LR = ParameterSpec(
    name="lr",
    parameter_type="double",
    feasible_space=FeasibleSpace(min="0.0001", max="0.02", step="0.0001"),
)
OPTIMIZER = ParameterSpec(
    name="optimizer",
    parameter_type="categorical",
    feasible_space=FeasibleSpace(list=("sgd", "adam", "ftrl")),
)


def experiment(
    settings: dict[str, str] | None = None,
    params: tuple[ParameterSpec, ...] = (LR, OPTIMIZER),
    kind: str = "maximize",
    algorithm: str = "pbt",
) -> Experiment:
    base = {
        "suggestion_trial_dir": "/var/log/katib/checkpoints/",
        "n_population": "5",
        "truncation_threshold": "0.2",
    }
    return Experiment(
        metadata=ObjectMeta(name="simple-pbt", namespace="t"),
        spec=ExperimentSpec(
            parameters=params,
            resume_policy="FromVolume",
            max_trial_count=30,
            objective=ObjectiveSpec(
                type=kind,
                objective_metric_name="acc",
                metric_strategies=(MetricStrategy(name="acc", value="max"),),
            ),
            algorithm=AlgorithmSpec(
                algorithm_name=algorithm,
                algorithm_settings=tuple(
                    Setting(name=k, value=v) for k, v in {**base, **(settings or {})}.items()
                ),
            ),
        ),
    )


def score(a: dict[str, str]) -> float:
    """Distinct values, best near lr = 0.01."""
    return -abs(float(a["lr"]) - 0.01) + 0.001 * ["sgd", "adam", "ftrl"].index(a["optimizer"])


def view(i: int, s: Suggestion, state: str = "Succeeded", value: float | None = None) -> TrialView:
    v = value if value is not None or state != "Succeeded" else score(s.assignments)
    return TrialView(i, s.name or f"t{i}", s.assignments, state, v, s.memo, s.labels)


def drive(
    source: Pbt, n: int, history: list[TrialView] | None = None, f: Callable[..., float] = score
) -> list[TrialView]:
    """One trial at a time (parallelTrialCount 1), each Succeeded before the next question."""
    trials = list(history or [])
    while len(trials) < n:
        [s] = source.suggest(1, trials)
        trials.append(view(len(trials), s, value=f(s.assignments)))
    return trials


def generation(t: TrialView) -> int:
    return int(t.labels[GENERATION])


def test_the_first_generation_is_random_with_katib_names_and_labels() -> None:
    source = Pbt(experiment(), seed=3)
    made = source.suggest(2, [])
    assert len(made) == 2
    for s in made:
        assert s.name is not None and re.fullmatch(rf"simple-pbt-{UUID4}", s.name)
        assert s.labels == {GENERATION: "0"}  # no parent label in the first generation
        assert s.memo == {"pbt": {"origin": "random"}}
        grid = {str(arange_value(0.0001, 0.0001, i)) for i in range(200)}
        assert s.assignments["lr"] in grid  # arange(min, max + step/2, step), §6.8
        assert s.assignments["optimizer"] in ("sgd", "adam", "ftrl")
    assert source.state()["pending"] == [3]  # n_population queued at the first question


def test_a_huge_population_is_queued_without_drawing_it() -> None:
    source = Pbt(experiment({"n_population": str(10**12)}), seed=3)
    assert len(source.suggest(3, [])) == 3
    assert source.state()["pending"] == [10**12 - 3]


def test_a_generation_needs_more_than_n_population_finished_trials() -> None:
    trials = drive(Pbt(experiment(), seed=3), 18)
    # Katib's `len(current) <= population`: six trials of generation 0, then five children,
    # then one more child of the previous pool while the new pool holds five, ...
    assert [generation(t) for t in trials] == [0] * 6 + [1] * 6 + [2] * 6
    names = {t.name for t in trials}
    for t in trials[6:]:
        assert t.labels[PARENT] in names
        assert (
            generation(t) == generation(next(p for p in trials if p.name == t.labels[PARENT])) + 1
        )


def test_exploit_takes_a_top_trials_values_and_keeps_its_own_checkpoint() -> None:
    trials = drive(Pbt(experiment(), seed=3), 11)
    pool = trials[:6]
    low, high = np.quantile([score(t.assignments) for t in pool], (0.2, 0.8))
    children = trials[6:11]
    exploited = [t for t in children if t.memo["pbt"]["origin"] == "exploit"]
    assert len(exploited) == 1  # int(5 * 0.2)
    [child] = exploited
    parent = next(t for t in pool if t.name == child.labels[PARENT])
    donor = next(t for t in pool if t.name == child.memo["pbt"]["valuesFrom"])
    assert (parent.value or 0.0) < low  # the bottom trial is the parent (`parent=job.uid`)
    assert (donor.value or 0.0) >= high
    assert child.assignments == donor.assignments
    for t in children:
        if t is child:
            continue
        assert t.memo["pbt"] == {"origin": "explore"}
        mine = next(p for p in pool if p.name == t.labels[PARENT])
        lr = float(mine.assignments["lr"])
        assert float(t.assignments["lr"]) in (
            pytest.approx(min(0.02, lr * 0.8)),
            pytest.approx(min(0.02, lr * 1.2)),
        )
        names = ["sgd", "adam", "ftrl"]
        i = names.index(mine.assignments["optimizer"])
        assert t.assignments["optimizer"] in (names[i - 1], names[(i + 1) % 3])


def test_minimize_exploits_the_lowest_objective() -> None:
    f = lambda a: abs(float(a["lr"]) - 0.01)  # noqa: E731
    trials = drive(Pbt(experiment(kind="minimize"), seed=3), 11, f=f)
    [child] = [t for t in trials[6:] if t.memo["pbt"]["origin"] == "exploit"]
    donor = next(t for t in trials if t.name == child.memo["pbt"]["valuesFrom"])
    parent = next(t for t in trials if t.name == child.labels[PARENT])
    assert f(donor.assignments) < f(parent.assignments)
    assert f(donor.assignments) <= np.quantile([f(t.assignments) for t in trials[:6]], 0.2)


def test_ties_at_the_lower_cut_exploit_nothing() -> None:
    """Katib's `metric_value < quantile(threshold)`: a pool whose worst fifth shares one value
    has nothing below the cut, so every child explores."""
    trials = drive(Pbt(experiment(), seed=3), 12, f=lambda a: 0.0)
    assert {t.memo["pbt"]["origin"] for t in trials[6:]} == {"explore"}


def test_a_failed_trial_is_queued_again_with_its_values() -> None:
    source = Pbt(experiment(), seed=3)
    trials = drive(source, 7)
    [s] = source.suggest(1, trials)
    failed = view(7, s, state="Failed")
    source.suggest(1, [*trials, failed])
    again = source.state()["pending"][-1]  # at the end of the queue, as Katib appends it
    assert again["name"] != s.name
    assert again["assignments"] == s.assignments
    assert (again["generation"], again["parent"]) == (1, s.labels[PARENT])
    assert again["origin"] == "retry"


def test_metrics_unavailable_trials_are_never_seen() -> None:
    """The controller leaves them out of the request (suggestionclient.go, ConvertTrials): no
    retry, no pool; the run goes on with the others."""
    source = Pbt(experiment(), seed=3)
    [s] = source.suggest(1, [])
    lost = view(0, s, state="MetricsUnavailable")
    [nxt] = source.suggest(1, [lost])
    assert nxt.memo == {"pbt": {"origin": "random"}}
    assert s.name in {j["name"] for j in source.state()["running"]}


def test_resample_probability_resamples_or_keeps_each_value() -> None:
    keep = drive(Pbt(experiment({"resample_probability": "0"}), seed=3), 11)
    for t in keep[6:]:
        if t.memo["pbt"]["origin"] == "explore":
            parent = next(p for p in keep if p.name == t.labels[PARENT])
            assert t.assignments == parent.assignments
    fresh = drive(Pbt(experiment({"resample_probability": "1"}), seed=3), 18)
    grid = {str(arange_value(0.0001, 0.0001, i)) for i in range(200)}
    assert all(t.assignments["lr"] in grid for t in fresh)  # sampled, never perturbed


def test_seeded_runs_repeat_and_resume_exactly() -> None:
    whole = drive(Pbt(experiment(), seed=11), 24)
    again = drive(Pbt(experiment(), seed=11), 24)
    assert [(t.name, t.assignments, t.labels) for t in whole] == [
        (t.name, t.assignments, t.labels) for t in again
    ]
    first_source = Pbt(experiment(), seed=11)
    first = drive(first_source, 13)
    resumed_source = Pbt(experiment(), seed=11)
    resumed_source.restore(first_source.state())  # what the journal's "source" event holds
    resumed = drive(resumed_source, 24, history=first)
    assert [(t.name, t.assignments) for t in resumed] == [(t.name, t.assignments) for t in whole]
    other = drive(Pbt(experiment(), seed=12), 24)
    assert [t.assignments for t in other] != [t.assignments for t in whole]


def test_more_trials_asked_than_a_generation_holds_is_katibs_hang() -> None:
    source = Pbt(experiment(), seed=3)
    trials: list[TrialView] = []
    with pytest.raises(SuggestionError, match="Pending queue is empty"):
        for _ in range(6):
            made = source.suggest(8, trials)
            trials += [view(len(trials) + i, s) for i, s in enumerate(made)]


def test_numbers_are_perturbed_by_a_fifth_and_clipped_as_python_does() -> None:
    double = Sampler(Param("lr", "double", 0.0001, 0.02, 0.0001))
    results = {double.perturb("0.02", np.random.default_rng(seed)) for seed in range(20)}
    assert results == {"0.02", "0.016"}
    ints = Sampler(Param("n", "int", 1, 5, 1.0))
    assert {ints.perturb("5", np.random.default_rng(seed)) for seed in range(20)} == {"4", "5.0"}
    assert {ints.perturb("1", np.random.default_rng(seed)) for seed in range(20)} == {"1.0"}
    assert {ints.perturb("3", np.random.default_rng(seed)) for seed in range(20)} == {"2", "3"}
    with pytest.raises(SuggestionError, match=r"int\('5.0'\)"):
        ints.perturb("5.0", np.random.default_rng(0))


def test_list_items_move_to_a_neighbour_and_wrap() -> None:
    s = Sampler(Param("o", "categorical", values=("a", "b", "c")))
    assert {s.perturb("a", np.random.default_rng(i)) for i in range(20)} == {"b", "c"}
    assert {s.perturb("c", np.random.default_rng(i)) for i in range(20)} == {"a", "b"}


def test_int_samples_come_from_the_step_grid() -> None:
    s = Sampler(Param("n", "int", 2, 10, 4.0))
    assert {s.sample(np.random.default_rng(i)) for i in range(40)} == {"2", "6", "10"}


def test_a_double_without_a_step_fails_before_any_trial() -> None:
    bare = LR.model_copy(update={"feasible_space": FeasibleSpace(min="0.1", max="0.2")})
    with pytest.raises(LocalUnsupported, match="step"):
        Pbt(experiment(params=(bare,)), seed=1)


def test_make_source_gives_pbt() -> None:
    assert isinstance(make_source(experiment(), 1, 2), Pbt)


def test_enas_stays_refused_with_the_reason(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    exp = experiment(algorithm="enas")
    with pytest.raises(LocalUnsupported, match="TensorFlow controller") as info:
        prepare(exp, None, RunOptions(state_dir=tmp_path / "state"))
    assert "darts" in info.value.hint
