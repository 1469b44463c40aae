"""`katib-gitops policy test`: cases beside the policies, passing and failing; the built-in
pack's own cases cover every rule, failing and passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.cli import main
from compiler.commands.check import policy_test
from compiler.policy.builtin import RULES
from compiler.policy.verify import expected_from
from tests.unit.policy.helpers import CONFIG, clean_spec, repo, write

GOOD = "path: specs/team-a/x.yaml\nfindings:\n  - {rule: images-tag, line: 8, column: 10}\n"


def cases(tmp_path: Path, expected: str) -> Path:
    root = repo(tmp_path, {}, {"config.yaml": CONFIG})
    write(root, "policies/tests/latest/spec.yaml", clean_spec("x").replace(":1.2.0", ":latest"))
    write(root, "policies/tests/latest/expected.yaml", expected)
    write(root, "policies/tests/clean/spec.yaml", clean_spec("ok"))
    write(root, "policies/tests/clean/expected.yaml", "path: specs/team-a/ok.yaml\nfindings: []\n")
    return root


def test_passing_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = cases(tmp_path, GOOD)
    assert main(["policy", "test", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "PASS policies/tests/latest" in out and "PASS policies/tests/clean" in out
    assert out.rstrip().splitlines()[-1] == "2 passed, 0 failed"


@pytest.mark.parametrize(
    ("expected", "why"),
    [
        (
            GOOD.replace("line: 8", "line: 9"),
            "expected rule=images-tag, line=9, column=10, but it was not found",
        ),
        (
            "path: specs/team-a/x.yaml\nfindings: []\n",
            "unexpected finding: policies/tests/latest/spec.yaml:8:10",
        ),
        (GOOD + "absent: [images-tag]\n", "images-tag must not fire"),
        ("path: specs/team-a/x.yaml\nfindings: [{rulez: x}]\n", "unknown field"),
    ],
)
def test_failing_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], expected: str, why: str
) -> None:
    root = cases(tmp_path, expected)
    assert main(["policy", "test", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "FAIL policies/tests/latest" in out
    assert why in out
    assert out.rstrip().splitlines()[-1] == "1 passed, 1 failed"


def test_no_cases_fails(tmp_path: Path) -> None:
    root = repo(tmp_path, {}, {"config.yaml": CONFIG})
    assert main(["policy", "test", "--root", str(root)]) == 1


def test_the_builtin_cases_pass() -> None:
    results = policy_test(Path("."), builtin=True)
    assert [(r.case.name, r.failures) for r in results if not r.passed] == []
    assert len(results) >= 30


def test_every_builtin_rule_has_a_failing_and_a_passing_case() -> None:
    ids = {r.id for r in RULES}
    fails: set[str] = set()
    passes: set[str] = set()
    for result in policy_test(Path("."), builtin=True):
        expected, _ = expected_from(result.case.expected)
        fails |= expected.fails()
        enabled = {r.id for r in result.case.policies.enabled()}
        passes |= expected.passes(enabled)
    assert sorted(ids - fails) == []
    assert sorted(ids - passes) == []


def test_a_case_without_its_expectations_fails_with_a_located_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = cases(tmp_path, GOOD)
    (root / "policies/tests/latest/expected.yaml").unlink()
    assert main(["policy", "test", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "POLICY-TEST" in out and "no expected.yaml" in out


def test_malformed_expectations_are_reported_as_policy_test_findings() -> None:
    _, problems = expected_from(None)
    assert [p.code for p in problems] == ["POLICY-TEST"]
