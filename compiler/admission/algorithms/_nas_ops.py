"""NAS operations: the validation both services share (nas/common/validation.py) and what ENAS'
GetSuggestions later does with each operation parameter (nas/enas/Operation.py).

validation.py returns at the first problem; we report every one. Its checks use Python
truthiness on proto fields, so "min or max" means a non-empty string, and a NaN step passes
(`float("nan") <= 0` is False).
"""

from __future__ import annotations

from compiler.admission.algorithms._arange import ArangeError, arange_last
from compiler.admission.algorithms._common import (
    LISTED,
    NUMERIC,
    R23,
    error,
    ptype,
    py_float,
    py_int,
)
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Operation, ParameterSpec


def _path(j: int, k: int | None = None, tail: str = "") -> str:
    path = f"spec.nasConfig.operations[{j}]"
    return path + (f".parameters[{k}]" if k is not None else "") + (f".{tail}" if tail else "")


def shared_operation(j: int, op: Operation) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    if not op.operation_type:
        message = "Missing operationType in Operation"
        out.append(error(R23, _path(j, tail="operationType"), message, "name the operation"))
    if not op.parameters:
        message = f"Missing ParameterConfigs in Operation {op.operation_type}"
        fix = "give the operation at least one parameter (even skip_connection)"
        out.append(error(R23, _path(j, tail="parameters"), message, fix))
    for k, p in enumerate(op.parameters):
        out += _shared_parameter(j, k, p)
    return out


def _shared_parameter(j: int, k: int, p: ParameterSpec) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    fs, kind = p.feasible_space, ptype(p)
    if not p.name:
        out.append(error(R23, _path(j, k, "name"), "Missing Name in ParameterConfig", "name it"))
    if kind == "unknown":
        message = f"Missing ParameterType in ParameterConfig {p.name}"
        fix = "use int, double, categorical or discrete"
        out.append(error(R23, _path(j, k, "parameterType"), message, fix))
    elif kind in LISTED and not fs.list:
        message = f"Missing List in ParameterConfig.feasibleSpace of {p.name}"
        out.append(error(R23, _path(j, k, "feasibleSpace.list"), message, "list the values"))
    elif kind in NUMERIC and not fs.min and not fs.max:
        message = f"Missing Max and Min in ParameterConfig.feasibleSpace of {p.name}"
        out.append(error(R23, _path(j, k, "feasibleSpace.max"), message, "set min and max"))
    problem = _step_problem(p) if kind == "double" else None
    if problem:
        out.append(error(R23, _path(j, k, "feasibleSpace.step"), problem, "use a step > 0"))
    return out


def _step_problem(p: ParameterSpec) -> str | None:
    if not p.feasible_space.step:
        return f"Step parameter should be > 0 in ParameterConfig.feasibleSpace of {p.name}"
    step, exc = py_float(p.feasible_space.step)
    if step is None:
        return f"failed to validate ParameterConfig.feasibleSpace of {p.name}: {exc}"
    if step <= 0:
        return f"Step parameter should be > 0 in ParameterConfig.feasibleSpace of {p.name}"
    return None


def enas_operation(j: int, op: Operation) -> list[RuntimeFinding]:
    """Operation.py `_parse_operations`, run by the first GetSuggestions."""
    out: list[RuntimeFinding] = []
    for k, p in enumerate(op.parameters):
        kind = ptype(p)
        if kind == "discrete":
            message = (
                f"enas skips discrete parameter {p.name} when building the search space, then "
                "indexes past its parameter list (IndexError in GetSuggestions)"
            )
            fix = "make it categorical"
            out.append(error(R23, _path(j, k, "parameterType"), message, fix))
        elif kind == "int":
            out += _enas_int(j, k, p)
        elif kind == "double":
            out += _enas_double(j, k, p)
    return out


def _enas_int(j: int, k: int, p: ParameterSpec) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    for key in ("min", "max", "step"):
        text = getattr(p.feasible_space, key)
        value, exc = py_int(text)
        if value is None:
            message = f"enas reads {key} of int parameter {p.name} with int(): {exc}"
            fix = f"set {key} to an integer" + (
                " (enas has no default step)" if key == "step" else ""
            )
            out.append(error(R23, _path(j, k, f"feasibleSpace.{key}"), message, fix))
    return out


def _enas_double(j: int, k: int, p: ParameterSpec) -> list[RuntimeFinding]:
    fs = p.feasible_space
    lo, hi, step = (py_float(t)[0] for t in (fs.min, fs.max, fs.step))
    if lo is None or hi is None or step is None:
        return []  # validation (step) or the min/max checks above already say why
    try:
        _, last = arange_last(lo, hi + step, step)
    except ArangeError:
        return []
    if last is not None and last <= hi:
        return []
    shown = "none" if last is None else repr(last)
    message = (
        f"enas builds numpy.arange(min, max + step, step) for {p.name}; its last value {shown} "
        "is above max (or missing) and Operation.py then fails to delete it from the array"
    )
    fix = "choose min, max and step so that max is exactly min + n * step in floating point"
    return [error(R23, _path(j, k, "feasibleSpace.max"), message, fix)]
