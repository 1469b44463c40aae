"""The safe YAML parser: locations for every value, and a located error for hostile input."""

from __future__ import annotations

import pytest

from compiler.errors import InputError
from compiler.model.source import Location
from compiler.yamlsafe import DEFAULT_LIMITS, Limits, decode_text, parse_documents


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> object:
    return parse_documents(text, "f.yaml", limits)[0].data


def error(text: str, limits: Limits = DEFAULT_LIMITS) -> InputError:
    with pytest.raises(InputError) as info:
        parse_documents(text, "f.yaml", limits)
    return info.value


def test_values_and_keys_have_locations() -> None:
    doc = parse_documents("a:\n  b: [1, two]\n  c: {d: x}\n", "f.yaml")[0]
    assert doc.data == {"a": {"b": [1, "two"], "c": {"d": "x"}}}
    assert doc.values[("a", "b", 1)] == Location("f.yaml", 2, 10)
    assert doc.keys[("a", "c")] == Location("f.yaml", 3, 3)
    assert doc.where(("a", "c", "d")) == Location("f.yaml", 3, 10)
    # a path that does not exist falls back to its nearest ancestor
    assert doc.where(("a", "c", "missing", 3)) == Location("f.yaml", 3, 6)


def test_scalars_resolve_as_kubectl_reads_them() -> None:
    """go-yaml v2 rules (sigs.k8s.io/yaml), not PyYAML's: see compiler/goyaml.py."""
    data = parse(
        "i: 10\nf: 0.5\nb: true\nn: null\ns: '10'\nt: 2020-01-01\no: 0o17\ne: 1e-3\n"
        "y: y\nno: n\nx: 0x1F\noct: 017\nbad_oct: 08\nsexa: 1:30\nu: 1_000\nd: .5\nbig: "
        "18446744073709551615\nbigger: 18446744073709551616\n"
    )
    assert data == {
        "i": 10,
        "f": 0.5,
        "b": True,
        "n": None,
        "s": "10",
        "t": "2020-01-01",
        "o": 15,
        "e": 0.001,
        "y": True,
        "no": False,
        "x": 31,
        "oct": 15,
        "bad_oct": 8.0,
        "sexa": "1:30",
        "u": 1000,
        "d": 0.5,
        "big": 2**64 - 1,
        "bigger": 1.8446744073709552e19,
    }


def test_explicit_tags() -> None:
    assert parse("a: !!str 10\nb: !!float 3\nc: !!int '7'\nd: !!null ''\n") == {
        "a": "10",
        "b": 3.0,
        "c": 7,
        "d": None,
    }
    assert error("a: !!int x\n").code == "YAML-SCALAR"


def test_keys_keep_their_source_text() -> None:
    assert parse("yes: 1\n1: 2\nnull: 3\n") == {"yes": 1, "1": 2, "null": 3}


def test_multiple_documents() -> None:
    docs = parse_documents("a: 1\n---\nb: 2\n", "f.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in docs] == [0, 1]
    assert docs[1].values[("b",)].line == 3


def test_duplicate_key_is_located_at_the_second() -> None:
    e = error("a: 1\nb: 2\na: 3\n")
    assert e.code == "YAML-DUPLICATE"
    assert e.where == Location("f.yaml", 3, 1)
    assert "first at line 1" in e.message


def test_aliases_and_anchors_are_refused() -> None:
    assert error("a: &x 1\nb: *x\n").code == "YAML-ALIAS"
    assert error("a: &x [1]\n").where == Location("f.yaml", 1, 4)


def test_billion_laughs_is_refused_at_the_first_anchor() -> None:
    bomb = 'a: &a ["lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(20)
    )
    e = error(bomb)
    assert e.code == "YAML-ALIAS" and e.where == Location("f.yaml", 1, 4)


def test_merge_keys_are_refused() -> None:
    assert error("a:\n  <<: {b: 1}\n").code == "YAML-MERGE"
    assert parse("a: <<\n") == {"a": "<<"}  # as a value it is text


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system [ls]\n",
        "a: !!python/object/apply:os.system [ls]\n",
        "a: !custom 1\n",
        "a: !!binary aGVsbG8=\n",
        "!!set {a, b}\n",
    ],
)
def test_foreign_tags_are_refused(text: str) -> None:
    assert error(text).code == "YAML-TAG"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.Inf"])
def test_non_finite_numbers_are_refused(value: str) -> None:
    e = error(f"goal: {value}\n")
    assert e.code == "YAML-NONFINITE" and e.where == Location("f.yaml", 1, 7)


def test_deep_nesting_stops_at_the_limit() -> None:
    e = error("[" * 500 + "]" * 500)
    assert e.code == "YAML-LIMIT" and e.where == Location("f.yaml", 1, 65)
    # libyaml itself refuses flow nesting beyond 1000 levels, before any event reaches us
    e = error("[" * 100_000 + "]" * 100_000)
    assert e.code == "YAML-SYNTAX" and e.where == Location("f.yaml", 1, 1001)


def test_deep_block_nesting_stops_at_the_limit() -> None:
    text = "".join(" " * i + "a:\n" for i in range(200)) + " " * 200 + "1\n"
    assert error(text, Limits(max_depth=50)).where == Location("f.yaml", 51, 51)


def test_too_many_values() -> None:
    assert error("[" + "1," * 100 + "1]", Limits(max_nodes=50)).code == "YAML-LIMIT"


def test_too_many_documents() -> None:
    assert error("---\na: 1\n" * 5, Limits(max_documents=3)).code == "YAML-LIMIT"


def test_size_limit() -> None:
    assert error("a: " + "x" * 2000, Limits(max_bytes=1000)).code == "YAML-SIZE"


def test_syntax_errors_are_located() -> None:
    e = error("a: [1, 2\nb: 3\n")
    assert e.code == "YAML-SYNTAX" and e.where is not None and e.where.line >= 2
    e = error("a: b: c\n")
    assert e.where == Location("f.yaml", 1, 5)


def test_control_characters_are_located() -> None:
    e = error("a: 1\nb: x\x00y\n")
    assert e.code == "YAML-SYNTAX" and e.where == Location("f.yaml", 2, 5)


def test_complex_keys_are_refused() -> None:
    assert error("? [a, b]\n: 1\n").code == "YAML-KEY"


def test_binary_junk_is_located() -> None:
    with pytest.raises(InputError) as info:
        decode_text(b"a: 1\nb: \xff\xfe\x00junk\n", "f.yaml")
    assert info.value.code == "YAML-ENCODING"
    assert info.value.where == Location("f.yaml", 2, 4)


def test_utf8_bom_is_accepted() -> None:
    assert decode_text("\ufeffa: é\n".encode(), "f.yaml") == "a: é\n"


def test_empty_documents() -> None:
    assert [d.data for d in parse_documents("", "f.yaml")] == []
    assert [d.data for d in parse_documents("---\n---\n", "f.yaml")] == [None, None]
