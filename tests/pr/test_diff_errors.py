"""Bad input to `katib-gitops diff`: a clear, located message and exit 2, never a traceback,
and nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.cli import main
from tests.pr.conftest import Repo, spec


@pytest.fixture
def compiled(repo: Repo) -> Repo:
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.compile()
    repo.commit("base")
    return repo


def _fails(capsys: pytest.CaptureFixture[str], args: list[str], *, code: int = 2) -> str:
    capsys.readouterr()
    assert main(["diff", *args]) == code
    out = capsys.readouterr()
    assert "Traceback" not in out.err and out.out == ""
    return out.err


def test_a_ref_that_names_no_commit(compiled: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(capsys, ["--root", str(compiled.root), "--base", "no-such-branch"])
    assert err.startswith("katib-gitops: 'no-such-branch' is not a revision of")
    assert "hint: name a commit or a branch" in err
    err = _fails(capsys, ["--root", str(compiled.root), "--base", "HEAD", "--head", "nope~3"])
    assert "'nope~3' is not a revision" in err


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "specs").mkdir()
    err = _fails(capsys, ["--root", str(tmp_path), "--base", "HEAD"])
    assert "not in a git repository" in err or "not a git repository" in err


def test_a_malformed_generated_folder_at_the_base_is_named_with_its_revision(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.compile()
    repo.write("generated/team-a/alpha/alpha.yaml", "kind: Experiment\nmetadata: [oops\n")
    base = repo.commit("a hand edit")
    repo.compile()  # the work tree is fine again
    out = tmp_path / "plan.json"
    err = _fails(
        capsys, ["--root", str(repo.root), "--base", base, "-o", "json", "--output", str(out)]
    )
    assert err.startswith("katib-gitops: generated/team-a/alpha/alpha.yaml:")
    assert f"(at base, {base[:12]})" in err
    assert not out.exists()  # nothing half-written


def test_a_generated_file_that_is_not_an_experiment(
    compiled: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    compiled.write("generated/team-a/alpha/alpha.yaml", "kind: ConfigMap\nmetadata: {name: x}\n")
    err = _fails(capsys, ["--root", str(compiled.root), "--base", "HEAD"])
    assert "generated/team-a/alpha/alpha.yaml: INPUT-GENERATED is not an Experiment" in err
    assert "(at head, the work tree)" in err
    assert "hint: run `katib-gitops compile`" in err


def test_a_missing_kustomization_at_head(
    compiled: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    (compiled.root / "generated" / "team-a" / "kustomization.yaml").unlink()
    err = _fails(capsys, ["--root", str(compiled.root), "--base", "HEAD"])
    assert "generated/team-a: INPUT-GENERATED is listed in kustomization.yaml but missing" in err
    assert "(at head, the work tree)" in err


def test_a_linked_generated_file_is_not_followed(
    compiled: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A pull request's generated/ must not make the diff read files outside it."""
    target = compiled.root / "generated" / "team-a" / "alpha" / "alpha.yaml"
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(target.read_bytes())
    target.unlink()
    os.symlink(outside, target)
    err = _fails(capsys, ["--root", str(compiled.root), "--base", "HEAD"])
    assert "is listed in team-a/kustomization.yaml but missing" in err


def test_usage_errors(compiled: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    root = ["--root", str(compiled.root)]
    err = _fails(capsys, [*root, "--base", "HEAD", "--artifact-url", "javascript:alert(1)"])
    assert "--artifact-url 'javascript:alert(1)' is not an http(s) URL" in err
    err = _fails(capsys, [*root, "--base", "HEAD", "--artifact-url", "https://x/y) [z](w"])
    assert "is not an http(s) URL" in err
    for bad in (["--default-deadline", "-5"], ["--default-deadline", "1h"], ["-o", "yaml"], []):
        with pytest.raises(SystemExit) as exit_:
            main(["diff", *root, *(["--base", "HEAD"] if bad else []), *bad])
        assert exit_.value.code == 2
    assert "the following arguments are required: --base" in capsys.readouterr().err


def test_the_help_documents_the_exit_codes_and_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["diff", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "Exit codes: 0 the diff was computed" in out and "1 with --fail-on-stale" in out
    assert '"experiments": [{"name", "namespace", "change", "fields"' in out
