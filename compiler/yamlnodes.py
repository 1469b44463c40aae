"""`yaml.dump`, faster, with the same bytes: the same node tree handed to the same C emitter.

PyYAML's representer is Python code that, for every value, checks for aliases, looks its type up
along the MRO and builds a node; the C emitter then asks the Python resolver, twice per scalar,
whether the scalar's tag is implicit. For plain data (dicts, lists, scalars) this builds the
nodes the dumper's own representers would (scalars through those very representers, so a
custom one such as `yamlout`'s quoting of strings applies unchanged; repeated containers become
the same node, so anchors and aliases come out as before), and remembers the resolver's answers,
which depend only on the scalar's text when there are no path resolvers. Anything else, or a
dumper configured otherwise, takes PyYAML's own path.
"""

from __future__ import annotations

import io
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.representer import SafeRepresenter

_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_STOCK = {dict: SafeRepresenter.represent_dict, list: SafeRepresenter.represent_list}
_SCALARS = frozenset({str, int, bool, float, type(None)})
_MEMO_LIMIT = 100_000
_memos: dict[type, dict[tuple[str, tuple[bool, bool]], str]] = {}
_text_memos: dict[tuple[Any, ...], dict[str, tuple[str, str, str | None]]] = {}


def dump(data: Any, Dumper: Any, **kwds: Any) -> str:
    """`yaml.dump(data, Dumper=Dumper, **kwds)` for one document, returned as a string."""
    stream = io.StringIO()
    dumper = Dumper(stream, **kwds)
    fast = _fast(dumper)
    try:
        dumper.open()
        if fast:
            dumper.resolve = _memo_resolve(dumper)
            dumper.text_memo = _text_memo(dumper)
            node = _node(dumper, data)
            dumper.serialize(node)
            dumper.represented_objects = {}
            dumper.object_keeper = []
            dumper.alias_key = None
        else:
            dumper.represent(data)
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


def _fast(dumper: Any) -> bool:
    reps = dumper.yaml_representers
    return (
        not dumper.sort_keys
        and dumper.default_flow_style is not None
        and not dumper.yaml_path_resolvers
        and str in reps
        and all(reps.get(t) is f for t, f in _STOCK.items())
    )


def _text_memo(dumper: Any) -> dict[str, tuple[str, str, str | None]]:
    """Per dumper class and the settings a representer may read."""
    settings = (type(dumper), dumper.default_style)
    memo = _text_memos.setdefault(settings, {})
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    return memo


def _node(dumper: Any, data: Any) -> Any:
    """What `dumper.represent_data(data)` returns."""
    kind = type(data)
    if kind is str:
        return _text(dumper, data)
    if kind in _SCALARS:
        represent = dumper.yaml_representers.get(kind)
        if represent is None:
            return dumper.represent_data(data)
        dumper.alias_key = None  # scalars are never aliased
        return represent(dumper, data)
    if kind is not dict and kind is not list:
        return dumper.represent_data(data)
    key = id(data)
    seen = dumper.represented_objects.get(key)
    if seen is not None:
        return seen  # the same object again: an alias, as the representer makes it
    dumper.object_keeper.append(data)
    items: list[Any] = []
    if kind is dict:
        node: Any = MappingNode(_MAP, items, flow_style=dumper.default_flow_style)
        dumper.represented_objects[key] = node
        for k, v in data.items():
            items.append(
                (
                    _text(dumper, k) if type(k) is str else _node(dumper, k),
                    _text(dumper, v) if type(v) is str else _node(dumper, v),
                )
            )
    else:
        node = SequenceNode(_SEQ, items, flow_style=dumper.default_flow_style)
        dumper.represented_objects[key] = node
        for v in data:
            items.append(_text(dumper, v) if type(v) is str else _node(dumper, v))
    return node


def _text(dumper: Any, value: str) -> Any:
    """A string's node. A representer sees only the value and the dumper's settings, so its
    tag and style for a text are worked out once; a new node is built each time (a node met
    twice would become an alias)."""
    memo = dumper.text_memo
    found = memo.get(value)
    if found is None:
        dumper.alias_key = None
        node = dumper.yaml_representers[str](dumper, value)
        if type(node) is not ScalarNode or node.start_mark is not None:
            return node
        found = memo[value] = (node.tag, node.value, node.style)
        return node
    return ScalarNode(found[0], found[1], None, None, found[2])


def _memo_resolve(dumper: Any) -> Any:
    """The dumper's resolver with its answers for scalars remembered (per dumper class)."""
    cls = type(dumper)
    original = cls.resolve
    memo = _memos.setdefault(cls, {})
    if len(memo) > _MEMO_LIMIT:
        memo.clear()

    def resolve(kind: Any, value: Any, implicit: tuple[bool, bool]) -> Any:
        if kind is ScalarNode:
            k = (value, implicit)
            tag = memo.get(k)
            if tag is None:
                tag = memo[k] = original(dumper, kind, value, implicit)
            return tag
        return original(dumper, kind, value, implicit)

    return resolve


__all__ = ["dump"]
