"""Expected problems as data. Every stage collects them and reports them in one pass."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from compiler.model.source import Location


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding.

    `code` is stable and documented (`KATIB-V28`, `KATIB-R…`, `YAML-…`). For Katib admission
    rules, `field` is Katib's own field path and `type` is Katib's error type (Invalid, Required,
    Forbidden, or BadRequest for a request the webhook cannot decode).
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    where: Location | None = None
    hint: str = ""
    field: str = ""
    type: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.severity, Severity):  # "warning" from a rule's settings
            object.__setattr__(self, "severity", Severity(self.severity))

    def model_copy(self, *, update: dict[str, Any]) -> Diagnostic:
        """A copy with some fields changed (the same spelling as the pydantic models')."""
        return replace(self, **update)

    def render(self) -> str:
        """`path:line:col: CODE message`, then the field path and the hint on their own lines."""
        head = f"{self.where}: " if self.where else ""
        text = f"{head}{self.severity.value}: {self.code} {self.message}"
        if self.field:
            text += f"\n    field: {self.field}" + (f" ({self.type})" if self.type else "")
        if self.hint and self.hint not in self.message:
            text += f"\n    hint: {self.hint}"
        return text
