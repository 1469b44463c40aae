"""The fast path of `compiler.yamlsafe.parse_documents`: libyaml's own composer (C) builds the
node tree and one Python walk turns it into data and locations, instead of a Python call per
parser event.

It takes only text that cannot hold what the safe parser refuses or reads specially: no `&`
anchors, `*` aliases, `!` tags or `<<` merge keys, and lines short and flow brackets few enough
that nesting (which the C composer follows by recursion) stays shallow. Anything else, and any
problem met on the way (a syntax error, a duplicate key, a limit, `.inf`), returns None, and the
event parser, which has every diagnostic, reads the text again. So for any text this gives
exactly what the event parser gives, or nothing.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from compiler import goyaml
from compiler.model.source import Document, Location, Path

_CLoader: Any = getattr(yaml, "CSafeLoader", None)

# what `resolve` answers in place of a tag; NUL cannot occur in a tag libyaml reads
_PLAIN, _TEXT, _COLLECTION = "\0plain", "\0text", "\0collection"
_REFUSED = ("&", "*", "!", "<<")
MAX_LINE = 400  # with MAX_FLOW, bounds the nesting the C composer recurses into
MAX_FLOW = 200


class _Bail(Exception):
    """Leave the text to the event parser."""


class _Loader(_CLoader):  # type: ignore[misc]
    """libyaml's composer with the resolver reduced to what the walk needs to know: plain
    (resolved as go-yaml does, later) or not."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _TEXT
        return _COLLECTION

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def composable(text: str) -> bool:
    if any(c in text for c in _REFUSED):
        return False
    if text.count("[") + text.count("{") > MAX_FLOW:
        return False
    return max(map(len, text.split("\n"))) <= MAX_LINE


def compose_documents(
    text: str, file: str, *, max_depth: int, max_nodes: int, max_documents: int, go_keys: bool
) -> list[Document] | None:
    """Every document of the stream, or None when the event parser must read it."""
    if _CLoader is None or not composable(text):
        return None
    if 2 * text.count("\n") > max_nodes:  # likely past the limit: the event parser stops there
        return None
    loader = _Loader(text)
    walk = _Walk(file, max_depth, max_nodes, go_keys)
    docs: list[Document] = []
    try:
        while loader.check_node():
            if len(docs) >= max_documents:
                return None
            node = loader.get_node()
            walk.values, walk.keys, walk.booleans = {}, {}, {}
            walk.nodes += 1
            walk.values[()] = walk.loc(node)
            root = walk.value(node, (), 0)
            docs.append(Document(root, file, len(docs), walk.values, walk.keys, walk.booleans))
    except (yaml.YAMLError, _Bail, ValueError, RecursionError):
        return None
    finally:
        loader.dispose()
    return docs


class _Walk:
    __slots__ = ("booleans", "file", "go_keys", "keys", "max_depth", "max_nodes", "nodes", "values")

    def __init__(self, file: str, max_depth: int, max_nodes: int, go_keys: bool) -> None:
        self.file = file
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.go_keys = go_keys
        self.nodes = 0
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}
        self.booleans: dict[Path, str] = {}

    def loc(self, node: Any) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def value(self, node: Any, path: Path, depth: int) -> Any:
        """The node's value; its own location is recorded by the caller, before its
        children's, in the order the event parser records them. Scalars are read in place:
        a call per node is most of the cost."""
        tag = node.tag
        if tag == _TEXT:
            return node.value
        if tag == _PLAIN:
            value = _scalar(node)
            if value is True or value is False:
                self.booleans[path] = node.value
            return value
        if tag != _COLLECTION or depth >= self.max_depth:
            raise _Bail
        file, values, booleans, depth = self.file, self.values, self.booleans, depth + 1
        children = node.value
        self.nodes += len(children) * (1 if type(node) is yaml.SequenceNode else 2)
        if self.nodes > self.max_nodes:
            raise _Bail
        if type(node) is yaml.SequenceNode:
            items: list[Any] = []
            for i, item in enumerate(children):
                here = (*path, i)
                mark = item.start_mark
                values[here] = Location(file, mark.line + 1, mark.column + 1)
                tag = item.tag
                if tag == _TEXT:
                    items.append(item.value)
                elif tag == _PLAIN:
                    value = _scalar(item)
                    if value is True or value is False:
                        booleans[here] = item.value
                    items.append(value)
                else:
                    items.append(self.value(item, here, depth))
            return items
        out: dict[str, Any] = {}
        keys = self.keys
        for key_node, item in children:
            if type(key_node) is not yaml.ScalarNode:
                raise _Bail
            key = key_node.value
            if self.go_keys:
                key = goyaml.json_key(_scalar(key_node))  # ValueError: the event parser says why
            elif key[:1] in ".+-" and key_node.tag == _PLAIN:
                _scalar(key_node)  # `.inf:` is refused as a key too
            if key in out:
                raise _Bail
            here = (*path, key)
            mark = key_node.start_mark
            keys[here] = Location(file, mark.line + 1, mark.column + 1)
            mark = item.start_mark
            values[here] = Location(file, mark.line + 1, mark.column + 1)
            tag = item.tag
            if tag == _TEXT:
                out[key] = item.value
            elif tag == _PLAIN:
                value = _scalar(item)
                if value is True or value is False:
                    booleans[here] = item.value
                out[key] = value
            else:
                out[key] = self.value(item, here, depth)
        return out


def _scalar(node: Any) -> Any:
    """What `yamlsafe._Builder._scalar` makes of an untagged scalar."""
    if node.tag == _TEXT:
        return node.value
    value = goyaml.resolve(node.value)
    if isinstance(value, goyaml.Merge) or (isinstance(value, float) and not math.isfinite(value)):
        raise _Bail
    return value
