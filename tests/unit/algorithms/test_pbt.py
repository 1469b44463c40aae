"""pbt: required settings, the resample_probability trap, FromVolume, name length, steps."""

from __future__ import annotations

import pytest

from compiler.model.katib import Experiment

from .builders import double, errors, experiment, integer, run, setting, space, warnings

GOOD = (
    ("suggestion_trial_dir", "/var/log/katib/checkpoints/"),
    ("n_population", "40"),
    ("truncation_threshold", "0.2"),
)


def pbt(
    *pairs: tuple[str, str], name: str = "simple-pbt", resume: str = "FromVolume"
) -> Experiment:
    return experiment(
        "pbt",
        double("lr", "0.0001", "0.02", step="0.0001"),
        integer("batch", "16", "64"),
        algorithm_settings=pairs,
        name=name,
        resume=resume,
    )


def test_missing_required_settings() -> None:
    found = run(pbt(("n_population", "40")), "pbt")
    assert [(f.code, f.field, f.message) for f in found] == [
        (
            "KATIB-R24",
            "spec.algorithm.algorithmSettings",
            "Required params missing: suggestion_trial_dir, truncation_threshold",
        )
    ]


@pytest.mark.parametrize(("value", "ok"), [("4", False), ("5", True), ("5.0", False)])
def test_n_population(value: str, ok: bool) -> None:
    exp = pbt(GOOD[0], ("n_population", value), GOOD[2])
    assert errors(exp, "pbt") == (set() if ok else {("KATIB-R24", setting(1))})


@pytest.mark.parametrize(
    ("value", "ok"), [("0", True), ("1", True), ("-0.1", False), ("1.5", False), ("nan", False)]
)
def test_truncation_threshold(value: str, ok: bool) -> None:
    exp = pbt(*GOOD[:2], ("truncation_threshold", value))
    assert errors(exp, "pbt") == (set() if ok else {("KATIB-R24", setting(2))})


@pytest.mark.parametrize("value", ["0.5", "0", ""])
def test_resample_probability_always_fails(value: str) -> None:
    found = run(pbt(*GOOD, ("resample_probability", value)), "pbt")
    assert [(f.code, f.field, f.severity) for f in found] == [
        ("KATIB-R24", setting(3, "name"), "error")
    ]
    assert "'<=' not supported between instances of 'int' and 'str'" in found[0].message


def test_empty_trial_dir() -> None:
    exp = pbt(("suggestion_trial_dir", ""), *GOOD[1:])
    assert errors(exp, "pbt") == {("KATIB-R24", setting(0))}


@pytest.mark.parametrize("resume", ["Never", "LongRunning"])
def test_needs_from_volume(resume: str) -> None:
    assert errors(pbt(*GOOD, resume=resume), "pbt") == {("KATIB-R24", "spec.resumePolicy")}


@pytest.mark.parametrize(("length", "ok"), [(26, True), (27, False)])
def test_name_length(length: int, ok: bool) -> None:
    exp = pbt(*GOOD, name="p" * length)
    assert errors(exp, "pbt") == (set() if ok else {("KATIB-R24", "metadata.name")})


def test_double_needs_step() -> None:
    exp = experiment(
        "pbt", double("lr", "0.01", "0.02"), algorithm_settings=GOOD, resume="FromVolume"
    )
    assert errors(exp, "pbt") == {("KATIB-R24", space(0, "step"))}


def test_unknown_names_and_distribution_are_warnings() -> None:
    exp = experiment(
        "pbt",
        double("lr", "0.01", "0.02", step="0.01", dist="logUniform"),
        algorithm_settings=(*GOOD, ("foo", "1")),
        resume="FromVolume",
    )
    assert errors(exp, "pbt") == set()
    assert warnings(exp, "pbt") == {
        ("KATIB-R20", setting(3, "name")),
        ("KATIB-R22", space(0, "distribution")),
    }


def test_every_problem_is_reported() -> None:
    exp = experiment(
        "pbt",
        double("lr", "0.01", "0.02"),
        algorithm_settings=[("n_population", "4"), ("resample_probability", "0.1")],
        name="a-very-long-experiment-name-for-pbt",
    )
    assert errors(exp, "pbt") == {
        ("KATIB-R24", "spec.algorithm.algorithmSettings"),
        ("KATIB-R24", setting(0)),
        ("KATIB-R24", setting(1, "name")),
        ("KATIB-R24", "spec.resumePolicy"),
        ("KATIB-R24", "metadata.name"),
        ("KATIB-R24", space(0, "step")),
    }
