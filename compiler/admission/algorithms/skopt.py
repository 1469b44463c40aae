"""skopt: `bayesianoptimization` (reference §6.6).

Source: pkg/suggestion/v1beta1/skopt/service.py (OptimizerConfiguration) and base_service.py
(create_optimizer, run in GetSuggestions). Every double becomes
`skopt.space.Real(min, max, "log-uniform")` whatever its distribution, and skopt's Integer and
Real both raise unless low < high (scikit-optimize 0.9 skopt/space/space.py), so a single-value
range hangs here although other services accept it.

Codes are KATIB-R2x. Severity E = error (hang or Fail), W = warning.

| code | field | sev | rule |
|---|---|---|---|
| R20 | algorithmName | E | only bayesianoptimization |
| R20 | algorithmSettings[i].name | E | unknown setting name |
| R21 | algorithmSettings[i].value | E | base_estimator GP/RF/ET/GBRT; n_initial_points and |
|     |                            |   | random_state int >= 0; acq_func gp_hedge/LCB/EI/PI/EIps/ |
|     |                            |   | PIps; acq_optimizer auto/sampling/lbfgs |
| R22 | feasibleSpace.min | E | a double's min > 0 (log-uniform prior) |
| R22 | feasibleSpace.max | E | max != min ("the lower bound ... has to be less than |
|     |                   |   | the upper bound") |
| R22 | distribution, step | W | ignored: doubles log-uniform, ints uniform, no step |
"""

from __future__ import annotations

from compiler.admission.algorithms._common import (
    NUMERIC,
    R21,
    R22,
    Rule,
    algorithm_name,
    algorithm_settings,
    check_settings,
    choice_rule,
    distribution,
    error,
    int_rule,
    ptype,
    py_float,
    py_int,
    rejects_unknown,
    space_path,
    unsupported_algorithm,
    warning,
)
from compiler.admission.algorithms._space import Parser, basic_space, parse_space
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

_ALGORITHM = "bayesianoptimization"
_UNSUPPORTED = "{} {{value}} is not supported in Bayesian optimization"
_RULES: dict[str, Rule] = {
    "base_estimator": choice_rule(
        ("GP", "RF", "ET", "GBRT"), _UNSUPPORTED.format("base_estimator")
    ),
    "n_initial_points": int_rule(
        lambda v: v >= 0,
        "n_initial_points should be great or equal than zero",
        "use an integer >= 0",
    ),
    "acq_func": choice_rule(
        ("gp_hedge", "LCB", "EI", "PI", "EIps", "PIps"), _UNSUPPORTED.format("acq_func")
    ),
    "acq_optimizer": choice_rule(
        ("auto", "sampling", "lbfgs"), _UNSUPPORTED.format("acq_optimizer")
    ),
    "random_state": int_rule(
        lambda v: v >= 0, "random_state should be great or equal than zero", "use an integer >= 0"
    ),
}
_INT = Parser(py_int, "an integer (Python int())")
_FLOAT = Parser(py_float, "a number (Python float())")


def check(exp: Experiment) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    if algorithm_name(exp) != _ALGORITHM:
        message = f"unknown algorithm name {algorithm_name(exp)}"
        out.append(unsupported_algorithm(exp, "skopt", message))
    else:
        unknown = rejects_unknown(_ALGORITHM, tuple(_RULES))
        out += check_settings(algorithm_settings(exp), _RULES, code=R21, unknown=unknown)
    return out + basic_space(exp, "skopt") + _space(exp)


def _space(exp: Experiment) -> list[RuntimeFinding]:
    _, numbers = parse_space(
        exp, "skopt", lambda kind, key: None if key == "step" else _INT if kind == "int" else _FLOAT
    )
    out: list[RuntimeFinding] = []
    for i, p in enumerate(exp.spec.parameters):
        kind = ptype(p)
        if kind not in NUMERIC:
            continue
        lo, hi = numbers.get((i, "min")), numbers.get((i, "max"))
        if kind == "double" and lo is not None and lo <= 0:
            message = (
                f"skopt samples double {p.name} log-uniformly, whatever its distribution, so "
                f"min {p.feasible_space.min} <= 0 breaks GetSuggestions"
            )
            out.append(error(R22, space_path(i, "min"), message, "use a min > 0"))
        if lo is not None and lo == hi:  # lo > hi is runtime.py's KATIB-R5
            message = f"the lower bound {lo:g} has to be less than the upper bound {hi:g}"
            out.append(error(R22, space_path(i, "max"), message, "use a max above min"))
        out += _ignored(i, kind, p.name, distribution(p), p.feasible_space.step)
    return out


def _ignored(i: int, kind: str, name: str, dist: str, step: str) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    how = "log-uniformly" if kind == "double" else "uniformly"
    if dist not in ("uniform", "logUniform" if kind == "double" else "uniform"):
        message = f"the skopt service ignores distribution {dist} of {name} and samples it {how}"
        out.append(warning(R22, space_path(i, "distribution"), message, "drop the distribution"))
    if step:
        message = f"the skopt service ignores step {step} of {name}"
        out.append(warning(R22, space_path(i, "step"), message, "drop the step"))
    return out
