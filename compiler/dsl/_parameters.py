"""The search space: `floats`, `ints`, `choice`, `discrete`, and `named` for the list form."""

from __future__ import annotations

from compiler.dsl._build import _collect, _elements, _put, _record
from compiler.dsl._parts import Part
from compiler.dsl._sites import _here, _site

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    import ast
    from collections.abc import Mapping, Sequence
    from typing import Any, Literal

    from compiler.dsl._parts import Scalar

    Distribution = Literal["uniform", "logUniform", "normal", "logNormal"]


def floats(
    min: float,
    max: float,
    step: float | None = None,
    *,
    log: bool = False,
    distribution: Distribution | None = None,
    description: str | None = None,
) -> Part:
    """A real-valued parameter (Katib `double`) from `min` to `max`. `log=True` samples on a log
    scale; `step` makes a grid; `distribution` picks Katib's sampling distribution."""
    return _collect(locals(), _here(), fixed={"type": "double"})


def ints(
    min: int,
    max: int,
    step: int | None = None,
    *,
    log: bool = False,
    distribution: Distribution | None = None,
    description: str | None = None,
) -> Part:
    """An integer parameter (Katib `int`) from `min` to `max`, both included."""
    return _collect(locals(), _here(), fixed={"type": "int"})


def choice(*values: Scalar | Sequence[Scalar], description: str | None = None) -> Part:
    """A categorical parameter: one of `values` (numbers included, taken as labels).
    `choice("sgd", "adam")`; a single list or tuple is spread: `choice(OPTIMIZERS)`."""
    return _listed("categorical", values, description)


def discrete(*values: float | Sequence[float], description: str | None = None) -> Part:
    """A discrete parameter: one of the given numbers, e.g. `discrete(16, 32, 64)`."""
    return _listed("discrete", values, description)


def _listed(kind: str, values: tuple[Any, ...], description: str | None) -> Part:
    site = _site()
    part = Part(site.position)
    part["type"] = kind
    nodes: list[ast.expr] = site.positional()
    if len(values) == 1 and isinstance(values[0], list | tuple):
        values = tuple(values[0])
        nodes = _elements(nodes[0]) if nodes else []
    part["values"] = list(values)
    for i, value in enumerate(values):
        _record(part, ("values", i), value, nodes[i] if i < len(nodes) else None, site)
    if description is not None:
        _put(part, site, ("description",), description, site.keyword("description"))
    return part


def named(name: str, parameter: Mapping[str, Any]) -> Part:
    """A parameter with its name, for the list form of `parameters` (and of a NAS operation's
    parameters): `parameters=[named("lr", floats(0.01, 0.1))]`."""
    site = _site()
    part = Part(site.position)
    nodes = site.positional()
    _put(part, site, ("name",), name, nodes[0] if nodes else site.keyword("name"))
    given = nodes[1] if len(nodes) > 1 else site.keyword("parameter")
    for key, value in parameter.items():
        part[key] = value
    _record(part, (), parameter, given, site)
    part.values_at[()] = site.position
    return part
