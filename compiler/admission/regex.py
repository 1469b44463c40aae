"""Go regular expressions (RE2 syntax), as Katib's collectors compile them.

Python's `re` accepts things Go rejects (look-arounds, back-references) and rejects things Go
accepts (`\\pL`, `[[:alpha:]]`, `\\z`), so filters are checked and matched with RE2 itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from compiler.admission.goregex import go_only_problem

_GO_ONLY_REJECTS = re.compile(r"(?<!\\)(?:\\\\)*\\C")  # RE2 allows \C (any byte); Go does not


_LARGE = "pattern too large"  # RE2 parsed it, but its program is over the memory budget
_BIG_BUDGET = 1 << 30  # Go accepts programs of up to 128 MB of its instructions


def _re2(pattern: str, max_mem: int | None = None) -> tuple[Any, str]:
    import re2  # imported lazily: only specs with filters pay for it

    options = re2.Options()
    options.log_errors = False
    if max_mem is not None:
        options.max_mem = max_mem
    try:
        return re2.compile(pattern, options), ""
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return None, reason


@lru_cache(maxsize=256)
def re2_error(pattern: str) -> str | None:
    """Go's error for a filter (V-49), or None: RE2's syntax, then Go's own limits."""
    if _GO_ONLY_REJECTS.search(pattern):
        return f"error parsing regexp: invalid escape sequence: `\\C` in {pattern!r}"
    _, reason = _re2(pattern)
    if reason and _LARGE not in reason:
        return f"error parsing regexp: {reason}"
    problem = go_only_problem(pattern)
    return f"error parsing regexp: {problem}" if problem else None


@lru_cache(maxsize=256)
def compile_go(pattern: str) -> Any:
    """Compile with RE2; raise ValueError with Go-like wording when Go would refuse it."""
    problem = re2_error(pattern)
    if problem:
        raise ValueError(problem)
    compiled, reason = _re2(pattern)
    if compiled is None:  # valid for Go, only big: give RE2 the memory Go would use
        compiled, reason = _re2(pattern, _BIG_BUDGET)
    if compiled is None:
        raise ValueError(f"error parsing regexp: {reason}")
    return compiled


def has_two_groups(text: str) -> bool:
    """Go's `regexp.MatchString(".*\\(.*\\).*\\(.*\\).*", text)`, Katib's check that a filter
    has two groups, in linear time (as Go's matcher runs): some line holds `(`, `)`, `(`, `)` in
    this order (`.` matches anything but a newline). Python's backtracking `re` takes cubic
    time on a long line without them."""
    for line in text.split("\n"):
        at = 0
        for c in "()()":
            at = line.find(c, at)
            if at < 0:
                break
            at += 1
        else:
            return True
    return False
