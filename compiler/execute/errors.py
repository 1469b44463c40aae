"""Why a local run cannot start or go on. Both are "cannot continue" errors, not diagnostics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.errors import KatibGitopsError
from compiler.model.source import Location, Path

if TYPE_CHECKING:
    from compiler.model.katib import Experiment


class LocalUnsupported(KatibGitopsError):
    """The experiment uses something the local backend cannot run; raised before any trial.
    `path`: the Katib field it is about, if one; `where` is set by the command, which knows the
    spec (so that the message points into it)."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", path: Path = ()) -> None:
        super().__init__(message)
        self.hint = hint
        self.path = path
        self.where: Location | None = None

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.where}: {text}" if self.where else text


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

    @classmethod
    def stuck(cls, exp: Experiment) -> SuggestionError:
        """No trial suggested and none running."""
        name = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
        return cls(
            f"{name} suggested no more trials and none is running: in a cluster the experiment "
            "would stay Running with no new trials",
            "set trials.max to at most what the algorithm can produce",
        )
