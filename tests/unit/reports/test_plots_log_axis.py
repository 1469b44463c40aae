"""A logUniform parameter (Katib's `distribution: logUniform`, reference §1.1 FeasibleSpace)
is drawn on a log axis: the objective-against-parameter plot's x scale, and the parallel
coordinates' position of each value."""

from __future__ import annotations

import math

import matplotlib

from compiler.model.katib import FeasibleSpace, ParameterAssignment, ParameterSpec
from compiler.model.results import Results
from compiler.reports.plots import _parallel, _parameters

from .test_report_render import results


def with_lr(values: list[str], distribution: str = "logUniform") -> Results:
    r = results(len(values))
    lr = ParameterSpec(
        name="lr",
        parameter_type="double",
        feasible_space=FeasibleSpace(min="0.0001", max="1", distribution=distribution),
    )
    trials = tuple(
        t.model_copy(
            update={
                "parameters": (*t.parameters, ParameterAssignment(name="lr", value=v)),
                "objective": float(i),
            }
        )
        for i, (t, v) in enumerate(zip(r.trials, values, strict=True))
    )
    return r.model_copy(update={"parameters": (*r.parameters, lr), "trials": trials})


def scales(r: Results) -> dict[str, str]:
    with matplotlib.rc_context():
        fig = _parameters(r)
    return {ax.get_xlabel(): ax.get_xscale() for ax in fig.axes}


def test_the_parameters_plot_has_a_log_x_axis_for_log_uniform_only() -> None:
    assert scales(with_lr(["0.001", "0.01", "0.1"])) == {
        "x": "linear",
        "opt": "linear",
        "lr": "log",
    }
    assert scales(with_lr(["0.001", "0.01", "0.1"], "uniform"))["lr"] == "linear"


def test_the_parallel_coordinates_place_log_uniform_values_by_their_logarithm() -> None:
    fig = _parallel(with_lr(["0.001", "0.01", "0.1"]))
    ax = fig.axes[0]
    lr_axis = 2  # x, opt, lr, then the objective
    ys = [line.get_ydata()[lr_axis] for line in ax.get_lines() if len(line.get_ydata()) == 4]
    assert [round(float(y), 6) for y in ys] == [0.0, 0.5, 1.0]  # linear would put 0.01 at 0.09
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[lr_axis] == "lr\n(log)" and labels[0] == "x"


def test_a_log_axis_needs_positive_values() -> None:
    assert scales(with_lr(["0", "0.01", "0.1"]))["lr"] == "linear"
    fig = _parallel(with_lr(["0", "0.01", "0.1"]))
    ys = [line.get_ydata()[2] for line in fig.axes[0].get_lines() if len(line.get_ydata()) == 4]
    assert not any(math.isnan(float(y)) for y in ys)
