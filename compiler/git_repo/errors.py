"""The one error of the git room, and the redaction every message goes through."""

from __future__ import annotations

import re

from compiler.errors import KatibGitopsError

# The userinfo of a URL (`https://user:token@host/x`): whatever precedes the last "@" before the
# host's first "/", so an unencoded "@" in a token is covered too.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s]+@")


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by `***`."""
    return _USERINFO.sub(r"\1***@", text)


class GitError(KatibGitopsError):
    """Git cannot do what was asked. `retryable` says whether the next pass may succeed on its
    own (a network failure, a busy repository) or a human must act (dirty, diverged, refused)."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", *, retryable: bool = False) -> None:
        super().__init__(redact(message))
        self.hint = redact(hint)
        self.retryable = retryable


def tail(stderr: str, lines: int = 4) -> str:
    """The last lines of git's stderr: where git says what went wrong."""
    kept = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return "; ".join(kept[-lines:]) or "no message"
