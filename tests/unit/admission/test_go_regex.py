"""Filter regexes as Go compiles them (V-49), where Go and RE2 (C++) part ways. Each verdict was
checked against Katib's code (the oracle) when written; the conformance suite keeps doing so."""

from __future__ import annotations

import pytest

from compiler.admission.regex import compile_go, re2_error

VALID = {
    "plain": r"(\w+)=(\d+)",
    "unicode-class": r"(\pL+)=(\p{Greek}*)",
    "posix-class": "[[:alpha:]]+(x)(y)",
    "quoted": r"\Q(a)\E(b)(c)",
    "ascii-capture-name": "(?P<n_1>a)(?<m>b)",
    "name-inside-a-class": "[(?P<\u00e9>](a)(b)",
    "nesting-998": "(" * 998 + "a" + ")" * 998 + "(b)",
    "non-capturing-groups-add-no-height": "(?:" * 2000 + "a" + ")" * 2000 + "(b)(c)",
    "over-re2-memory-within-go-size": ".{1000}" * 300 + "(a)(b)",
    "3M-instructions": "a{1000}" * 3000 + "(a)(b)",
}
INVALID = {
    # RE2 words some errors its own way ("invalid perl operator"); the verdict is Go's
    "look-behind": ("(?<=a)(b)(c)", "(?<="),
    "any-byte": (r"(a)\C(b)", "invalid escape sequence"),
    "back-reference": (r"(a)(b)\1", "invalid escape sequence"),
    "unicode-capture-name": ("(?P<n\u00e9>a)(b)", "invalid named capture"),
    "nesting-999": ("(" * 999 + "a" + ")" * 999 + "(b)", "expression nests too deeply"),
    "alternations-nest": ("(a|" * 600 + "b" + ")" * 600 + "(c)", "expression nests too deeply"),
    "4M-instructions": ("a{1000}" * 4000 + "(a)(b)", "expression too large"),
    "repeat-over-1000": ("x{2,1001}(a)(b)", "{2,1001}"),
    "nested-repeat-over-1000": ("(?:a{1000}){10}(b)", "{10}"),
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_go_accepts(name: str) -> None:
    assert re2_error(VALID[name]) is None
    assert compile_go(VALID[name]) is not None


@pytest.mark.parametrize("name", sorted(INVALID))
def test_go_refuses(name: str) -> None:
    pattern, reason = INVALID[name]
    problem = re2_error(pattern)
    assert problem is not None and problem.startswith("error parsing regexp: ")
    assert reason in problem
    with pytest.raises(ValueError, match="error parsing regexp"):
        compile_go(pattern)


def test_a_large_valid_filter_still_matches() -> None:
    regex = compile_go(".{10}" * 3 + r"(\w+)=(\d+)")
    assert regex.search("0123456789" * 3 + "loss=3").groups() == ("loss", "3")
