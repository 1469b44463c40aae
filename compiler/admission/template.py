"""The trial template as Katib sees it: its text, its placeholders and its meta references.

Reference §4. Katib works on the template *text*: the JSON serialisation of `trialSpec` (Go's
encoding/json: sorted keys, no spaces, `<`, `>` and `&` escaped) or the raw ConfigMap value.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
    number reads back: in a template's JSON text, and in a request kubectl sent as JSON."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [go_numbers(v) for v in value]
    return value


def go_json(value: Any) -> str:
    """The text Go's `json.Marshal` gives for an unstructured object."""
    text = json.dumps(go_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _GO_ESCAPE_RE.sub(lambda m: _GO_ESCAPES[m.group(0)], text)


def placeholder(name: str) -> str:
    return PLACEHOLDER.format(name)


def meta_key(reference: str) -> tuple[str, str] | None:
    """(key, index) when `reference` is a trial-metadata reference such as `${trialSpec.Name}`
    or `${trialSpec.Labels[app]}`; None otherwise (the validator's isMetaKey, §4.2)."""
    match = META_RE.search(reference)
    if not match:
        return None
    key = match.group(1)
    if key in META_KEYS:
        return key, ""
    sub = META_INDEX_RE.search(key)
    if sub and sub.group(1) in META_KEYS:
        return sub.group(1), sub.group(2)
    return None


def is_meta_key(reference: str) -> bool:
    return meta_key(reference) is not None
