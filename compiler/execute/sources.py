"""What every suggestion source sees and returns, and the seeds they share.

A source is asked for `count` new assignments given every trial so far, in creation order,
like Katib's GetSuggestions (reference §1.4, §6). Sources keep what they learn in two places the
journal records, so that a resumed run asks the same questions and gets the same answers:
`Suggestion.memo` (per trial, e.g. optuna's trial system attributes) and `state()` (per run,
e.g. hyperband's settings, which Katib itself writes back to `Suggestion.status`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class TrialView:
    index: int  # creation order, from 0
    name: str
    assignments: dict[str, str]
    state: str  # Katib's trial state (Pending, Running, Succeeded, Failed, ...)
    value: float | None  # the objective by its strategy, for Succeeded/EarlyStopped trials only
    memo: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state not in ("Pending", "Running")


@dataclass(frozen=True)
class Suggestion:
    assignments: dict[str, str]
    memo: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    name: str | None = None  # a name of the algorithm's own (PBT does this in Katib)


class Source(Protocol):
    notes: tuple[str, ...]

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        """Up to `count` new assignments; fewer (or none) when the algorithm must wait."""
        ...

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


def derive_seed(base: int | None, *parts: object) -> int | None:
    """A seed for one question, from the run's seed and where we are: the same history and the
    same seed give the same answer, before and after a resume."""
    if base is None:
        return None
    text = ":".join(str(p) for p in (base, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
