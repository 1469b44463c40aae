"""Our YAML writers' output reads back as the data written, under every parser: libyaml, PyYAML,
go-yaml v2 (kubectl), go-yaml v3 (kustomize) and the npm `yaml` package (yaml-language-server).

The writers: `compiler.yamlout.dump` (generated/, `gitops`, `admit`, `render-trial`) and
`compiler.imports.yamltext.render` (`import`), readable and `safe=True`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.imports.yamltext import render
from compiler.yamlout import dump
from tools.yamlharness.harness import Failed, Parsers, canonical

WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "yamlout": dump,
    "yamltext": render,
    "yamltext-safe": lambda data: render(data, safe=True),
}

# strings that some reader takes for something else, or that end a plain scalar somewhere
AWKWARD = [
    *("y", "Y", "n", "yes", "No", "on", "OFF", "true", "False", "null", "Null", "~", ""),
    *("0755", "0o17", "0x1F", "0b101", "1_000", "1e3", "1E-5", "1.", ".5", "+1", "-0", "1e"),
    *(".inf", "-.Inf", "+.inf", ".nan", ".NaN", "6325e37460", "18446744073709551615"),
    *("12:30", "1:20:30", "190:20:30.15", "2001-12-14", "2001-12-14t21:59:43.10-05:00"),
    *("2001-12-14 21:59:43.10 -5", "=", "<<", "-", "- a", "--x", "?", "? a", "?a", ":", ":a"),
    *("a:", "a: b", "a:b", "a?b", "a,b", "[a]", "{a}", "a]", "#a", "a #b", "a#b", "&a", "*a"),
    *("!a", "|a", ">a", "'a'", '"a"', "%a", "@a", "`a", "a'b", 'a"b', "\\", "a\\nb", "${lr}"),
    *("---", "--- x", "...", "... x", " a", "a ", "a\tb", "a\nb", "a\n", "\na", "a\n\n", "\n"),
    *("a\r\nb", "a  \nb", "  a\nb", "a\n  b", "a\u2028b", "a\u2029b", "a\x85b", "\ufeffa"),
    *("a\xa0b", "\x00", "\x7f", "é", "日本", "(\\w+\\s\\w+)\\s:\\s((-?\\d+)(\\.\\d+)?)"),
    "x " * 70,  # folded past the line width
    "'" + "a " * 60 + "\\",
]


def shapes(text: str) -> list[dict[str, Any]]:
    """`text` as a value, a key, a list item and inside flow collections, at a few depths."""
    return [
        {"k": text},
        {text: "v"},
        {"k": [text, "x"]},
        {"k": {"a": text, "b": 1}},
        {"k": {text: 1}},
        {"k": [{"a": text}, [text]]},
        {"parameters": {text: {"list": [text]}}},
    ]


def mismatches(parsers: Parsers, data: Sequence[dict[str, Any]], writer: str) -> list[str]:
    """Each datum written by `writer`, read by every parser: what any of them read otherwise."""
    texts = [WRITERS[writer](d) for d in data]
    out = []
    for datum, reading in zip(data, parsers.decode(texts), strict=True):
        want = [canonical(datum)]
        for name, view in reading.views.items():
            if view != want:
                got = view.message.splitlines()[0] if isinstance(view, Failed) else view
                out.append(f"{writer} {datum!r}\n  wrote {reading.text!r}\n  {name}: {got!r}")
    return out


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_awkward_strings_read_back_under_every_parser(parsers: Parsers, writer: str) -> None:
    data = [shape for text in AWKWARD for shape in shapes(text)]
    bad = mismatches(parsers, data, writer)
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_numbers_booleans_and_nulls_read_back(parsers: Parsers, writer: str) -> None:
    values: list[Any] = [0, -1, 2**63 - 1, -(2**63), 0.5, -0.0, 1e-05, 1e16, 1.5e300, 5e-324]
    values += [True, False, None, 100.0, 123456789.0]
    data = [{"k": v, "l": [v], "m": {"a": v}} for v in values]
    assert not mismatches(parsers, data, writer)


def test_long_keys_are_written_as_explicit_keys(parsers: Parsers) -> None:
    """Every parser refuses an implicit key past 1024 characters; `? key` has no limit."""
    data = [{"k" * n: {"a": 1}, "x": [{"y" * n: "v"}]} for n in (1022, 1023, 1024, 2000)]
    for writer in WRITERS:
        assert not mismatches(parsers, data, writer)


# --- a property over arbitrary data -----------------------------------------------------------

_CHARS = list(" -?:,[]{}#&*!|>'\"%@`~.+_0123456789eEoxyYnNtTfF\n\t\r\\/=<$")
_CHARS += ["\x85", "\u2028", "\u2029", "\xa0", "\ufeff", "é", "\x00", "\x7f", "日"]
_PIECES = ["  ", " \n", "\n\n", "\n ", "---", "...", "1:2", "0o", "1_0", "2001-01-01", ".inf"]
_short = st.one_of(
    st.text(st.sampled_from(_CHARS), max_size=12),
    st.lists(st.sampled_from(_CHARS + _PIECES), max_size=8).map("".join),
    st.text(max_size=6),
)
_long = st.lists(
    st.one_of(st.sampled_from(["word", "'q'", "#", ":", "\n", "  "]), _short),
    min_size=10,
    max_size=40,
).map(" ".join)
_text = st.one_of(_short, _short, _long)
_scalar = st.one_of(
    _text,
    st.integers(-(2**63), 2**63 - 1),  # go-yaml reads a larger integer as a float
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
_data = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=10,
)


@settings(
    derandomize=True,
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.dictionaries(_text, _data, min_size=1, max_size=3))
def test_any_data_reads_back_under_every_parser(parsers: Parsers, data: dict[str, Any]) -> None:
    bad = [line for writer in WRITERS for line in mismatches(parsers, [data], writer)]
    assert not bad, "\n".join(bad)
