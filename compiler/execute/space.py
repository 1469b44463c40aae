"""The search space and the algorithm settings, read as Katib's suggestion services read them.

The compiler has already run Katib's runtime rules for the algorithm (`compiler.admission.
algorithms`), so every bound parses here; we reuse their parsing helpers rather than parse again
differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from compiler.admission.algorithms._arange import ArangeError, arange_last, arange_value
from compiler.admission.algorithms._common import distribution, last_index, ptype
from compiler.execute.errors import LocalUnsupported
from compiler.model.katib import Experiment, ParameterSpec, Setting

GRID_LIMIT = 1_000_000  # values of one parameter's grid: each is a Python float in a list


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # int | double | categorical | discrete
    low: float = 0.0
    high: float = 0.0
    step: float | None = None  # None: no step (ints get 1, §6.2)
    values: tuple[str, ...] = ()
    distribution: str = "uniform"

    @property
    def numeric(self) -> bool:
        return self.type in ("int", "double")


def parse_param(p: ParameterSpec) -> Param:
    """§6.2: an int without a step gets step 1; a double keeps no step."""
    kind = ptype(p)
    fs = p.feasible_space
    if kind not in ("int", "double"):
        return Param(p.name, kind, values=tuple(fs.list), distribution=distribution(p))
    step = float(fs.step) if fs.step else (1.0 if kind == "int" else None)
    return Param(p.name, kind, float(fs.min), float(fs.max), step, (), distribution(p))


def parse_space(exp: Experiment) -> tuple[Param, ...]:
    return tuple(parse_param(p) for p in exp.spec.parameters)


def settings_of(items: tuple[Setting, ...]) -> dict[str, str]:
    """The services read settings into a dict: the last of a repeated name wins."""
    return {name: items[i].value for name, i in last_index(items).items()}


def algorithm_settings(exp: Experiment) -> dict[str, str]:
    algo = exp.spec.algorithm
    return settings_of(algo.algorithm_settings) if algo else {}


def grid_values(p: Param) -> list[Any]:
    """optuna service's `convert_to_combinations` (§6.4): int `range(min, max+1, step)`;
    double `numpy.arange(min, max+step, step)` without a last element above max; lists.
    A grid numpy cannot build, or too large to hold, is refused before any trial."""
    if not p.numeric:
        return list(p.values)
    step = p.step or 1.0
    if p.type == "int":
        ints = range(int(p.low), int(p.high) + 1, int(step))
        _grid_fits(p, len(ints))
        return list(ints)
    try:
        n, last = arange_last(p.low, p.high + step, step)
    except ArangeError as exc:  # Katib's grid service raises the same (numpy.arange)
        raise LocalUnsupported(
            f"parameter {p.name}: its grid cannot be built: {exc}",
            "give the double a larger step (Katib's grid service fails on it too)",
            ("spec", "parameters"),
        ) from None
    _grid_fits(p, n)
    values = [arange_value(p.low, step, i) for i in range(n)]
    return values[:-1] if last is not None and last > p.high else values


def _grid_fits(p: Param, n: int) -> None:
    if n > GRID_LIMIT:
        raise LocalUnsupported(
            f"parameter {p.name}: its grid has {n} points, more than the {GRID_LIMIT} a local "
            "run holds",
            "give it a larger step, or run it in a cluster",
            ("spec", "parameters"),
        )


def go_float(value: float) -> str:
    """Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent (goptuna's
    values, §6.5)."""
    return str(np.format_float_positional(value, trim="-"))
