"""Mutations of YAML inputs, by type and by value, at every path of the document, and of the
text itself (bytes, indentation, nesting, anchors, duplicate keys).

A mutator asks a `Chooser` for every decision, so that the same code serves the standalone
fuzzer (`RandomChooser`, a seeded `random.Random`) and hypothesis (`DrawChooser`, whose draws
shrink a failure to its smallest form).
"""

from __future__ import annotations

import ast
import copy
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import yaml

T = TypeVar("T")
Path = tuple[str | int, ...]


class Chooser(Protocol):
    def pick(self, options: Sequence[T]) -> T: ...

    def number(self, low: int, high: int) -> int: ...


class RandomChooser:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def number(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class DrawChooser:
    """Hypothesis' `draw` behind the same two questions."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self.draw = draw
        self.st = st

    def pick(self, options: Sequence[T]) -> T:
        return options[self.draw(self.st.integers(0, len(options) - 1))]  # type: ignore[no-any-return]

    def number(self, low: int, high: int) -> int:
        return int(self.draw(self.st.integers(low, high)))


@dataclass(frozen=True)
class Raw:
    """A scalar written exactly as given, unquoted: how `y`, `on` or `0o17` reach a parser."""

    text: str


# --- values --------------------------------------------------------------------------------

YAML11_BOOLEANS = ("y", "Y", "n", "N", "yes", "Yes", "NO", "on", "On", "OFF", "off", "no")
RAW_SCALARS = (
    *YAML11_BOOLEANS,
    "~",
    "null",
    "0o17",
    "0x1F",
    "012",
    "1_000",
    ".5",
    "+1",
    "1e3",
    "-.inf",
    ".nan",
    "2001-12-14",
    "1:20",
    "!!str 3",
    "!!int x",
    "!!binary aGk=",
    "!!float 1",
    "!!bool yes",
    "!foo bar",
    "<<",
    *("1e400", "-1e400", "1e-400", ".inf", "-.Inf", ".NaN", ".NAN", "+.inf"),
    *("99999999999999999999999", "-9223372036854775809", "0x7FFFFFFFFFFFFFFFFF", "1" * 400),
    *("True", "FALSE", "Yes", "YES", "ON", "Off"),
    '"\\ud800"',
    "'it''s'",
)
STRINGS = (
    "",
    " ",
    "0",
    "3",
    "-1",
    "0.1",
    "1e-3",
    "abc",
    "true",
    "null",
    "y",
    "${",
    "}",
    "${x}",
    "${lr}",
    "$${lr}",
    "${trialParameters.lr}",
    "${trialParameters.",
    "${trialSpec.Name}",
    "${trialSpec.Labels[",
    "${trial.labels[a]}",
    "--lr=${lr",
    "{",
    "[",
    "a: b",
    "- a",
    "#",
    "\t",
    "a\nb",
    "\x00",
    "\u2028",
    "ü",
    "\U0001f600",
    "0x10",
    "1e400",
    "Never",
    "StdOut",
    "File",
    "Custom",
    "int",
    "double",
    "categorical",
    "discrete",
    "maximize",
    "random",
    "grid",
    "pbt",
    "enas",
    "Job",
    "TFJob",
    "/abs/file",
    "rel/../file",
    "kubeflow.org/v1beta1",
    "Experiment",
    "x" * 300,
)
NUMBERS: tuple[int | float, ...] = (
    0,
    -1,
    1,
    2,
    3,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    0.5,
    -0.0,
    1.5,
    1e-300,
    1e300,
    -2.5,
)
NAMES = ("name", "kind", "value", "type", "min", "max", "spec", "list", "", "$", "a.b", "Name")


# numbers no field can hold: past float64, past int64, not finite
HUGE_NUMBERS = ("1e400", "-1e400", ".inf", "-.inf", ".nan", "1" * 30, "-" + "9" * 25, "1e-400")
# keys that are not strings: kubectl reads them as their text, our parser refuses some
ODD_KEYS: tuple[Any, ...] = (1, 0, -1, 1.5, True, False, None)


def huge_string(c: Chooser) -> str:
    return c.pick(("x", "${x}", "é", "a b ")) * c.pick((10_000, 200_000, 1_000_000))


def deep(c: Chooser) -> Any:
    value: Any = c.pick((1, "x", None, {}, []))
    for _ in range(c.pick((10, 63, 70, 200))):
        value = [value] if c.number(0, 1) else {"a": value}
    return value


def scalar(c: Chooser) -> Any:
    kind = c.pick(("bool", "null", "number", "string", "raw", "huge"))
    if kind == "bool":
        return c.pick((True, False))
    if kind == "null":
        return None
    if kind == "number":
        return c.pick(NUMBERS)
    if kind == "raw":
        return Raw(c.pick(RAW_SCALARS))
    if kind == "huge":
        return huge_string(c)
    return c.pick(STRINGS)


def same_type(c: Chooser, like: Any) -> Any:
    """Another value of the same type: what passes a type check and reaches the rules."""
    if isinstance(like, bool):
        return not like
    if isinstance(like, int):
        return c.pick((*(n for n in NUMBERS if isinstance(n, int)), like + 1, like - 1, -like))
    if isinstance(like, float):
        return c.pick((*(n for n in NUMBERS if isinstance(n, float)), like * 2, -like, like / 3))
    if isinstance(like, str):
        return c.pick((*STRINGS, like.upper(), like + "x", like[:1], like + "${x}", like * 3))
    if isinstance(like, list):
        return c.pick(([], like[:1], like + like, like[::-1], [*like, like[0] if like else 1]))
    if isinstance(like, dict):
        keys = list(like)
        return {k: like[k] for k in keys[: c.number(0, len(keys))]} if keys else {"a": 1}
    return scalar(c)


def value(c: Chooser, like: Any = None) -> Any:
    """Any value; sometimes one shaped like `like` (the value it replaces)."""
    kind = c.pick(("scalar", "scalar", "scalar", "list", "map", "deep", "like"))
    if kind == "scalar":
        return scalar(c)
    if kind == "list":
        return [value(c) if c.number(0, 3) == 0 else scalar(c) for _ in range(c.number(0, 3))]
    if kind == "map":
        return {c.pick(NAMES): scalar(c) for _ in range(c.number(0, 2))}
    if kind == "deep":
        return deep(c)
    if isinstance(like, dict):
        return [like] if c.number(0, 1) else {k: scalar(c) for k in like}
    if isinstance(like, list):
        return {"list": like} if c.number(0, 1) else [*like, *like]
    if isinstance(like, str):
        return c.pick(
            (like.upper(), like + "${x}", like[: len(like) // 2], " " + like, like * 50, [like])
        )
    if isinstance(like, bool):
        return Raw(c.pick(YAML11_BOOLEANS))
    if isinstance(like, int | float):
        return c.pick(
            (
                str(like),
                -like,
                like * 10**20,
                float(like) + 0.5,
                [like],
                Raw("y"),
                Raw(c.pick(HUGE_NUMBERS)),
                10**400,
            )
        )
    return scalar(c)


# --- the document --------------------------------------------------------------------------


def walk(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, (*path, i))


def _parent(root: Any, path: Path) -> Any:
    node = root
    for part in path[:-1]:
        node = node[part]
    return node


def mutate_data(c: Chooser, data: Any) -> Any:
    """One change at one path, or at the root. Returns the new document."""
    data = copy.deepcopy(data)
    paths = [p for p, _ in walk(data)]
    path = c.pick(paths)
    how = c.pick(
        (
            *("replace", "replace", "same", "same", "same", "delete", "rename", "add", "retype"),
            *("list", "odd-key", "number"),
        )
    )
    if not path:
        return c.pick((None, "", 3, True, [], {}, [data], Raw("y"), "x" * 1000, {"a": data}))
    parent = _parent(data, path)
    last = path[-1]
    old = parent[last]
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        new = c.pick((str(last).upper(), str(last) + "s", "", " " + str(last), "y", "on", "<<"))
        if new not in parent:
            parent[new] = parent.pop(last)
    elif how == "odd-key" and isinstance(parent, dict):
        new_key = c.pick(ODD_KEYS)
        if new_key not in parent:
            parent[new_key] = parent.pop(last)
    elif how == "number" and isinstance(old, int | float | str):  # a number no field can hold
        parent[last] = Raw(c.pick(HUGE_NUMBERS))
    elif how == "add" and isinstance(old, dict):
        old[c.pick((*NAMES, *(f"{k}x" for k in old), *(str(k).upper() for k in old)))] = value(c)
    elif how == "list" and isinstance(old, list):
        how = c.pick(("empty", "double", "null-item", "reverse"))
        parent[last] = {
            "empty": [],
            "double": old + old,
            "null-item": [*old, None],
            "reverse": old[::-1],
        }[how]
    elif how == "same" and isinstance(old, str) and "\n" in old and ":" in old:
        parent[last] = mutate(c, old).decode("utf-8", "replace")  # an embedded document
    elif how == "same":
        parent[last] = same_type(c, old)
    elif how == "retype":
        parent[last] = value(c, like=old)
    else:
        parent[last] = value(c, like=old if c.number(0, 1) else None)
    return data


def dump(data: Any) -> str:
    """YAML text for mutated data: PyYAML's block style, with `Raw` scalars put in verbatim."""
    raws: list[str] = []

    def placeholders(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(node.text)
            return f"RAWTOKEN{len(raws) - 1}X"
        if isinstance(node, dict):
            return {
                (placeholders(k) if isinstance(k, Raw) else k): placeholders(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [placeholders(v) for v in node]
        return node

    text = yaml.dump(
        placeholders(data),
        Dumper=yaml.CSafeDumper,
        sort_keys=False,
        allow_unicode=True,
        width=10**6,
        default_flow_style=False,
    )
    for i in reversed(range(len(raws))):  # RAWTOKEN1X before RAWTOKEN10X's prefix is replaced
        text = text.replace(f"RAWTOKEN{i}X", raws[i])
    return text


# --- the text ------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def mutate_text(c: Chooser, text: str) -> bytes:
    """One change to the text or bytes of a document."""
    lines = _lines(text)
    i = c.number(0, len(lines) - 1)
    how = c.pick(
        (
            "bad-utf8",
            "tab",
            "duplicate-line",
            "delete-line",
            "truncate",
            "long-line",
            "deep-flow",
            "deep-block",
            "anchor",
            "alias",
            "merge",
            "bom",
            "crlf",
            "nul",
            "control",
            "whole",
            "extra-document",
            "indent",
            "comment",
            "flow-placeholder",
            "tag",
            "laughs",
            "odd-key",
            "yaml11",
            "number",
            "dup-key",
        )
    )
    line = lines[i]
    key, colon, rest = line.partition(":")
    if how == "bad-utf8":
        raw = text.encode()
        at = c.number(0, len(raw))
        return raw[:at] + c.pick((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80")) + raw[at:]
    if how == "tab":
        lines[i] = "\t" + line.lstrip(" ") if c.number(0, 1) else line.replace(": ", ":\t", 1)
    elif how == "duplicate-line":
        lines.insert(i, line)
    elif how == "delete-line":
        del lines[i]
    elif how == "truncate":
        return text.encode()[: c.number(0, len(text.encode()))]
    elif how == "long-line":
        filler = c.pick(("x", "# ", "${x}", "é")) * c.pick((5_000, 300_000))
        lines[i] = f"{key}: {filler}\n" if colon else filler + "\n"
    elif how == "deep-flow":
        n = c.pick((65, 500, 2_000, 20_000))
        lines[i] = f"{key}: " + "[" * n + "]" * n + "\n" if colon else "[" * n + "]" * n + "\n"
    elif how == "deep-block":
        n = c.pick((65, 300))
        body = "".join(" " * (2 * d) + f"k{d}:\n" for d in range(n)) + " " * (2 * n) + "v\n"
        lines.insert(i, body)
    elif how == "anchor" and colon and rest.strip():
        lines[i] = f"{key}: &a {rest.strip()}\n"
    elif how == "alias" and colon:
        lines.insert(0, "x: &a 1\n")
        lines[i + 1] = f"{key}: *a\n"
    elif how == "merge" and colon:
        indent = line[: len(line) - len(line.lstrip())]
        lines.insert(i, f"{indent}<<: {{a: 1}}\n")
    elif how == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    elif how == "crlf":
        return text.replace("\n", "\r\n").encode()
    elif how == "nul":
        lines[i] = line.rstrip("\n") + "\x00\n"
    elif how == "control":
        lines[i] = line.rstrip("\n") + c.pick(("\x01", "\x1b", "\x7f", "\ufeff", "\x85")) + "\n"
    elif how == "whole":
        whole = ("", "null\n", "3\n", "y\n", "- a\n- b\n", "[]\n", "{}\n", "---\n---\n", "~\n")
        return c.pick((*whole, "# only a comment\n", "...\n", "%YAML 1.1\n---\na: 1\n")).encode()
    elif how == "extra-document":
        lines.append(c.pick(("---\n", "---\nkind: Experiment\n", "---\n- 1\n", "---\n" + text)))
    elif how == "indent":
        lines[i] = " " * c.number(1, 3) + line
    elif how == "comment":
        lines[i] = line.rstrip("\n") + " # ${x}: y\n"
    elif how == "flow-placeholder" and colon:
        lines[i] = f"{key}: [--lr=${{lr}}, {{a: ${{b}}}}]\n"
    elif how == "tag" and colon and rest.strip():
        tag = c.pick(("!!str", "!!int", "!!map", "!!python/object:os.system", "!x", "!!binary"))
        lines[i] = f"{key}: {tag} {rest.strip()}\n"
    elif how == "laughs":  # billion laughs: must be refused, never expanded
        depth = c.pick((3, 9, 30))
        bomb = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
        bomb += [f"a{d}: &a{d} [{', '.join([f'*a{d - 1}'] * 9)}]\n" for d in range(1, depth)]
        lines = [*bomb, *lines] if c.number(0, 1) else [*lines, "\n", *bomb]
    elif how == "odd-key" and colon:
        indent = line[: len(line) - len(line.lstrip())]
        odd = ("1", "true", "null", "~", "1.5", "[a, b]", "{a: 1}", "? [a]\n" + indent, ".inf", "y")
        lines.insert(i, f"{indent}{c.pick(odd)}: x\n")
    elif how == "yaml11" and colon and rest.strip():
        lines[i] = f"{key}: {c.pick(YAML11_BOOLEANS)}\n"
    elif how == "number" and colon and rest.strip():
        lines[i] = f"{key}: {c.pick(HUGE_NUMBERS)}\n"
    elif how == "dup-key" and colon:  # the same key again, another value, at once or later
        at = c.number(i + 1, len(lines))
        lines.insert(at, f"{key}: {c.pick(('x', '1', '[]', '{}', 'y', ''))}\n")
    return "".join(lines).encode()


# --- Python specs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """Python source put in place of a literal, as written."""

    source: str


EXPRESSIONS = (
    "10**5000",
    "-(10**400)",
    "float('inf')",
    "float('nan')",
    "2**64",
    "b'bytes'",
    "1j",
    "object()",
    "set()",
    "(1, 2)",
    "{1: 'a'}",
    "{None: 1}",
    "'x' * 1_000_000",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "__import__('os').getcwd()",
    "open('/etc/passwd').read()",
)


class _Literals(ast.NodeTransformer):
    """Replaces the chosen literal (a constant, list, dict or tuple) by another value."""

    def __init__(self, target: int, new: Any) -> None:
        self.target, self.new, self.seen = target, new, 0

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Constant | ast.List | ast.Dict | ast.Tuple):
            self.seen += 1
            if self.seen == self.target:
                text = self.new.source if isinstance(self.new, Expression) else repr(self.new)
                try:
                    return ast.parse(text, mode="eval").body
                except (SyntaxError, RecursionError, ValueError):  # too deep for Python's parser
                    return node
        return super().generic_visit(node)


def _plain(value: Any) -> Any:
    """A value Python's repr writes as a literal (no `Raw`)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def mutate_python(c: Chooser, text: str) -> bytes:
    """A Python spec with one literal changed (by type or value), or one call's keyword
    dropped; the helpers of compiler.dsl then meet arguments they do not expect."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return mutate_text(c, text)
    literals = sum(
        isinstance(n, ast.Constant | ast.List | ast.Dict | ast.Tuple) for n in ast.walk(tree)
    )
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.keywords]
    if calls and c.number(0, 3) == 0:
        call = c.pick(calls)
        del call.keywords[c.number(0, len(call.keywords) - 1)]
    elif literals and c.number(0, 5) == 0:  # a value no literal writes
        tree = _Literals(c.number(1, literals), Expression(c.pick(EXPRESSIONS))).visit(tree)
    elif literals:
        new = _plain(value(c) if c.number(0, 1) else scalar(c))
        if isinstance(new, str) and len(new) > 1000:
            new = new[:1000]
        tree = _Literals(c.number(1, literals), new).visit(tree)
    try:
        return ast.unparse(ast.fix_missing_locations(tree)).encode() + b"\n"
    except (ValueError, RecursionError):  # a value ast cannot write back: the text instead
        return mutate_text(c, text)


def mutate(c: Chooser, text: str, *, python: bool = False) -> bytes:
    """A mutated input: by data (type or value at a path), or by text; sometimes both."""
    if python:
        return mutate_python(c, text) if c.number(0, 4) else mutate_text(c, text)
    try:
        docs = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        docs = []
    if docs and c.number(0, 2):
        at = c.number(0, len(docs) - 1)
        docs[at] = mutate_data(c, docs[at])
        for _ in range(c.pick((0, 0, 1, 3))):
            docs[at] = mutate_data(c, docs[at])
        try:
            text = "---\n".join(dump(d) for d in docs)
        except RecursionError:  # deep() on deep(): past PyYAML's representer, not the point
            return mutate_text(c, text)
        if c.number(0, 5):
            return text.encode()
    return mutate_text(c, text)
