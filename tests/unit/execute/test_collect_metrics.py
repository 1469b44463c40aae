"""The collectors' parsers and the observation rules (reference §5.2-§5.6), on text."""

from __future__ import annotations

import pytest

from compiler.execute.metrics import (
    ZERO_TIME,
    CollectionError,
    Log,
    number,
    objective_or_nothing,
    objective_text,
    observe,
    parse_json,
    parse_push,
    parse_text,
)
from compiler.model.results import UNAVAILABLE


def test_default_filter_reads_katib_examples() -> None:
    lines = ["loss=0.3", "accuracy = .98", "Score=-7.53e-05 other=1", "Score=1E0"]
    logs = parse_text(lines, ["loss", "accuracy", "Score"])
    assert [(g.name, g.value) for g in logs] == [
        ("loss", "0.3"),
        ("accuracy", ".98"),
        ("Score", "-7.53e-05"),
        ("Score", "1E0"),
    ]


def test_name_must_match_exactly_and_line_must_contain_a_name() -> None:
    logs = parse_text(["val-loss=0.1 loss=0.2", "xloss=3", "unrelated=4"], ["loss"])
    assert [(g.name, g.value) for g in logs] == [("loss", "0.2")]


def test_value_may_be_empty_or_garbage_as_in_go() -> None:
    logs = parse_text(["loss=abc", "\x00\xff loss = nan?"], ["loss"])
    assert [g.value for g in logs] == ["", ""]


def test_leading_rfc3339_timestamp() -> None:
    logs = parse_text(
        ["2024-01-02T03:04:05.5Z loss=1", "2024-01-02T03:04:05Z", "x loss=2"], ["loss"]
    )
    assert [g.timestamp for g in logs] == ["2024-01-02T03:04:05.5Z", ZERO_TIME]


def test_custom_filter_uses_re2() -> None:
    fmt = r"{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}"
    logs = parse_text(["{metricName: acc, metricValue: 0.7}"], ["acc"], [fmt])
    assert [(g.name, g.value) for g in logs] == [("acc", "0.7")]
    with pytest.raises(ValueError, match="error parsing regexp"):
        parse_text(["acc"], ["acc"], ["(?<=x)(a)(b)"])


def test_json_takes_only_string_values() -> None:
    lines = ['{"loss": "0.2", "acc": 0.9, "timestamp": 1525851440.123456}', "", "null"]
    logs = parse_json(lines, ["loss", "acc"])
    assert logs == [
        Log(
            "loss",
            "0.2",
            "1970-01-01T00:00:00.000123456Z".replace("1970-01-01T00:00:00", "2018-05-09T07:37:20"),
        )
    ]


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", '{"loss": "1"'])
def test_json_malformed_line_fails_collection(bad: str) -> None:
    with pytest.raises(CollectionError):
        parse_json(['{"loss": "1"}', bad], ["loss"])


def test_push_reports_need_numbers() -> None:
    logs, problems = parse_push(
        ['{"loss": 0.5, "acc": "0.7"}', '{"loss": "abc"}', "garbage"], "2024-01-01T00:00:00Z"
    )
    assert [(g.name, g.value) for g in logs] == [("loss", "0.5"), ("acc", "0.7")]
    assert len(problems) == 2


def test_objective_missing_drops_everything() -> None:
    assert objective_or_nothing([Log("acc", "1")], "loss") == [Log("loss", UNAVAILABLE)]


def test_observation_min_max_latest() -> None:
    logs = [
        Log("loss", "0.5", "2024-01-01T00:00:02Z"),
        Log("loss", "0.2", "2024-01-01T00:00:01Z"),
        Log("loss", "abc", "2024-01-01T00:00:02Z"),  # same time: the later log wins latest
        Log("acc", "0.9"),
    ]
    loss, acc, other = observe(logs, ["loss", "acc", "other"])
    assert (loss.min, loss.max, loss.latest) == ("0.2", "0.5", "abc")
    assert (acc.min, acc.max, acc.latest) == ("0.9", "0.9", "0.9")
    assert (other.min, other.latest, other.series) == (UNAVAILABLE, UNAVAILABLE, ())
    assert [p.value for p in loss.series] == ["0.5", "0.2", "abc"]


def test_objective_by_strategy_falls_back_to_latest() -> None:
    (m,) = observe([Log("loss", "abc")], ["loss"])
    assert objective_text(m, "min") == "abc"  # non-numeric: latest, and no number
    assert number("abc") is None
    (n,) = observe([Log("loss", "3"), Log("loss", "1")], ["loss"])
    assert objective_text(n, "min") == "1"
    assert objective_text(n, "max") == "3"
    assert objective_text(n, "latest") == "1"
    assert objective_text(n, "median") is None  # an invalid strategy disables the objective
