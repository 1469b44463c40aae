"""Building and dumping the Katib models without pydantic's validators.

The data reaching these models has already been through Go's decoding rules
(`compiler.kubetypes`), which is the contract for types; re-validating it would only cost the
start-up time of building two dozen validators (`katib-gitops validate` must start fast). So
models are assembled field by field, as `model_construct` does, and dumped by alias the same
way. `model_construct` itself looks every field's default up again on every call; a compile
builds some 25 models per experiment, so each class's defaults are worked out once here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# (alias, field name, nested model or None, is a tuple of them)
_Plan = tuple[tuple[str, str, type[BaseModel] | None, bool], ...]
# Values shared by every instance without a copy: what smart_deepcopy returns as it is.
_IMMUTABLE = (str, int, float, bool, type(None), bytes, frozenset)
_setattr = object.__setattr__


@cache
def _plan(cls: type[BaseModel]) -> _Plan:
    out = []
    for name, info in cls.model_fields.items():
        model, many = _nested(info.annotation)
        out.append((info.alias or name, name, model, many))
    return tuple(out)


@cache
def _by_alias(cls: type[BaseModel]) -> dict[str, tuple[str, type[BaseModel] | None, bool]]:
    """`_plan` by alias (the first field of an alias wins, as in `_plan`'s order)."""
    out: dict[str, tuple[str, type[BaseModel] | None, bool]] = {}
    for alias, name, model, many in _plan(cls):
        out.setdefault(alias, (name, model, many))
    return out


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


class _Shape:
    """What `model_construct` works out on every call: the defaults in field order, the
    default factories, and whether extra values are kept."""

    __slots__ = ("defaults", "extra", "factories", "fast", "known", "names")

    def __init__(self, cls: type[BaseModel]) -> None:
        self.defaults: dict[str, Any] = {}
        self.factories: list[tuple[str, Callable[[], Any]]] = []
        self.fast = not cls.__pydantic_post_init__ and not cls.__pydantic_root_model__
        for name, info in cls.model_fields.items():
            if info.default_factory is not None:
                if getattr(info, "default_factory_takes_data", False):
                    self.fast = False
                self.defaults[name] = None  # keeps the field's place in __dict__
                self.factories.append((name, info.default_factory))  # type: ignore[arg-type]
            elif info.is_required():
                self.fast = False
            elif _immutable(info.default):
                self.defaults[name] = info.default
            elif type(info.default) in (dict, list, set) and not info.default:
                self.defaults[name] = None  # model_construct gives each instance a new one
                self.factories.append((name, type(info.default)))
            else:
                self.fast = False  # a mutable default: model_construct copies it
        self.extra = cls.model_config.get("extra") == "allow"
        self.known = frozenset(self.defaults)
        self.names = frozenset(cls.model_fields)


def _immutable(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_immutable(v) for v in value)
    return isinstance(value, _IMMUTABLE)


@cache
def _shape(cls: type[BaseModel]) -> _Shape:
    return _Shape(cls)


def construct(cls: type[M], values: dict[str, Any], extra: dict[str, Any] | None = None) -> M:
    """`cls.model_construct(**values, **extra)` for values keyed by field name: the same
    instance (fields in declaration order, defaults, fields set, extra), built faster."""
    return _construct(cls, _shape(cls), values, extra)


def _construct(
    cls: type[M], shape: _Shape, values: dict[str, Any], extra: dict[str, Any] | None
) -> M:
    if (
        not shape.fast
        or not shape.known.issuperset(values)
        or (extra and shape.known & extra.keys())
    ):
        return cls.model_construct(**values, **(extra or {}))
    fields = shape.defaults.copy()
    fields.update(values)
    for name, factory in shape.factories:
        if name not in values:
            fields[name] = factory()
    m = cls.__new__(cls)
    _setattr(m, "__dict__", fields)
    _setattr(m, "__pydantic_fields_set__", set(values))
    _setattr(m, "__pydantic_extra__", dict(extra or {}) if shape.extra else None)
    _setattr(m, "__pydantic_private__", None)
    return m


def replace(model: M, **update: Any) -> M:
    """`model.model_copy(update=update)`, built faster: a shallow copy with some fields set."""
    cls = type(model)
    shape = _shape(cls)
    if shape.extra or model.__pydantic_private__ is not None or not shape.names.issuperset(update):
        return model.model_copy(update=update)
    fields = model.__dict__.copy()
    fields.update(update)
    m = cls.__new__(cls)
    _setattr(m, "__dict__", fields)
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_fields_set__", model.__pydantic_fields_set__ | update.keys())
    _setattr(m, "__pydantic_private__", None)
    return m


# Each model built by `from_go`, by id, with the data it was built from: (model, data)
Sources = dict[int, tuple[BaseModel, Mapping[str, Any]]]


def from_go(cls: type[M], data: Mapping[str, Any] | None, sources: Sources | None = None) -> M:
    """A model from Go-marshalled data (camelCase keys; unknown keys kept only where the model
    allows extra fields). `sources` records the data of every model built."""
    given = data
    data = data or {}
    if type(data) is not dict and not isinstance(data, Mapping):
        return _from_other(cls, data, sources)
    values: dict[str, Any] = {}
    by_alias, shape = _reading(cls)
    extra: dict[str, Any] | None = {} if shape.extra else None
    for alias, raw in data.items():
        found = by_alias.get(alias)
        if found is None:
            if extra is not None:
                extra[alias] = raw
            continue
        name, model, many = found
        if model is None or raw is None:
            values[name] = tuple(raw) if isinstance(raw, list) else raw
        elif many:
            values[name] = tuple([from_go(model, item, sources) for item in raw])
        else:
            values[name] = from_go(model, raw, sources)
    instance = _construct(cls, shape, values, extra)
    if sources is not None and isinstance(given, dict):
        sources[id(instance)] = (instance, given)
    return instance


@cache
def _reading(
    cls: type[BaseModel],
) -> tuple[dict[str, tuple[str, type[BaseModel] | None, bool]], _Shape]:
    """What `from_go` looks up per class, in one look-up."""
    return _by_alias(cls), _shape(cls)


def _from_other(cls: type[M], data: Any, sources: Sources | None) -> M:
    """What `from_go` always did for data that is not a mapping (field by field)."""
    values: dict[str, Any] = {}
    for alias, name, model, many in _plan(cls):
        if alias not in data:
            continue
        raw = data[alias]
        if model is None or raw is None:
            values[name] = tuple(raw) if isinstance(raw, list) else raw
        elif many:
            values[name] = tuple(from_go(model, item, sources) for item in raw)
        else:
            values[name] = from_go(model, raw, sources)
    extra = None
    if _shape(cls).extra:
        known = {alias for alias, *_ in _plan(cls)}
        extra = {k: v for k, v in data.items() if k not in known}
    return construct(cls, values, extra)


def make(cls: type[M], **fields: Any) -> M:
    """A model from Python values, defaults filled in."""
    return construct(cls, fields)


def to_go(
    model: BaseModel,
    *,
    share: bool = False,
    sources: Sources | None = None,
    reused: set[int] | None = None,
) -> dict[str, Any]:
    """Dump by alias, leaving out None (Go's nil pointers); tuples become lists. With `share`,
    plain dicts and lists held by the model are not copied (for a caller that copies or
    re-marshals them anyway); with `sources` too, a model `from_go` built and nothing has
    replaced since is its data itself, whose id joins `reused`."""
    if sources is not None:
        hit = sources.get(id(model))
        if hit is not None and hit[0] is model and reused is not None:
            reused.add(id(hit[1]))
            return hit[1]  # type: ignore[return-value]
    out: dict[str, Any] = {}
    fields = model.__dict__
    for alias, name, _model, _many in _plan(type(model)):
        value = fields[name]
        if value is None:
            continue
        out[alias] = _plain(value, share, sources, reused)
    extra = model.__pydantic_extra__
    if extra:
        out.update({k: _plain(v, share, sources, reused) for k, v in extra.items()})
    return out


def _plain(value: Any, share: bool, sources: Sources | None, reused: set[int] | None) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most values: nothing to copy
        return value
    if isinstance(value, BaseModel):
        return to_go(value, share=share, sources=sources, reused=reused)
    if isinstance(value, tuple):
        return [_plain(v, share, sources, reused) for v in value]
    if share:
        return value
    if isinstance(value, list):
        return [_plain(v, share, sources, reused) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, share, sources, reused) for k, v in value.items()}
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})
