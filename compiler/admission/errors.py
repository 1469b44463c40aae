"""A Katib field error: what Go's `field.Error` carries, plus our stable code and a fix."""

from __future__ import annotations

from dataclasses import dataclass

INVALID = "Invalid"
REQUIRED = "Required"
FORBIDDEN = "Forbidden"
BAD_REQUEST = "BadRequest"  # the webhook could not decode the request (HTTP 400)


@dataclass(frozen=True)
class FieldError:
    """`field` is Katib's path (`spec.parameters[1].feasibleSpace.max`), `type` Katib's error type,
    `detail` Katib's own words, `fix` how to put it right."""

    code: str
    field: str
    type: str
    detail: str
    fix: str = ""

    @property
    def message(self) -> str:
        """What is wrong, in Katib's words, then how to fix it."""
        if not self.fix:
            return self.detail
        fix = self.fix[0].upper() + self.fix[1:]
        return f"{self.detail}. {fix}" + ("" if fix.endswith((".", "?")) else ".")
