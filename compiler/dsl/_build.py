"""Building a Part from a helper's arguments, each value located where it was written."""

from __future__ import annotations

import ast

from compiler.dsl._parts import MAX_DEPTH, Part
from compiler.dsl._sites import _Site, _site

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import CodeType
    from typing import Any

    from compiler.dsl._parts import Path

_DEFAULT_FALSE = frozenset({"log", "retain"})


def _collect(
    args: dict[str, Any],
    code: CodeType,
    *,
    fixed: Mapping[str, Any] | None = None,
    rename: Mapping[str, str] | None = None,
    nest: Mapping[str, str] | None = None,
    site: _Site | None = None,
) -> Part:
    """A Part from a helper's arguments (`code` gives their names and order): None, and a
    default False, left out; snake_case names written as the spec's camelCase; each value
    located at the argument that gave it."""
    site = site or _site()
    part = Part(site.position)
    part.update(fixed or {})
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    positional = site.positional()[: code.co_argcount]
    for index, arg in enumerate(names):
        value = args.get(arg)
        if value is None or (value is False and arg in _DEFAULT_FALSE):
            continue
        node = positional[index] if index < len(positional) else site.keyword(arg)
        key = _camel((rename or {}).get(arg, arg))
        path: Path = (nest[arg], key) if nest and arg in nest else (key,)
        _put(part, site, path, value, node)
        site.record_key(part, path, site.keyword_itself(arg))
    return part


def _head_and_mapping(
    head: tuple[str, Any], mapping: tuple[str, Mapping[str, Any] | None], more: dict[str, Any]
) -> Part:
    """`f(head, mapping=None, /, **more)`: the mapping and the keywords merged into one, each
    entry located where it was written."""
    site = _site()
    part = Part(site.position)
    nodes = site.positional()
    _put(part, site, (head[0],), head[1], nodes[0] if nodes else None)
    key, given = mapping
    if not given and not more:
        return part
    part[key] = {**(given or {}), **more}
    if given:
        _record(part, (key,), given, nodes[1] if len(nodes) > 1 else None, site)
    for name, value in more.items():
        _record(part, (key, name), value, site.keyword(name), site)
        site.record_key(part, (key, name), site.keyword_itself(name))
    return part


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _put(part: Part, site: _Site, path: Path, value: Any, node: ast.AST | None) -> None:
    """Store `value` at `path` (one or two keys deep); record where it and its parts were."""
    target: dict[str, Any] = part
    for key in path[:-1]:
        target = target.setdefault(str(key), {})
    target[str(path[-1])] = value
    _record(part, path, value, node, site)


def _record(part: Part, path: Path, value: Any, node: ast.AST | None, site: _Site) -> None:
    """Record where `value` (at `path` inside `part`) and everything inside it were written:
    a nested Part where it was built, anything else at its syntax node when written in place."""
    if isinstance(value, Part):
        for sub, at in value.values_at.items():
            part.values_at[(*path, *sub)] = at
        for sub, at in value.keys_at.items():
            part.keys_at[(*path, *sub)] = at
        return
    if node is not None:
        part.values_at[path] = site.at(node)
    if len(path) > MAX_DEPTH:
        return
    if isinstance(value, dict):
        items = _items(node)
        for key, sub in value.items():
            key_node, value_node = items.get(key, (None, None))
            site.record_key(part, (*path, key), key_node)
            _record(part, (*path, key), sub, value_node, site)
    elif isinstance(value, list | tuple):
        elements = _elements(node)
        for i, sub in enumerate(value):
            _record(part, (*path, i), sub, elements[i] if i < len(elements) else None, site)


def _items(node: ast.AST | None) -> dict[Any, tuple[ast.AST, ast.expr]]:
    """The key and value nodes of a dict literal or of a `dict(a=...)` call, by key."""
    if isinstance(node, ast.Dict):
        return {
            k.value: (k, v)
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant)
        }
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg: (kw, kw.value) for kw in node.keywords if kw.arg is not None}
    return {}


def _elements(node: ast.AST | None) -> list[ast.expr]:
    """The items of a list or tuple literal, unless a `*spread` makes the indexes unknowable."""
    if isinstance(node, ast.List | ast.Tuple) and not any(
        isinstance(e, ast.Starred) for e in node.elts
    ):
        return list(node.elts)
    return []
