"""Scanning a Kubernetes quantity string into sign, digits and suffix.

Why a hand scanner and not a regex: Kubernetes' `parseQuantityString` accepts odd inputs
(`"."`, `"Gi"`, `"-"` all mean zero) and the canonical form depends on exactly which digits
it kept (leading zeros stripped, the numerator and denominator split), so this follows its
steps one by one. Behaviour checked against the Go code (tests/unit/kubetypes/data).
"""

from __future__ import annotations

from typing import NamedTuple

ERR_FORMAT = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

DIGITS = frozenset("0123456789")
SUFFIX_CHARS = frozenset("eEinumkKMGTP")
DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


class QuantityError(ValueError):
    """A quantity Kubernetes refuses; the message is Go's error text."""


class Scanned(NamedTuple):
    """The parts `parseQuantityString` returns."""

    positive: bool
    value: str  # the numeric text, sign included (used by the slow path)
    num: str  # integer digits without leading zeros ("0" if none)
    denom: str  # fraction digits
    suffix: str


def scan(s: str) -> Scanned:
    """Split a quantity string the way Kubernetes does; raise QuantityError like it does."""
    positive, pos, end = True, 0, len(s)
    if end and s[0] in "+-":
        positive = s[0] == "+"
        pos = 1
    while True:  # strip leading zeros
        if pos >= end:
            return Scanned(positive, "0", "0", "", "")
        if s[pos] != "0":
            break
        pos += 1
    i = pos
    while i < end and s[i] in DIGITS:
        i += 1
    if i >= end:
        return Scanned(positive, s, s[pos:], "", "")
    num, pos = s[pos:i] or "0", i
    denom = ""
    if s[pos] == ".":
        pos += 1
        i = pos
        while i < end and s[i] in DIGITS:
            i += 1
        if i >= end:
            return Scanned(positive, s, num, s[pos:], "")
        denom, pos = s[pos:i], i
    value, start = s[:pos], pos
    i = pos
    while True:
        if i >= end:
            return Scanned(positive, value, num, denom, s[start:])
        if s[i] not in SUFFIX_CHARS:
            pos = i
            break
        i += 1
    if s[pos] in "+-":
        pos += 1
    i = pos
    while True:
        if i >= end:
            return Scanned(positive, value, num, denom, s[start:])
        if s[i] not in DIGITS:
            raise QuantityError(ERR_FORMAT)
        i += 1


def interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix, as Kubernetes' suffixer interprets it."""
    if suffix in DEC_SUFFIXES:
        return 10, DEC_SUFFIXES[suffix], DECIMAL_SI
    if suffix in BIN_SUFFIXES:
        return 2, BIN_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        exp = _parse_int64(suffix[1:])
        if exp is None:
            raise QuantityError(ERR_SUFFIX)
        exp &= 0xFFFFFFFF  # Go truncates to int32
        return 10, exp - (1 << 32) if exp >= 1 << 31 else exp, DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64): optional sign, ASCII digits, in range."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or any(c not in DIGITS for c in body):
        return None
    n = int(text)
    return n if -(2**63) <= n < 2**63 else None


def inf_dec(value: str) -> tuple[int, int]:
    """gopkg.in/inf.v0 `Dec.SetString`: (unscaled, scale) with value = unscaled * 10**-scale."""
    sign, body = "", value
    if body[:1] in ("+", "-"):
        sign, body = body[0], body[1:]
    if body.count(".") > 1 or any(c not in DIGITS and c != "." for c in body):
        raise QuantityError(ERR_NUMERIC)
    digits = body.replace(".", "")
    if not digits:
        raise QuantityError(ERR_NUMERIC)
    scale = len(body) - body.index(".") - 1 if "." in body else 0
    return int(sign + digits), scale
