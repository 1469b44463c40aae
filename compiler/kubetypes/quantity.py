"""Kubernetes `resource.Quantity`: parse and print exactly as apimachinery v0.34 does.

Why it matters: the webhooks round-trip every Quantity, so `1024Mi` is stored as `1Gi`,
`0.5` as `500m` and `1000m` as `1`, while an already-canonical spelling (`100Mi`, `1.500k`,
`1e3`) is kept byte for byte. A compiler that emits the same text avoids GitOps drift.
Values are exact integers scaled by a power of ten; Go's int64 and inf.Dec paths give the
same numbers, so only the caching of the original text has to follow Go's fast path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from compiler.kubetypes._quantity_parse import (
    BIN_SUFFIXES,
    BINARY_SI,
    DEC_SUFFIXES,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    ERR_FORMAT,
    QuantityError,
    inf_dec,
    interpret,
    scan,
)

__all__ = ["Quantity", "QuantityError", "canonical_quantity", "parse_quantity"]

_INT64_MAX = 2**63 - 1
_DEC_BY_EXP = {e: s for s, e in DEC_SUFFIXES.items()}
_BIN_BY_EXP = {e // 10: s for s, e in BIN_SUFFIXES.items()}
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """value = unscaled * 10**exp, printed in `format`; `cached` is the kept original text."""

    unscaled: int
    exp: int
    format: str
    cached: str = ""

    def __str__(self) -> str:
        return self.cached or _canonical(self)

    @property
    def is_zero(self) -> bool:
        """True for a zero quantity (which always prints as "0" unless cached)."""
        return self.unscaled == 0


def _round_up(unscaled: int, exp: int, to_exp: int) -> tuple[int, int, bool]:
    """inf.Dec Round(RoundUp): to a multiple of 10**to_exp, away from zero; exactness."""
    if exp >= to_exp:
        return unscaled * 10 ** (exp - to_exp), to_exp, True
    shift = to_exp - exp
    mag = abs(unscaled)
    if shift > len(str(mag)):
        q, r = 0, mag
    else:
        q, r = divmod(mag, 10**shift)
    if r:
        q += 1
    return (q if unscaled >= 0 else -q), to_exp, r == 0


def parse_quantity(s: str) -> Quantity:
    """resource.ParseQuantity; raises QuantityError with Go's message."""
    if not s:
        raise QuantityError(ERR_FORMAT)
    if s == "0":
        return Quantity(0, 0, DECIMAL_SI, "0")
    positive, value, num, denom, suffix = scan(s)
    base, exponent, fmt = interpret(suffix)
    mantissa, scale, precision = 1, 0, -1
    if fmt == BINARY_SI:
        if exponent >= 0 and not denom:
            mantissa = 1 << exponent
            precision = 15 - len(num) - int(exponent * 3 / 10) - 1
    else:
        scale = exponent
        precision = 18 - (len(num) + len(denom))
    if precision >= 0:
        scale -= len(denom)
        if scale >= -9:
            shifted = num + denom
            digits = int(shifted)
            result = digits * mantissa
            if result <= _INT64_MAX:
                result = result if positive else -result
                if fmt == BINARY_SI:
                    keep = exponent % 10 == 0 and digits & 7 != 0
                else:
                    keep = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
                return Quantity(result, scale, fmt, s if keep else "")
    unscaled, dec_scale = inf_dec(value)
    exp = -dec_scale
    if base == 10:
        exp += exponent
    else:
        unscaled <<= exponent
    negative = unscaled < 0
    unscaled = abs(unscaled)
    if unscaled and exp < -9:  # Go rescales to nano, rounding up; a larger exp is exact
        unscaled, exp, _ = _round_up(unscaled, exp, -9)
    if fmt == BINARY_SI and _cmp(unscaled, exp, _INT64_MAX) > 0:
        unscaled, exp = _INT64_MAX, 0
    if fmt == BINARY_SI and unscaled and _cmp(unscaled, exp, 1) < 0:
        fmt = DECIMAL_SI
    return Quantity(-unscaled if negative else unscaled, exp, fmt)


def _cmp(unscaled: int, exp: int, other: int) -> int:
    """Compare unscaled * 10**exp with an integer, exactly."""
    left, right = (unscaled * 10**exp, other) if exp >= 0 else (unscaled, other * 10**-exp)
    return (left > right) - (left < right)


def _canonical(q: Quantity) -> str:
    """Quantity.CanonicalizeBytes: the number and suffix Kubernetes prints."""
    if q.unscaled == 0:
        return "0"
    fmt = q.format
    if fmt == BINARY_SI:
        if _cmp(q.unscaled, q.exp, -1024) > 0 and _cmp(q.unscaled, q.exp, 1024) < 0:
            fmt = DECIMAL_SI
        else:
            whole, _, exact = _round_up(q.unscaled, q.exp, 0)
            if exact:
                times = 0
                while whole % 1024 == 0:
                    whole //= 1024
                    times += 1
                return f"{whole}{_BIN_BY_EXP.get(times, '')}"
            fmt = DECIMAL_SI
    amount, exp = q.unscaled, q.exp
    while amount % 10 == 0:
        amount //= 10
        exp += 1
    while exp % 3:
        amount *= 10
        exp -= 1
    if fmt == DECIMAL_EXPONENT:
        return f"{amount}e{exp}" if exp else str(amount)
    return f"{amount}{_DEC_BY_EXP.get(exp, '')}"


def canonical_quantity(s: str) -> str:
    """What Kubernetes stores for a quantity string (raises QuantityError if it is invalid)."""
    return str(parse_quantity(s))


@lru_cache(maxsize=4096)  # a pure function of the text; a repository repeats a few (`2Gi`)
def quantity_from_json(raw: str) -> str:
    """Quantity.UnmarshalJSON on raw JSON text, then MarshalJSON's string (QuantityError
    when it is invalid: an error is not cached, so it is raised again each time)."""
    if raw == "null":
        return "0"
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return str(parse_quantity(raw.strip(_GO_SPACE)))
