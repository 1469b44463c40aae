"""A tiny metrics registry (counters and gauges, with labels) and the Prometheus text
exposition format 0.0.4. Pure: no I/O, no clock; `compiler.cluster.serve` serves `render()`.

    registry = Registry()
    passes = registry.counter("katib_gitops_passes_total", "Reconcile passes.", ("result",))
    passes.inc(result="ok")

`reconciler_metrics(registry)` declares the reconciler's metrics in one place. The loop
updates while the HTTP thread renders, so updates and `render()` share the registry's lock.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

LabelValues = tuple[str, ...]


class _Metric:
    kind = ""

    def __init__(self, name: str, help: str, labels: tuple[str, ...], lock: threading.Lock):
        self.name, self.help, self.labels = name, help, labels
        self._lock = lock
        # an unlabelled series exists from the start; labelled ones once first touched
        self._values: dict[LabelValues, float] = {} if labels else {(): 0.0}

    def _key(self, labels: Mapping[str, object]) -> LabelValues:
        if set(labels) != set(self.labels):
            want = ", ".join(self.labels) or "no labels"
            got = ", ".join(sorted(labels)) or "none"
            raise ValueError(f"{self.name} takes {want}; got {got}")
        return tuple(str(labels[n]) for n in self.labels)

    def value(self, **labels: object) -> float:
        """The current value of one series (0 when it was never set)."""
        with self._lock:
            return self._values.get(self._key(labels), 0.0)

    def _samples(self) -> list[tuple[LabelValues, float]]:
        return sorted(self._values.items())


class Counter(_Metric):
    """Only goes up; it restarts from 0 with the process, as Prometheus expects."""

    kind = "counter"

    def inc(self, amount: float = 1.0, **labels: object) -> None:
        if not amount >= 0:  # also refuses NaN
            raise ValueError(f"{self.name}: a counter cannot go down (inc by {amount})")
        with self._lock:
            key = self._key(labels)
            self._values[key] = self._values.get(key, 0.0) + amount


class Gauge(_Metric):
    """A value that is set: a duration, a timestamp, how many things there are now."""

    kind = "gauge"

    def set(self, value: float, **labels: object) -> None:
        with self._lock:
            self._values[self._key(labels)] = float(value)

    def replace(self, values: Mapping[str | LabelValues, float]) -> None:
        """Every series at once; series not given disappear (an outcome no experiment has
        any more). Keys are label values: a string for a one-label gauge, else a tuple."""
        fresh: dict[LabelValues, float] = {}
        for key, value in values.items():
            parts = (key,) if isinstance(key, str) else tuple(key)
            if len(parts) != len(self.labels):
                raise ValueError(f"{self.name} takes {len(self.labels)} label values: {key!r}")
            fresh[tuple(str(p) for p in parts)] = float(value)
        with self._lock:
            self._values = fresh


M = TypeVar("M", bound=_Metric)


class Registry:
    """The metrics of one process, rendered in the order they were declared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._metrics: dict[str, _Metric] = {}

    def counter(self, name: str, help: str, labels: tuple[str, ...] = ()) -> Counter:
        return self._add(Counter(name, help, _check(name, labels), self._lock))

    def gauge(self, name: str, help: str, labels: tuple[str, ...] = ()) -> Gauge:
        return self._add(Gauge(name, help, _check(name, labels), self._lock))

    def _add(self, metric: M) -> M:
        with self._lock:
            if metric.name in self._metrics:
                raise ValueError(f"metric {metric.name} is already declared")
            self._metrics[metric.name] = metric
        return metric

    def render(self) -> str:
        """The text exposition format 0.0.4: HELP, TYPE, then one line per series."""
        lines: list[str] = []
        with self._lock:
            for m in self._metrics.values():
                lines.append(f"# HELP {m.name} {_escape_help(m.help)}")
                lines.append(f"# TYPE {m.name} {m.kind}")
                lines += [
                    f"{m.name}{_labels(m.labels, values)} {_number(v)}"
                    for values, v in m._samples()
                ]
        return "\n".join(lines) + "\n" if lines else ""


def _check(name: str, labels: tuple[str, ...]) -> tuple[str, ...]:
    if not _METRIC_NAME.match(name):
        raise ValueError(f"{name!r} is not a Prometheus metric name")
    for label in labels:
        if not _LABEL_NAME.match(label) or label.startswith("__"):
            raise ValueError(f"{label!r} is not a Prometheus label name (metric {name})")
    if len(set(labels)) != len(labels):
        raise ValueError(f"metric {name} repeats a label: {labels}")
    return tuple(labels)


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(names: tuple[str, ...], values: LabelValues) -> str:
    if not names:
        return ""
    pairs = ",".join(f'{n}="{_escape_value(v)}"' for n, v in zip(names, values, strict=True))
    return "{" + pairs + "}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


@dataclass(frozen=True)
class ReconcilerMetrics:
    """What `katib-gitops reconcile` records (deploy/README.md lists them)."""

    passes: Counter  # result: ok | error | ...
    errors: Counter  # kind: the ClusterError class, git, ...
    api_requests: Counter  # verb, code
    commits: Counter
    pushes: Counter  # result
    pass_seconds: Gauge
    last_pass: Gauge
    experiments: Gauge  # outcome


def reconciler_metrics(registry: Registry) -> ReconcilerMetrics:
    r = registry
    return ReconcilerMetrics(
        passes=r.counter("katib_gitops_passes_total", "Reconcile passes, by result.", ("result",)),
        errors=r.counter("katib_gitops_errors_total", "Errors, by kind.", ("kind",)),
        api_requests=r.counter(
            "katib_gitops_api_requests_total", "Kubernetes API requests.", ("verb", "code")
        ),
        commits=r.counter("katib_gitops_commits_total", "Report commits made."),
        pushes=r.counter("katib_gitops_pushes_total", "Pushes to the remote.", ("result",)),
        pass_seconds=r.gauge("katib_gitops_pass_seconds", "Duration of the last pass."),
        last_pass=r.gauge(
            "katib_gitops_last_pass_timestamp_seconds", "Unix time the last pass ended."
        ),
        experiments=r.gauge(
            "katib_gitops_experiments", "Managed experiments, by outcome.", ("outcome",)
        ),
    )
