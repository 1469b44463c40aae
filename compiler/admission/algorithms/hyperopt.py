"""hyperopt: `random` and `tpe`, which the default katib-config runs here (reference §6.3).

Source: pkg/suggestion/v1beta1/hyperopt/service.py (OptimizerConfiguration) and
base_service.py (create_hyperopt_domain). Settings are validated one by one and an unknown name
is rejected, so optuna's spellings (`n_ei_candidates`, `n_startup_trials`, `seed`) fail a `tpe`
experiment on a default install.

Codes are KATIB-R2x. Severity E = error (hang or Fail).

| code | field | sev | rule |
|---|---|---|---|
| R20 | algorithmName | E | only random and tpe ("unknown algorithm name X") |
| R20 | algorithmSettings[i].name | E | unknown setting name |
| R21 | algorithmSettings[i].value | E | tpe: gamma float in (0, 1), prior_weight float > 0, |
|     |                            |   | n_EI_candidates int > 0; both: random_state int >= 0 |
| R22 | feasibleSpace.min, .max | E | logUniform/logNormal take math.log of both bounds, so |
|     |                         |   | each must be > 0 (GetSuggestions raises: hang) |
| R22, R23 | parameters | E | UNKNOWN_TYPE, empty lists, nasConfig (`_space.py`) |
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
    distribution,
    error,
    float_rule,
    int_rule,
    ptype,
    py_float,
    rejects_unknown,
    space_path,
    unsupported_algorithm,
)
from compiler.admission.algorithms._space import Parser, basic_space, parse_space
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

_RANDOM_STATE = int_rule(
    lambda v: v >= 0, "random_state should be great or equal than zero", "use an integer >= 0"
)
_RULES: dict[str, dict[str, Rule]] = {
    "tpe": {
        "gamma": float_rule(
            lambda v: 1 > v > 0,
            "gamma should be in the range of (0, 1)",
            "use a number strictly between 0 and 1 (hyperopt's default is 0.25)",
        ),
        "prior_weight": float_rule(
            lambda v: v > 0,
            "prior_weight should be great than zero",
            "use a number > 0 (hyperopt's default is 1.0)",
        ),
        "n_EI_candidates": int_rule(
            lambda v: v > 0,
            "n_EI_candidates should be great than zero",
            "use an integer > 0 (hyperopt's default is 24)",
        ),
        "random_state": _RANDOM_STATE,
    },
    "random": {"random_state": _RANDOM_STATE},
}
# Names that belong to the optuna service, which users expect `tpe` to accept.
_HINTS = {
    "n_ei_candidates": "katib-config runs tpe on hyperopt, which spells it n_EI_candidates",
    "n_startup_trials": "hyperopt has no such setting (Katib starts with one random batch); "
    "remove it, or map tpe to the optuna image in katib-config",
    "seed": "hyperopt calls it random_state",
}
_FLOAT = Parser(py_float, "a number (Python float())")


def check(exp: Experiment) -> list[RuntimeFinding]:
    name = algorithm_name(exp)
    out: list[RuntimeFinding] = []
    if name in _RULES:
        unknown = rejects_unknown(name, tuple(_RULES[name]), _HINTS)
        out += check_settings(algorithm_settings(exp), _RULES[name], code=R21, unknown=unknown)
    else:
        out.append(unsupported_algorithm(exp, "hyperopt", f"unknown algorithm name {name}"))
    return out + basic_space(exp, "hyperopt") + _log_bounds(exp)


def _log_bounds(exp: Experiment) -> list[RuntimeFinding]:
    """base_service.py: `math.log(float(min))` and `math.log(float(max))` for logUniform and
    logNormal, ints included; a bound <= 0 raises "math domain error" in GetSuggestions."""
    _, numbers = parse_space(exp, "hyperopt", lambda kind, key: None if key == "step" else _FLOAT)
    out: list[RuntimeFinding] = []
    for i, p in enumerate(exp.spec.parameters):
        dist = distribution(p)
        if ptype(p) not in NUMERIC or dist not in ("logUniform", "logNormal"):
            continue
        for key in ("min", "max"):
            value = numbers.get((i, key))
            if value is not None and value <= 0:
                out.append(
                    error(
                        R22,
                        space_path(i, key),
                        f"{dist} parameter {p.name}: math.log({key}={value:g}) raises "
                        "math domain error in GetSuggestions, so no trials are created",
                        f"use a {key} > 0, or distribution uniform",
                    )
                )
    return out
