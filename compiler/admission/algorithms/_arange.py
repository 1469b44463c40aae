"""`numpy.arange(start, stop, step)` for Python floats, without numpy.

Three services build value grids with arange (optuna grid, pbt, enas), and its float behaviour
decides how many values there are: 0.1..0.3 step 0.1 gives `arange(0.1, 0.4, 0.1)`, whose length
is `ceil(0.30000000000000004 / 0.1) = 4`. We need only the length and the last value, so nothing
is materialised.

numpy (multiarray `_calc_length` and the DOUBLE `fill` loop) computes:
* `length = ceil((stop - start) / step)`, except that a zero quotient of a non-zero difference
  (underflow) gives 1, or 0 when the quotient is -0.0; a length <= 0 gives an empty array;
* element 0 is `start`, element 1 is `start + step`, and element i >= 2 is
  `start + i * delta` with `delta = (start + step) - start` (not `step`).
It raises ZeroDivisionError for step 0, ValueError when the length is NaN and OverflowError when
it does not fit an intp.
"""

from __future__ import annotations

import math

_INTP_MAX = 2**63 - 1


class ArangeError(ValueError):
    """numpy would raise here; the message is numpy's (or Python's, for step 0)."""


def arange_length(start: float, stop: float, step: float) -> int:
    if step == 0:
        raise ArangeError("float division by zero")
    diff = stop - start
    quotient = diff / step
    if quotient == 0.0 and diff != 0.0:
        return 0 if math.copysign(1.0, quotient) < 0 else 1
    if math.isnan(quotient):
        raise ArangeError("arange: cannot compute length")
    if math.isinf(quotient) or math.ceil(quotient) > _INTP_MAX:
        raise ArangeError("arange: overflow while computing length")
    return max(0, math.ceil(quotient))


def arange_value(start: float, step: float, i: int) -> float:
    """Element i of `numpy.arange(start, ..., step)`."""
    if i == 0:
        return start
    following = start + step
    if i == 1:
        return following
    return start + i * (following - start)


def arange_last(start: float, stop: float, step: float) -> tuple[int, float | None]:
    """(length, last element or None when empty)."""
    n = arange_length(start, stop, step)
    return n, (arange_value(start, step, n - 1) if n else None)
