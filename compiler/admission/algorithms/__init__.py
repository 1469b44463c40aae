"""Per-algorithm runtime rules: what Katib's suggestion and early-stopping services reject or
choke on after the webhook has admitted the experiment (reference §3.4, §6, §10.3 item 4).

The controller calls the service's ValidateAlgorithmSettings (and ValidateEarlyStoppingSettings)
once the suggestion is ready. gRPC InvalidArgument or Unknown (a Python exception) fails the
experiment; Internal and Unimplemented count as valid, so goptuna's study-creation errors are
accepted. Errors raised later, in GetSuggestions, are retried forever: the experiment hangs.
Both outcomes are severity "error" here; "warning" marks what is accepted but not honoured.

The rules belong to the *service* that runs the algorithm in the cluster's katib-config, not to
the algorithm's name: `tpe` on hyperopt (the default) rejects optuna's setting names.

| code | meaning |
|---|---|
| KATIB-R20 | unknown setting name, or an algorithm the mapped service does not implement; an |
|           | error where the service rejects names (hyperopt, optuna, skopt, enas, |
|           | medianstop), a warning where it ignores them (goptuna, hyperband, pbt, darts) |
| KATIB-R21 | a setting value that does not parse, is out of range or is not a valid choice |
| KATIB-R22 | a search space the service cannot handle (or, as a warning, silently changes) |
| KATIB-R23 | NAS: nasConfig missing or misplaced; operation validation; enas graph, runtime |
| KATIB-R24 | pbt: required settings, resample_probability, FromVolume, name, double steps |
| KATIB-R25 | hyperband: r_l, eta, resource_name, parallelTrialCount, discrete lists |
| KATIB-R26 | medianstop setting values |

Every problem is reported, not only the first one the service would return, each at the most
precise field path. Problems every service shares (unparseable bounds, min > max, step <= 0,
duplicate names) are runtime.py's KATIB-R4..R7 and are not repeated here.
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.admission.algorithms import (
    goptuna,
    hyperband,
    hyperopt,
    medianstop,
    nas,
    optuna,
    pbt,
    skopt,
)
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.model.katib import Experiment

__all__ = ["RuntimeFinding", "check_algorithm", "check_early_stopping", "service_for_image"]

_CHECKS: dict[str, Callable[[Experiment], list[RuntimeFinding]]] = {
    "hyperopt": hyperopt.check,
    "optuna": optuna.check,
    "goptuna": goptuna.check,
    "skopt": skopt.check,
    "hyperband": hyperband.check,
    "pbt": pbt.check,
    "enas": nas.check_enas,
    "darts": nas.check_darts,
}
_EARLY_STOPPING: dict[str, Callable[[Experiment], list[RuntimeFinding]]] = {
    "medianstop": medianstop.check,
}
_IMAGES = {
    **{f"suggestion-{service}": service for service in _CHECKS},
    "earlystopping-medianstop": "medianstop",
}


def check_algorithm(exp: Experiment, service: str | None) -> list[RuntimeFinding]:
    """Findings for `spec.algorithm` as `service` would judge it; none for an unknown service."""
    check = _CHECKS.get(service or "")
    return check(exp) if check and exp.spec.algorithm is not None else []


def check_early_stopping(exp: Experiment, service: str | None) -> list[RuntimeFinding]:
    check = _EARLY_STOPPING.get(service or "")
    return check(exp) if check and exp.spec.early_stopping is not None else []


def service_for_image(image: str) -> str | None:
    """`ghcr.io/kubeflow/katib/suggestion-hyperopt:latest` → "hyperopt", by the last path
    component without tag or digest; None for images we do not know (custom services)."""
    name = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    return _IMAGES.get(name)
