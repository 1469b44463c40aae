"""Katib's template regexes, matched in linear time as Go's regexp matches them (reference §4).

`\\$\\{trialParameters\\..+?\\}` and `\\$\\{trialSpec\\.(.+?)\\}` run through Python's backtracking
`re` rescan the rest of a line from every `${` that never closes: quadratic in a template of
unclosed fragments, hours for a megabyte of them. `(.+)\\[(.+)]` is worse. These loops give the
same matches (`.` is any character but a newline, as in Go and Python) with `str.find`.
"""

from __future__ import annotations

_PARAMETER = "${trialParameters."
_META = "${trialSpec."


def _closed(text: str, start: str, i: int) -> tuple[int, int, int] | None:
    """The first `start` + one or more non-newline characters + `}` at or after `i`: (where it
    starts, where its body starts, where its `}` is), or None."""
    while (at := text.find(start, i)) >= 0:
        body = at + len(start)
        newline = text.find("\n", body)
        end = len(text) if newline < 0 else newline
        if body < end:
            close = text.find("}", body + 1, end)  # `.+?`: at least one character first
            if close >= 0:
                return at, body, close
            i = end  # nothing closes on this line: no later start on it can close either
        else:
            i = at + 1
    return None


def find_placeholders(text: str) -> list[str]:
    """`PLACEHOLDER_RE.findall(text)`: every `${trialParameters.…}` left in a template."""
    out = []
    i = 0
    while (found := _closed(text, _PARAMETER, i)) is not None:
        at, _, close = found
        out.append(text[at : close + 1])
        i = close + 1
    return out


def meta_reference(reference: str) -> str | None:
    """`META_RE.search(reference).group(1)`: what `${trialSpec.…}` names, or None."""
    found = _closed(reference, _META, 0)
    return None if found is None else reference[found[1] : found[2]]


def meta_index(key: str) -> tuple[str, str] | None:
    """`META_INDEX_RE.search(key).groups()` for a key without newlines: (`Labels`, `app`) of
    `Labels[app]`; both greedy, so the last `[` that has a character and a `]` after it."""
    close = key.rfind("]")
    opening = key.rfind("[", 1, close - 1) if close >= 3 else -1
    if opening < 1:
        return None
    return key[:opening], key[opening + 1 : close]
