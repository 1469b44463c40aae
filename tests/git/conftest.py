"""Real git for the git room's tests: a bare remote in a temporary folder, the reconciler's clone
of it, and humans (git subprocesses with their own name) committing and pushing beside it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from compiler.git_repo import IDENTITY, commit_paths

HUMAN = ("Ada Human", "ada@example.com")


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def as_human(name: str = HUMAN[0], email: str = HUMAN[1]) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


class World:
    """A bare remote (main: a spec, a generated file, a report index) and clones of it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.remote = base / "remote.git"
        git(base, "init", "-q", "--bare", "-b", "main", str(self.remote))
        seed = self.clone("seed")
        self.write(seed, "specs/demo/a.yaml", "name: a\n")
        self.write(seed, "generated/demo/a.yaml", "kind: Experiment\n")
        self.write(seed, "reports/index.md", "# Reports\n")
        git(seed, "add", "-A")
        git(seed, "commit", "-q", "-m", "seed", env=as_human())
        git(seed, "push", "-q", "origin", "main")
        self.human = self.clone("human")
        self.root = self.clone("reconciler")

    def clone(self, name: str) -> Path:
        path = self.base / name
        git(self.base, "clone", "-q", str(self.remote), str(path))
        return path

    @staticmethod
    def write(clone: Path, path: str, text: str) -> str:
        target = clone / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return path

    def human_push(self, path: str, text: str, message: str = "edit a spec") -> str:
        """A human's commit pushed to main (after pulling what others pushed); its sha."""
        git(self.human, "pull", "-q", "--rebase", "origin", "main", env=as_human())
        self.write(self.human, path, text)
        git(self.human, "add", "--", path)
        git(self.human, "commit", "-q", "-m", message, env=as_human())
        git(self.human, "push", "-q", "origin", "HEAD:main")
        return git(self.human, "rev-parse", "HEAD").strip()

    def report(self, clone: Path, name: str, text: str) -> str | None:
        """The reconciler writes and commits one report (as katib-gitops); the commit or None."""
        path = self.write(clone, f"reports/demo/{name}/README.md", text)
        return commit_paths(clone, [path], f"report: demo/{name}", identity=IDENTITY)

    def remote_log(self, *paths: str, fmt: str = "%H") -> list[str]:
        out = git(self.remote, "log", f"--format={fmt}", "main", "--", *paths)
        return out.splitlines()

    def remote_file(self, path: str) -> str:
        return git(self.remote, "show", f"main:{path}")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No system or user git configuration: a developer's helpers, hooks or signing stay out."""
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_COUNT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)
