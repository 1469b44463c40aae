"""Go's `strconv.Atoi` and `strconv.ParseFloat(s, 64)`, for the goptuna service (converter.go).

Go is stricter than Python in some places (no surrounding spaces, no non-ASCII digits, no
"+nan", int64 range) and looser in others (hex floats such as "0x1p-2"). Both functions return
`(value, "")` or `(None, <Go's error text>)`.
"""

from __future__ import annotations

import math
import re

_INT64 = (-(2**63), 2**63 - 1)
_ATOI = re.compile(r"[+-]?[0-9]+")
_SPECIAL = re.compile(r"[+-]?(inf|infinity)|nan", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?(?=\.?[0-9])[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9][0-9_]*)?")
_HEX = re.compile(
    r"[+-]?0[xX](?=[._]*[0-9a-fA-F])[0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?[pP][+-]?[0-9][0-9_]*"
)


def atoi(text: str) -> tuple[int | None, str]:
    """Base 10 only: optional sign and ASCII digits; no underscores, no prefix."""
    if not _ATOI.fullmatch(text):
        return None, f'strconv.Atoi: parsing "{text}": invalid syntax'
    value = int(text)
    if not _INT64[0] <= value <= _INT64[1]:
        return None, f'strconv.Atoi: parsing "{text}": value out of range'
    return value, ""


def parse_float(text: str) -> tuple[float | None, str]:
    """Decimal or hex (p exponent required) literals, Go-style underscores, and case-insensitive
    inf/infinity (signed) and nan (unsigned). Overflow is an error; underflow is not."""
    if _SPECIAL.fullmatch(text):
        return float(text), ""
    hex_literal = bool(_HEX.fullmatch(text))
    if not (hex_literal or _DECIMAL.fullmatch(text)) or not _underscores_ok(text):
        return None, f'strconv.ParseFloat: parsing "{text}": invalid syntax'
    plain = text.replace("_", "")
    try:
        value = float.fromhex(plain) if hex_literal else float(plain)
    except OverflowError:
        value = math.inf
    if math.isinf(value):
        return None, f'strconv.ParseFloat: parsing "{text}": value out of range'
    return value, ""


def _underscores_ok(text: str) -> bool:
    """Go's underscoreOK: an underscore must sit between digits (a base prefix counts as one)."""
    s = text[1:] if text[:1] in "+-" else text
    hex_digits = len(s) >= 2 and s[0] == "0" and s[1] in "xX"
    saw, i = ("0", 2) if hex_digits else ("^", 0)
    for c in s[i:]:
        if c.isascii() and (c.isdigit() or (hex_digits and c.lower() in "abcdef")):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"
