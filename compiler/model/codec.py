"""Building and dumping the Katib models without pydantic's validators.

The data reaching these models has already been through Go's decoding rules
(`compiler.kubetypes`), which is the contract for types; re-validating it would only cost the
start-up time of building two dozen validators (`katib-gitops validate` must start fast). So
models are assembled with `model_construct`, field by field, and dumped by alias the same way.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# (alias, field name, nested model or None, is a tuple of them)
_Plan = tuple[tuple[str, str, type[BaseModel] | None, bool], ...]


@cache
def _plan(cls: type[BaseModel]) -> _Plan:
    out = []
    for name, info in cls.model_fields.items():
        model, many = _nested(info.annotation)
        out.append((info.alias or name, name, model, many))
    return tuple(out)


def _nested(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found = _nested(arg)
            if found[0] is not None:
                return found
    if origin is tuple and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0], True
    return None, False


def from_go(cls: type[M], data: Mapping[str, Any] | None) -> M:
    """A model from Go-marshalled data (camelCase keys; unknown keys kept only where the model
    allows extra fields)."""
    data = data or {}
    values: dict[str, Any] = {}
    for alias, name, model, many in _plan(cls):
        if alias not in data:
            continue
        raw = data[alias]
        if model is None or raw is None:
            values[name] = tuple(raw) if isinstance(raw, list) else raw
        elif many:
            values[name] = tuple(from_go(model, item) for item in raw)
        else:
            values[name] = from_go(model, raw)
    if cls.model_config.get("extra") == "allow":
        known = {alias for alias, *_ in _plan(cls)}
        extra = {k: v for k, v in data.items() if k not in known}
        instance = cls.model_construct(**values, **extra)
    else:
        instance = cls.model_construct(**values)
    return instance


def make(cls: type[M], **fields: Any) -> M:
    """A model from Python values, defaults filled in."""
    return cls.model_construct(**fields)


def to_go(model: BaseModel) -> dict[str, Any]:
    """Dump by alias, leaving out None (Go's nil pointers); tuples become lists."""
    out: dict[str, Any] = {}
    for alias, name, _model, _many in _plan(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        out[alias] = _plain(value)
    extra = model.__pydantic_extra__
    if extra:
        out.update({k: _plain(v) for k, v in extra.items()})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return to_go(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
