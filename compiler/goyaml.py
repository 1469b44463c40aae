"""How kubectl reads a plain YAML scalar: the implicit resolution of go-yaml v2, which
`sigs.k8s.io/yaml` (and so kubectl and Katib's ConfigMap templates) uses.

It differs from PyYAML's YAML 1.1 resolver in ways that change Katib's verdict: `1e-3` is a
number (PyYAML: a string), `y`/`n` are booleans, `0o17` and `0x1F` are integers, base-60 numbers
are strings, and timestamps stay strings.

`core_number` is the other reading our output must survive: YAML 1.2's core schema (the npm
`yaml` package under yaml-language-server, go-yaml v3 mostly).
"""

from __future__ import annotations

import math
import re
import struct

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
# Go's unicode.IsSpace, for strings.TrimSpace and friends: Python's str.strip() also trims the
# separators U+001C..U+001F, which Go keeps.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_INT_BODY = {
    "0x": (16, re.compile(r"[0-9a-fA-F]+")),
    "0o": (8, re.compile(r"[0-7]+")),
    "0b": (2, re.compile(r"[01]+")),
}
# YAML 1.2's core schema reads these as numbers (10.3.2): go-yaml v2 too, except a float past
# float64's range (`6325e37460`: text to go-yaml, infinity to YAML 1.2)
_CORE_NUMBER = re.compile(
    r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_INT64 = 2**63
_UINT64 = 2**64


class Merge:
    """The `<<` merge key, kept distinct so that it can be refused with its location."""


# the first characters of every scalar that is not read as text
_NOT_TEXT_START = frozenset("yYtToOnNfF~.+-<0123456789")


def resolve(text: str) -> object:
    """The value go-yaml v2 gives a plain scalar when decoding into interface{}."""
    if text[:1] not in _NOT_TEXT_START and text:  # most scalars: text at the first character
        return text
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
        return _go_float(text) if _DOT_FLOAT.fullmatch(text) else text
    if first in "+-0123456789":
        plain = text.replace("_", "")
        number = _go_parse_int(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.fullmatch(plain):
            return _go_float(plain, text)
    return text


def core_number(text: str) -> bool:
    """Whether YAML 1.2's core schema reads this plain scalar as a number."""
    return _CORE_NUMBER.fullmatch(text) is not None


def _go_float(plain: str, text: str | None = None) -> float | str:
    """strconv.ParseFloat: a value beyond float64's range is an error, so go-yaml keeps the
    scalar as a string (`6325e37460` is text, not infinity)."""
    value = float(plain)
    return value if math.isfinite(value) else (text if text is not None else plain)


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
    body = body.lstrip("0") or "0"
    if len(body) > 64:  # past 64 bits in any base (and past Python's int-from-text limit)
        return None
    value = sign * int(body, base)
    if -_INT64 <= value < _INT64:
        return value
    if s[:1] not in "+-" and value < _UINT64:
        return value
    return None


def json_key(value: object) -> str:
    """The JSON key sigs.k8s.io/yaml makes of a resolved YAML key (convertToJSONableObject):
    `true`/`false`, decimal integers, floats as Go's FormatFloat(f, 'g', -1, 32)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and -_INT64 <= value < _INT64:
        return str(value)
    if isinstance(value, float):
        return format_float32_g(value)
    raise ValueError(f"unsupported map key {value!r}")


def format_float32_g(value: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that read back as the same
    float32, in exponent form when the exponent is < -4 or >= 6 ('g' with shortest precision)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    f32 = _float32(value)
    if f32 == 0:
        return "-0" if math.copysign(1, f32) < 0 else "0"
    if math.isinf(f32):
        return ".inf" if f32 > 0 else "-.inf"
    digits, point = _shortest32(f32)
    exp = point - 1
    sign = "-" if f32 < 0 else ""
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _float32(value: float) -> float:
    try:
        packed: float = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return packed


def _shortest32(f32: float) -> tuple[str, int]:
    """(digits, decimal point position) of the shortest decimal that rounds to f32."""
    for precision in range(1, 10):
        text = f"{abs(f32):.{precision - 1}e}"
        if _float32(float(text)) == abs(f32):
            mantissa, exponent = text.split("e")
            digits = mantissa.replace(".", "").rstrip("0") or "0"
            return digits, int(exponent) + 1
    raise AssertionError("a float32 always has a 9-digit representation")  # pragma: no cover
