"""Resources and time of a trial, and what an experiment may cost: trials × resources × time
limit, in CPU-hours and GPU-hours. Shared by the resource, runtime and budget rules.

An estimate is an upper bound: every trial is taken to run until its time limit, with every
replica holding its limits (or its requests, when no limit is set).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.kubetypes.quantity import QuantityError, parse_quantity
from compiler.model.source import Path
from compiler.policy.frozen import lookup
from compiler.policy.subject import TRIAL_SPEC, Container, Subject

DEADLINE = "activeDeadlineSeconds"
# where each kind keeps its time limit, under the trialSpec
DEADLINE_PATHS: dict[str, Path] = {
    "Job": ("spec", DEADLINE),
    "TFJob": ("spec", "runPolicy", DEADLINE),
    "PyTorchJob": ("spec", "runPolicy", DEADLINE),
    "MPIJob": ("spec", "runPolicy", DEADLINE),
    "XGBoostJob": ("spec", "runPolicy", DEADLINE),
    "PaddleJob": ("spec", "runPolicy", DEADLINE),
    "JAXJob": ("spec", "runPolicy", DEADLINE),
}


def amount(value: Any) -> float | None:
    """A Kubernetes quantity as a number (`500m` → 0.5), or None when it does not parse."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        q = parse_quantity(str(value))
    except (QuantityError, ValueError):
        return None
    try:
        return float(q.unscaled) * 10.0**q.exp
    except OverflowError:  # `1e400`: past a float, so past any cluster (an upper bound still)
        return math.inf


def resource(container: Container, name: str) -> float | None:
    """The container's limit for `name`, else its request; None when it sets neither."""
    resources = container.get("resources")
    if not isinstance(resources, Mapping):
        return None
    for section in ("limits", "requests"):
        values = resources.get(section)
        if isinstance(values, Mapping) and name in values:
            return amount(values[name])
    return None


def gpus(container: Container) -> float:
    """GPUs of any vendor: every extended resource named `<vendor>/gpu`."""
    resources = container.get("resources")
    total = 0.0
    seen: set[str] = set()
    for section in ("limits", "requests"):
        values = resources.get(section) if isinstance(resources, Mapping) else None
        if not isinstance(values, Mapping):  # a list where a mapping belongs: no GPUs read
            continue
        for key, value in values.items():
            if str(key).endswith("/gpu") and key not in seen:
                seen.add(key)
                total += amount(value) or 0.0
    return total


def deadline(subject: Subject) -> tuple[int | None, Path]:
    """The trial's time limit in seconds and where it is set (or where it belongs)."""
    kind = subject.kind
    own = DEADLINE_PATHS.get(kind)
    if own is not None:
        value = subject.get(*TRIAL_SPEC, *own)
        if isinstance(value, int) and value > 0:
            return value, (*TRIAL_SPEC, *own)
    pods = [p for p in subject.pods if p.complete]
    limits = [v for p in pods if isinstance(v := p.spec.get(DEADLINE), int) and v > 0]
    if pods and len(limits) == len(pods):
        return max(limits), pods[0].at(DEADLINE)
    if own is None and kind != "TrainJob":
        found = _anywhere(subject.get(*TRIAL_SPEC, "spec"), (*TRIAL_SPEC, "spec"))
        if found is not None:
            return found
    return None, (*TRIAL_SPEC, *own) if own else TRIAL_SPEC


def _anywhere(node: Any, path: Path) -> tuple[int, Path] | None:
    """Raw kinds (Argo, Tekton, ...): the first `activeDeadlineSeconds` in the job's spec."""
    if isinstance(node, Mapping):
        value = node.get(DEADLINE)
        if isinstance(value, int) and value > 0:
            return value, (*path, DEADLINE)
        children = [(v, (*path, k)) for k, v in node.items()]
    elif isinstance(node, tuple):
        children = [(v, (*path, i)) for i, v in enumerate(node)]
    else:
        return None
    for child, where in children:
        found = _anywhere(child, where)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Estimate:
    """Per trial and for the whole experiment; None where it cannot be bounded, with `why`."""

    trials: int | None
    hours: float | None
    cpus: float | None  # per trial, all replicas
    gpus: float
    why: str = ""

    @property
    def cpu_hours(self) -> float | None:
        return _product(self.trials, self.hours, self.cpus)

    @property
    def gpu_hours(self) -> float | None:
        return 0.0 if self.gpus == 0 else _product(self.trials, self.hours, self.gpus)


def _product(trials: int | None, hours: float | None, amount_: float | None) -> float | None:
    if trials is None or hours is None or amount_ is None:
        return None
    return trials * hours * amount_


def estimate(subject: Subject) -> Estimate:
    trials = lookup(subject.manifest, ("spec", "maxTrialCount"))
    seconds, _ = deadline(subject)
    cpus: float | None = 0.0
    gpu_total = 0.0
    why = [] if isinstance(trials, int) else ["maxTrialCount is not set"]
    if seconds is None:
        why.append("the trial has no time limit")
    for pod in subject.pods:
        for c in pod.main:
            cpu = resource(c, "cpu")
            if cpu is None:
                why.append(f"container {c.name!r} sets no cpu")
            cpus = None if cpu is None or cpus is None else cpus + pod.replicas * cpu
            gpu_total += pod.replicas * gpus(c)
    if not subject.pods:
        cpus, why = None, [*why, "the trial's pods are not visible"]
    hours = seconds / 3600 if seconds is not None else None
    count = trials if isinstance(trials, int) else None
    return Estimate(count, hours, cpus, gpu_total, "; ".join(why))
