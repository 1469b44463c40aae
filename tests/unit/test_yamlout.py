"""Canonical YAML output reads back as the same data, the way kubectl (go-yaml v2) reads it."""

from __future__ import annotations

import pytest

from compiler.yamlout import dump
from compiler.yamlsafe import parse_documents

AMBIGUOUS = [
    "1e-05",  # a float to go-yaml, a string to PyYAML's YAML 1.1 resolver
    "5e-5",
    ".5",
    "0x1F",
    "0o17",
    "017",
    "08",
    "1_000",
    "y",
    "n",
    "yes",
    "off",
    "~",
    "null",
    "<<",
    "000000009090",
    "18446744073709551615",
    "6325e37460",  # text to go-yaml (past float64), infinity to YAML 1.2 (yaml-language-server)
    "1e999",
    "\u2028",  # a line break to YAML 1.1, text to YAML 1.2: written as an escape
]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_strings_that_go_yaml_would_misread_are_quoted(text: str) -> None:
    out = dump({"value": text})
    assert out.startswith("value: '") or out.startswith('value: "'), out
    assert parse_documents(out, "x")[0].data == {"value": text}


@pytest.mark.parametrize("text", ["plain", "1:30", "2020-01-01", "v1.2"])
def test_strings_go_yaml_keeps_as_text_stay_plain(text: str) -> None:
    out = dump({"value": text})
    assert parse_documents(out, "x")[0].data == {"value": text}


def test_multi_line_strings_are_literal_blocks_and_round_trip() -> None:
    data = {"script": "set -e\npython train.py --lr=${lr}\n"}
    out = dump(data)
    assert "script: |" in out
    assert parse_documents(out, "x")[0].data == data


def test_key_order_is_kept_and_output_ends_with_one_newline() -> None:
    out = dump({"b": 1, "a": {"d": 2, "c": [1, 2]}})
    assert out == "b: 1\na:\n  d: 2\n  c:\n  - 1\n  - 2\n"
