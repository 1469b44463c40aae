"""Where a helper was called: the user's file, line and column, and the call's syntax node.

A helper finds its caller by walking the stack past the frames of this package (any module of
it, so helpers may call each other), and the call's position from the frame's bytecode offset
(Python 3.11's `co_positions`). The file's syntax tree then gives the node of each argument, so
that every value is located where it was written, not only the call.
"""

from __future__ import annotations

import ast
import sys

from compiler.dsl._parts import SpecError

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from types import CodeType, FrameType

    from compiler.dsl._parts import Part, Path, Position

# this package's folder, separator included: frames of any file in it are the DSL's own
_PACKAGE = __file__[: __file__.rindex("_sites")]
_spec_file: str | None = None
_sources: dict[str, _Source] = {}


def _prepare(file: str, source: bytes) -> None:
    """Called by the sandbox before it runs a spec: the spec's file, whose frames are the
    caller's even when the spec calls a helper through a function of its own, and its source
    (so the DSL never needs to read files)."""
    global _spec_file  # noqa: PLW0603 - one spec per process
    _spec_file = file
    _sources[file] = _Source(source)


def _here(depth: int = 1) -> CodeType:
    """The code of the helper calling (its argument names; a helper's own name may be shadowed
    by one of its arguments, as `job(job=...)`)."""
    return sys._getframe(depth).f_code


class _Source:
    """A file's lines (to turn byte offsets into columns) and its calls by position."""

    __slots__ = ("calls", "lines")

    def __init__(self, source: bytes) -> None:
        self.lines = source.splitlines()
        self.calls: dict[tuple[int, int], ast.Call] = {}
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        for node in ast.walk(tree):  # breadth first: an outer call wins, as in `f(x)(y)`
            if isinstance(node, ast.Call):
                self.calls.setdefault((node.lineno, node.col_offset), node)


def _source(file: str) -> _Source | None:
    if file not in _sources:
        try:
            with open(file, "rb") as handle:  # noqa: PTH123 - pathlib is not imported here
                _sources[file] = _Source(handle.read())
        except (OSError, ValueError):
            return None
    return _sources[file]


def _column(source: _Source | None, line: int, offset: int | None) -> int:
    """A 1-based character column from a 0-based UTF-8 byte offset (0 when unknown)."""
    if offset is None or offset < 0:
        return 0
    if source is None or not 0 < line <= len(source.lines):
        return offset + 1
    return len(source.lines[line - 1][:offset].decode("utf-8", "replace")) + 1


class _Site:
    """Where a helper was called: the file, the position, and the call's syntax node."""

    __slots__ = ("call", "file", "position", "source")

    def __init__(
        self, file: str, position: Position, call: ast.Call | None, source: _Source | None
    ) -> None:
        self.file = file
        self.position = position
        self.call = call
        self.source = source

    def at(self, node: ast.AST) -> Position:
        line = getattr(node, "lineno", 0)
        return (line, _column(self.source, line, getattr(node, "col_offset", None)))

    def record_key(self, part: Part, path: Path, node: ast.AST | None) -> None:
        if node is not None:
            part.keys_at[path] = self.at(node)

    def positional(self) -> list[ast.expr]:
        """The positional argument nodes, up to the first `*spread`."""
        if self.call is None:
            return []
        out: list[ast.expr] = []
        for arg in self.call.args:
            if isinstance(arg, ast.Starred):
                break
            out.append(arg)
        return out

    def keyword(self, name: str) -> ast.expr | None:
        found = self.keyword_itself(name)
        return found.value if found is not None else None

    def keyword_itself(self, name: str) -> ast.keyword | None:
        if self.call is None:
            return None
        return next((kw for kw in self.call.keywords if kw.arg == name), None)


def _site() -> _Site:
    """The innermost caller outside this package; in a sandboxed spec, the innermost frame of
    the spec file itself (a helper may be called through the spec's own functions)."""
    frame = _caller()
    code = frame.f_code
    line, col = frame.f_lineno, None
    position = _instruction_position(frame)
    if position is not None:
        line, col = position
    source = _source(code.co_filename)
    call = source.calls.get((line, col)) if source is not None and col is not None else None
    return _Site(code.co_filename, (line, _column(source, line, col)), call, source)


def _caller() -> FrameType:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:  # pragma: no cover - a helper is always called from somewhere
        raise SpecError("the DSL was called from nowhere")
    if _spec_file is not None:
        probe: FrameType | None = frame
        while probe is not None and probe.f_code.co_filename != _spec_file:
            probe = probe.f_back
        return probe or frame
    return frame


def _instruction_position(frame: FrameType) -> tuple[int, int] | None:
    """The start (line, byte offset) of the call being executed in `frame` (Python 3.11's
    `co_positions`: one entry per 2-byte code unit)."""
    index = frame.f_lasti // 2
    for i, entry in enumerate(frame.f_code.co_positions()):
        if i == index:
            line, _, col, _ = entry
            return (line, col) if line is not None and col is not None else None
    return None
