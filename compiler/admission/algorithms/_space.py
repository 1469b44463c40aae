"""Search-space helpers shared by the hyperparameter services (not NAS).

Every service converts `spec.parameters` itself, with its own parser (Python `int()` or `float()`,
Go `strconv`), so "does min parse" has a per-service answer: `"2.0"` is a fine int bound for
hyperopt (which reads int bounds with `float()`) and a crash for optuna (`int()`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from compiler.admission.algorithms._common import (
    NUMERIC,
    R22,
    R23,
    algorithm_name,
    distribution,
    error,
    ptype,
    space_path,
    warning,
)
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment


class Parser(NamedTuple):
    parse: Callable[[str], tuple[float | int | None, str]]
    what: str  # "an integer (Python int())", for the fix


# For (type, key): the parser the service uses, or None when it does not read that key.
ParserFor = Callable[[str, str], Parser | None]
Numbers = dict[tuple[int, str], float]


def basic_space(exp: Experiment, service: str) -> list[RuntimeFinding]:
    """What no hyperparameter service can handle: nasConfig and UNKNOWN_TYPE. (Empty lists are
    runtime.py's KATIB-R6, for every service.)"""
    out: list[RuntimeFinding] = []
    if exp.spec.nas_config is not None:
        out.append(
            error(
                R23,
                "spec.nasConfig",
                f"nasConfig is read only by the enas and darts services; the {service} service "
                f"gives {algorithm_name(exp)} an empty search space",
                "use algorithm enas or darts, or replace nasConfig with spec.parameters",
            )
        )
    for i, p in enumerate(exp.spec.parameters):
        kind = ptype(p)
        if kind == "unknown":
            out.append(
                error(
                    R22,
                    f"spec.parameters[{i}].parameterType",
                    f"parameter {p.name}: parameterType {p.parameter_type!r} reaches the {service} "
                    "service as UNKNOWN_TYPE, which it cannot convert",
                    "use int, double, categorical or discrete",
                )
            )
    return out


def parse_space(
    exp: Experiment, service: str, parser_for: ParserFor
) -> tuple[list[RuntimeFinding], Numbers]:
    """Parse min/max/step of numeric parameters as the service would. An empty step is left out
    (callers apply the service's default); a value that fails is reported, not returned.

    The Python services parse as runtime.py's KATIB-R4 does (`int()` for int bounds, `float()`
    for double ones) or more leniently, so they use only the numbers and drop the findings;
    goptuna's Go parsers differ from R4 and report theirs."""
    out: list[RuntimeFinding] = []
    numbers: Numbers = {}
    for i, p in enumerate(exp.spec.parameters):
        kind = ptype(p)
        if kind not in NUMERIC:
            continue
        for key in ("min", "max", "step"):
            text: str = getattr(p.feasible_space, key)
            parser = parser_for(kind, key)
            if parser is None or (key == "step" and not text):
                continue
            value, exc = parser.parse(text)
            if value is None:
                message = f"the {service} service cannot parse {key} {text!r} of {p.name}: {exc}"
                fix = f"write {key} as {parser.what}"
                out.append(error(R22, space_path(i, key), message, fix))
            else:
                numbers[(i, key)] = float(value)
    return out, numbers


def ignored_space(
    exp: Experiment, service: str, *, step: bool, how: str = "uniformly"
) -> list[RuntimeFinding]:
    """Warnings for numeric settings the service silently drops: a non-uniform distribution and,
    when `step`, a step."""
    out: list[RuntimeFinding] = []
    for i, p in enumerate(exp.spec.parameters):
        if ptype(p) not in NUMERIC:
            continue
        dist = distribution(p)
        if dist != "uniform":
            message = f"the {service} service ignores distribution {dist} of {p.name}"
            message += f" and samples it {how}"
            fix = f"drop the distribution, or use an algorithm whose service honours {dist}"
            out.append(warning(R22, space_path(i, "distribution"), message, fix))
        if step and p.feasible_space.step:
            message = f"the {service} service ignores step {p.feasible_space.step} of {p.name}"
            out.append(warning(R22, space_path(i, "step"), message, "drop the step"))
    return out
