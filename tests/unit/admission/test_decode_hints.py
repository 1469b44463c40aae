"""KATIB-H1's hint names what went wrong in the value (issue 11): a YAML 1.1 boolean that
kubectl reads as true or false (`y`, `n`, `on`, `off`, `yes`, `no`, in any case) where Katib
wants a string is to be quoted; a number where it wants a string, quoted; a string where it wants
a number, unquoted. Katib's decode is strictly typed (reference.md §0, "Decoding is strictly
typed"); the words are those go-yaml v2, kubectl's YAML 1.1 reader, takes for booleans."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_locations import TEXT, admit_text, the, where

WORDS = [
    *("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"),
    *("n", "N", "no", "No", "NO", "off", "Off", "OFF"),
]
CATEGORIES = "list: [sgd, adam]"


@pytest.mark.parametrize("event_parser", [False, True], ids=["composer", "event-parser"])
@pytest.mark.parametrize("word", WORDS)
def test_a_yaml11_boolean_in_a_string_field_is_to_be_quoted(
    word: str, event_parser: bool, tmp_path: Path
) -> None:
    text = TEXT.replace(CATEGORIES, f"list: [sgd, {word}]")
    if event_parser:  # an `&` anywhere sends the text past libyaml's composer (yamlcompose)
        text = "# & the event parser\n" + text
    verdict, _ = admit_text(text, tmp_path)
    d = the(verdict, "KATIB-H1")
    assert where(d) == (33 + event_parser, 21)
    assert d.field == "spec.parameters[2].feasibleSpace.list[1]"
    truth = "true" if word.lower() in ("y", "yes", "on") else "false"
    assert f"kubectl's YAML (1.1) reads the unquoted {word} as the boolean {truth}" in d.hint
    assert d.hint.endswith(f'quote it to keep it a string: "{word}"')


def test_true_itself_is_named_without_the_yaml11_aside(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace(CATEGORIES, "list: [sgd, true]"), tmp_path)
    hint = the(verdict, "KATIB-H1").hint
    assert hint == 'the unquoted true is the boolean true; quote it to keep it a string: "true"'


def test_a_yaml11_boolean_in_a_number_field_names_the_type(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace("maxTrialCount: 6", "maxTrialCount: on"), tmp_path)
    hint = the(verdict, "KATIB-H1").hint
    assert "reads the unquoted on as the boolean true" in hint
    assert hint.endswith("Katib wants a whole number (int32) here")


def test_a_number_in_a_string_field_is_to_be_quoted(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace('min: "0.001"', "min: 0.001"), tmp_path)
    assert the(verdict, "KATIB-H1").hint == 'Katib wants a string here: quote the number ("0.001")'


def test_a_quoted_number_in_a_number_field_is_to_be_unquoted(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace("maxTrialCount: 6", 'maxTrialCount: "6"'), tmp_path)
    hint = the(verdict, "KATIB-H1").hint
    assert hint == "Katib wants a whole number (int32) here: write it without quotes (6)"


@pytest.mark.parametrize("number", ["1e400", "-1e400", "9" * 400, "9" * 5000])
def test_a_number_beyond_float64_is_text_to_kubectl(number: str, tmp_path: Path) -> None:
    """go-yaml keeps a numeral strconv cannot hold as a string; Python's int() of 5,000 digits
    would raise (its int-from-text limit): neither may crash the parse."""
    verdict, _ = admit_text(TEXT.replace("goal: 0.95", f"goal: {number}"), tmp_path)
    d = the(verdict, "KATIB-H1")
    assert where(d) == (10, 11)
    assert "is beyond a float64's range, so kubectl's YAML reads it as a string" in d.hint
