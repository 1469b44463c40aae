"""Files at a revision, and commits of exactly some paths.

`commit_paths` commits exactly the given paths (additions, changes and deletions under them),
whatever else is staged, and makes no commit when they did not change.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import git

from compiler.git_repo.errors import GitError, tail
from compiler.git_repo.session import Identity, open_repo, session

_SYMLINK = 0o120000


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
    finally:
        repo.close()
    return f"{sha}+dirty" if sha and dirty else sha


def commit_paths(
    root: Path, paths: Sequence[str], message: str, *, identity: Identity | None = None
) -> str | None:
    """Stage and commit exactly `paths` (relative to root); the new commit's sha, or None when
    nothing under them changed. With `identity`, it is the commit's author and committer."""
    with session(root) as s:
        top = s.top.resolve()
        rel = [(root.resolve() / p).relative_to(top).as_posix() for p in paths]
        s.run("add", "-A", "--", *rel)
        base = ["HEAD"] if s.repo.head.is_valid() else []
        if not s.run("diff", "--cached", "--name-only", *base, "--", *rel).strip():
            return None
        who = identity.author_and_committer() if identity else None
        s.run("commit", "-q", "-m", message, "--only", "--", *rel, env=who)
        return s.sha()


def read_tree(root: Path, rev: str, prefix: str) -> dict[str, bytes]:
    """Every file under `prefix` (a folder, e.g. "generated") at revision `rev`, by path
    relative to it; {} when the folder does not exist there."""
    repo = open_repo(root)
    try:
        folder = _item(repo, root, rev, prefix)
        if not isinstance(folder, git.Tree):
            return {}
        return {
            str(blob.path)[len(prefix) + 1 :]: blob.data_stream.read()
            for blob in folder.traverse()
            if isinstance(blob, git.Blob)
        }
    finally:
        repo.close()


def revision(root: Path, rev: str = "HEAD") -> str:
    """The full commit id `rev` names."""
    repo = open_repo(root)
    try:
        return str(_commit(repo, root, rev).hexsha)
    finally:
        repo.close()


def tree_ids(root: Path, rev: str, paths: Sequence[str]) -> dict[str, str]:
    """The tree or blob id of each path at `rev` ("" where it does not exist): whether a folder
    changed between two revisions, in one git call."""
    with session(root) as s, tempfile.TemporaryFile() as queries:
        # cat-file answers "<query> missing" for an absent path; the first line checks rev
        lines = [f"{rev}^{{commit}}", *(f"{rev}:{p.strip('/')}" for p in paths)]
        queries.write("".join(f"{line}\n" for line in lines).encode())
        queries.seek(0)
        fmt = "--batch-check=%(objectname) %(objecttype)"
        status, out, err = s.attempt("cat-file", fmt, stdin=queries)
    answers = out.splitlines()
    if status != 0 or len(answers) != len(lines):
        raise GitError(f"git cat-file failed in {root}: {tail(err)}", "check the clone")
    if answers[0].endswith(" missing"):
        raise GitError(f"{rev!r} is not a revision of {root}", "name a commit or a branch")
    return {
        p: "" if a.endswith((" missing", " ambiguous")) else a.split()[0]
        for p, a in zip(paths, answers[1:], strict=True)
    }


def export_tree(root: Path, rev: str, paths: Sequence[str], dest: Path) -> list[str]:
    """Write the files under `paths` (folders or files) at `rev` into `dest` (new or empty) at
    the same relative paths, e.g. to compile a revision's specs elsewhere; the paths written.
    Symbolic links and submodules are skipped: a spec folder from a fork must not reach out."""
    if dest.exists() and any(dest.iterdir()):
        raise GitError(f"{dest} is not empty", "export into a new folder")
    repo = open_repo(root)
    written: list[str] = []
    try:
        for prefix in paths:
            top = _item(repo, root, rev, prefix.strip("/"))
            items = top.traverse() if isinstance(top, git.Tree) else [top] if top else []
            for item in items:
                if isinstance(item, git.Blob) and item.mode != _SYMLINK:
                    _write(dest, str(item.path), item.data_stream.read(), item.mode)
                    written.append(str(item.path))
    finally:
        repo.close()
    return sorted(written)


def _write(dest: Path, path: str, data: bytes, mode: int) -> None:
    parts = path.split("/")
    if any(part in ("", ".", "..", ".git") for part in parts):
        raise GitError(f"refusing to export {path!r}: not a plain relative path")
    target = dest.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(0o755 if mode & 0o111 else 0o644)


def _commit(repo: git.Repo, root: Path, rev: str) -> git.Commit:
    try:
        return repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError):
        raise GitError(
            f"{rev!r} is not a revision of {root}", "name a commit or a branch"
        ) from None


def _item(repo: git.Repo, root: Path, rev: str, prefix: str) -> git.Tree | git.Blob | None:
    """The tree or file at `prefix` in `rev`; None where there is none (or a submodule)."""
    tree = _commit(repo, root, rev).tree
    if not prefix:
        return tree
    try:
        item = tree / prefix
    except KeyError:
        return None
    return item if isinstance(item, git.Tree | git.Blob) else None
