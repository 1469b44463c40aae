"""The DSL's data: a `Part` (what a helper returns: a dict that remembers where each of its
values was written), one `Declared` experiment, `SpecError`, and the copy of an experiment in
JSON's own types."""

from __future__ import annotations

import math

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from typing import Any

    Scalar = str | int | float | bool

Path = tuple[str | int, ...]
Position = tuple[int, int]  # (line, column), both 1-based; 0 means unknown

MAX_DEPTH = 64
MAX_INT_BITS = 1024  # a float64's range


class SpecError(ValueError):
    """The spec asked for something the format cannot hold (a value JSON cannot carry, too many
    experiments). `position` is where, when the DSL knows it better than the traceback."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.position = position


class Part(dict[str, "Any"]):
    """A piece of a spec built by a helper: an ordinary dict that also remembers where each of
    its values was written (paths relative to the piece)."""

    __slots__ = ("keys_at", "values_at")

    def __init__(self, at: Position) -> None:
        super().__init__()
        self.values_at: dict[Path, Position] = {(): at}
        self.keys_at: dict[Path, Position] = {}


class Declared:
    """One `experiment(...)` call: its data (plain JSON types) and where each value was written."""

    __slots__ = ("data", "file", "keys", "values")

    def __init__(
        self,
        data: dict[str, Any],
        file: str,
        values: dict[Path, Position],
        keys: dict[Path, Position],
    ) -> None:
        self.data = data
        self.file = file
        self.values = values
        self.keys = keys

    def to_json(self) -> dict[str, Any]:
        """The wire form the loader reads back: paths as lists, positions as [line, column]."""
        return {
            "data": self.data,
            "values": [[list(p), line, col] for p, (line, col) in self.values.items()],
            "keys": [[list(p), line, col] for p, (line, col) in self.keys.items()],
        }


# ---------------------------------------------------------------- plain JSON data


def _plain(value: Any, path: Path, where: dict[Path, Position], depth: int) -> Any:
    """A deep copy in JSON's own types (what a YAML spec can hold), or a located SpecError."""
    if depth > MAX_DEPTH:
        raise SpecError(
            f"the data is nested more than {MAX_DEPTH} levels deep (does it contain itself?)",
            _nearest(where, path),
        )
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:  # JSON (and str()) of it can fail in Python
            raise SpecError(
                f"{_at(path)}: an integer of {value.bit_length()} bits cannot be written in a "
                "spec (a YAML reader takes a numeral past a float64's range for text)",
                _nearest(where, path),
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(
                f"{_at(path)}: {value} cannot be written in a spec", _nearest(where, path)
            )
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            if not isinstance(key, str):
                raise SpecError(
                    f"{_at(path)}: keys must be strings, not {type(key).__name__} {key!r}",
                    _nearest(where, path),
                )
            out[key] = _plain(sub, (*path, key), where, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_plain(sub, (*path, i), where, depth + 1) for i, sub in enumerate(value)]
    raise SpecError(
        f"{_at(path)}: a value of type {type(value).__name__} cannot be written in a spec "
        "(use str, int, float, bool, None, lists and dicts)",
        _nearest(where, path),
    )


def _at(path: Path) -> str:
    return ".".join(str(p) for p in path) or "the experiment"


def _nearest(where: dict[Path, Position], path: Path) -> Position | None:
    probe = path
    while probe not in where and probe:
        probe = probe[:-1]
    return where.get(probe)
