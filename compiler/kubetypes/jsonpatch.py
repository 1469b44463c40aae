"""mattbaird/jsonpatch CreatePatch (v0.0.0-20171005235357-81af80346b1a), reproduced.

Katib's validator diffs a converted Job against the original template with it, so its
quirks decide what is rejected: both documents are decoded with every number a float64
(`1` equals `1.0`), a changed type is a whole-value `replace`, lists of equal length are
compared item by item but lists of different lengths by membership (`compareArray`), and a
map meeting a non-map in a list panics in Go (raised here as `JsonPatchPanic`).
Go walks maps in random order; this walks keys sorted, so the result is deterministic.
"""

from __future__ import annotations

from typing import Any

from compiler.kubetypes.results import PatchOp

__all__ = ["JsonPatchPanic", "create_patch"]


class JsonPatchPanic(RuntimeError):
    """The Go code would panic here (a failed type assertion)."""


def _as_go(v: Any) -> Any:
    """The value as encoding/json decodes it into interface{}: numbers become float64."""
    kind = type(v)  # exact builtin types (nearly all data) without isinstance chains
    if kind is dict:
        return {
            (k if type(k) is str else str(k)): x if type(x) in _KEPT else _as_go(x)
            for k, x in v.items()
        }
    if kind is list:
        return [x if type(x) in _KEPT else _as_go(x) for x in v]
    if kind is int:
        return float(v)
    if kind in _KEPT:
        return v
    return _as_go_general(v)


_KEPT = frozenset({str, float, bool, type(None)})  # what `_as_go` gives back as it is


def _as_go_general(v: Any) -> Any:
    """`_as_go` for subclasses of the builtin types."""
    if isinstance(v, dict):
        return {str(k): _as_go(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_as_go(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def _go_type_name(v: Any) -> str:
    names = {
        dict: "map[string]interface {}",
        list: "[]interface {}",
        str: "string",
        float: "float64",
        bool: "bool",
    }
    return names.get(type(v), "nil")


def make_path(path: str, part: str | int) -> str:
    """JSON pointer of a child, with mattbaird's handling of a trailing slash."""
    key = str(part).replace("~", "~0").replace("/", "~1")
    if path == "":
        return "/" + key
    if path.endswith("/"):
        return path + key
    return path + "/" + key


def _deep_equal(x: Any, y: Any) -> bool:
    """reflect.DeepEqual on decoded JSON (bool is not a number)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_deep_equal(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(_deep_equal(p, q) for p, q in zip(x, y, strict=True))
    return bool(x == y)


def _diff(a: dict[str, Any], b: dict[str, Any], path: str, out: list[PatchOp]) -> None:
    for key in sorted(b):
        bv, p = b[key], make_path(path, key)
        if key not in a:
            out.append(PatchOp("add", p, bv))
        elif type(a[key]) is not type(bv):
            out.append(PatchOp("replace", p, bv))
        else:
            _handle(a[key], bv, p, out)
    for key in sorted(a):
        if key not in b:
            out.append(PatchOp("remove", make_path(path, key)))


def _handle(av: Any, bv: Any, p: str, out: list[PatchOp]) -> None:
    if isinstance(av, dict):
        if not isinstance(bv, dict):
            raise JsonPatchPanic(
                f"interface conversion: interface {{}} is {_go_type_name(bv)}, "
                "not map[string]interface {}"
            )
        _diff(av, bv, p, out)
    elif isinstance(av, list):
        if not isinstance(bv, list):
            out.append(PatchOp("replace", p, bv))
        elif len(av) != len(bv):
            out.extend(_compare_array(av, bv, p))
        else:
            for i, (x, y) in enumerate(zip(av, bv, strict=True)):
                _handle(x, y, make_path(p, i), out)
    elif av is None:
        if bv is not None:
            out.append(PatchOp("add", p, bv))
    elif type(av) is not type(bv) or av != bv:
        out.append(PatchOp("replace", p, bv))


def _compare_array(av: list[Any], bv: list[Any], p: str) -> list[PatchOp]:
    ops = [
        PatchOp("remove", make_path(p, i))
        for i, v in enumerate(av)
        if not any(_deep_equal(v, w) for w in bv)
    ]
    ops += [
        PatchOp("add", make_path(p, i), v)
        for i, v in enumerate(bv)
        if not any(_deep_equal(v, w) for w in av)
    ]
    return ops


def create_patch(a: Any, b: Any) -> list[PatchOp]:
    """The JSON patch from document a to document b, as mattbaird's CreatePatch builds it.

    Both must be JSON objects (Go answers "Invalid JSON Document" otherwise: ValueError);
    a JSON null decodes to an empty object, as in Go.
    """
    a = {} if a is None else a
    b = {} if b is None else b
    if not isinstance(a, dict) or not isinstance(b, dict):
        raise ValueError("Invalid JSON Document")
    out: list[PatchOp] = []
    _diff(_as_go(a), _as_go(b), "", out)
    return out
