"""hyperband's budget settings, r_l and eta, evaluated as service.py does: the validator's
arithmetic (ValidateAlgorithmSettings, lines 261-285) and GetSuggestions' (HyperBandParam.convert,
lines 349-380), which disagree about eta.
"""

from __future__ import annotations

import math

from compiler.admission.algorithms._common import R25, error, py_float, setting_path, warning
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment


def budget(exp: Experiment, index: dict[str, int], values: dict[str, str]) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    r_l = _r_l(index, values, out)
    eta = _validated_eta(index, values, out)
    if r_l is None or eta is None:
        return out
    s_max = int(math.log(r_l) / math.log(eta))
    need = math.ceil(eta**s_max)
    parallel = exp.spec.parallel_trial_count or 0
    if parallel < need:
        out.append(
            error(
                R25,
                "spec.parallelTrialCount",
                f"parallelTrialCount must be not less than {need}.",
                f"set parallelTrialCount to at least {need} (eta ** s_max with eta {eta}, "
                f"s_max {s_max}), or lower r_l",
            )
        )
    run_eta = _run_eta(values.get("eta"))
    run_s_max = int(math.log(r_l) / math.log(run_eta)) if run_eta != 1 else 0
    if run_s_max < 0:
        out.append(
            error(
                R25,
                setting_path(index["r_l"]),
                f"s_max = int(ln(r_l) / ln(eta)) = {run_s_max} with r_l {r_l:g} and eta "
                f"{run_eta:g}: GetSuggestions treats the loop as finished and never creates "
                "a trial",
                "use an r_l of at least eta (the budget of the largest bracket)",
            )
        )
    return out


def _r_l(index: dict[str, int], values: dict[str, str], out: list[RuntimeFinding]) -> float | None:
    if "r_l" not in values:
        return None
    path = setting_path(index["r_l"])
    value, _ = py_float(values["r_l"])
    fix = "use a positive number: the largest budget a trial gets (e.g. the maximum epochs)"
    if value is None or value < 0:
        out.append(error(R25, path, "r_l must be a positive float number.", fix))
        return None
    try:  # service.py:280 with the default eta; 0, NaN and inf raise here (gRPC Unknown)
        int(math.log(value) / math.log(3))
    except (ValueError, OverflowError) as e:
        out.append(error(R25, path, f"validating r_l {values['r_l']} raises: {e}", fix))
        return None
    return value


def _validated_eta(
    index: dict[str, int], values: dict[str, str], out: list[RuntimeFinding]
) -> int | None:
    if "eta" not in values:
        return 3
    path, text = setting_path(index["eta"]), values["eta"]
    try:
        eta = int(float(text))
    except (ValueError, OverflowError) as e:
        out.append(error(R25, path, f"eta {text}: {e}", "use an integer >= 2 (default 3)"))
        return None
    eta = 3 if eta <= 0 else eta
    if eta == 1:
        message = f"eta {text} is truncated to 1, and ln(1) = 0: float division by zero"
        out.append(error(R25, path, message, "use an integer >= 2 (default 3)"))
        return None
    if _run_eta(text) != eta:
        message = (
            f"eta {text} is validated as {eta} but GetSuggestions computes the brackets with "
            f"{_run_eta(text):g}"
        )
        out.append(warning(R25, path, message, f"write eta as an integer, e.g. {eta}"))
    return eta


def _run_eta(text: str | None) -> float:
    value = float(text) if text is not None else 3.0
    return 3.0 if value <= 0 else value
