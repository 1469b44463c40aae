"""`katib-gitops check` and `katib-gitops policy rules` through the entry point."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from compiler.cli import main
from tests.unit.policy.helpers import CONFIG, clean_spec, repo

WARNING_RULE = """\
id: team-label
title: Experiments carry a team label
severity: warning
rationale: Cost reports group experiments by team.
fix: Add a team label.
target: metadata
schema: {labels: {required: true}}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    files = {"config.yaml": CONFIG, "team-label.yaml": WARNING_RULE}
    return repo(tmp_path, {"specs/team-a/x.yaml": clean_spec("x")}, files)


def test_warnings_pass_by_default_and_fail_with_fail_on_warning(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "specs/team-a/x.yaml:1:7: warning: POLICY-team-label" in out
    assert main(["check", "--root", str(root), "--fail-on", "warning"]) == 1


def test_errors_fail(root: Path) -> None:
    spec = root / "specs/team-a/x.yaml"
    spec.write_text(spec.read_text().replace(":1.2.0", ":latest"))
    assert main(["check", "--root", str(root)]) == 1


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown"])
def test_every_format_to_a_file(root: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = root / f"report.{fmt}"
    assert main(["check", "--root", str(root), "-f", fmt, "--output", str(out), "--no-cache"]) == 0
    text = out.read_text(encoding="utf-8")
    assert capsys.readouterr().out == ""
    if fmt in ("json", "sarif"):
        json.loads(text)
    elif fmt == "junit":
        ET.fromstring(text)
    assert "team-label" in text


def test_paths_limit_the_check(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "specs/team-a/y.yaml").write_text(clean_spec("other").replace(":1.2.0", ":latest"))
    assert main(["check", "--root", str(root), str(root / "specs/team-a/x.yaml")]) == 0
    assert main(["check", "--root", str(root)]) == 1


def test_unreadable_input_is_exit_2(root: Path) -> None:
    assert main(["check", "--root", str(root), str(root / "specs/missing.yaml")]) == 2


def test_policy_rules_prints_the_catalog(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "rules", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "## `pss-privileged`: No privileged containers" in out
    assert "## `team-label`: Experiments carry a team label" in out
    assert "policies/team-label.yaml" in out
