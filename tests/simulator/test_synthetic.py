"""Synthetic metrics: deterministic, smooth in the parameters, shaped like Katib's observations
(reference §5.6)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from compiler.execute.space import parse_space
from compiler.simulator import synthetic
from compiler.simulator.trials import decode_experiment
from tests.simulator.builders import experiment, live

SPACE = parse_space(decode_experiment(live(experiment())))
STRATEGIES = [("accuracy", "max"), ("loss", "min")]


def point(lr: str, layers: str = "3", opt: str = "adam", trial: str = "t1") -> synthetic.Trial:
    return synthetic.Trial("ns/demo", trial, SPACE, {"lr": lr, "layers": layers, "optimizer": opt})


def test_the_same_trial_gives_the_same_values() -> None:
    assert point("0.05").metrics(STRATEGIES) == point("0.05").metrics(STRATEGIES)
    other = synthetic.Trial("ns/other", "t1", SPACE, {"lr": "0.05", "layers": "3"})
    assert other.metrics(STRATEGIES) != point("0.05").metrics(STRATEGIES)


def test_observation_shape_min_max_latest() -> None:
    acc, loss = point("0.05").metrics(STRATEGIES)
    assert acc.name == "accuracy" and loss.name == "loss"
    assert acc.latest == acc.max and float(acc.min) < float(acc.max)  # rising
    assert loss.latest == loss.min and float(loss.max) > float(loss.min)  # falling
    assert [p.value for p in acc.series][-1] == acc.latest
    short = point("0.05").metrics(STRATEGIES, steps=1)[0]
    assert short.min == short.max == short.latest


@settings(derandomize=True, max_examples=80)
@given(hs.floats(0.01, 0.1), hs.floats(-0.0005, 0.0005))
def test_values_are_smooth_and_bounded(lr: float, step: float) -> None:
    a = point(str(lr)).series("accuracy", "max")[-1]
    b = point(str(min(0.1, max(0.01, lr + step)))).series("accuracy", "max")[-1]
    assert 0.0 < a < 1.0
    # the smooth part moves little for a small step; the noise is the trial's, so equal here
    assert abs(a - b) < 0.05


def test_trial_noise_differs_between_trials() -> None:
    assert point("0.05", trial="t1").series("accuracy", "max") != point("0.05", trial="t2").series(
        "accuracy", "max"
    )
