"""`compile` refuses to write manifests while a policy error is not waived."""

from __future__ import annotations

from pathlib import Path

from compiler.cli import main
from tests.unit.policy.helpers import CONFIG, clean_spec, repo

WAIVER = """\
waivers:
  - rule: images-tag
    target: specs/team-a/*
    reason: the vendor image has no other tag
    owner: ml-platform@example.com
    expires: 2999-12-31
"""


def test_compile_writes_nothing_after_an_unwaived_policy_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = repo(tmp_path, {"specs/team-a/x.yaml": clean_spec("x").replace(":1.2.0", ":latest")})
    assert main(["compile", "--root", str(root)]) == 1
    assert not (root / "generated").exists()
    err = capsys.readouterr().err
    assert "specs/team-a/x.yaml:8:10: error: POLICY-images-tag" in err
    assert "nothing written" in err


def test_compile_writes_when_the_error_is_waived(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {"specs/team-a/x.yaml": clean_spec("x").replace(":1.2.0", ":latest")},
        {"config.yaml": CONFIG, "waivers.yaml": WAIVER},
    )
    assert main(["compile", "--root", str(root)]) == 0
    assert list((root / "generated").rglob("x.yaml"))


def test_compile_of_a_clean_repository(tmp_path: Path) -> None:
    root = repo(tmp_path, {"specs/team-a/x.yaml": clean_spec("x")})
    assert main(["compile", "--root", str(root)]) == 0
    assert main(["compile", "--root", str(root), "--check"]) == 0
