"""What the emulators return: plain data, so callers can turn it into diagnostics.

A path is a tuple of JSON keys and list indices, e.g. `("spec", "parameters", 0, "min")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    """`spec.containers[0].name`: the spelling Kubernetes uses in field errors."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True, slots=True)
class GoError:
    """One error Go's decoder would raise, with where it happened.

    `message` is Go's own text. `fatal` marks errors that stop Go's decoder at once (errors
    from custom unmarshalers such as Quantity's, and every unstructured-converter error);
    encoding/json otherwise records the first type error and keeps decoding.
    """

    path: Path
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        where = dotted(self.path)
        return f"{where}: {self.message}" if where else self.message


@dataclass(slots=True)
class Result:
    """A decode-then-marshal round trip.

    `value` is what `json.Marshal` of the Go value prints, as plain Python data. After an
    error it is a best-effort value: the emulator keeps decoding to report more problems,
    where Go's converter would have stopped.
    """

    value: Any
    errors: list[GoError] = field(default_factory=list)
    unknown: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when Go's decoder would return no error."""
        return not self.errors

    @property
    def error(self) -> GoError | None:
        """The error Go returns: the first fatal one, else the first recorded one."""
        for err in self.errors:
            if err.fatal:
                return err
        return self.errors[0] if self.errors else None


@dataclass(frozen=True, slots=True)
class PatchOp:
    """One JSON-patch operation as mattbaird/jsonpatch builds it (numbers are float64)."""

    op: str
    path: str
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        """The operation as mattbaird's MarshalJSON prints it (value kept for add/replace)."""
        out: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.value is not None or self.op in ("add", "replace"):
            out["value"] = self.value
        return out


@dataclass(frozen=True, slots=True)
class Issue:
    """A schema problem in a rendered manifest, for humans: where, what, and a hint."""

    path: Path
    code: str  # "unknown-field" | "type-mismatch" | "invalid-value"
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{dotted(self.path) or '<root>'}: {self.message}{hint}"
