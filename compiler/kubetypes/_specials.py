"""The types with hand-written JSON (un)marshalers, emulated on raw JSON text.

Both decoders hand these types the JSON text Go would: the request bytes (encoding/json
mode) or `json.Marshal` of the unstructured value (converter mode). That is why a
float64 `2.0` is an IntOrString `2` through the converter but an error through JSON.
Each returns (marshalled output, error). A `NestedTypeError` error is an encoding/json
UnmarshalTypeError from a nested json.Unmarshal: sigs.k8s.io/json aliases that type, so the
outer decoder rewrites it with its own "Go struct field" context.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from compiler.kubetypes._gofmt import normalize
from compiler.kubetypes._gotime import TimeParseError, time_json
from compiler.kubetypes._quantity_parse import QuantityError
from compiler.kubetypes.quantity import quantity_from_json


class NestedTypeError(NamedTuple):
    """An UnmarshalTypeError: what JSON value, and the Go type it did not fit."""

    desc: str
    gotype: str

    def message(self, context: tuple[str, tuple[str, ...]] | None = None) -> str:
        """Go's Error() text, with the decoder's struct/field context if it has one."""
        if context is not None:
            struct, stack = context
            return (
                f"json: cannot unmarshal {self.desc} into Go struct field {struct}."
                f"{'.'.join(stack)} of type {self.gotype}"
            )
        return f"json: cannot unmarshal {self.desc} into Go value of type {self.gotype}"


SpecialResult = tuple[Any, "str | NestedTypeError | None"]

ZERO: dict[str, Any] = {
    "Quantity": "0",
    "IntOrString": 0,
    "Time": None,
    "RawJSON": None,
    "Unstructured": None,
}


def json_desc(raw: str) -> str:
    """How encoding/json names a JSON value in "cannot unmarshal X" messages."""
    c = raw[:1]
    if c == "{":
        return "object"
    if c == "[":
        return "array"
    if c == '"':
        return "string"
    if c in ("t", "f"):
        return "bool"
    if c == "n":
        return "null"
    return "number"


def _std_type_error(raw: str, gotype: str) -> NestedTypeError:
    desc = json_desc(raw)
    if desc == "number" and gotype != "string":
        desc = "number " + raw
    return NestedTypeError(desc, gotype)


def _int_or_string(raw: str, value: Any) -> SpecialResult:
    if raw[0] == '"':
        return value, None
    if raw == "null":
        return 0, None
    if json_desc(raw) == "number":
        body = raw[1:] if raw[0] == "-" else raw
        if body.isascii() and body.isdigit() and -(2**31) <= int(raw) < 2**31:
            return int(raw), None
    return 0, _std_type_error(raw, "int32")


def _time(raw: str, value: Any) -> SpecialResult:
    if raw == "null":
        return None, None
    if not isinstance(value, str):
        return None, _std_type_error(raw, "string")
    try:
        return time_json(value), None
    except TimeParseError as err:
        return None, str(err)


def _unstructured(raw: str, value: Any) -> SpecialResult:
    if not isinstance(value, dict):
        if value is None:
            return None, f"Object 'Kind' is missing in '{raw}'"
        return None, NestedTypeError(json_desc(raw), "map[string]interface {}")
    out = normalize(value)
    api_version = value.get("apiVersion")
    kind = value.get("kind")
    gv_ok = not isinstance(api_version, str) or api_version.count("/") <= 1 or api_version == "/"
    if not (gv_ok and isinstance(kind, str) and kind):
        return out, f"Object 'Kind' is missing in '{raw}'"
    return out, None


def decode_special(special: str, raw: str, value: Any, converter: bool) -> SpecialResult:
    """UnmarshalJSON(raw) then MarshalJSON for one of the special types."""
    if special == "Quantity":
        try:
            return quantity_from_json(raw), None
        except QuantityError as err:
            return "0", str(err)
    if special == "IntOrString":
        return _int_or_string(raw, value)
    if special == "Time":
        return _time(raw, value)
    if special == "RawJSON":
        if raw == "null":
            return None, None
        return (normalize(value) if converter else copy.deepcopy(value)), None
    if special == "Unstructured":
        return _unstructured(raw, value)
    raise NotImplementedError(f"Go type with custom JSON marshaling not emulated: {special}")
