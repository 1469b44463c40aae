"""How kubectl reads a plain YAML scalar: the implicit resolution of go-yaml v2, which
`sigs.k8s.io/yaml` (and so kubectl and Katib's ConfigMap templates) uses.

It differs from PyYAML's YAML 1.1 resolver in ways that change Katib's verdict: `1e-3` is a
number (PyYAML: a string), `y`/`n` are booleans, `0o17` and `0x1F` are integers, base-60 numbers
are strings, and timestamps stay strings.
"""

from __future__ import annotations

import re

_BOOLS = {
    **dict.fromkeys(
        ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True
    ),
    **dict.fromkeys(
        ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False
    ),
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
}
MERGE = "<<"
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_INT_BODY = {
    "0x": (16, re.compile(r"[0-9a-fA-F]+")),
    "0o": (8, re.compile(r"[0-7]+")),
    "0b": (2, re.compile(r"[01]+")),
}
_INT64 = 2**63
_UINT64 = 2**64


class Merge:
    """The `<<` merge key, kept distinct so that it can be refused with its location."""


def resolve(text: str) -> object:
    """The value go-yaml v2 gives a plain scalar when decoding into interface{}."""
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text == MERGE:
        return Merge()
    first = text[0]
    if first == ".":
        return float(text) if _DOT_FLOAT.fullmatch(text) else text
    if first in "+-0123456789":
        plain = text.replace("_", "")
        number = _go_parse_int(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.fullmatch(plain):
            return float(plain)
    return text


def _go_parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64), falling back to ParseUint(s, 0, 64) as go-yaml does."""
    sign = 1
    body = s
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    prefix = body[:2].lower()
    if prefix in _INT_BODY:
        base, digits = _INT_BODY[prefix]
        body = body[2:]
    elif body[0] == "0" and len(body) > 1:
        base, digits = 8, _INT_BODY["0o"][1]
        body = body[1:]
    else:
        base, digits = 10, re.compile(r"[0-9]+")
    if not digits.fullmatch(body):
        return None
    value = sign * int(body, base)
    if -_INT64 <= value < _INT64:
        return value
    if s[:1] not in "+-" and value < _UINT64:
        return value
    return None
