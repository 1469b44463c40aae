"""Expected problems as data. Every stage collects them and reports them in one pass."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from compiler.model.source import Location


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Diagnostic(BaseModel):
    """One finding.

    `code` is stable and documented (`KATIB-V28`, `KATIB-R…`, `YAML-…`). For Katib admission
    rules, `field` is Katib's own field path and `type` is Katib's error type (Invalid, Required,
    Forbidden, or BadRequest for a request the webhook cannot decode).
    """

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    severity: Severity = Severity.ERROR
    where: Location | None = None
    hint: str = ""
    field: str = ""
    type: str = ""

    def render(self) -> str:
        """`path:line:col: CODE message`, then the field path and the hint on their own lines."""
        head = f"{self.where}: " if self.where else ""
        text = f"{head}{self.severity.value}: {self.code} {self.message}"
        if self.field:
            text += f"\n    field: {self.field}" + (f" ({self.type})" if self.type else "")
        if self.hint and self.hint not in self.message:
            text += f"\n    hint: {self.hint}"
        return text
