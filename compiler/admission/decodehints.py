"""Hints for KATIB-H1, Go's "cannot unmarshal X into ... of type Y": what to write instead.

The common surprise is YAML 1.1: kubectl reads a manifest with go-yaml v2, to which an unquoted
`y`, `yes`, `on` (and `n`, `no`, `off`, in any of the cases go-yaml accepts) is a boolean, so a
trialParameter `reference: y` or a categorical value `on` reaches Katib as true or false and the
webhook refuses it (reference §0: the request is decoded into Katib's Go types).
"""

from __future__ import annotations

import re
from typing import Any

from compiler.goyaml import resolve

_UNMARSHAL = re.compile(
    r"cannot unmarshal (\w+)(?: \S+)? into Go (?:struct field \S+|value) of type (\S+)"
)
_NUMBERS = ("int", "uint", "float")
GENERIC = (
    "fix the value's type: Katib wants strings for feasibleSpace and setting values, "
    "numbers for goal and the trial counts"
)


def decode_hint(message: str, value: Any, spelling: str | None) -> str:
    """The hint for a decode error at a value (`spelling`: its source text, for a boolean)."""
    m = _UNMARSHAL.search(message)
    if m is None:
        return GENERIC
    got, want = m.groups()
    wanted = _wanted(want)
    if isinstance(value, bool):
        text = spelling or ("true" if value else "false")
        read = f"the unquoted {text} is the boolean {str(value).lower()}"
        if text.lower() not in ("true", "false"):
            read = (
                f"kubectl's YAML (1.1) reads the unquoted {text} as the boolean "
                f"{str(value).lower()} (y, yes, on: true; n, no, off: false)"
            )
        if want == "string":
            return f'{read}; quote it to keep it a string: "{text}"'
        return f"{read}; Katib wants {wanted} here"
    if want == "string" and got == "number":
        return f'Katib wants a string here: quote the number ("{_number_text(value)}")'
    if want.startswith(_NUMBERS) and got == "string" and _too_large(value):
        return (
            f"Katib wants {wanted} here: {_short(value)} is beyond a float64's range, so "
            "kubectl's YAML reads it as a string; write a smaller number"
        )
    if want.startswith(_NUMBERS) and got == "string":
        unquoted = isinstance(value, str) and _is_number(value)
        return f"Katib wants {wanted} here: " + (
            f"write it without quotes ({value})" if unquoted else "write a number, unquoted"
        )
    if want.startswith(("int", "uint")) and got == "number":
        return f"Katib wants {wanted} here: {value} is not one, or is out of its range"
    if got in ("array", "object"):
        shape = "a list" if got == "array" else "a mapping"
        return f"Katib wants {wanted} here, not {shape}"
    return f"Katib wants {wanted} here, not a JSON {got}"


def _wanted(go_type: str) -> str:
    if go_type == "string":
        return "a string"
    if go_type.startswith(("int", "uint")):
        return f"a whole number ({go_type})"
    if go_type.startswith("float"):
        return "a number"
    if go_type == "bool":
        return "true or false"
    if go_type.startswith("[]"):
        return "a list"
    if go_type.startswith("map["):
        return "a mapping"
    return f"a {go_type.rsplit('.', 1)[-1]}"


def _is_number(text: str) -> bool:
    if not text or text != text.strip():
        return False
    resolved = resolve(text)
    return isinstance(resolved, int | float) and not isinstance(resolved, bool)


_NUMERAL = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?")


def _too_large(value: Any) -> bool:
    """A numeral go-yaml keeps as text because strconv.ParseFloat reports it out of range."""
    return isinstance(value, str) and bool(_NUMERAL.fullmatch(value)) and not _is_number(value)


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:10]}…{text[-6:]} ({len(text)} characters)"


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def as_meant(message: str, value: Any, spelling: str | None) -> tuple[bool, Any]:
    """(True, the value written as the hint says) when a decode error has an obvious fix:
    a number or a YAML 1.1 boolean quoted into a string, a quoted number unquoted; else
    (False, None). `import` uses it to guess the spec of a manifest Katib cannot decode."""
    m = _UNMARSHAL.search(message)
    if m is None:
        return False, None
    got, want = m.groups()
    if want == "string":
        if isinstance(value, bool):
            return True, spelling or ("true" if value else "false")
        if got == "number" and isinstance(value, int | float):
            return True, _number_text(value)
    if (
        want.startswith(_NUMBERS)
        and got == "string"
        and isinstance(value, str)
        and _is_number(value)
    ):
        number = resolve(value)
        if want.startswith(("int", "uint")) and isinstance(number, float):
            return (True, int(number)) if number.is_integer() else (False, None)
        return True, number
    return False, None
