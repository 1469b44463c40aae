"""Katib objects are named `<spec name>-<revision>` (ARCHITECTURE.md, "Names"), and Katib's
40-character limit (V-1, reference §3.2) applies to the whole name."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.cli import main

SPEC = """\
name: {name}
{extra}objective: {{maximize: accuracy}}
algorithm: random
trials: {{max: 4}}
parameters:
  lr: {{min: 0.01, max: 0.1}}
trial:
  image: docker.io/me/train:1
  command: [python3, train.py, '--lr=${{lr}}']
"""


def compile_one(tmp_path: Path, name: str, extra: str = "") -> tuple[int, str]:
    spec = tmp_path / "specs" / "team" / "exp.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(SPEC.format(name=name, extra=extra))
    code = main(["compile", "--root", str(tmp_path)])
    out = tmp_path / "generated" / "team" / "exp" / f"{name}.yaml"
    return code, out.read_text() if out.exists() else ""


def test_the_object_is_named_after_the_spec_and_its_revision(tmp_path: Path) -> None:
    code, text = compile_one(tmp_path, "a" * 29)
    assert code == 0
    line = next(x for x in text.splitlines() if x.startswith("  name: "))
    revision = next(x for x in text.splitlines() if x.startswith("# Experiment revision: "))
    assert line == f"  name: {'a' * 29}-{revision.split(': ')[1]}"
    assert len(line) - len("  name: ") == 40


def test_a_name_too_long_for_its_suffix_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = compile_one(tmp_path, "a" * 30)
    err = capsys.readouterr().err
    assert code == 1
    assert "specs/team/exp.yaml:1:7: error: KATIB-V1" in err
    assert "has 41 characters; Katib allows 40" in err
    assert "shorten the name to 29 characters (it has 30), or set revisionSuffix: false" in err


def test_without_the_suffix_the_name_is_exact(tmp_path: Path) -> None:
    code, text = compile_one(tmp_path, "a" * 40, "revisionSuffix: false\n")
    assert code == 0
    assert f"  name: {'a' * 40}\n" in text


def test_the_spec_name_keys_duplicates_whatever_the_revisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compile_one(tmp_path, "same")
    other = tmp_path / "specs" / "team" / "other.yaml"
    other.write_text(SPEC.format(name="same", extra="").replace("max: 0.1", "max: 0.2"))
    assert main(["validate", "--root", str(tmp_path)]) == 1
    assert "SPEC-DUPLICATE experiment team/same is also declared" in capsys.readouterr().err
