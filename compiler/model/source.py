"""Where a value came from: a file, a line and a column (both 1-based, as editors show them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A path into a parsed document: mapping keys and list indexes, e.g. ("spec", "parameters", 1).
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


def katib_path(path: Path) -> str:
    """Render a document path the way Go's `field.Path` prints it: `spec.parameters[1].name`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Document:
    """One parsed YAML document: plain data plus the location of every value and key."""

    data: Any
    file: str
    index: int = 0
    values: dict[Path, Location] = field(default_factory=dict, repr=False, compare=False)
    keys: dict[Path, Location] = field(default_factory=dict, repr=False, compare=False)
    # the source text of each plain scalar read as a boolean (`y`, `on`, `True`): for hints
    booleans: dict[Path, str] = field(default_factory=dict, repr=False, compare=False)

    def where(self, path: Path, *, key: bool = False) -> Location:
        """The location of `path`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            found = table.get(probe) or self.values.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
        return self.values.get((), Location(self.file))
