"""json.Marshal's view of Go values: zero values, `omitempty` and `omitzero`.

Both decoders produce marshalled output directly (no intermediate Go value), so the rules
for what `json.Marshal` prints for an untouched field, and which fields it leaves out, live
here. A Go nil (pointer, slice, map, interface) is told apart from a zero by the *input*:
only JSON null or an absent key leaves a pointer nil.
"""

from __future__ import annotations

import copy
import marshal
from typing import Any

from compiler.kubetypes._specials import ZERO
from compiler.kubetypes._table import INT_RANGES, GoField, GoType

_NIL_KINDS = frozenset({"ptr", "interface", "slice", "map"})
_EMPTY_WHEN_ZERO = frozenset(
    {"ptr", "interface", "slice", "map", "string", "bool", "float64", *INT_RANGES}
)

# A field absent from the input is decoded as this marker.
ABSENT: Any = object()


def zero(t: GoType) -> Any:
    """What json.Marshal prints for the zero value of t."""
    kind = t.kind
    if kind in _NIL_KINDS:
        return None
    if kind == "struct":
        return {f.name: zero(f.type) for f in t.fields if not _drops_zero(f)}
    if kind == "special":
        return ZERO[t.special]
    if kind == "string":
        return ""
    if kind == "bool":
        return False
    return 0


def _drops_zero(f: GoField) -> bool:
    if f.omitzero:
        return True
    return f.omitempty and f.type.kind in _EMPTY_WHEN_ZERO


def is_empty(t: GoType, given: Any, out: Any) -> bool:
    """encoding/json's isEmptyValue, for `omitempty` (structs are never empty)."""
    kind = t.kind
    if kind in ("ptr", "interface"):
        return given is None or given is ABSENT
    if kind in ("slice", "map"):
        return out is None or len(out) == 0
    if kind in ("struct", "special"):
        return False
    return not out


def is_zero(t: GoType, given: Any, out: Any) -> bool:
    """reflect's IsZero (or the type's IsZero method), for `omitzero`."""
    kind = t.kind
    if kind in ("ptr", "interface"):
        return given is None or given is ABSENT
    if kind in ("slice", "map"):
        return out is None
    if kind == "special":
        return bool(out == ZERO[t.special])
    if kind == "struct":
        return bool(out == zero(t))
    return not out


def assemble(t: GoType, decoded: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """The marshalled struct: fields in declaration order, omitempty/omitzero applied.

    `decoded` maps a JSON field name to (input value, marshalled output) for the fields the
    input set; the others are zero.
    """
    out: dict[str, Any] = {}
    get = decoded.get
    for name, ftype, omit, absent, empty in t.assembly or _assembly(t):
        got = get(name)
        if got is None:
            if absent is not _DROP:
                out[name] = copy_plain(absent) if type(absent) is dict else absent
            continue
        if omit:
            given, value = got
            # is_empty, by the kind worked out once per field
            if omit & _OMITEMPTY and (
                (given is None or given is ABSENT)
                if empty == _NIL_EMPTY
                else (value is None or len(value) == 0)
                if empty == _LEN_EMPTY
                else (not value)
                if empty == _FALSY_EMPTY
                else False
            ):
                continue
            if omit & _OMITZERO and is_zero(ftype, given, value):
                continue
            out[name] = value
        else:
            out[name] = got[1]
    return out


_OMITEMPTY, _OMITZERO = 1, 2
_DROP: Any = object()  # an absent field Marshal leaves out
# how `is_empty` tells an empty value of a field's kind
_NEVER_EMPTY, _NIL_EMPTY, _LEN_EMPTY, _FALSY_EMPTY = 0, 1, 2, 3


def _empty_kind(t: GoType) -> int:
    kind = t.kind
    if kind in ("ptr", "interface"):
        return _NIL_EMPTY
    if kind in ("slice", "map"):
        return _LEN_EMPTY
    if kind in ("struct", "special"):
        return _NEVER_EMPTY
    return _FALSY_EMPTY


def _assembly(t: GoType) -> tuple[Any, ...]:
    """Per field, worked out once per type: (name, type, omit flags, what Marshal prints
    when the input leaves it out, how an empty value of its kind is told)."""
    t.assembly = tuple(
        (
            f.name,
            f.type,
            (_OMITEMPTY if f.omitempty else 0) | (_OMITZERO if f.omitzero else 0),
            _DROP if _drops_zero(f) else zero(f.type),
            _empty_kind(f.type),
        )
        for f in t.fields
    )
    return t.assembly


def copy_plain(v: Any) -> Any:
    """A deep copy of JSON data at C speed (marshal), or by hand if it holds anything else.
    marshal only round-trips our own in-memory values here (never bytes from a file), and it
    refuses anything but exact builtin types (ValueError), so the copy equals deepcopy's."""
    try:
        return marshal.loads(marshal.dumps(v))  # noqa: S302 - our own data, dumped just now
    except ValueError:
        return copy.deepcopy(v)


def wrap_int(n: int, kind: str) -> int:
    """Go's integer conversion: keep the low bits of n for the target width."""
    lo, hi = INT_RANGES[kind]
    span = hi - lo + 1
    return (n - lo) % span + lo
