"""goptuna (Go): `cmaes` and `sobol` by default; also `tpe` and `random` when mapped (§6.5).

Source: pkg/suggestion/v1beta1/goptuna/service.go (ValidateAlgorithmSettings) and converter.go
(toGoptunaSampler, toGoptunaSearchSpace). The validator returns InvalidArgument (Failed) only
for the algorithm name, cmaes' dimension and duplicate parameter names; everything else is found
while building the study, returned as gRPC **Internal**, which Katib's controller counts as
valid (suggestionclient.go). GetSuggestions then fails the same way on every reconcile: the
experiment hangs. Unknown setting names are skipped, and the distribution is never read.

Codes are KATIB-R2x. Severity E = error (hang or Fail), W = warning.

| code | field | sev | rule |
|---|---|---|---|
| R20 | algorithmName | E | only random, cmaes, tpe, sobol ("unsupported algorithm") |
| R20 | algorithmSettings[i].name | W | a name the algorithm ignores |
| R21 | algorithmSettings[i].value | E | random_state, n_startup_trials, n_ei_candidates: |
|     |                            |   | strconv.Atoi; sigma: ParseFloat; restart_strategy: |
|     |                            |   | ipop, bipop or none |
| R22 | parameters | E | cmaes needs >= 2 int/double parameters |
| R22 | feasibleSpace.min/max/step | E | ParseFloat for doubles, Atoi for ints |
| R22 | parameterType, list | E | UNKNOWN_TYPE, empty lists, nasConfig (`_space.py`) |
| R22 | feasibleSpace.distribution | W | logUniform/normal/logNormal are sampled uniformly |

Duplicate parameter names, which this service rejects, are runtime.py's KATIB-R7.
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.admission.algorithms._common import (
    R21,
    R22,
    Rule,
    algorithm_name,
    algorithm_settings,
    check_settings,
    error,
    ignores_unknown,
    numeric_count,
    unsupported_algorithm,
)
from compiler.admission.algorithms._gostrconv import atoi, parse_float
from compiler.admission.algorithms._space import Parser, basic_space, ignored_space, parse_space
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

_HANG = "; goptuna reports it as Internal, so Katib keeps the experiment Running with no trials"


def _go(parse: Callable[[str], tuple[float | int | None, str]], what: str) -> Rule:
    def rule(name: str, value: str) -> tuple[str, str] | None:
        parsed, err = parse(value)
        return None if parsed is not None else (err + _HANG, f"write {name} as {what}")

    return rule


def _restart(name: str, value: str) -> tuple[str, str] | None:
    if value in ("ipop", "bipop", "none"):
        return None
    # converter.go: "None" (capital N), which optuna accepts, is an error here.
    return f"invalid restart_strategy: '{value}'" + _HANG, "use ipop, bipop or none"


_INT = _go(atoi, "a decimal integer (Go strconv.Atoi)")
_RULES: dict[str, dict[str, Rule]] = {
    "cmaes": {
        "random_state": _INT,
        "sigma": _go(parse_float, "a number (Go strconv.ParseFloat)"),
        "restart_strategy": _restart,
    },
    "tpe": {"random_state": _INT, "n_startup_trials": _INT, "n_ei_candidates": _INT},
    "random": {"random_state": _INT},
    "sobol": {},
}
_ATOI = Parser(atoi, "a decimal integer (Go strconv.Atoi: no spaces, no exponent)")
_PARSE_FLOAT = Parser(parse_float, "a number (Go strconv.ParseFloat)")


def check(exp: Experiment) -> list[RuntimeFinding]:
    name = algorithm_name(exp)
    out: list[RuntimeFinding] = []
    if name not in _RULES:
        out.append(unsupported_algorithm(exp, "goptuna", "unsupported algorithm"))
    else:
        unknown = ignores_unknown("goptuna", name, tuple(_RULES[name]))
        out += check_settings(algorithm_settings(exp), _RULES[name], code=R21, unknown=unknown)
    if name == "cmaes" and numeric_count(exp) < 2:
        out.append(
            error(
                R22,
                "spec.parameters",
                "CMA-ES only supports two or more dimensional continuous search space.",
                "tune at least two int or double parameters, or use another algorithm",
            )
        )
    parse_errors, _ = parse_space(
        exp, "goptuna", lambda kind, key: _ATOI if kind == "int" else _PARSE_FLOAT
    )
    out += basic_space(exp, "goptuna") + parse_errors
    return out + ignored_space(exp, "goptuna", step=False)
