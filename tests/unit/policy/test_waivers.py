"""Waivers: a valid one waives (and the finding stays, marked); an expired one is an error and
waives nothing; every field is required."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from compiler.model.diagnostics import Severity
from tests.unit.policy.helpers import CONFIG, clean_spec, found, repo, run, where

TODAY = dt.date(2026, 11, 29)
LATEST = clean_spec("old").replace(":1.2.0", ":latest")


def waiver(
    target: str = "specs/team-a/old.yaml", expires: str = "2026-12-31", rule: str = "images-tag"
) -> str:
    return (
        "waivers:\n"
        f"  - rule: {rule}\n"
        f"    target: {target}\n"
        "    reason: the vendor publishes no other tag; tracked in PLAT-42\n"
        "    owner: ml-platform@example.com\n"
        f"    expires: {expires}\n"
    )


def setup(tmp_path: Path, waivers: str) -> Path:
    return repo(
        tmp_path,
        {"specs/team-a/old.yaml": LATEST},
        {"config.yaml": CONFIG, "waivers.yaml": waivers},
    )


@pytest.mark.parametrize(
    "target", ["specs/team-a/old.yaml", "specs/team-a/*", "team-a/old", "team-a/*"]
)
def test_a_valid_waiver_waives_and_keeps_the_finding(tmp_path: Path, target: str) -> None:
    report = run(setup(tmp_path, waiver(target)), today=TODAY)
    (item,) = found(report, "images-tag")
    assert item.waived
    assert item.waiver is not None and item.waiver.owner == "ml-platform@example.com"
    assert report.exit_code == 0
    assert report.waived == 1


def test_a_waiver_for_another_target_waives_nothing(tmp_path: Path) -> None:
    report = run(setup(tmp_path, waiver("specs/team-b/*")), today=TODAY)
    (item,) = found(report, "images-tag")
    assert not item.waived
    assert report.exit_code == 1


def test_the_last_day_still_counts(tmp_path: Path) -> None:
    report = run(setup(tmp_path, waiver(expires="2026-11-29")), today=TODAY)
    assert found(report, "images-tag")[0].waived
    assert report.exit_code == 0


def test_an_expired_waiver_is_an_error_and_waives_nothing(tmp_path: Path) -> None:
    report = run(setup(tmp_path, waiver(expires="2026-11-28")), today=TODAY)
    (expired,) = [i for i in report.items if i.diagnostic.code == "POLICY-WAIVER-EXPIRED"]
    assert where(expired) == "policies/waivers.yaml:2:11"
    assert expired.severity == Severity.ERROR
    assert "expired on 2026-11-28" in expired.diagnostic.message
    assert not found(report, "images-tag")[0].waived
    assert report.exit_code == 1


@pytest.mark.parametrize("missing", ["rule", "target", "reason", "owner", "expires"])
def test_every_field_is_required(tmp_path: Path, missing: str) -> None:
    text = "\n".join(
        line
        for line in waiver().splitlines()
        if not line.strip().startswith(f"{missing}:")
        and not line.strip().startswith(f"- {missing}:")
    )
    if missing == "rule":
        text = text.replace("    target:", "  - target:")
    report = run(setup(tmp_path, text + "\n"), today=TODAY)
    invalid = [i for i in report.items if i.diagnostic.code == "POLICY-WAIVER-INVALID"]
    assert len(invalid) == 1
    assert missing in invalid[0].diagnostic.message
    assert (
        invalid[0].diagnostic.where is not None
        and invalid[0].diagnostic.where.file == "policies/waivers.yaml"
    )
    assert not found(report, "images-tag")[0].waived
    assert report.exit_code == 1


def test_a_date_that_is_not_a_date(tmp_path: Path) -> None:
    report = run(setup(tmp_path, waiver(expires="2026-02-30")), today=TODAY)
    (invalid,) = [i for i in report.items if i.diagnostic.code == "POLICY-WAIVER-INVALID"]
    assert where(invalid) == "policies/waivers.yaml:6:14"


def test_a_waiver_of_an_unknown_rule_is_a_warning(tmp_path: Path) -> None:
    report = run(setup(tmp_path, waiver(rule="images-tags")), today=TODAY)
    (unknown,) = [i for i in report.items if i.diagnostic.code == "POLICY-WAIVER-INVALID"]
    assert unknown.severity == Severity.WARNING
    assert "images-tags" in unknown.diagnostic.message
