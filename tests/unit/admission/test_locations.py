"""Where findings point: `file:line:col` of the offending value, or of the nearest ancestor when
the field is missing; dropped unknown fields are warned (KATIB-D1) at the key, with a guess."""

from __future__ import annotations

from pathlib import Path

from compiler.admission import Admission, admit
from compiler.load.files import load_file
from compiler.model.diagnostics import Diagnostic

from .builders import FIXTURE

TEXT = FIXTURE.read_text("utf-8")


def admit_text(text: str, tmp_path: Path) -> tuple[Admission, str]:
    path = tmp_path / "experiment.yaml"
    path.write_text(text, "utf-8")
    (doc,) = load_file(path)
    return admit(doc), str(path)


def where(d: Diagnostic) -> tuple[int, int]:
    assert d.where is not None
    return d.where.line, d.where.column


def the(verdict: Admission, code: str) -> Diagnostic:
    (d,) = [d for d in (*verdict.errors, *verdict.warnings) if d.code == code]
    return d


def test_error_points_at_the_value(tmp_path: Path) -> None:
    verdict, path = admit_text(TEXT.replace("maxTrialCount: 6", "maxTrialCount: 0"), tmp_path)
    d = the(verdict, "KATIB-V3")
    assert where(d) == (16, 18)
    assert d.render().startswith(f"{path}:16:18: error: KATIB-V3 must be greater than 0")
    assert "field: spec.maxTrialCount (Invalid)" in d.render()


def test_indexed_paths_point_into_lists(tmp_path: Path) -> None:
    text = TEXT.replace('max: "3"', "max: '3'\n        list: ['1']")
    verdict, _ = admit_text(text, tmp_path)
    assert where(the(verdict, "KATIB-V37d")) == (30, 15)


def test_missing_field_points_at_the_nearest_ancestor(tmp_path: Path) -> None:
    text = TEXT.replace("    objectiveMetricName: accuracy\n", "")
    verdict, _ = admit_text(text, tmp_path)
    d = the(verdict, "KATIB-V9")
    assert d.field == "spec.objective.objectiveMetricName"
    assert where(d) == (9, 5)  # spec.objective: its first key


def test_missing_section_points_at_spec(tmp_path: Path) -> None:
    start, end = TEXT.index("  algorithm:\n"), TEXT.index("  maxTrialCount:")
    verdict, _ = admit_text(TEXT[:start] + TEXT[end:], tmp_path)
    assert where(the(verdict, "KATIB-V11")) == (8, 3)  # spec's first key


def test_decode_error_points_at_the_value(tmp_path: Path) -> None:
    verdict, path = admit_text(TEXT.replace('min: "0.001"', "min: 0.001"), tmp_path)
    d = the(verdict, "KATIB-H1")
    assert where(d) == (23, 14)
    assert d.type == "BadRequest"
    assert d.field == "spec.parameters[0].feasibleSpace.min"
    assert d.render().startswith(f"{path}:23:14: error: KATIB-H1 the webhook cannot decode")


def test_dropped_unknown_field_is_warned_at_the_key(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace("    goal: 0.95", "    gaol: 0.95"), tmp_path)
    assert verdict.allowed
    d = the(verdict, "KATIB-D1")
    assert where(d) == (10, 5)
    assert d.severity.value == "warning"
    assert d.field == "spec.objective.gaol"
    assert "did you mean 'goal'?" in d.hint
    assert verdict.object is not None
    assert "gaol" not in verdict.object["spec"]["objective"]


def test_wrong_case_is_an_unknown_field(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace("maxTrialCount: 6", "maxtrialcount: 6"), tmp_path)
    assert "did you mean 'maxTrialCount'?" in the(verdict, "KATIB-D1").hint


def test_unknown_fields_inside_trial_spec_are_kept_not_warned(tmp_path: Path) -> None:
    text = TEXT.replace(
        "            restartPolicy: Never", "            restartPolicy: Never\n            bogus: 1"
    )
    verdict, _ = admit_text(text, tmp_path)
    assert "KATIB-D1" not in {w.code for w in verdict.warnings}
    assert where(the(verdict, "KATIB-V34")) == (35, 5)  # spec.trialTemplate: its first key


def test_runtime_finding_points_at_its_field(tmp_path: Path) -> None:
    verdict, _ = admit_text(TEXT.replace('min: "0.001"', 'min: "0.5"'), tmp_path)
    assert where(the(verdict, "KATIB-R5")) == (24, 14)  # feasibleSpace.max


def test_second_document_keeps_its_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TEXT + "---\n" + TEXT.replace("maxTrialCount: 6", "maxTrialCount: 0"), "utf-8")
    docs = load_file(path)
    first = len(TEXT.splitlines())
    d = the(admit(docs[1]), "KATIB-V3")
    assert where(d) == (first + 1 + 16, 18)
