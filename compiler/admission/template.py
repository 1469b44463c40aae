"""The trial template as Katib sees it: its text, its placeholders and its meta references.

Reference §4. Katib works on the template *text*: the JSON serialisation of `trialSpec` (Go's
encoding/json: sorted keys, no spaces, `<`, `>` and `&` escaped) or the raw ConfigMap value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from compiler.admission.textmatch import meta_index, meta_reference  # linear, as Go's

PLACEHOLDER = "${{trialParameters.{}}}"
PLACEHOLDER_RE = re.compile(r"\$\{trialParameters\..+?\}")
META_RE = re.compile(r"\$\{trialSpec\.(.+?)\}")
META_INDEX_RE = re.compile(r"(.+)\[(.+)]")
META_KEYS = ("Name", "Namespace", "Kind", "APIVersion", "Annotations", "Labels")
TEST_VALUE = "test-value"

_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_GO_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def go_numbers(value: Any) -> Any:
    """Go prints an integral float64 without a fraction (`1.0` → `1`), so that is how such a
    number reads back: in a template's JSON text, and in a request kubectl sent as JSON.
    Never mutates `value`; returns it as it is when it holds no such number (most data), so
    that the common case copies nothing."""
    return _go_numbers(value) if _has_integral_float(value) else value


def _go_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    return value


def _has_integral_float(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is dict:
            children: Any = v.values()
        elif kind is list:
            children = v
        elif kind is float:
            if v.is_integer() and abs(v) < 1e21:
                return True
            continue
        elif kind not in _LEAVES and isinstance(v, dict | list | float):
            return True  # a subclass: take the general path
        else:
            continue
        for c in children:  # the leaves (most values) without a trip through the stack
            if type(c) not in _LEAVES:
                stack.append(c)
    return False


_LEAVES = frozenset({str, int, bool, type(None)})


def go_json(value: Any) -> str:
    """The text Go's `json.Marshal` gives for an unstructured object."""
    text = _SORTED_ENCODER.encode(go_numbers(value))
    return _GO_ESCAPE_RE.sub(lambda m: _GO_ESCAPES[m.group(0)], text)


# what json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds
_SORTED_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def placeholder(name: str) -> str:
    return PLACEHOLDER.format(name)


def meta_key(reference: str) -> tuple[str, str] | None:
    """(key, index) when `reference` is a trial-metadata reference such as `${trialSpec.Name}`
    or `${trialSpec.Labels[app]}`; None otherwise (the validator's isMetaKey, §4.2)."""
    key = meta_reference(reference)  # META_RE's group
    if key is None:
        return None
    if key in META_KEYS:
        return key, ""
    sub = meta_index(key)  # META_INDEX_RE's groups
    if sub and sub[0] in META_KEYS:
        return sub
    return None


def is_meta_key(reference: str) -> bool:
    return meta_key(reference) is not None
