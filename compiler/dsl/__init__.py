"""The Python authoring API: build experiments in Python, with loops and functions.

A Python spec builds exactly the data a YAML spec holds (the `ExperimentSpec` format), so both
share every later stage::

    from compiler.dsl import experiment, maximize, floats, ints, choice, job

    experiment(
        name="random-example",
        objective=maximize("Validation-accuracy", goal=0.99, also=["Train-accuracy"]),
        algorithm="random",
        trials=dict(max=12, parallel=3, failures=3),
        parameters={"lr": floats(0.01, 0.03), "num-layers": ints(2, 5),
                    "optimizer": choice("sgd", "adam", "ftrl")},
        trial=job(image="docker.io/kubeflowkatib/mxnet-mnist",
                  command=["python3", "mnist.py", "--lr=${lr}"]),
    )

Every helper returns plain data (a `dict`), so plain dicts and lists work anywhere a helper does.
Each call remembers where it was written (file, line, column, from the call's bytecode position
and the file's syntax tree), so that a problem found later is reported at the line of the
`floats(...)` or the list item that caused it, not at "somewhere in the file".

The helpers live in modules by concern, all re-exported here (import them from `compiler.dsl`):
`_experiment` (the experiment, its objective, algorithm, early stopping and budget),
`_parameters` (the search space), `_trials` and `_operators` (trial kinds, local runs),
`_collectors` (metrics), `_nas` (neural architecture search); beneath them `_build` (a Part
from a helper's arguments), `_sites` (where a call was written) and `_parts` (the data).

This package is imported by the sandboxed process that runs specs, so it stays light: standard
library only, no pydantic, nothing from the rest of `compiler`. The sandbox loads it, with all of
its modules, before it confines the spec.
"""

from __future__ import annotations

from compiler.dsl._collectors import metrics
from compiler.dsl._experiment import MAX_EXPERIMENTS as MAX_EXPERIMENTS
from compiler.dsl._experiment import (
    algorithm,
    budget,
    early_stopping,
    experiment,
    maximize,
    minimize,
)
from compiler.dsl._experiment import declared as declared
from compiler.dsl._experiment import reset as reset
from compiler.dsl._nas import nas, operation
from compiler.dsl._operators import mpijob, pytorchjob, tfjob, trainjob, xgboostjob
from compiler.dsl._parameters import choice, discrete, floats, ints, named
from compiler.dsl._parts import MAX_DEPTH as MAX_DEPTH
from compiler.dsl._parts import Declared as Declared
from compiler.dsl._parts import Part, SpecError
from compiler.dsl._parts import Path as Path
from compiler.dsl._parts import Position as Position
from compiler.dsl._sites import _prepare as _prepare
from compiler.dsl._trials import configmap, job, local, raw

__all__ = [
    "Part",
    "SpecError",
    "algorithm",
    "budget",
    "choice",
    "configmap",
    "discrete",
    "early_stopping",
    "experiment",
    "floats",
    "ints",
    "job",
    "local",
    "maximize",
    "metrics",
    "minimize",
    "mpijob",
    "named",
    "nas",
    "operation",
    "pytorchjob",
    "raw",
    "tfjob",
    "trainjob",
    "xgboostjob",
]

# The API's home is this package: tracebacks, help() and the sandbox (which knows SpecError as
# `compiler.dsl.SpecError`) see it here, whichever module defines it.
for _name in (*__all__, "Declared"):
    globals()[_name].__module__ = __name__
del _name
