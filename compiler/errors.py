"""The small exception tree. Expected problems are data (`Diagnostic`); exceptions are for
"cannot continue".

    KatibGitopsError
    ├── InputError        unreadable or unusable input (exit 2); carries a location
    └── UsageError        bad command-line usage (exit 2)
"""

from __future__ import annotations

from compiler.model.source import Location


class KatibGitopsError(Exception):
    """Base of every error the CLI turns into a message instead of a traceback."""

    exit_code = 1


class InputError(KatibGitopsError):
    """Input that cannot be read or parsed: the file, the line and the column say where."""

    exit_code = 2

    def __init__(
        self, message: str, where: Location | None = None, hint: str = "", code: str = "INPUT"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.code} {self.message}"


class UsageError(KatibGitopsError):
    """The command line asks for something that cannot be done."""

    exit_code = 2
