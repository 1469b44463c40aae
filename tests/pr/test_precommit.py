"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit in temporary git repositories
with specs. pre-commit installs the hook repository as pip would (`language: python`), so the
hook repository is a git repository in a temporary folder holding a copy of this one's package
files, committed there (try-repo and `rev:` name commits, and this checkout's work tree is not
one)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pr.conftest import Repo, init_repo, spec
from tests.pr.test_diff import CONFIG
from tests.pr.tools import venv_tool

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "compiler")
HOOKS = ("katib-gitops-validate", "katib-gitops-compile", "katib-gitops-check")
# a fixed author and date: the same files give the same commit
FIXED = {
    "GIT_AUTHOR_NAME": "katib-gitops tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "katib-gitops tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    dest = tmp_path_factory.mktemp("hooks")
    for name in PACKAGE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    env = {**os.environ, **FIXED}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=dest, env=env, check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "hooks")
    return dest, git("rev-parse", "HEAD").strip()


def _pre_commit(repo: Repo, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    exe = venv_tool("pre-commit", "the dev extra: pip install pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [exe, *args],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


def _repo(root: Path) -> Repo:
    repo = init_repo(root)
    repo.write("policies/config.yaml", CONFIG)
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.compile()
    repo.commit("specs")
    return repo


def _verdicts(output: str) -> dict[str, str]:
    """pre-commit's lines `katib-gitops validate....Passed`, by hook name."""
    out = {}
    for line in output.splitlines():
        for verdict in ("Passed", "Failed", "Skipped"):
            if line.startswith("katib-gitops ") and line.endswith(verdict):
                out[line.split(".")[0].split("(")[0].strip()] = verdict
    return out


def test_try_repo_runs_the_three_hooks_and_compile_fails_on_a_stale_tree(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    hooks, _ = hook_repo
    repo = _repo(tmp_path / "repo")
    repo.write("specs/team-a/alpha.yaml", spec("alpha", max=7))  # generated/ not recompiled
    repo.git("add", "-A")
    proc = _pre_commit(repo, "try-repo", str(hooks), "--all-files", home=tmp_path / "home")
    assert _verdicts(proc.stdout) == {
        "katib-gitops validate": "Passed",
        "katib-gitops compile": "Failed",
        "katib-gitops check": "Passed",
    }, proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "generated/ was out of date and has been rewritten" in proc.stdout
    assert "maxTrialCount: 7" in (repo.root / "generated/team-a/alpha/alpha.yaml").read_text()
    assert repo.git("status", "--porcelain", "generated").strip()  # left for the user to add


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """pre-commit's store for this module: the hook environment is installed once (a pip
    install of the package, about a minute), and removed afterwards (it is large)."""
    path = tmp_path_factory.mktemp("pre-commit-home")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def config(hook_repo: tuple[Path, str]) -> str:
    hooks, rev = hook_repo
    entries = "".join(f"  - id: {h}\n" for h in HOOKS)
    return f"repos:\n- repo: {hooks}\n  rev: {rev}\n  hooks:\n{entries}"


def _configured(root: Path, config: str) -> Repo:
    repo = _repo(root)
    repo.write(".pre-commit-config.yaml", config)
    repo.commit("hooks")
    return repo


def test_a_clean_repository_passes_and_compile_changes_nothing(
    config: str, home: Path, tmp_path: Path
) -> None:
    repo = _configured(tmp_path / "repo", config)
    proc = _pre_commit(repo, "run", "--all-files", home=home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(_verdicts(proc.stdout).values()) == {"Passed"}
    assert repo.git("status", "--porcelain").strip() == ""


def test_a_broken_spec_fails_validate_at_its_line(config: str, home: Path, tmp_path: Path) -> None:
    repo = _configured(tmp_path / "repo", config)
    repo.write("specs/team-a/alpha.yaml", spec("alpha", algorithm="annealing"))
    repo.git("add", "-A")
    proc = _pre_commit(repo, "run", "katib-gitops-validate", "--all-files", home=home)
    assert proc.returncode == 1
    assert _verdicts(proc.stdout) == {"katib-gitops validate": "Failed"}
    assert "specs/team-a/alpha.yaml:3:" in proc.stdout


def test_an_unwaived_policy_error_fails_check(config: str, home: Path, tmp_path: Path) -> None:
    repo = _configured(tmp_path / "repo", config)
    strict = CONFIG.replace("budget-max-trials: warning", "budget-max-trials: error")
    repo.write("policies/config.yaml", strict.replace("maxTrialCount: 8", "maxTrialCount: 4"))
    repo.git("add", "-A")
    proc = _pre_commit(repo, "run", "katib-gitops-check", "--all-files", home=home)
    assert proc.returncode == 1
    assert "POLICY-budget-max-trials maxTrialCount is 6, over the cap of 4" in proc.stdout


def test_the_hooks_run_only_for_specs_and_policies(config: str, home: Path, tmp_path: Path) -> None:
    repo = _configured(tmp_path / "repo", config)
    repo.write("README.md", "notes\n")
    repo.git("add", "README.md")
    proc = _pre_commit(repo, "run", "--files", "README.md", home=home)
    assert proc.returncode == 0
    assert set(_verdicts(proc.stdout).values()) == {"Skipped"}
