"""Spec values as the strings Katib stores (reference §10.2: bounds, list items and setting
values are strings)."""

from __future__ import annotations


def scalar_text(value: str | int | float | bool) -> str:
    """`true`/`false` for booleans (YAML spelling), the shortest round-trip text for numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)  # keep the ".0": a double bound stays recognisably a double
    return str(value) if not isinstance(value, float) else repr(value)


def bound_text(value: str | int | float) -> str:
    """A string bound is kept as written, so imports round-trip exactly."""
    return value if isinstance(value, str) else scalar_text(value)
