"""How trial metrics are collected: `metrics(...)`, Katib's metricsCollectorSpec."""

from __future__ import annotations

from compiler.dsl._build import _collect
from compiler.dsl._sites import _here

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, Literal

    from compiler.dsl._parts import Part

    Collector = Literal["StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push"]


def metrics(
    collector: Collector | None = None,
    *,
    path: str | None = None,
    format: Literal["TEXT", "JSON"] | None = None,
    filter: Sequence[str] | None = None,
    source: Mapping[str, Any] | None = None,
    custom: Mapping[str, Any] | None = None,
    raw: Mapping[str, Any] | None = None,
) -> Part:
    """How trial metrics are collected. collector: StdOut (Katib's default), File,
    TensorFlowEvent, PrometheusMetric, Custom or Push. path/format: where a File or
    TensorFlowEvent collector reads. filter: regexes with two groups, name and value.
    source, custom, raw: Katib's own metricsCollectorSpec parts, for anything else."""
    return _collect(locals(), _here())
