"""encoding/json decoding as sigs.k8s.io/json does it for Kubernetes, fused with Marshal.

What the webhooks do to a request body: case-sensitive field matching, unknown fields
dropped, the first type error recorded while decoding goes on, errors from custom
unmarshalers (Quantity, IntOrString, Time, Unstructured) returned at once. JSON numbers
are taken as Python's json.dumps spells them (`1.0` stays `1.0`, so it is no int32).
"""

from __future__ import annotations

import base64
from typing import Any

from compiler.kubetypes._gofmt import decode_base64, normalize, request_text
from compiler.kubetypes._specials import NestedTypeError, decode_special
from compiler.kubetypes._table import INT_RANGES, GoType
from compiler.kubetypes._values import assemble, copy_plain, zero
from compiler.kubetypes.results import GoError, Path

Context = tuple[str, tuple[str, ...]] | None  # (innermost struct name, JSON field names)
# Specials whose marshalled form is their decoded value itself: marshalling it again is identity
_VERBATIM = frozenset({"Unstructured", "RawJSON"})


def _desc(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    if isinstance(v, str):
        return "string"
    if v is None:
        return "null"
    return "number"


class JsonDecoder:
    """One decode: collects errors and unknown fields while producing marshalled output."""

    def __init__(
        self, *, decoded: bool = False, marshal: bool = True, verbatim: frozenset[int] = frozenset()
    ) -> None:
        # `decoded`: the input is already the output of a decode (see `marshal_decoded`);
        # not `marshal`: only the errors and unknown fields are wanted (a schema check), so
        # structs are not assembled and come back as None
        self.decoded = decoded
        self.marshal = marshal
        self.verbatim = verbatim  # ids of structs in `decoded` input that are marshalled already
        self.errors: list[GoError] = []
        self.unknown: list[Path] = []
        self.unknown_in: list[GoType] = []

    def type_error(self, desc: str, t: GoType, path: Path, ctx: Context) -> None:
        """Record an UnmarshalTypeError with encoding/json's wording."""
        self.errors.append(GoError(path, _type_message(desc, t, ctx)))

    def value(self, t: GoType, v: Any, path: Path, ctx: Context) -> Any:
        """Decode v into t and return what json.Marshal prints for the result."""
        kind = t.kind
        if kind == "ptr":
            assert t.elem is not None
            return None if v is None else self.value(t.elem, v, path, ctx)
        if kind == "struct":
            if isinstance(v, dict):
                return self.struct(t, v, path, ctx)
            if v is not None:
                self.type_error(_desc(v), t, path, ctx)
            return zero(t)
        if kind == "string":
            if isinstance(v, str):
                return v
            if v is not None:
                self.type_error(_desc(v), t, path, ctx)
            return ""
        if kind in INT_RANGES:
            return self.integer(t, v, path, ctx)
        if kind == "special":
            return self.special(t, v, path, ctx)
        if kind in ("slice", "map"):
            return self.container(t, v, path, ctx)
        if kind == "bool":
            if isinstance(v, bool):
                return v
            if v is not None:
                self.type_error(_desc(v), t, path, ctx)
            return False
        if kind == "float64":
            return self.floating(t, v, path, ctx)
        if kind == "interface":
            return self.interface(v, path, ctx)
        raise NotImplementedError(f"Go kind {kind} is not emulated")

    def struct(self, t: GoType, v: dict[str, Any], path: Path, ctx: Context) -> dict[str, Any]:
        """A JSON object into a struct: known keys decoded, unknown keys recorded."""
        if self.decoded:
            return self.marshal_struct(t, v)
        stack = ctx[1] if ctx else ()
        decoded: dict[str, tuple[Any, Any]] = {}
        by_name = t.field_map()
        for key, item in v.items():
            f = by_name.get(key)
            if f is None:
                self.unknown.append((*path, key))
                self.unknown_in.append(t)
                continue
            ft = f.type
            kind = ft.kind
            if kind == "ptr":
                if item is None:
                    decoded[key] = (item, None)
                    continue
                assert ft.elem is not None
                ft = ft.elem
                kind = ft.kind
            # the commonest cases without the call to value(), which gives the same
            if kind == "string" and type(item) is str:
                decoded[key] = (item, item)
            elif kind == "struct" and type(item) is dict:
                decoded[key] = (item, self.struct(ft, item, (*path, key), (t.name, (*stack, key))))
            else:
                out = self.value(ft, item, (*path, key), (t.name, (*stack, f.name)))
                decoded[key] = (item, out)
        return assemble(t, decoded) if self.marshal else None  # type: ignore[return-value]

    def marshal_struct(self, t: GoType, v: dict[str, Any]) -> dict[str, Any]:
        """`struct` for input that is decoded already: the values that fit their field as
        they are (the rest, as `value` has them) without the paths and the Go struct
        context that only errors need."""
        if id(v) in self.verbatim:
            return copy_plain(v)  # type: ignore[no-any-return]
        decoded: dict[str, tuple[Any, Any]] = {}
        by_name = t.field_map()
        for key, item in v.items():
            f = by_name.get(key)
            if f is None:
                continue  # dropped, as decoding drops it
            ft = f.type
            kind = ft.kind
            if kind == "ptr":
                if item is None:
                    decoded[key] = (item, None)
                    continue
                assert ft.elem is not None
                ft = ft.elem
                kind = ft.kind
            it = type(item)
            if (
                (it is str and kind == "string")
                or (it is bool and kind == "bool")
                or (it is int and kind in INT_RANGES and _in_range(item, kind))
            ):
                decoded[key] = (item, item)
            elif it is dict and kind == "struct":
                decoded[key] = (item, self.marshal_struct(ft, item))
            else:
                decoded[key] = (item, self.value(ft, item, (key,), None))
        return assemble(t, decoded)

    def integer(self, t: GoType, v: Any, path: Path, ctx: Context) -> int:
        """A number into an intN: only integer literals in range are accepted."""
        if v is None:
            return 0
        if isinstance(v, int) and not isinstance(v, bool):
            lo, hi = INT_RANGES[t.kind]
            if lo <= v <= hi:
                return v
            self.type_error(f"number {v}", t, path, ctx)
        elif isinstance(v, float):
            self.type_error(f"number {request_text(v)}", t, path, ctx)
        else:
            self.type_error(_desc(v), t, path, ctx)
        return 0

    def floating(self, t: GoType, v: Any, path: Path, ctx: Context) -> int | float:
        """A number into a float64 (Go prints integral values without a fraction)."""
        if v is None:
            return 0
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            try:
                out = normalize(float(v))
            except OverflowError:
                self.type_error(f"number {v}", t, path, ctx)
                return 0
            return out  # type: ignore[no-any-return]
        self.type_error(_desc(v), t, path, ctx)
        return 0

    def interface(self, v: Any, path: Path, ctx: Context) -> Any:
        """Any JSON into interface{}: ints kept as int64, other numbers float64."""
        try:
            return normalize(v)
        except OverflowError:
            self.errors.append(
                GoError(path, f"json: cannot unmarshal number {v} into Go value of type float64")
            )
            return None

    def special(self, t: GoType, v: Any, path: Path, ctx: Context) -> Any:
        """A type with its own UnmarshalJSON: its errors stop Go's decoder."""
        if self.decoded and t.special in _VERBATIM and v is not None:
            return copy_plain(v)  # marshalled once already: normalized, keys sorted
        if t.special == "Unstructured" and type(v) is dict:
            # its JSON text shows only in an error: spelled out (a trialSpec's) only then
            out, err = decode_special(t.special, "", v, converter=False)
            if err is not None:
                out, err = decode_special(t.special, request_text(v), v, converter=False)
        else:
            out, err = decode_special(t.special, request_text(v), v, converter=False)
        if isinstance(err, NestedTypeError):
            err = err.message(ctx)
        if err is not None:
            self.errors.append(GoError(path, err, fatal=True))
        return out

    def container(self, t: GoType, v: Any, path: Path, ctx: Context) -> Any:
        """Slices and maps; null is nil, `[]` an empty (non-nil) slice."""
        assert t.elem is not None
        if v is None:
            return None
        if t.kind == "slice" and isinstance(v, list):
            if t.elem.kind == "string" and all(type(x) is str for x in v):
                return list(v)  # what the loop below gives
            if t.elem.kind == "uint8":
                raw = bytes(self.value(t.elem, x, (*path, i), ctx) for i, x in enumerate(v))
                return base64.b64encode(raw).decode()
            return [self.value(t.elem, x, (*path, i), ctx) for i, x in enumerate(v)]
        if t.kind == "slice" and isinstance(v, str) and t.elem.kind == "uint8":
            return self.bytes_from_base64(v, path)
        if t.kind == "map" and isinstance(v, dict):  # decoded in input order, printed sorted
            elem = t.elem
            decoded = {k: self.value(elem, x, (*path, k), ctx) for k, x in v.items()}
            return {k: decoded[k] for k in sorted(decoded)}
        self.type_error(_desc(v), t, path, ctx)
        return None

    def bytes_from_base64(self, s: str, path: Path) -> str | None:
        """[]byte from a base64 string (StdEncoding, padding required)."""
        out, err = decode_base64(s)
        if err:
            self.errors.append(GoError(path, err))
        return out


def _in_range(n: int, kind: str) -> bool:
    lo, hi = INT_RANGES[kind]
    return lo <= n <= hi


def _type_message(desc: str, t: GoType, ctx: Context) -> str:
    return NestedTypeError(desc, t.str).message(ctx)
