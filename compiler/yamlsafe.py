"""Safe YAML parsing with a source location for every value (pure: text in, data out;
reading files is the loader's job, see `compiler.load`).

Built on libyaml's event parser (the C loader) and an iterative builder, so that hostile input is
refused early and cheaply:
- size is checked before anything is read, depth and node count while parsing (libyaml slows down
  badly on deep nesting, so the parse stops as soon as a limit is crossed);
- anchors, aliases and merge keys are refused (Kubernetes manifests are JSON; aliases are how
  "billion laughs" bombs work);
- duplicate keys are refused (kubectl keeps the last one silently);
- only the core schema's tags are accepted, never `!!python/...` or custom tags;
- `.nan` and `.inf` are refused because JSON, and so the Kubernetes API, cannot carry them.
Every problem becomes an `InputError` with `file:line:col`.
"""

from __future__ import annotations

import base64
import copy
import math
from dataclasses import dataclass
from typing import Any

import yaml

from compiler import goyaml
from compiler.errors import InputError
from compiler.model.source import Document, Location, Path
from compiler.yamlcompose import compose_documents

_CLoader: Any = getattr(yaml, "CSafeLoader", None)
if _CLoader is None:  # pragma: no cover - PyYAML without libyaml
    raise ImportError("PyYAML was built without libyaml; install a PyYAML wheel with the C loader")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 8 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 500_000
    max_documents: int = 1_000


DEFAULT_LIMITS = Limits()

_TAG = "tag:yaml.org,2002:"
_HINT_JSON = "Kubernetes manifests are JSON documents; write the value out in full"


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def too_big(name: str, size: int, limits: Limits) -> InputError:
    return InputError(
        f"file is {size} bytes, over the limit of {limits.max_bytes} bytes",
        Location(name),
        "split the file, or raise the limit if this is really one manifest",
        code="YAML-SIZE",
    )


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 only (with or without a BOM); a bad byte is reported at its line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            Location(file, line, column),
            "save the file as UTF-8 text; binary files cannot be specs or manifests",
            code="YAML-ENCODING",
        ) from exc
    return text


def parse_documents(
    text: str, file: str, limits: Limits = DEFAULT_LIMITS, *, go_keys: bool = False
) -> list[Document]:
    """Parse every document of a YAML stream. With `go_keys`, plain keys are read as kubectl
    reads them (sigs.k8s.io/yaml): `on:` is the key "true", `0x10:` is "16"; without it a key
    keeps its source text, which suits specs written for people."""
    if len(text.encode("utf-8")) > limits.max_bytes:
        raise too_big(file, len(text.encode("utf-8")), limits)
    fast = compose_documents(
        text,
        file,
        max_depth=limits.max_depth,
        max_nodes=limits.max_nodes,
        max_documents=limits.max_documents,
        go_keys=go_keys,
    )
    if fast is not None:  # most specs: libyaml's composer, no Python call per event
        return fast
    builder = _Builder(file, limits, go_keys=go_keys)
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(file, mark) if mark is not None else Location(file)
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise InputError(problem, where, _syntax_hint(text, where), code="YAML-SYNTAX") from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry a position
        position = getattr(exc, "position", None)
        where = _position(text, position, file) if position is not None else Location(file)
        reason = getattr(exc, "reason", None) or str(exc)
        raise InputError(reason, where, code="YAML-SYNTAX") from None
    return builder.documents


def _syntax_hint(text: str, where: Location) -> str:
    lines = text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    if "${" in line and ("[" in line or "{" in line):
        return 'inside [...] or {...}, quote values that contain ${...}: "--lr=${lr}"'
    return ""


def _position(text: str, offset: int, file: str) -> Location:
    before = text[:offset]
    return Location(file, before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


class _Frame:
    __slots__ = ("container", "key", "key_loc", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None
        self.key_loc: Location | None = None


class _Builder:
    """Turns parser events into plain data, recording where each value and key starts."""

    def __init__(self, file: str, limits: Limits, *, go_keys: bool = False) -> None:
        self.file = file
        self.limits = limits
        self.go_keys = go_keys
        self.documents: list[Document] = []
        self.stack: list[_Frame] = []
        self.nodes = 0
        self.root: Any = None
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}
        self.booleans: dict[Path, str] = {}

    def fail(self, code: str, message: str, mark: Any, hint: str = "") -> InputError:
        return InputError(message, _loc(self.file, mark), hint, code)

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self._node(event)
            value = self._scalar(event)
            frame = self.stack[-1] if self.stack else None
            is_key = frame is not None and isinstance(frame.container, dict) and frame.key is None
            path = self._place(value, event)
            if isinstance(value, bool) and not is_key:
                self.booleans[path] = event.value  # `y` and `on` surprise people: hints name them
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._node(event)
            self._start(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            raise self.fail(
                "YAML-ALIAS", f"alias *{event.anchor} is not allowed", event.start_mark, _HINT_JSON
            )
        elif isinstance(event, yaml.DocumentStartEvent):
            if len(self.documents) >= self.limits.max_documents:
                raise self.fail(
                    "YAML-LIMIT",
                    f"more than {self.limits.max_documents} documents",
                    event.start_mark,
                )
            self.root, self.values, self.keys, self.booleans = None, {}, {}, {}
        elif isinstance(event, yaml.DocumentEndEvent):
            self.documents.append(
                Document(
                    self.root, self.file, len(self.documents), self.values, self.keys, self.booleans
                )
            )

    def _node(self, event: Any) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise self.fail(
                "YAML-LIMIT", f"more than {self.limits.max_nodes} values", event.start_mark
            )
        if event.anchor is not None:
            raise self.fail(
                "YAML-ALIAS", f"anchor &{event.anchor} is not allowed", event.start_mark, _HINT_JSON
            )

    def _start(self, event: Any) -> None:
        is_map = isinstance(event, yaml.MappingStartEvent)
        kind = "map" if is_map else "seq"
        if event.tag not in (None, "!", _TAG + kind):
            raise self.fail("YAML-TAG", f"tag {event.tag} is not allowed", event.start_mark)
        if len(self.stack) >= self.limits.max_depth:
            raise self.fail(
                "YAML-LIMIT",
                f"nesting deeper than {self.limits.max_depth} levels",
                event.start_mark,
            )
        container: dict[str, Any] | list[Any] = {} if is_map else []
        path = self._place(container, event)
        self.stack.append(_Frame(container, path))

    def _place(self, value: Any, event: Any) -> Path:
        """Put a finished value into its parent; return its path."""
        if not self.stack:
            self.root = "<<" if isinstance(value, goyaml.Merge) else value
            self.values[()] = _loc(self.file, event.start_mark)
            return ()
        frame = self.stack[-1]
        if isinstance(value, goyaml.Merge) and (
            isinstance(frame.container, list) or frame.key is not None
        ):
            value = "<<"  # only a key `<<` merges; as a value it is plain text
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
        elif frame.key is None:
            frame.key, frame.key_loc = (
                self._key(value, event, frame),
                _loc(self.file, event.start_mark),
            )
            return frame.path
        else:
            path = (*frame.path, frame.key)
            frame.container[frame.key] = value
            assert frame.key_loc is not None
            self.keys[path] = frame.key_loc
            frame.key = None
        self.values[path] = _loc(self.file, event.start_mark)
        return path

    def _key(self, value: Any, event: Any, frame: _Frame) -> str:
        if not isinstance(event, yaml.ScalarEvent):
            raise self.fail("YAML-KEY", "a mapping key must be a plain value", event.start_mark)
        key = event.value  # keys keep their source text: `yes:` is the key "yes", not True
        if isinstance(value, goyaml.Merge):
            raise self.fail(
                "YAML-MERGE", "merge keys (<<) are not allowed", event.start_mark, _HINT_JSON
            )
        if self.go_keys:
            try:
                key = goyaml.json_key(value)
            except ValueError as exc:
                raise self.fail("YAML-KEY", str(exc), event.start_mark) from None
        assert isinstance(frame.container, dict)
        if key in frame.container or key == frame.key:
            first = self.keys.get((*frame.path, key))
            where = f" (first at line {first.line})" if first else ""
            raise self.fail(
                "YAML-DUPLICATE",
                f"duplicate key {key!r}{where}",
                event.start_mark,
                "each key may appear once in a mapping; remove or rename one of them",
            )
        return str(key)

    def _scalar(self, event: Any) -> Any:
        tag, text = event.tag, event.value
        if tag in (None, "!") and not event.implicit[0]:
            return text  # quoted, or the non-specific tag: a string
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return text
        value = goyaml.resolve(text)
        if tag is not None and not _fits(tag, value):
            if tag in _ALLOWED_SCALAR_TAGS:
                raise self.fail(
                    "YAML-SCALAR", f"{text!r} is not a valid {tag[len(_TAG) :]}", event.start_mark
                )
            raise self.fail("YAML-TAG", f"tag {tag} is not allowed", event.start_mark)
        if tag == _TAG + "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(
                "YAML-NONFINITE",
                f"{text} cannot be represented in JSON",
                event.start_mark,
                "use a finite number",
            )
        return value


_ALLOWED_SCALAR_TAGS = {_TAG + t for t in ("int", "float", "bool", "null")}


def _fits(tag: str, value: object) -> bool:
    """An explicit core tag must agree with what the text resolves to (an int may be a float)."""
    if tag == _TAG + "null":
        return value is None
    if tag == _TAG + "bool":
        return isinstance(value, bool)
    if tag == _TAG + "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if tag == _TAG + "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False


# --- Go's reading: sigs.k8s.io/yaml's YAMLToJSON ------------------------------------------------


def parse_go_documents(
    text: str, file: str, limits: Limits = DEFAULT_LIMITS, *, first_only: bool = False
) -> list[Any]:
    """Every document as sigs.k8s.io/yaml (go-yaml v2, then JSON) reads it: what Katib's webhook
    makes of a ConfigMap trial template (reference §3.2 V-31). Unlike `parse_documents` this
    accepts anchors and aliases (within the node limit), merge keys, repeated keys (the last one
    wins) and any tag, and it turns plain keys into JSON keys as Go does (`on:` → "true",
    `0x10:` → "16"). Data only: no locations. With `first_only`, parsing stops after the first
    document, as go-yaml's Unmarshal does (later documents are never read)."""
    if len(text.encode("utf-8")) > limits.max_bytes:
        raise too_big(file, len(text.encode("utf-8")), limits)
    builder = _GoBuilder(file, limits)
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            builder.feed(event)
            if first_only and builder.documents:
                break
    except yaml.YAMLError as exc:
        raise InputError(str(exc), Location(file), code="YAML-SYNTAX") from None
    return [d.data for d in builder.documents]


class _GoBuilder(_Builder):
    """`_Builder` with go-yaml v2's leniency and sigs.k8s.io/yaml's key conversion."""

    def __init__(self, file: str, limits: Limits) -> None:
        super().__init__(file, limits)
        self.anchors: dict[str, Any] = {}
        # collections written under a merge key, merged into their map once complete
        self.pending: dict[int, tuple[dict[str, Any], Any]] = {}

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.anchors = {}
            super().feed(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            done = self.stack.pop().container
            if id(done) in self.pending:
                into, start = self.pending.pop(id(done))
                self._merge(into, done, start)
        else:
            super().feed(event)

    def _alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(
                "YAML-ALIAS", f"unknown anchor '{event.anchor}' referenced", event.start_mark
            )
        target = self.anchors[event.anchor]
        if any(frame.container is target for frame in self.stack):
            raise self.fail(
                "YAML-ALIAS", f"anchor '{event.anchor}' value contains itself", event.start_mark
            )
        value = copy.deepcopy(target)
        self.nodes += _count(value)  # an alias costs what it expands to: no "billion laughs"
        if self.nodes > self.limits.max_nodes:
            raise self.fail(
                "YAML-LIMIT", f"more than {self.limits.max_nodes} values", event.start_mark
            )
        self._place(value, event)

    def _node(self, event: Any) -> None:
        anchor, event.anchor = event.anchor, None
        super()._node(event)
        event.anchor = anchor

    def _start(self, event: Any) -> None:
        event.tag = None  # go-yaml ignores tags on collections when decoding into interface{}
        super()._start(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = self.stack[-1].container

    def _place(self, value: Any, event: Any) -> Path:
        if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
            self.anchors[event.anchor] = value
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.key is _MERGE and isinstance(frame.container, dict):
            frame.key = None
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self.pending[id(value)] = (frame.container, event)  # still empty: merge at its end
            else:
                self._merge(frame.container, value, event)
            return (*frame.path, "<<")
        return super()._place(value, event)

    def _merge(self, into: dict[str, Any], value: Any, event: Any) -> None:
        """go-yaml v2: keys of the merged map(s) overwrite keys seen so far; in a list of maps
        the earlier map wins."""
        maps = value if isinstance(value, list) else [value]
        if not all(isinstance(m, dict) for m in maps):
            raise self.fail(
                "YAML-MERGE",
                "map merge requires map or sequence of maps as the value",
                event.start_mark,
            )
        for m in reversed(maps):
            into.update(copy.deepcopy(m))

    def _key(self, value: Any, event: Any, frame: _Frame) -> str:
        if not isinstance(event, yaml.ScalarEvent):
            raise self.fail("YAML-KEY", "a mapping key must be a plain value", event.start_mark)
        if isinstance(value, goyaml.Merge):
            return _MERGE
        try:
            return goyaml.json_key(value)
        except ValueError as exc:
            raise self.fail("YAML-KEY", str(exc), event.start_mark) from None

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag == _TAG + "binary":
            try:
                raw = base64.b64decode("".join(event.value.split()), validate=True)
            except ValueError:
                raise self.fail(
                    "YAML-SCALAR", "!!binary value is not base64", event.start_mark
                ) from None
            return raw.decode("utf-8", "replace")  # Go's JSON encoder replaces invalid UTF-8
        if tag not in (None, "!", _TAG + "str") and tag not in _ALLOWED_SCALAR_TAGS:
            return event.value  # go-yaml v2 keeps the text of a scalar whose tag it ignores
        return super()._scalar(event)


_MERGE = "\0<<merge>>"


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(v) for v in value)
    return 1
