"""Push our report commits, racing humans and other reconcilers for the branch.

A rejected push means someone pushed first. We fetch and replay our commits on theirs; when they
changed the same report file, ours are dropped and `regenerate` writes the files again from the
current observation, on top of theirs: nothing of either writer is lost, no commit is duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.git_repo.errors import GitError
from compiler.git_repo.files import commit_paths
from compiler.git_repo.remote import TIMEOUT, Upstream, fetch, push_once, upstream
from compiler.git_repo.session import IDENTITY, Identity, Session, session
from compiler.git_repo.sync import integrate, status, under


@dataclass(frozen=True)
class PushResult:
    pushed: bool  # our commits reached the remote (False: there was nothing to push)
    attempts: int  # pushes tried
    rebased: bool  # our commits were replayed on commits pushed meanwhile
    regenerated: bool  # our commits were dropped and the reports written and committed again


def push(
    root: Path,
    *,
    remote: str = "origin",
    branch: str | None = None,
    attempts: int = 5,
    regenerate: Callable[[], Sequence[str]] | None = None,
    identity: Identity = IDENTITY,
    owned: Sequence[str] = ("reports",),
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> PushResult:
    """Push HEAD's unpushed commits (ours, as `sync` left them) to the upstream branch."""
    if attempts < 1:
        raise GitError(f"push needs at least one attempt, not {attempts}")
    rebased = regenerated = False
    with session(root, env) as s:
        up = upstream(s, remote, branch)
        _refuse_dirty(s)
        for attempt in range(1, attempts + 1):
            if not _ahead(s, up):
                return PushResult(False, attempt - 1, rebased, regenerated)
            outcome = push_once(s, up, timeout)
            if outcome != "rejected":
                return PushResult(outcome == "pushed", attempt, rebased, regenerated)
            fetch(s, up, timeout)
            moved = integrate(s, up, identity, owned, drop=regenerate is not None)
            rebased = rebased or moved.rebased > 0
            if moved.conflict and regenerate is None:
                raise _conflict(up, moved.conflict)
            if moved.dropped and regenerate is not None:
                _commit_again(root, regenerate(), moved.message, identity, owned)
                regenerated = True
    raise GitError(
        f"push to {up} failed {attempts} times: the branch moved again before each push "
        f"(rebased: {rebased}, regenerated: {regenerated}); our commits are kept for the next pass",
        "other writers are pushing to the branch; the next pass tries again",
        retryable=True,
    )


def _ahead(s: Session, up: Upstream) -> bool:
    return s.run("rev-list", "--count", f"{up.tracking}..HEAD").strip() != "0"


def _refuse_dirty(s: Session) -> None:
    changed = [path for _, path in status(s)]
    if changed:
        raise GitError(
            f"{s.top} has uncommitted changes: {', '.join(changed[:10])}",
            "commit the reports before pushing (sync restores a killed pass's leftovers)",
        )


def _commit_again(
    root: Path, paths: Sequence[str], message: str, identity: Identity, owned: Sequence[str]
) -> None:
    outside = [p for p in paths if not under(p, owned)]
    if outside:
        raise GitError(
            f"regenerate returned paths outside {', '.join(owned)}: {', '.join(outside)}",
            "regenerate may only write the reconciler's own folders",
        )
    commit_paths(root, paths, message, identity=identity)


def _conflict(up: Upstream, files: tuple[str, ...]) -> GitError:
    return GitError(
        f"{up} changed files our unpushed commits also change ({', '.join(files)}): another "
        "writer pushed the same reports; our commits are kept",
        "pass regenerate= to write them again on top, or sync (it drops ours) and rerun the pass",
        retryable=True,
    )
