"""runtime.DefaultUnstructuredConverter.FromUnstructured (apimachinery v0.34), fused with Marshal.

Katib converts batch/v1 Job templates this way (rule V-34). Its rules differ from
encoding/json: an integral float64 is accepted for an int field, int64 values are
narrowed silently (Go's conversion keeps the low bits), a string into an int field fails
with "unrecognized type: int32", unknown keys are dropped without a word, and custom
unmarshalers get `json.Marshal(value)`. Go stops at the first error; this keeps going so
every problem is reported, and lists the first one first.
"""

from __future__ import annotations

import base64
from typing import Any

from compiler.kubetypes._gofmt import decode_base64, go_json_text, normalize, unstructured_number
from compiler.kubetypes._specials import decode_special
from compiler.kubetypes._table import INT_RANGES, GoType
from compiler.kubetypes._values import assemble, wrap_int, zero
from compiler.kubetypes.results import GoError, Path


def _go_kind(v: Any) -> str:
    """reflect Kind of an unstructured value (what the converter names in errors)."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, str):
        return "string"
    if isinstance(v, int):
        return "int64" if isinstance(unstructured_number(v), int) else "float64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, dict):
        return "map"
    return "slice"


class ConverterDecoder:
    """One FromUnstructured call: errors and dropped keys, plus the marshalled result."""

    def __init__(self) -> None:
        self.errors: list[GoError] = []
        self.unknown: list[Path] = []
        self.unknown_in: list[GoType] = []

    def fail(self, path: Path, message: str) -> None:
        """Record an error; every converter error stops Go's conversion."""
        self.errors.append(GoError(path, message, fatal=True))

    def value(self, t: GoType, v: Any, path: Path) -> Any:
        """Convert v into t and return what json.Marshal prints for the result."""
        if v is None:
            return zero(t)
        kind = t.kind
        if kind == "ptr":
            assert t.elem is not None
            return self.value(t.elem, v, path)
        if kind == "struct":
            if not isinstance(v, dict):
                self.fail(path, f"cannot restore struct from: {_go_kind(v)}")
                return zero(t)
            return self.struct(t, v, path)
        if kind == "special":
            out, err = decode_special(t.special, go_json_text(v), v, converter=True)
            if err is not None:
                self.fail(path, err if isinstance(err, str) else err.message())
            return out
        if kind == "slice":
            return self.slice(t, v, path)
        if kind == "map":
            if not isinstance(v, dict):
                self.fail(path, f"cannot restore map from {_go_kind(v)}")
                return None
            elem = t.elem
            assert elem is not None
            return {k: self.value(elem, v[k], (*path, k)) for k in sorted(v)}
        if kind == "interface":
            return normalize(v)
        return self.simple(t, v, path)

    def struct(self, t: GoType, v: dict[str, Any], path: Path) -> dict[str, Any]:
        """Fields in declaration order (Go's error order); unknown keys are dropped."""
        decoded: dict[str, tuple[Any, Any]] = {}
        by_name = t.field_map()
        order = t.field_order()
        present = sorted(
            (order[k], k) for k, item in v.items() if k in by_name and item is not None
        )
        for _, name in present:
            item = v[name]
            ft = by_name[name].type
            if type(item) is str and ft.kind == "string":
                decoded[name] = (item, item)  # what value() gives, without the call
            else:
                decoded[name] = (item, self.value(ft, item, (*path, name)))
        for key in v:
            if key not in by_name:
                self.unknown.append((*path, key))
                self.unknown_in.append(t)
        return assemble(t, decoded)

    def slice(self, t: GoType, v: Any, path: Path) -> Any:
        """A list into a slice; a string into []byte is read as base64."""
        elem = t.elem
        assert elem is not None
        if isinstance(v, str) and elem.kind == "uint8":
            text, err = decode_base64(v)
            if err:
                self.fail(path, "error decoding from json: " + err)
            return text
        if not isinstance(v, list):
            self.fail(path, f"cannot restore slice from {_go_kind(v)}")
            return None
        items = [self.value(elem, x, (*path, i)) for i, x in enumerate(v)]
        if elem.kind == "uint8":
            return base64.b64encode(bytes(items)).decode()
        return items

    def simple(self, t: GoType, v: Any, path: Path) -> Any:
        """Strings, bools and numbers: Go's assignability and convertibility rules."""
        kind = t.kind
        st = _go_kind(v)
        if kind == st:
            return normalize(v)
        if kind in INT_RANGES:
            if st == "int64":
                return wrap_int(v, kind)
            if st == "float64":
                f = float(v)
                if f.is_integer():
                    n = int(f) if -(2**63) <= f < 2**63 else -(2**63)
                    return wrap_int(n, kind)
                self.fail(path, f"cannot convert float64 to {t.str}")
                return 0
        elif kind == "float64" and st in ("int64", "float64"):
            return normalize(float(v))
        elif kind == "string" and st == "int64":
            self.fail(path, f"cannot convert int64 to {t.str}")
            return ""
        self.fail(path, f"unrecognized type: {kind}")
        return zero(t)
