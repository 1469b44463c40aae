"""The parsers really differ, and the harness sees how: each case is a plain scalar or a flow
collection that one YAML reader takes for something else than another does. These are what our
writers quote (tests/yaml/test_writers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tools.yamlharness.harness import PARSERS, Failed, Parsers, canonical

TEXT, TRUE, DATE = "text", True, {"timestamp": "2001-12-14T00:00:00+00:00"}


def num(value: int | float) -> Any:
    return canonical(value)


# (YAML value, what libyaml, pyyaml, go-yaml-v2, go-yaml-v3, npm-yaml read); TEXT: the string
CASES: dict[str, tuple[Any, ...]] = {
    # YAML 1.1's booleans: PyYAML knows yes/on but not y; go-yaml v2 (kubectl) knows them all
    "y": (TEXT, TEXT, TRUE, TEXT, TEXT),
    "on": (TRUE, TRUE, TRUE, TEXT, TEXT),
    "NO": (False, False, False, TEXT, TEXT),
    # numbers: 1.1's base 60 and leading-zero octal (which go-yaml v3 keeps), 1.2's 0o, 1.1's
    # underscores, and exponents without a dot (a float to go-yaml and YAML 1.2 only)
    "1:20": (num(80), num(80), TEXT, TEXT, TEXT),
    "0755": (num(493), num(493), num(493), num(493), num(755)),  # 1.2: decimal
    "0o17": (TEXT, TEXT, num(15), num(15), num(15)),
    "1_000": (num(1000), num(1000), num(1000), num(1000), TEXT),
    "1e3": (TEXT, TEXT, num(1000), num(1000), num(1000)),
    # a timestamp: a date to PyYAML and go-yaml v3, text to go-yaml v2 and YAML 1.2
    "2001-12-14": (DATE, DATE, TEXT, DATE, TEXT),
    # merge and value keys of YAML 1.1
    "=": (Failed, Failed, TEXT, TEXT, TEXT),
}


@pytest.mark.parametrize("value", sorted(CASES))
def test_each_parser_reads_an_ambiguous_plain_scalar_its_own_way(
    parsers: Parsers, value: str
) -> None:
    [reading] = parsers.decode([f"k: {value}\n"])
    for name, expected in zip(PARSERS, CASES[value], strict=True):
        got = reading.views[name]
        if expected is Failed:
            assert isinstance(got, Failed), (name, got)
        else:
            want = canonical(value) if expected is TEXT else expected
            assert got == [{"map": [["k", want]]}], (name, got)
    assert not reading.agreed()


def test_the_xgboost_filter_in_flow_style_is_refused_by_pyyaml_and_go_yaml(
    parsers: Parsers,
) -> None:
    """What `import` of Katib's xgboostjob-lightgbm.yaml wrote before: a `?` ends a plain
    scalar inside [...] for PyYAML and go-yaml, not for libyaml or YAML 1.2."""
    [reading] = parsers.decode(["metrics: {filter: [(\\w+\\s\\w+)\\s:\\s((-?\\d+)(\\.\\d+)?)]}\n"])
    refused = {name for name, view in reading.views.items() if isinstance(view, Failed)}
    assert refused == {"pyyaml", "go-yaml-v2", "go-yaml-v3"}


def test_a_unicode_line_separator_is_a_break_to_yaml_1_1_and_text_to_yaml_1_2(
    parsers: Parsers,
) -> None:
    """PyYAML's dumper writes U+2028 raw inside quotes, then indents: YAML 1.1 folds it away,
    the npm package keeps it and the indentation."""
    [reading] = parsers.decode(["k: 'a\u2028  b'\n"])
    assert reading.views["libyaml"] == [canonical({"k": "a\u2028b"})]
    assert reading.views["go-yaml-v2"] == [canonical({"k": "a\u2028b"})]
    assert reading.views["npm-yaml"] == [canonical({"k": "a\u2028  b"})]


def test_kubectl_sends_json_and_refuses_what_json_cannot_carry(parsers: Parsers) -> None:
    good, inf = parsers.decode(["a: 1\n---\n# only a comment\n---\nb: [x]\n", "a: .inf\n"])
    assert good.agreed()
    assert good.kubectl == [{"a": 1}, None, {"b": ["x"]}]  # kubectl skips the null piece
    assert isinstance(inf.kubectl, Failed) and "Inf" in inf.kubectl.message
