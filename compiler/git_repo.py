"""The only importer of GitPython: what the commands need from the repository.

`commit_paths` commits exactly the given paths (additions, changes and deletions under them),
whatever else is staged, and makes no commit when they did not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import git

from compiler.errors import KatibGitopsError


class GitError(KatibGitopsError):
    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{root} is not in a git repository", "run `git init` first") from None


def file_revision(root: Path, path: str) -> str:
    """The short commit that last changed `path`, with "+dirty" when it has changed since;
    "" outside a repository or for a file never committed."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return ""
    try:
        sha = repo.git.log("-1", "--format=%h", "--", path)
        dirty = bool(repo.git.status("--porcelain", "--", path))
    except git.GitCommandError:
        return ""
    return f"{sha}+dirty" if sha and dirty else sha


def commit_paths(root: Path, paths: Sequence[str], message: str) -> str | None:
    """Stage and commit exactly `paths` (relative to root); the new commit's sha, or None when
    nothing under them changed."""
    repo = _repo(root)
    top = Path(repo.working_tree_dir or root).resolve()
    rel = [(root.resolve() / p).relative_to(top).as_posix() for p in paths]
    try:
        repo.git.add("-A", "--", *rel)
        if repo.head.is_valid():
            changed = repo.git.diff("--cached", "--name-only", "HEAD", "--", *rel)
        else:
            changed = repo.git.diff("--cached", "--name-only", "--", *rel)
        if not changed.strip():
            return None
        repo.git.commit("-m", message, "--only", "--", *rel)
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {exc.stderr.strip() or exc}", "check the repository") from None
    return str(repo.head.commit.hexsha)


def read_tree(root: Path, rev: str, prefix: str) -> dict[str, bytes]:
    """Every file under `prefix` (a folder, e.g. "generated") at revision `rev`, by path
    relative to it; {} when the folder does not exist there."""
    repo = _repo(root)
    try:
        tree = repo.commit(rev).tree
    except (git.BadName, ValueError, git.GitCommandError):
        raise GitError(
            f"{rev!r} is not a revision of {root}", "name a commit or a branch"
        ) from None
    try:
        folder = tree / prefix
    except KeyError:
        return {}
    if folder.type != "tree":
        return {}
    return {
        str(blob.path)[len(prefix) + 1 :]: blob.data_stream.read()
        for blob in folder.traverse()
        if isinstance(blob, git.Blob)
    }


def revision(root: Path, rev: str = "HEAD") -> str:
    """The full commit id `rev` names."""
    try:
        return str(_repo(root).commit(rev).hexsha)
    except (git.BadName, ValueError, git.GitCommandError):
        raise GitError(
            f"{rev!r} is not a revision of {root}", "name a commit or a branch"
        ) from None
