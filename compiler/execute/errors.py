"""Why a local run cannot start or go on. Both are "cannot continue" errors, not diagnostics."""

from __future__ import annotations

from compiler.errors import KatibGitopsError


class LocalUnsupported(KatibGitopsError):
    """The experiment uses something the local backend cannot run; raised before any trial."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class StateError(KatibGitopsError):
    """The run's state folder cannot be used (corrupt journal, another revision, locked)."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class SuggestionError(KatibGitopsError):
    """The algorithm cannot go on; in a cluster the experiment would hang here (§3.4)."""

    exit_code = 3

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint
