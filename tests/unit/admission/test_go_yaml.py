"""Reading YAML as Go does, where Katib's verdict depends on it: ConfigMap trial templates go
through apimachinery's YAMLOrJSONDecoder and sigs.k8s.io/yaml (V-31..V-34), and kubectl turns
plain keys into JSON keys. Each expectation was checked against Katib's code (the oracle) when
written; the conformance suite keeps comparing generated templates."""

from __future__ import annotations

import pytest

from compiler.admission.trialjob import first_yaml_document, parse_template
from compiler.errors import InputError
from compiler.goyaml import format_float32_g, json_key
from compiler.yamlsafe import Limits, parse_documents, parse_go_documents

POD = "apiVersion: v1\nkind: Pod\n"


def go(text: str) -> object:
    (doc,) = parse_go_documents(text, "t", first_only=True)
    return doc


def test_anchors_and_aliases_expand() -> None:
    assert go("a: &x {b: 1}\nc: *x\n") == {"a": {"b": 1}, "c": {"b": 1}}


def test_an_alias_costs_what_it_expands_to() -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    with pytest.raises(InputError, match="YAML-LIMIT"):
        parse_go_documents("\n".join(lines) + "\n", "t", Limits(max_nodes=100_000))


def test_unknown_anchor() -> None:
    with pytest.raises(InputError, match="unknown anchor"):
        go("a: *nope\n")


def test_merge_keys_follow_go_yaml_v2() -> None:
    """Keys merged later overwrite earlier ones; in a list of maps the first map wins."""
    assert go("x: 1\n<<: {x: 2, q: 2}\n") == {"x": 2, "q": 2}
    assert go("<<: {x: 2}\nx: 1\n") == {"x": 1}
    assert go("<<: [{x: 1}, {x: 2, q: 2}]\n") == {"x": 1, "q": 2}
    assert go("b: &b {x: 3}\nc:\n  <<: *b\n") == {"b": {"x": 3}, "c": {"x": 3}}
    assert go("'<<': 1\n") == {"<<": 1}
    with pytest.raises(InputError, match="map merge requires"):
        go("<<: 1\n")


def test_repeated_keys_keep_the_last() -> None:
    assert go("a: 1\na: 2\n") == {"a": 2}


def test_tags() -> None:
    assert go(
        "a: !!binary aGk=\nb: !!str 5\nc: !foo bar\nd: !!python/object x\ne: !!int '5'\n"
    ) == {
        "a": "hi",
        "b": "5",
        "c": "bar",
        "d": "x",
        "e": 5,
    }


def test_keys_become_json_keys() -> None:
    doc = go("{y: 1, 'n': 2, 0x10: 3, 1.0: 4, 1e6: 5, 0o17: 6, 1.5: 7, 2006-01-02: 8}\n")
    assert doc == {
        "true": 1,
        "n": 2,
        "16": 3,
        "1": 4,
        "1e+06": 5,
        "15": 6,
        "1.5": 7,
        "2006-01-02": 8,
    }


def test_kubectl_keys_for_manifests() -> None:
    (doc,) = parse_documents("labels: {on: a, 0x10: b, 'y': c}\n", "m.yaml", go_keys=True)
    assert doc.data == {"labels": {"true": "a", "16": "b", "y": "c"}}
    assert ("labels", "16") in doc.keys
    (plain,) = parse_documents("labels: {on: a}\n", "m.yaml")
    assert plain.data == {"labels": {"on": "a"}}


def test_null_key_is_refused() -> None:
    with pytest.raises(InputError, match="YAML-KEY"):
        parse_documents("{~: 1}\n", "m.yaml", go_keys=True)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1000.0, "1000"),
        (1e6, "1e+06"),
        (0.1, "0.1"),
        (123456789.0, "1.2345679e+08"),
        (1e-5, "1e-05"),
        (1e39, ".inf"),
        (-2.5, "-2.5"),
        (16777217.0, "1.6777216e+07"),
    ],
)
def test_float_keys_are_formatted_as_float32(value: float, text: str) -> None:
    assert format_float32_g(value) == text
    assert json_key(value) == text


# --- ConvertStringToUnstructured ----------------------------------------------------------------


def test_json_is_read_as_one_value() -> None:
    obj, _ = parse_template('{"apiVersion": "v1", "kind": "Pod"} trailing')
    assert obj == {"apiVersion": "v1", "kind": "Pod"}


def test_text_starting_with_a_brace_falls_back_to_yaml() -> None:
    obj, _ = parse_template("{kind: Pod, apiVersion: v1}")
    assert obj == {"kind": "Pod", "apiVersion": "v1"}


def test_json_constants_are_not_json() -> None:
    """Go's JSON has no NaN; the YAML fallback reads it as a string."""
    obj, _ = parse_template('{"kind": "Pod", "a": NaN}')
    assert obj == {"kind": "Pod", "a": "NaN"}


def test_only_the_first_yaml_document_is_read() -> None:
    obj, _ = parse_template(POD + "---\nbad: [\n")
    assert obj == {"apiVersion": "v1", "kind": "Pod"}
    obj, _ = parse_template(POD + "...\nbad: [\n")
    assert obj == {"apiVersion": "v1", "kind": "Pod"}


def test_a_leading_separator_is_skipped() -> None:
    assert parse_template("---\n" + POD)[0] == {"apiVersion": "v1", "kind": "Pod"}


def test_a_comment_only_document_is_an_empty_object() -> None:
    """sigs.k8s.io/yaml decodes JSON null into the interface: V-33 follows, not V-31."""
    assert parse_template("# just a comment\n---\n" + POD) == ({}, "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\n",
        POD + "--- x\n",
        "- a\n",
        "apiVersion: v1\n",
        "kind: ''\n",
        "a: [\n",
        '{"kind": "Pod"',
        "kind: Pod\nn: .inf\n",
    ],
    ids=[
        "empty",
        "separator-only",
        "separator-with-text",
        "list",
        "no-kind",
        "empty-kind",
        "broken-yaml",
        "broken-json",
        "infinity",
    ],
)
def test_not_an_object(text: str) -> None:
    obj, problem = parse_template(text)
    assert obj is None and problem


def test_crlf_and_separator_rules() -> None:
    chunk, _ = first_yaml_document("a: 1\r\n---\r\nb: 2\r\n")
    assert chunk == "a: 1\n"
    assert first_yaml_document("--- # comment\na: 1\n") == ("a: 1\n", "")
    assert first_yaml_document("----\n")[0] is None
