"""medianstop: two integer settings, unknown names rejected."""

from __future__ import annotations

import pytest

from .builders import errors, experiment, run

ES = "spec.earlyStopping.algorithmSettings"


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("min_trials_required", "0", False),
        ("min_trials_required", "1", True),
        ("min_trials_required", "1.5", False),
        ("start_step", "0", False),
        ("start_step", "1", True),
        ("start_step", "x", False),
    ],
)
def test_settings(name: str, value: str, ok: bool) -> None:
    exp = experiment("random", early_stopping=[(name, value)])
    assert errors(exp, "medianstop") == (set() if ok else {("KATIB-R26", f"{ES}[0].value")})


def test_messages() -> None:
    exp = experiment("random", early_stopping=[("min_trials_required", "0"), ("start_step", "0")])
    assert [f.message for f in run(exp, "medianstop")] == [
        "min_trials_required must be greater than zero (>0)",
        "start_step must be greater or equal than one (>=1)",
    ]


def test_unknown_name() -> None:
    exp = experiment("random", early_stopping=[("start_step", "2"), ("min_steps", "3")])
    assert errors(exp, "medianstop") == {("KATIB-R20", f"{ES}[1].name")}


def test_other_algorithm_on_the_medianstop_image() -> None:
    exp = experiment("random", early_stopping=[], early_stopping_name="truncation")
    (found,) = run(exp, "medianstop")
    assert (found.code, found.field, found.message) == (
        "KATIB-R20",
        "spec.earlyStopping.algorithmName",
        "unknown algorithm name truncation",
    )
