"""Neural architecture search: `nas(...)`, the graph and its operations (`operation(...)`)."""

from __future__ import annotations

from compiler.dsl._build import _collect, _head_and_mapping
from compiler.dsl._sites import _here

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from compiler.dsl._parts import Part


def nas(
    layers: int | None = None,
    inputs: Sequence[int] | None = None,
    outputs: Sequence[int] | None = None,
    operations: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]] | None = None,
) -> Part:
    """Neural architecture search (DARTS, ENAS): the graph (`layers`, `inputs`, `outputs`) and
    the `operations`, {type: {parameter: range or list}} or a list of `operation(...)`."""
    return _collect(locals(), _here())


def operation(type: str, parameters: Mapping[str, Any] | None = None, /, **more: Any) -> Part:
    """One NAS operation for the list form: `operation("convolution", filter_size=choice(3, 5))`."""
    return _head_and_mapping(("type", type), ("parameters", parameters), more)
