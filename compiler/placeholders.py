"""`${name}` in a spec's trial: which search parameter, NAS output or trial-metadata field a
placeholder stands for, and its rewrite into Katib's `${trialParameters.<name>}` (reference §4).

`$${...}` is the escape for a literal `${...}` (a shell variable, say).
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"\$(\$?)\{([^{}]*)\}")

# `${trial.name}` (our spelling) or `${trialSpec.Name}` (Katib's reference spelling)
_META = {
    "trial.name": "${trialSpec.Name}",
    "trial.namespace": "${trialSpec.Namespace}",
    "trial.kind": "${trialSpec.Kind}",
    "trial.apiVersion": "${trialSpec.APIVersion}",
}
_META_INDEXED = re.compile(r"trial\.(labels|annotations)\[(.+)\]")
_KATIB_META = re.compile(
    r"trialSpec\.(Name|Namespace|Kind|APIVersion|(?:Labels|Annotations)\[.+\])"
)


def meta_reference(token: str) -> str | None:
    if token in _META:
        return _META[token]
    m = _META_INDEXED.fullmatch(token)
    if m:
        return f"${{trialSpec.{m.group(1).capitalize()}[{m.group(2)}]}}"
    if _KATIB_META.fullmatch(token):
        return f"${{{token}}}"
    return None


def meta_name(reference: str) -> str:
    """A trialParameter name for a metadata reference: `${trialSpec.Labels[app]}` gives
    `trialLabels-app`."""
    inner = reference[len("${trialSpec.") : -1]
    return "trial" + re.sub(r"[^A-Za-z0-9]+", "-", inner).strip("-")


def tokens(text: str) -> list[str]:
    """The `${...}` uses in a string, escapes excluded."""
    return [m.group(2) for m in TOKEN.finditer(text) if not m.group(1)]


def rewrite(text: str, names: dict[str, str]) -> str:
    """Replace each known `${token}` with Katib's placeholder; unescape `$${`."""

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return "${" + m.group(2) + "}"
        name = names.get(m.group(2))
        return f"${{trialParameters.{name}}}" if name is not None else m.group(0)

    return TOKEN.sub(one, text)
