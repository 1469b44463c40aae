"""Document → ExperimentSpec: the spec format's own rules, every problem located.

Pydantic checks the shape; its errors become `SPEC-*` diagnostics at the offending line, with a
"did you mean" for unknown fields and misspelt choices. Katib's own rules run later, on the
normalized experiment, and are mapped back to the spec's lines (`pipeline.py`).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document, Path
from compiler.model.spec import ExperimentSpec

_SCALAR_TAGS = {"str", "int", "float", "bool", "none"}


def validate_spec(
    doc: Document, default_name: str | None = None
) -> tuple[ExperimentSpec | None, list[Diagnostic]]:
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            Diagnostic(
                code="SPEC-TYPE",
                message="a spec must be a mapping",
                where=doc.where(()),
                hint="start with `name:`",
            )
        ]
    if "name" not in data and default_name is not None:
        data = {"name": default_name, **data}
    try:
        return ExperimentSpec.model_validate(data), []
    except ValidationError as exc:
        return None, _diagnostics(doc, data, exc)


def _diagnostics(doc: Document, data: Any, exc: ValidationError) -> list[Diagnostic]:
    located = [(err, *_data_path(data, err["loc"])) for err in exc.errors(include_url=False)]
    # A union reports every member's complaint; keep those of the members that match the
    # data's shape, or else the most specific ones (the deepest paths).
    fitting = [item for item in located if item[2]]
    if not fitting:
        deepest = max((len(path) for _, path, _ in located), default=0)
        fitting = [item for item in located if len(item[1]) == deepest]
    kept: dict[tuple[Path, str], Diagnostic] = {}
    for err, path, _ in fitting:
        diag = _one(doc, err, path)
        first = kept.setdefault((path, diag.code), diag)
        if first is not diag and diag.code == "SPEC-TYPE":  # one line for a union's types
            kept[(path, diag.code)] = first.model_copy(
                update={"message": _merge_types(first.message, diag.message)}
            )
    return list(kept.values())


def _merge_types(first: str, more: str) -> str:
    def wanted(msg: str) -> str:
        return msg.removeprefix("Input should be ").split(",")[0].removeprefix("a valid ")

    head = (
        first
        if first.startswith("Input should be one of: ")
        else (f"Input should be one of: {wanted(first)}")
    )
    return f"{head}, {wanted(more)}"


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Path, bool]:
    """Turn pydantic's loc into a path in the document, skipping union tags; `fits` is False
    when a tag names a union member that does not match the data's shape."""
    path: list[str | int] = []
    node = data
    fits = True
    for part in loc:
        if _has(node, part):
            node = node[part]
            path.append(part)
        elif isinstance(part, str) and not (isinstance(node, dict) and _is_field_like(part)):
            fits = fits and _tag_fits(part, node)
        else:
            path.append(part)  # a missing key: point at its parent, name it in the message
            node = None
    return tuple(path), fits


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_field_like(part: str) -> bool:
    return part[:1].islower() and "[" not in part and part not in _SCALAR_TAGS


def _tag_fits(tag: str, node: Any) -> bool:
    base = tag.split("[", 1)[0].lower()
    if isinstance(node, dict):
        return base == "dict" or tag[:1].isupper()
    if isinstance(node, list):
        return base == "list"
    if base.startswith("function-"):
        return True
    return base in _SCALAR_TAGS or base == "literal"


def _one(doc: Document, err: Any, path: Path) -> Diagnostic:
    kind = err["type"]
    where = doc.where(path, key=kind == "extra_forbidden")
    field = ".".join(str(p) for p in path) or "(spec)"
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        choices = _fields_at(err["loc"][:-1])
        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else (f"known fields here: {', '.join(choices)}" if choices else "remove it")
        )
        return Diagnostic(
            code="SPEC-UNKNOWN",
            message=f"unknown field {key!r}",
            where=where,
            hint=hint,
            field=field,
        )
    if kind == "missing":
        return Diagnostic(
            code="SPEC-MISSING",
            message=f"{path[-1]!r} is required" if path else "a required field is missing",
            where=where,
            hint=_description(err["loc"]),
            field=field,
        )
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        given = str(err.get("input"))
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        close = difflib.get_close_matches(given, options, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(options)}"
        return Diagnostic(
            code="SPEC-VALUE",
            message=f"{given!r} is not allowed here",
            where=where,
            hint=hint,
            field=field,
        )
    code = "SPEC-VALUE" if kind in ("value_error", "assertion_error") else "SPEC-TYPE"
    message = err["msg"].removeprefix("Value error, ")
    return Diagnostic(
        code=code, message=message, where=where, hint=_description(err["loc"]), field=field
    )


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The spec model class that holds the last element of `loc` (dict keys, list indexes and
    union tags on the way are stepped over)."""
    current: Any = ExperimentSpec
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return _as_model(current)


def _step(annotation: Any, part: Any) -> Any:
    model = _as_model(annotation)
    if model is not None and isinstance(part, str) and part in model.model_fields:
        return model.model_fields[part].annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and args:
        return args[1]  # `part` is a key of the mapping
    if origin is list and args and isinstance(part, int):
        return args[0]
    if origin in (typing.Union, types.UnionType):
        for arg in args:  # a union tag names its member: `Parameter`, `list[...]`, `str`
            if getattr(arg, "__name__", None) == part or str(arg) == part:
                return arg
        for arg in args:
            found = _step(arg, part)
            if found is not None:
                return found
    return None


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _as_model(a) is not None]
        return models[0] if len(models) == 1 else None
    return None


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    cls = _model_at(loc)
    return list(cls.model_fields) if cls is not None else []


def _description(loc: tuple[Any, ...]) -> str:
    if not loc:
        return ""
    cls = _model_at(loc[:-1])
    name = loc[-1]
    if cls is not None and isinstance(name, str) and name in cls.model_fields:
        return cls.model_fields[name].description or ""
    return ""
