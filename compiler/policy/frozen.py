"""Read-only views of plain data and of frozen models.

Python rules are trusted repository code, but one rule must not be able to change what the
next rule sees, so every input is handed over as a view that cannot be written: mappings as
`MappingProxyType`, lists as tuples, and pydantic models rebuilt with read-only fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

EMPTY: Mapping[str, Any] = MappingProxyType({})


def freeze(value: Any) -> Any:
    """Plain data (dicts, lists) → the same data as read-only mappings and tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A frozen view → fresh plain data, for libraries that copy or write (cerberus)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


def freeze_model(model: M) -> M:
    """A frozen pydantic model whose dict-valued fields become read-only too.

    Pydantic's `frozen` only forbids assigning attributes; a `dict` field stays writable."""
    values = {name: _freeze_field(getattr(model, name)) for name in type(model).model_fields}
    extra = {k: freeze(v) for k, v in (model.model_extra or {}).items()}
    return type(model).model_construct(_fields_set=model.model_fields_set, **values, **extra)


def _freeze_field(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return freeze_model(value)
    if isinstance(value, tuple):
        return tuple(_freeze_field(v) for v in value)
    return freeze(value)


def lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path` (mapping keys and list indexes), or None when any step is missing."""
    node = data
    for part in path:
        if (
            isinstance(part, int)
            and isinstance(node, tuple | list)
            and -len(node) <= part < len(node)
        ):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def empty() -> Mapping[str, Any]:
    """A default for dataclass fields (dataclasses refuse a shared mapping as a default)."""
    return EMPTY
