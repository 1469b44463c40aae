"""optuna: `grid` and `multivariate-tpe` by default; also `tpe`, `random` and `cmaes` when a
katib-config maps them here (reference §6.4).

Source: pkg/suggestion/v1beta1/optuna/service.py (OptimizerConfiguration) and base_service.py
(`_get_optuna_search_space`, built in GetSuggestions, so its errors hang the experiment rather
than fail it).

Codes are KATIB-R2x. Severity E = error (hang or Fail).

| code | field | sev | rule |
|---|---|---|---|
| R20 | algorithmName | E | only tpe, multivariate-tpe, cmaes, random, grid |
| R20 | algorithmSettings[i].name | E | unknown name (`seed` too: only the converter knows it) |
| R21 | algorithmSettings[i].value | E | (multivariate-)tpe: n_startup_trials, n_ei_candidates, |
|     |                            |   | random_state int >= 0; cmaes: restart_strategy in |
|     |                            |   | ipop/None/none, sigma float >= 0, random_state int >= 0; |
|     |                            |   | random, grid: random_state int >= 0 |
| R22 | spec.parameters | E | cmaes needs >= 2 int/double parameters |
| R22 | feasibleSpace.distribution | E | normal/logNormal: ValueError in GetSuggestions |
| R22 | feasibleSpace.max | E | logUniform: int max >= 1, double max >= 1e-10 |
| R22 | feasibleSpace.step | E | grid: a double needs a step (`_grid.py`) |
| R22 | spec.maxTrialCount | E | grid: at most the number of grid points |
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
    float_rule,
    int_rule,
    numeric_count,
    ptype,
    py_float,
    py_int,
    rejects_unknown,
    space_path,
    unsupported_algorithm,
)
from compiler.admission.algorithms._grid import check_grid
from compiler.admission.algorithms._space import basic_space
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment


def _non_negative(name: str) -> Rule:
    return int_rule(
        lambda v: v >= 0, f"{name} should be greate or equal than zero", "use an integer >= 0"
    )


# service.py answers a negative random_state for random and grid with an empty message.
_SILENT_STATE = int_rule(
    lambda v: v >= 0,
    "random_state should be greater than or equal to zero (the service's own message is empty)",
    "use an integer >= 0",
)
_TPE = {n: _non_negative(n) for n in ("n_startup_trials", "n_ei_candidates", "random_state")}
_RULES: dict[str, dict[str, Rule]] = {
    "tpe": _TPE,
    "multivariate-tpe": _TPE,
    "cmaes": {
        "restart_strategy": choice_rule(
            ("ipop", "None", "none"),
            "restart_strategy {value} is not supported in CMAES optimization",
        ),
        "sigma": float_rule(
            lambda v: v >= 0, "sigma should be greate or equal than zero", "use a number >= 0"
        ),
        "random_state": _non_negative("random_state"),
    },
    "random": {"random_state": _SILENT_STATE},
    "grid": {"random_state": _SILENT_STATE},
}
_HINTS = {
    "seed": "the optuna service validates random_state, not seed",
    "n_EI_candidates": "optuna spells it n_ei_candidates",
}


def check(exp: Experiment) -> list[RuntimeFinding]:
    name = algorithm_name(exp)
    out: list[RuntimeFinding] = []
    if name not in _RULES:
        out.append(unsupported_algorithm(exp, "optuna", f"unknown algorithm name {name}"))
    else:
        unknown = rejects_unknown(name, tuple(_RULES[name]), _HINTS)
        out += check_settings(algorithm_settings(exp), _RULES[name], code=R21, unknown=unknown)
    if name == "cmaes" and numeric_count(exp) < 2:
        out.append(
            error(
                R22,
                "spec.parameters",
                "cmaes only supports two or more dimensional continuous search space.",
                "tune at least two int or double parameters, or use another algorithm",
            )
        )
    out += basic_space(exp, "optuna") + _distributions(exp)
    return out + (check_grid(exp) if name == "grid" else [])


def _distributions(exp: Experiment) -> list[RuntimeFinding]:
    """base_service.py `_get_optuna_search_space`, run by GetSuggestions for every algorithm."""
    out: list[RuntimeFinding] = []
    for i, p in enumerate(exp.spec.parameters):
        kind, dist = ptype(p), distribution(p)
        if kind not in NUMERIC:
            continue
        if dist in ("normal", "logNormal"):
            message = (
                f"Unsupported distribution {_PROTO[dist]} for parameter {p.name}. The Optuna "
                f"suggestion service supports only UNIFORM and LOG_UNIFORM for {kind} parameters."
            )
            fix = "use uniform or logUniform, or an algorithm that runs on hyperopt (random, tpe)"
            out.append(error(R22, space_path(i, "distribution"), message, fix))
        elif dist == "logUniform":
            out += _log_floor(i, kind, p.name, p.feasible_space.min, p.feasible_space.max)
    return out


_PROTO = {"normal": "NORMAL", "logNormal": "LOG_NORMAL"}


def _log_floor(i: int, kind: str, name: str, lo_text: str, hi_text: str) -> list[RuntimeFinding]:
    """The service raises the low bound to 1 (int) or 1e-10 (double) for a log distribution;
    optuna then rejects low > high. (A min above max is runtime.py's KATIB-R5.)"""
    parse = py_int if kind == "int" else py_float
    lo, hi = parse(lo_text)[0], parse(hi_text)[0]
    floor = 1 if kind == "int" else 1e-10
    if hi is None or hi >= floor or (lo is not None and lo > hi):
        return []
    message = (
        f"logUniform {kind} parameter {name}: optuna's low bound becomes max({floor:g}, min) "
        f"> max {hi_text}, so the distribution is invalid and GetSuggestions raises"
    )
    return [error(R22, space_path(i, "max"), message, f"use a max >= {floor:g}, or uniform")]
