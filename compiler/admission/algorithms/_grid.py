"""The optuna service's `grid` checks: every double needs a step, and maxTrialCount must not
exceed the number of grid points (optuna/service.py `_validate_grid_setting`, computed by
internal/search_space.py `convert_to_combinations`).

The count is the product of the value counts, exactly as the service builds them:
* int: `range(int(min), int(max) + 1, int(step or 1))`;
* double: `numpy.arange(min, max + step, step)` minus its last element when that is > max, so
  float noise counts (0.1..0.3 step 0.1 has 3 points, the last 0.30000000000000004);
* categorical/discrete: the list as written, duplicates included.
When a bound does not parse or the step is 0, the service fails with an exception instead;
runtime.py's KATIB-R4/R5 report those, and we skip the count.
"""

from __future__ import annotations

import math

from compiler.admission.algorithms._arange import ArangeError, arange_last
from compiler.admission.algorithms._common import (
    LISTED,
    R22,
    error,
    ptype,
    py_float,
    py_int,
    space_path,
)
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment, ParameterSpec


def check_grid(exp: Experiment) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    counts: list[int | None] = []
    for i, p in enumerate(exp.spec.parameters):
        if ptype(p) == "double" and not p.feasible_space.step:
            message = (
                f"Param {p.name} step is nil; For discrete search space, all parameters "
                "must include step"
            )
            out.append(error(R22, space_path(i, "step"), message, "give the double a step"))
            counts.append(None)
        else:
            counts.append(grid_size(p))
    max_trials = exp.spec.max_trial_count or 0  # unset reaches the service as 0
    if None not in counts:
        total = math.prod(c for c in counts if c is not None)
        if max_trials > total:
            out.append(
                error(
                    R22,
                    "spec.maxTrialCount",
                    f"Max Trial Count: {max_trials} > all possible search combinations: {total}",
                    f"set maxTrialCount to at most {total}, or add grid points",
                )
            )
    return out


def grid_size(p: ParameterSpec) -> int | None:
    """How many values the service gives this parameter; None when it raises instead."""
    fs = p.feasible_space
    kind = ptype(p)
    if kind in LISTED:
        return len(fs.list)
    if kind == "int":
        lo, hi, step = (py_int(t)[0] for t in (fs.min, fs.max, fs.step or "1"))
        if lo is None or hi is None or not step:
            return None
        return _range_len(lo, hi + 1, step)
    if kind == "double":
        lo_f, hi_f, step_f = (py_float(t)[0] for t in (fs.min, fs.max, fs.step))
        if lo_f is None or hi_f is None or step_f is None:
            return None
        try:
            n, last = arange_last(lo_f, hi_f + step_f, step_f)
        except ArangeError:
            return None
        if last is None:  # `double_list[-1]` of an empty array: IndexError
            return None
        return n - 1 if last > hi_f else n
    return None  # UNKNOWN_TYPE: the service's conversion fails


def _range_len(start: int, stop: int, step: int) -> int:
    """len(range(start, stop, step)) without building it (Python ints do not overflow)."""
    if step > 0:
        return max(0, (stop - start + step - 1) // step)
    return max(0, (start - stop - step - 1) // -step)
