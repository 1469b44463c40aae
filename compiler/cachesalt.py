"""A secret of this user's that every key of the caches in `.state/` is hashed with.

`.state/` sits inside the repository, and a repository is untrusted input: a pull request can
commit `.state/policy-cache.json` with forged findings, or a forged compile-cache entry, and
CI would read them as its own. Keyed with a secret that no repository holds, such an entry is
never a hit. The secret lives outside the repository, in `$XDG_CACHE_HOME/katib-gitops/`
(default `~/.cache/katib-gitops/`), made on first use, readable by this user only. Where that
folder cannot be written, the process makes a secret of its own, and the caches then serve
that run only.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

FILE = "cache-salt"


@functools.cache
def salt() -> str:
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except (RuntimeError, KeyError):  # no home folder to be found
        return secrets.token_hex(32)
    return _read_or_make(base / "katib-gitops" / FILE)


def _read_or_make(path: Path) -> str:
    found = _read(path)
    if found is not None:
        return found
    fresh = secrets.token_hex(32)
    tmp = path.with_name(f".{FILE}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(fresh + "\n")
        try:
            os.link(tmp, path)  # the first writer wins; a racing one reads the winner's
        finally:
            tmp.unlink()
    except FileExistsError:
        pass
    except OSError:
        return fresh
    return _read(path) or fresh


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        return None
    return text if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else None
