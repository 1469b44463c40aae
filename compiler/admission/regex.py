"""Go regular expressions (RE2 syntax), as Katib's collectors compile them.

Python's `re` accepts things Go rejects (look-arounds, back-references) and rejects things Go
accepts (`\\pL`, `[[:alpha:]]`, `\\z`), so filters are checked and matched with RE2 itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_GO_ONLY_REJECTS = re.compile(r"(?<!\\)(?:\\\\)*\\C")  # RE2 allows \C (any byte); Go does not


@lru_cache(maxsize=256)
def compile_go(pattern: str) -> Any:
    """Compile with RE2; raise ValueError with Go-like wording when Go would refuse it."""
    import re2  # imported lazily: only specs with filters pay for it

    if _GO_ONLY_REJECTS.search(pattern):
        raise ValueError(f"error parsing regexp: invalid escape sequence: `\\C` in {pattern!r}")
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"error parsing regexp: {reason}") from None


def re2_error(pattern: str) -> str | None:
    try:
        compile_go(pattern)
    except ValueError as exc:
        return str(exc)
    return None
