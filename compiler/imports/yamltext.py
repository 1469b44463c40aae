"""Spec data as canonical, readable YAML: block style, flow style for short collections of
scalars, quoting wherever YAML 1.1, YAML 1.2 or go-yaml would read a plain scalar as something
other than the string (`'0.5'`, `'yes'`, `'1e3'`, `'2024-01-01'`), literal blocks for multi-line
text. Same data, same text.

`render(..., safe=True)` quotes every string and never uses literal blocks: the fallback when the
readable form does not read back as the same data.
"""

from __future__ import annotations

import math
import re
from typing import Any

from compiler import goyaml

WIDTH = 100
FLOW_ITEMS = 12  # a flow mapping with more entries than this reads better as a block
# sections that read better as blocks, at any depth
_NO_FLOW = frozenset({"parameters", "trial", "nas", "operations", "spec", "template", "containers"})
# YAML 1.1 (PyYAML, many tools) reads these plain scalars as non-strings; go-yaml does not
_YAML11 = re.compile(
    r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"  # sexagesimal
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?"  # timestamps
    r"|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?"  # floats like 1. and ._5
    r"|[-+]?0b[01_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?0[0-7_]+|[-+]?[0-9_]+"  # ints with _
    r"|=|<<|~|[-+]?\.(inf|Inf|INF|nan|NaN|NAN)",
)
_YAML11_WORDS = frozenset(
    (
        *("y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO"),
        *("true", "True", "TRUE", "false", "False", "FALSE"),
        *("on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"),
    )
)
# every parser refuses a longer implicit (`key: value`) key, quotes included
_IMPLICIT_KEY_MAX = 1024
_INDICATORS = set("!&*{}[]|>'\"%@`#,?:")
# PyYAML and go-yaml end a plain scalar at `?` in a flow collection; libyaml and YAML 1.2 do not
_FLOW_UNSAFE = set(",[]{}?")


def render(data: dict[str, Any], header: str | None = None, *, safe: bool = False) -> str:
    lines = [header] if header else []
    lines += _Writer(safe).mapping(data, 0)
    return "\n".join(lines) + "\n"


class _Writer:
    def __init__(self, safe: bool) -> None:
        self.safe = safe

    # --- block style ----------------------------------------------------------------------

    def mapping(self, data: dict[str, Any], indent: int) -> list[str]:
        pad = " " * indent
        out: list[str] = []
        for key, value in data.items():
            text = self.key(key)
            if len(text) > _IMPLICIT_KEY_MAX:  # `? key` on a line, `: value` below
                out.append(f"{pad}? {text}")
                text = ""
            out += self.entry(f"{pad}{text}:", value, indent, flow_ok=key not in _NO_FLOW)
        return out

    def entry(self, head: str, value: Any, indent: int, flow_ok: bool = True) -> list[str]:
        """`head` followed by the value: inline, as a literal block, or nested below."""
        if isinstance(value, str) and self.literal_ok(value):
            return [f"{head} {self.literal_header(value)}", *self.literal_lines(value, indent + 2)]
        inline = self.inline(value, len(head) + 1) if flow_ok else None
        if inline is not None:
            return [f"{head} {inline}"]
        if isinstance(value, dict):
            return [head, *self.mapping(value, indent + 2)]
        if isinstance(value, list):
            wrapped = self.wrapped_list(value, len(head) + 1) if flow_ok else None
            if wrapped is not None:
                return [f"{head} {wrapped[0]}", *wrapped[1:]]
            return [head, *self.sequence(value, indent + 2)]
        return [f"{head} {self.scalar(value, flow=False)}"]

    def sequence(self, items: list[Any], indent: int) -> list[str]:
        pad = " " * indent
        out: list[str] = []
        for item in items:
            nested = self.nested(item, indent + 2)
            if nested is not None:  # `- key: value` or `- - item`, the rest below
                out.append(f"{pad}- {nested[0].lstrip()}")
                out += nested[1:]
            else:
                out += self.entry(f"{pad}-", item, indent)
        return out

    def nested(self, item: Any, indent: int) -> list[str] | None:
        """A collection item of a sequence that needs lines of its own."""
        if not isinstance(item, dict | list) or not item or self.inline(item, indent) is not None:
            return None
        if isinstance(item, dict):
            return self.mapping(item, indent)
        if self.wrapped_list(item, indent) is not None:
            return None
        return self.sequence(item, indent)

    # --- flow style -----------------------------------------------------------------------

    def inline(self, value: Any, column: int) -> str | None:
        """The value on one line from `column`, if it fits and reads well."""
        if isinstance(value, dict | list) and not value:
            return "{}" if isinstance(value, dict) else "[]"
        if not isinstance(value, dict | list):
            return None
        text = self.flow(value, depth=0)
        if text is None or column + 1 + len(text) > WIDTH:
            return None
        if isinstance(value, dict) and _crowded(value):
            return None
        return text

    def flow(self, value: Any, depth: int) -> str | None:
        if isinstance(value, dict | list) and not value:
            return "{}" if isinstance(value, dict) else "[]"
        if isinstance(value, dict):
            if depth > 1 or len(value) > FLOW_ITEMS:
                return None
            parts = []
            for k, v in value.items():
                inner = self.flow(v, depth + 1)
                if inner is None:
                    return None
                parts.append(f"{self.key(k, flow=True)}: {inner}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(value, list):
            if depth > 1:
                return None
            items = [self.flow(v, depth + 1) for v in value]
            if any(i is None for i in items):
                return None
            return "[" + ", ".join(i for i in items if i is not None) + "]"
        if isinstance(value, str) and "\n" in value:
            return None
        return self.scalar(value, flow=True)

    def wrapped_list(self, items: list[Any], column: int) -> list[str] | None:
        """A flow list of scalars over several lines, aligned after the `[` at `column`."""
        if not items or any(isinstance(v, dict | list) for v in items) or column > WIDTH // 2:
            return None
        texts = [self.flow(v, 1) for v in items]
        if any(t is None or len(t) > WIDTH // 2 for t in texts):
            return None
        pieces = [f"{t}," for t in texts[:-1]] + [f"{texts[-1]}]"]
        lines: list[str] = []
        line, start = "[" + pieces[0], column
        for piece in pieces[1:]:
            if start + len(line) + 1 + len(piece) > WIDTH:
                lines.append(line)
                line, start = " " * (column + 1) + piece, 0
            else:
                line += " " + piece
        lines.append(line)
        return lines

    # --- scalars --------------------------------------------------------------------------

    def key(self, key: Any, flow: bool = False) -> str:
        return self.scalar(str(key), flow=flow, is_key=True)

    def scalar(self, value: Any, flow: bool, is_key: bool = False) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return _float(value)
        text = str(value)
        if not self.safe and _plain_ok(text, flow):
            return text
        return _quoted(text)

    def literal_ok(self, text: str) -> bool:
        if self.safe or "\n" not in text:
            return False
        lines = text.split("\n")
        return (
            all(c == "\n" or (c.isprintable() and c != "\t") for c in text)
            and not text.startswith((" ", "\n"))
            and all(line == line.rstrip(" ") for line in lines)
        )

    @staticmethod
    def literal_header(text: str) -> str:
        if not text.endswith("\n"):
            return "|-"
        return "|+" if text.endswith("\n\n") else "|"

    @staticmethod
    def literal_lines(text: str, indent: int) -> list[str]:
        body = text[:-1] if text.endswith("\n") else text
        return [(" " * indent + line) if line else "" for line in body.split("\n")]


def _crowded(value: dict[str, Any]) -> bool:
    """Collections side by side, one a mapping of several entries: a block reads better."""
    collections = [v for v in value.values() if isinstance(v, dict | list) and v]
    return len(collections) > 1 and any(isinstance(v, dict) and len(v) > 1 for v in collections)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"  # 1e-05 is a string to YAML 1.1; 1.0e-05 is not
    return text


def _plain_ok(text: str, flow: bool) -> bool:
    """A plain scalar every YAML reader takes for exactly this string."""
    if not text or text != text.strip() or not text.isprintable():
        return False
    first = text[0]
    if first in _INDICATORS or (first == "-" and (len(text) == 1 or text[1] == " ")):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if text.startswith(("---", "...")):  # a document marker where it starts a line (a key)
        return False
    if flow and set(text) & _FLOW_UNSAFE:
        return False
    if text in _YAML11_WORDS or _YAML11.fullmatch(text):
        return False
    return isinstance(goyaml.resolve(text), str) and not goyaml.core_number(text)


def _quoted(text: str) -> str:
    if text.isprintable():
        if "'" not in text:
            return f"'{text}'"
        if '"' not in text and "\\" not in text:
            return f'"{text}"'
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif not c.isprintable() or c in "\u2028\u2029":
            code = ord(c)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
            )
        else:
            out.append(c)
    return '"' + "".join(out) + '"'
