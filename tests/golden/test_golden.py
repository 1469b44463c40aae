"""Golden cases: each folder under tests/golden/ is a small repository (specs/, optionally a
katib-config.yaml and a configmap.yaml) with the expected generated/ files and the expected
diagnostics. One test runs them all; KATIB_GITOPS_UPDATE_GOLDEN=1 rewrites the expectations.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.commands.compile import CompileRun, compile_specs
from compiler.render.manifests import manifest_set

HERE = Path(__file__).parent
CASES = sorted(p.name for p in HERE.iterdir() if (p / "specs").is_dir())
UPDATE = os.environ.get("KATIB_GITOPS_UPDATE_GOLDEN") == "1"


def run_case(case: Path) -> CompileRun:
    config = "katib-config.yaml" if (case / "katib-config.yaml").exists() else None
    maps = ["configmap.yaml"] if (case / "configmap.yaml").exists() else []
    return compile_specs(case, katib_config=config, configmaps=maps)


def rendered(run: CompileRun) -> tuple[dict[str, str], str]:
    good = [c for c in run.compiled if c.manifest is not None and c.ok]
    files = manifest_set(good).as_dict() if good else {}
    diagnostics = "".join(d.render() + "\n" for d in run.diagnostics)
    return files, diagnostics


def expected(case: Path) -> tuple[dict[str, str], str]:
    out = case / "expected"
    gen = out / "generated"
    files = (
        {p.relative_to(gen).as_posix(): p.read_text("utf-8") for p in gen.rglob("*") if p.is_file()}
        if gen.is_dir()
        else {}
    )
    diag = out / "diagnostics.txt"
    return files, diag.read_text("utf-8") if diag.exists() else ""


def write_expected(case: Path, files: dict[str, str], diagnostics: str) -> None:
    import shutil

    out = case / "expected"
    shutil.rmtree(out, ignore_errors=True)
    for rel, text in files.items():
        target = out / "generated" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    out.mkdir(parents=True, exist_ok=True)
    (out / "diagnostics.txt").write_text(diagnostics, "utf-8")


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = HERE / name
    monkeypatch.chdir(case)  # paths in messages are relative to the case's root
    files, diagnostics = rendered(run_case(case))
    if UPDATE:
        write_expected(case, files, diagnostics)
    want_files, want_diagnostics = expected(case)
    assert diagnostics == want_diagnostics
    assert sorted(files) == sorted(want_files)
    for rel, text in files.items():
        assert text == want_files[rel], rel


def test_every_case_is_checked_in() -> None:
    for name in CASES:
        assert (HERE / name / "expected" / "diagnostics.txt").exists(), name
