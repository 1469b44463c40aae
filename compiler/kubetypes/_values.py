"""json.Marshal's view of Go values: zero values, `omitempty` and `omitzero`.

Both decoders produce marshalled output directly (no intermediate Go value), so the rules
for what `json.Marshal` prints for an untouched field, and which fields it leaves out, live
here. A Go nil (pointer, slice, map, interface) is told apart from a zero by the *input*:
only JSON null or an absent key leaves a pointer nil.
"""

from __future__ import annotations

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
    for f in t.fields:
        got = decoded.get(f.name)
        if got is None:
            if not _drops_zero(f):
                out[f.name] = zero(f.type)
            continue
        given, value = got
        if f.omitempty and is_empty(f.type, given, value):
            continue
        if f.omitzero and is_zero(f.type, given, value):
            continue
        out[f.name] = value
    return out


def wrap_int(n: int, kind: str) -> int:
    """Go's integer conversion: keep the low bits of n for the target width."""
    lo, hi = INT_RANGES[kind]
    span = hi - lo + 1
    return (n - lo) % span + lo
