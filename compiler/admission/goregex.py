"""What Go's regexp parser refuses although RE2 (C++) accepts it, and the reverse (V-49).

Go and RE2 share a syntax but not their limits. Go (regexp/syntax/parse.go) refuses a parse tree
higher than 1000 nodes ("expression nests too deeply") or larger than 128 MB of instructions
("expression too large"), and capture names other than ASCII letters, digits and `_`; RE2 C++
refuses programs over its 8 MB memory budget, which Go accepts. So the pattern's Go tree is
estimated here from a small parse of a pattern RE2 has already parsed: literals merge, `(?:…)`
and flags add no node, a repetition wraps what precedes it. Go's alternation factoring is not
modelled, so sizes of large alternations are overestimated a little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_HEIGHT = 1000
MAX_SIZE = (128 << 20) // 40  # Go's maxSize: 128 MB of 40-byte instructions
_NAME = re.compile(r"[A-Za-z0-9_]+")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_LITERALS = re.compile(r"[^\\()|\[.*+?{^$]+")  # characters that stand for themselves
_CLASS_ESCAPES = frozenset("dDsSwWpP")
_EMPTY_ESCAPES = frozenset("bBAz")


@dataclass
class Node:
    """A node of Go's parse tree, with its height and Go's size estimate (calcSize) computed
    as it is built, so that nothing recurses over a deep pattern."""

    op: str  # lit, class, empty, cap, star, plus, quest, repeat, concat, alt
    subs: list[Node] = field(default_factory=list)
    runes: int = 0
    low: int = 0
    high: int = -1
    height: int = field(init=False)
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.height = 1 + max((s.height for s in self.subs), default=0)
        self.size = max(1, _size(self))


def _size(node: Node) -> int:
    subs = [s.size for s in node.subs]
    if node.op == "lit":
        return node.runes
    if node.op in ("cap", "star"):
        return 2 + subs[0]
    if node.op in ("plus", "quest"):
        return 1 + subs[0]
    if node.op == "concat":
        return sum(subs)
    if node.op == "alt":
        return sum(subs) + len(subs) - 1
    if node.op == "repeat":
        if node.high == -1:
            return 2 + subs[0] if node.low == 0 else 1 + node.low * subs[0]
        return node.high * subs[0] + node.high - node.low
    return 1


class _Problem(Exception):
    pass


def go_only_problem(pattern: str) -> str | None:
    """Go's error for a pattern RE2 parses, or None."""
    try:
        tree = _Parser(pattern).parse()
    except _Problem as exc:
        return str(exc)
    except (IndexError, ValueError):  # not a pattern this model follows: RE2's verdict stands
        return None
    if tree.height > MAX_HEIGHT:
        return f"expression nests too deeply: `{pattern}`"
    if tree.size > MAX_SIZE:
        return f"expression too large: `{pattern}`"
    return None


@dataclass
class _Group:
    capture: bool
    branches: list[Node] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    def close(self) -> Node:
        branches = [*self.branches, _concat(self.items)]
        node = branches[0] if len(branches) == 1 else Node("alt", branches)
        return Node("cap", [node]) if self.capture else node


def _concat(items: list[Node]) -> Node:
    merged: list[Node] = []
    for item in items:  # adjacent literals are one node in Go
        if item.op == "lit" and merged and merged[-1].op == "lit":
            merged[-1] = Node("lit", runes=merged[-1].runes + item.runes)
        else:
            merged.append(item)
    if not merged:
        return Node("empty")
    return merged[0] if len(merged) == 1 else Node("concat", merged)


class _Parser:
    """A loop over the pattern with an explicit stack of open groups."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.i = 0

    def parse(self) -> Node:
        stack = [_Group(capture=False)]
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "(":
                group = self._open()
                if group is not None:
                    stack.append(group)
                continue
            if c == ")" and len(stack) > 1:
                self.i += 1
                closed = stack.pop().close()
                stack[-1].items.append(self._repeats(closed))
            elif c == "|":
                self.i += 1
                top = stack[-1]
                top.branches.append(_concat(top.items))
                top.items = []
            elif (run := _LITERALS.match(self.s, self.i)) is not None:
                self._literals(run.end(), stack[-1])
            else:
                stack[-1].items.append(self._repeats(self._atom()))
        return stack[0].close()

    def _literals(self, end: int, top: _Group) -> None:
        """A run of plain characters as one literal node (what `_concat` would merge them
        into), but for a last character a repetition applies to: one node, not one a
        character, so that a long pattern costs little."""
        s = self.s
        while s.startswith("{", end) and not _REPEAT.match(s, end):  # `{` of no repetition
            more = _LITERALS.match(s, end + 1)
            end = more.end() if more else end + 1
        if end < len(s) and s[end] in "*+?{":
            end -= 1
        if end > self.i:
            top.items.append(Node("lit", runes=end - self.i))
            self.i = end
        else:
            top.items.append(self._repeats(self._atom()))

    def _repeats(self, atom: Node) -> Node:
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in "*+?":
                atom = Node({"*": "star", "+": "plus", "?": "quest"}[c], [atom])
                self.i += 1
            elif c == "{" and (m := _REPEAT.match(self.s, self.i)):
                low = int(m.group(1))
                high = low if m.group(2) is None else (int(m.group(3)) if m.group(3) else -1)
                atom = Node("repeat", [atom], low=low, high=high)
                self.i = m.end()
            else:
                break
            if self.i < len(self.s) and self.s[self.i] == "?":
                self.i += 1  # non-greedy: no node
        return atom

    def _atom(self) -> Node:
        c = self.s[self.i]
        if c == "[":
            self._skip_class()
            return Node("class")
        if c == "\\":
            return self._escape()
        self.i += 1
        if c == ".":
            return Node("class")
        if c in "^$":
            return Node("empty")
        return Node("lit", runes=1)

    def _open(self) -> _Group | None:
        """An opening parenthesis: a group to push, or None for flags such as `(?i)`."""
        s, start = self.s, self.i
        self.i += 1
        if not s.startswith("?", self.i):
            return _Group(capture=True)
        named = re.match(r"\?P?<([^>]*)>", s[self.i :])
        if named:
            if not _NAME.fullmatch(named.group(1)):
                raise _Problem(f"invalid named capture: `{s[start : self.i + named.end()]}`")
            self.i += named.end()
            return _Group(capture=True)
        flags = re.match(r"\?[imsU-]*([:)])", s[self.i :])
        if flags is None:
            raise ValueError("not Go syntax")
        self.i += flags.end()
        return None if flags.group(1) == ")" else _Group(capture=False)

    def _escape(self) -> Node:
        s = self.s
        c = s[self.i + 1]
        self.i += 2
        if c == "Q":
            end = s.find("\\E", self.i)
            end = len(s) if end == -1 else end
            runes = end - self.i
            self.i = min(len(s), end + 2)
            return Node("lit", runes=runes) if runes else Node("empty")
        if c in _CLASS_ESCAPES:
            if c in "pP" and s.startswith("{", self.i):
                self.i = s.index("}", self.i) + 1
            elif c in "pP":
                self.i += 1
            return Node("class")
        if c in _EMPTY_ESCAPES:
            return Node("empty")
        if c == "x":
            m = re.compile(r"\{[0-9A-Fa-f]*\}|[0-9A-Fa-f]{2}").match(s, self.i)
            self.i = m.end() if m else self.i
        elif c in "01234567":
            m = re.compile(r"[0-7]{0,2}").match(s, self.i)
            self.i = m.end() if m else self.i
        return Node("lit", runes=1)

    def _skip_class(self) -> None:
        s = self.s
        self.i += 1
        if s.startswith("^", self.i):
            self.i += 1
        if s.startswith("]", self.i):
            self.i += 1
        while s[self.i] != "]":
            if s.startswith("[:", self.i):
                self.i = s.index(":]", self.i + 2) + 2
            elif s[self.i] == "\\":
                self.i += 2
                if s[self.i - 1] in "pP" and s.startswith("{", self.i):
                    self.i = s.index("}", self.i) + 1
            else:
                self.i += 1
        self.i += 1
