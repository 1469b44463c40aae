"""A repository opened with the environment every git call of this room gets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import git

from compiler.git_repo.errors import GitError, tail

# Nothing may wait for a human: the reconciler runs unattended, and a prompt would hang a pass.
# An empty GIT_ASKPASS also stops git falling back to core.askPass and SSH_ASKPASS. Our paths
# are literal (a report folder may be named `a*b`), never globs.
QUIET = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GCM_INTERACTIVE": "never",
    "GIT_LITERAL_PATHSPECS": "1",
}


@dataclass(frozen=True)
class Identity:
    """Who our commits are by (author and committer), so they can be told apart from humans'."""

    name: str
    email: str

    def committer(self) -> dict[str, str]:
        return {"GIT_COMMITTER_NAME": self.name, "GIT_COMMITTER_EMAIL": self.email}

    def author_and_committer(self) -> dict[str, str]:
        return {"GIT_AUTHOR_NAME": self.name, "GIT_AUTHOR_EMAIL": self.email, **self.committer()}


IDENTITY = Identity(name="katib-gitops", email="katib-gitops@users.noreply.github.com")

# the credentials every git call of this room gets (`use_credentials`); kept here rather than
# in os.environ, so that trial subprocesses and hooks of other tools never see them
_credentials: dict[str, str] = {}


def set_credentials(env: Mapping[str, str]) -> None:
    _credentials.clear()
    _credentials.update(env)


def git_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of one git call (on top of os.environ): no prompts, the credentials,
    then the call's own."""
    return {**QUIET, **_credentials, **(env or {})}


class Session:
    """One open repository: `run` is a git call with our environment on top of os.environ."""

    def __init__(self, repo: git.Repo, env: Mapping[str, str]) -> None:
        self.repo = repo
        self.env = git_env(env)
        self.git_dir = Path(repo.git_dir)
        self.top = Path(repo.working_tree_dir or repo.git_dir)

    def attempt(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: BinaryIO | None = None,
    ) -> tuple[int, str, str]:
        """(status, stdout, stderr); a timeout kills git and its children (GitPython's watchdog)
        and reads as status != 0 with stderr starting "Timeout:"."""
        execute: Any = self.repo.git.execute  # its overloads do not cover this combination
        status, out, err = execute(
            ["git", *args],
            with_extended_output=True,
            with_exceptions=False,
            env={**self.env, **(env or {})},
            kill_after_timeout=timeout,
            istream=stdin,
            strip_newline_in_stdout=False,
        )
        return int(status or 0), str(out), str(err)

    def run(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        status, out, err = self.attempt(*args, env=env)
        if status != 0:
            command = next(a for a in args if not a.startswith("-") and "=" not in a)
            raise GitError(f"git {command} failed in {self.top}: {tail(err)}", "check the clone")
        return out

    def sha(self, ref: str = "HEAD") -> str:
        """The commit `ref` (a full ref name, or HEAD) points at; read from files, no git call."""
        try:
            return git.SymbolicReference.dereference_recursive(self.repo, ref)
        except ValueError:
            raise GitError(f"{ref} does not exist in {self.top}", "fetch first") from None

    def branch_ref(self) -> str:
        """refs/heads/<branch> that HEAD is on; a detached HEAD is refused."""
        if self.repo.head.is_detached:
            raise GitError(
                f"HEAD is detached in {self.top}: there is no branch to sync",
                "check a branch out (git switch <branch>)",
            )
        return str(self.repo.head.reference.path)


def open_repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(
            f"{root} is not in a git repository", "run `git init`, or clone the repository"
        ) from None


@contextmanager
def session(root: Path, env: Mapping[str, str] | None = None) -> Iterator[Session]:
    """The repository at (or above) `root` with a work tree; closed (GitPython's persistent
    cat-file processes ended) on exit."""
    repo = open_repo(root)
    try:
        if repo.bare:
            raise GitError(
                f"{root} is a bare repository: there is no work tree to commit reports in",
                "give the path of a clone",
            )
        yield Session(repo, env or {})
    finally:
        repo.close()


def state_dir(root: Path) -> Path:
    """A folder for katib-gitops's own state of this clone (caches), inside .git: never part of
    the work tree, so never a change to commit or to refuse."""
    repo = open_repo(root)
    try:
        folder = Path(repo.git_dir) / "katib-gitops"
    finally:
        repo.close()
    folder.mkdir(exist_ok=True)
    return folder
