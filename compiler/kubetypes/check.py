"""An offline schema check for rendered manifests, in Go's terms, with hints for people.

Why: Kubernetes and Katib drop unknown fields silently (Katib's webhook even strips them),
so a typo such as `containerport` only shows up when a trial misbehaves. This decodes the
manifest like the API machinery would and reports every unknown field (with a "did you
mean" from the struct's own field names) and every value Go cannot decode.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from compiler.kubetypes._decode_json import JsonDecoder
from compiler.kubetypes._table import GoType, resolve
from compiler.kubetypes.results import Issue

__all__ = ["check", "suggest_field"]

_TYPE_ERROR = re.compile(
    r"json: cannot unmarshal (\w+)(?: \S+)? into Go (?:struct field \S+|value) of type (.+)$"
)


def suggest_field(key: str, t: GoType) -> str | None:
    """The field of t a misspelt key most likely meant (case-insensitive first, then difflib)."""
    names = [f.name for f in t.fields]
    for name in names:
        if name.lower() == key.lower():
            return name
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return close[0] if close else None


def _describe(message: str) -> tuple[str, str]:
    m = _TYPE_ERROR.search(message)
    if m is None:
        return "invalid-value", message
    got, want = m.groups()
    return "type-mismatch", f"a JSON {got} cannot be decoded into Go type {want} ({message})"


def check(obj: Any, type_name: str) -> list[Issue]:
    """Schema issues of obj against a Go type from the table, sorted by path."""
    t = resolve(type_name)
    decoder = JsonDecoder(marshal=False)  # only the findings: no marshalled output
    decoder.value(t, obj, (), None)
    issues: list[Issue] = []
    for path, owner in zip(decoder.unknown, decoder.unknown_in, strict=True):
        key = str(path[-1])
        issues.append(
            Issue(
                path,
                "unknown-field",
                f'unknown field "{key}" ({owner.str} has no such field)',
                suggest_field(key, owner),
            )
        )
    for err in decoder.errors:
        code, text = _describe(err.message)
        issues.append(Issue(err.path, code, text))
    issues.sort(key=lambda i: tuple((0, p) if isinstance(p, int) else (1, p) for p in i.path))
    return issues
