"""medianstop, the early-stopping service (reference §6.10).

Source: pkg/earlystopping/v1beta1/medianstop/service.py (validate_early_stopping_spec), called
through ValidateEarlyStoppingSettings; a rejection fails the experiment like a suggestion's.

All paths are under spec.earlyStopping; every finding is an error.

| code | field | rule |
|---|---|---|
| KATIB-R20 | algorithmName | only medianstop ("unknown algorithm name X") |
| KATIB-R20 | algorithmSettings[i].name | unknown setting name |
| KATIB-R26 | algorithmSettings[i].value | min_trials_required int > 0; start_step int >= 1 |
"""

from __future__ import annotations

from compiler.admission.algorithms._common import (
    ES_SETTINGS,
    R20,
    R26,
    Rule,
    check_settings,
    error,
    int_rule,
    setting_path,
)
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

_RULES: dict[str, Rule] = {
    "min_trials_required": int_rule(
        lambda v: v > 0,
        "min_trials_required must be greater than zero (>0)",
        "use an integer > 0 (default 3)",
    ),
    "start_step": int_rule(
        lambda v: v >= 1,
        "start_step must be greater or equal than one (>=1)",
        "use an integer >= 1 (default 4)",
    ),
}


def check(exp: Experiment) -> list[RuntimeFinding]:
    es = exp.spec.early_stopping
    if es is None:
        return []
    if es.algorithm_name != "medianstop":
        message = f"unknown algorithm name {es.algorithm_name}"
        fix = "map the name to its own early-stopping image in katib-config"
        return [error(R20, "spec.earlyStopping.algorithmName", message, fix)]
    return check_settings(
        es.algorithm_settings, _RULES, code=R26, unknown=_unknown, base=ES_SETTINGS
    )


def _unknown(i: int, name: str) -> RuntimeFinding:
    message = f"unknown setting {name} for algorithm medianstop"
    fix = "remove it or use min_trials_required or start_step"
    return error(R20, setting_path(i, "name", ES_SETTINGS), message, fix)
