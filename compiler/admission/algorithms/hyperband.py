"""hyperband (reference §6.7).

Source: pkg/suggestion/v1beta1/hyperband/service.py (ValidateAlgorithmSettings, HyperBandParam)
and parsing_util.py (parse_parameter_configs). The validator reads the settings into a dict (the
last of a repeated name wins) and stops at the first problem; a Python exception inside it (r_l
0, eta 1, an eta that does not parse) is gRPC Unknown, which Katib also treats as invalid.

Where the code and the reference differ: the validator truncates eta (`int(float(eta))`,
service.py:274) but GetSuggestions uses `float(eta)` as written (service.py:350, 377), so a
fractional eta is validated with one value and run with another; and a budget r_l with
`int(ln r_l / ln eta) < 0` passes validation (ceil(eta ** s_max) is 1) but makes the very first
GetSuggestions return no trials (service.py:47), so the experiment hangs.

Codes are KATIB-R2x. Severity E = error (hang or Fail), W = warning; paths are under
spec.algorithm.algorithmSettings unless they start with spec or feasibleSpace.

| code | field | sev | rule |
|---|---|---|---|
| R25 | algorithmSettings | E | r_l and resource_name must be set |
| R25 | r_l .value | E | a float >= 0; 0, nan, inf raise; s_max < 0 gives no trials |
| R25 | eta .value | E | int(float(eta)) must work; 1 <= eta < 2 divides by ln 1 = 0 |
| R25 | eta .value | W | a fractional eta is validated truncated but run as written |
| R25 | spec.parallelTrialCount | E | >= ceil(eta ** s_max), s_max = int(ln r_l / ln eta) |
| R25 | resource_name .value | E | must name a spec.parameters entry |
| R25 | feasibleSpace.list[k] | E | discrete values must be integer strings (`int(x)`) |
| R25 | [i].name | W | s_max, b_l, r, n, current_s, current_i, evaluating_trials: |
|     |          |   | internal state that GetSuggestions reads back |
| R25 | spec.earlyStopping | W | early-stopped trials break child brackets (hang) |
| R20 | [i].name | W | other names are ignored |
| R22 | distribution, step | W | ignored: numbers are sampled uniformly |
"""

from __future__ import annotations

from compiler.admission.algorithms._common import (
    R20,
    R25,
    SETTINGS,
    algorithm_settings,
    error,
    last_index,
    ptype,
    py_int,
    setting_path,
    space_path,
    warning,
)
from compiler.admission.algorithms._hyperband_budget import budget
from compiler.admission.algorithms._space import basic_space, ignored_space
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

_STATE = ("s_max", "b_l", "r", "n", "current_s", "current_i", "evaluating_trials")
_KNOWN = ("r_l", "resource_name", "eta")


def check(exp: Experiment) -> list[RuntimeFinding]:
    settings = algorithm_settings(exp)
    index = last_index(settings)
    values = {name: settings[i].value for name, i in index.items()}
    out: list[RuntimeFinding] = []
    missing = [n for n in ("r_l", "resource_name") if n not in values]
    if missing:
        out.append(
            error(
                R25,
                SETTINGS,
                "r_l and resource_name must be set.",
                f"add {' and '.join(missing)} (r_l: the maximum budget; resource_name: the "
                "parameter that receives it)",
            )
        )
    out += budget(exp, index, values)
    if "resource_name" in values and values["resource_name"] not in {
        p.name for p in exp.spec.parameters
    }:
        out.append(
            error(
                R25,
                setting_path(index["resource_name"]),
                "value of resource_name setting must be in parameters.",
                "name the spec.parameters entry that carries the budget (e.g. epochs)",
            )
        )
    out += _names(exp) + basic_space(exp, "hyperband") + _discrete(exp)
    return out + ignored_space(exp, "hyperband", step=True) + _early_stopping(exp)


def _names(exp: Experiment) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    for i, s in enumerate(algorithm_settings(exp)):
        if s.name in _STATE:
            message = f"{s.name} is hyperband's internal state, which GetSuggestions reads back"
            fix = "remove it: setting it skips or distorts brackets"
            out.append(warning(R25, setting_path(i, "name"), message, fix))
        elif s.name not in _KNOWN:
            message = f"the hyperband service ignores the setting {s.name}"
            out.append(warning(R20, setting_path(i, "name"), message, "remove it"))
    return out


def _discrete(exp: Experiment) -> list[RuntimeFinding]:
    """parsing_util.py: `[int(x) for x in list]` for discrete parameters."""
    out: list[RuntimeFinding] = []
    for i, p in enumerate(exp.spec.parameters):
        if ptype(p) != "discrete":
            continue
        for k, item in enumerate(p.feasible_space.list):
            value, exc = py_int(item)
            if value is None:
                out.append(
                    error(
                        R25,
                        space_path(i, f"list[{k}]"),
                        f"hyperband reads discrete values with int(): {exc}",
                        "list integers only, or make the parameter categorical",
                    )
                )
    return out


def _early_stopping(exp: Experiment) -> list[RuntimeFinding]:
    if exp.spec.early_stopping is None:
        return []
    message = (
        "a child bracket needs every trial of the previous one Succeeded; an early-stopped "
        "trial makes GetSuggestions raise and the experiment hang"
    )
    return [warning(R25, "spec.earlyStopping", message, "drop earlyStopping for hyperband")]
