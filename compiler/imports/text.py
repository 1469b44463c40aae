"""Katib's stored strings as a spec writes them: numbers where the compiler turns them back into
exactly the same text, and the trial template's `${trialParameters.x}` as the spec's `${name}`
(reference §4; `compiler.placeholders` is the other direction).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from compiler.placeholders import meta_name, meta_reference, rewrite, tokens
from compiler.values import scalar_text

KATIB_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
KATIB_PREFIX = "trialParameters."
_INT = re.compile(r"-?[1-9][0-9]*|0")
_FLOAT = re.compile(r"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?")
_INT64 = 2**63
# Katib's metadata references, and how a spec spells them (`${trial.name}`)
_META_SPELLING = {
    "Name": "trial.name",
    "Namespace": "trial.namespace",
    "Kind": "trial.kind",
    "APIVersion": "trial.apiVersion",
}
_META_INDEXED = re.compile(r"(Labels|Annotations)\[(.+)\]")


def typed(value: Any, booleans: bool = True) -> Any:
    """The scalar a spec writes for a stored string: an int, a float or (if `booleans`) a
    boolean when the compiler's `scalar_text` gives back exactly the same text, else the string
    itself."""
    if not isinstance(value, str):
        return value
    if _INT.fullmatch(value) and -_INT64 <= int(value) < _INT64:
        return int(value)
    if _FLOAT.fullmatch(value):
        number = float(value)
        if math.isfinite(number) and scalar_text(number) == value:
            return number
    if booleans and value in ("true", "false"):
        return value == "true"
    return value


def token_for(reference: str, params: Sequence[str], outputs: Sequence[str]) -> str | None:
    """The `${token}` a spec writes for a trialParameter's reference, if there is one."""
    if reference in params or reference in outputs:
        return reference if _resolves(reference, reference, params, outputs) else None
    for token in _meta_tokens(reference):
        if _resolves(token, reference, params, outputs):
            return token
    return None


def _meta_tokens(reference: str) -> list[str]:
    if not (reference.startswith("${trialSpec.") and reference.endswith("}")):
        return []
    inner = reference[len("${trialSpec.") : -1]
    ours = _META_SPELLING.get(inner)
    m = _META_INDEXED.fullmatch(inner)
    if m:
        ours = f"trial.{m.group(1).lower()}[{m.group(2)}]"
    return [t for t in (ours, f"trialSpec.{inner}") if t]


def _resolves(token: str, reference: str, params: Sequence[str], outputs: Sequence[str]) -> bool:
    """The compiler reads `${token}` back as this reference (`trialtemplate._trial_parameters`)."""
    if tokens("${" + token + "}") != [token] or token.startswith(KATIB_PREFIX):
        return False
    if token in params or token in outputs:
        return token == reference
    return meta_reference(token) == reference


def derived_name(reference: str, params: Sequence[str], outputs: Sequence[str]) -> str:
    """The trialParameter name the compiler derives for a reference."""
    return reference if reference in params or reference in outputs else meta_name(reference)


def spec_text(text: str, names: Mapping[str, str]) -> str:
    """A trial-template string as a spec writes it. `names` maps a trialParameter name to its
    `${token}`; every other `${...}` is escaped as `$${...}` or kept as Katib's placeholder, so
    that the compiler's `rewrite` gives back `text` exactly."""
    out: list[str] = []
    pos = 0
    for m in KATIB_PLACEHOLDER.finditer(text):
        out.append(text[pos : m.start()])
        inner = m.group(1)
        after_dollar = m.start() > 0 and text[m.start() - 1] == "$"  # `$${` is the escape
        name = inner[len(KATIB_PREFIX) :] if inner.startswith(KATIB_PREFIX) else None
        if name is not None and not after_dollar:
            token = names.get(name)
            out.append("${" + token + "}" if token is not None else m.group(0))
        else:
            out.append("$" + m.group(0))
        pos = m.end()
    out.append(text[pos:])
    converted = "".join(out)
    inverse = {token: name for name, token in names.items()}
    if rewrite(converted, inverse) == text:
        return converted
    return KATIB_PLACEHOLDER.sub(lambda m: "$" + m.group(0), text)  # every `${` escaped


def spec_strings(node: Any, names: Mapping[str, str]) -> Any:
    """`spec_text` on every string value of a trialSpec (keys are kept as they are: the compiler
    rewrites values only)."""
    if isinstance(node, str):
        return spec_text(node, names)
    if isinstance(node, dict):
        return {k: spec_strings(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [spec_strings(v, names) for v in node]
    return node
